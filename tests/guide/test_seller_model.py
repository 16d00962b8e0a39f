"""The seller model that the forecast and the simulator share (issue 11): properties over random orders,
sellers and profiles, and a thousand simulated stories counted against the forecast's exact chance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guide.behaviour import request_odds
from guide.lifecycle import Action, OrderState, advance, apply_action, events_from_snapshot, next_timer, replay
from guide.likelihood import chance_if_waiting, forecast
from guide.models import CloseReason, EventKind, Order, PaymentMethod, Status
from guide.policy import assess
from guide.profile import PolicyProfile, get_profile
from tests.guide.factories import CURRENT, STRICT, at, item, make_order, seller
from tests.support.stats import wilson_interval

PROFILES = (CURRENT, STRICT)
SHIP_BY = at(days=7, hours=1)  # seven days after payment, as in the measurements
CANCELLED = {
    CloseReason.CANCELLED_BY_SELLER_APPROVAL,
    CloseReason.CANCELLED_AFTER_SELLER_SILENCE,
    CloseReason.SHIP_BY_MISSED,
}
ANY_RATE = st.one_of(st.none(), st.floats(0, 1))
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)


def waiting_order(
    status: str = "awaiting_shipment",
    response: float | None = None,
    ships: float | None = None,
    made_to_order: bool = False,
    **overrides: Any,
) -> Order:
    return make_order(
        status,
        seller=seller(response_rate=response, ships_anyway_rate=ships),
        items=[item(made_to_order=made_to_order)],
        ship_by=SHIP_BY,
        **overrides,
    )


@st.composite
def orders_and_profiles(draw: st.DrawFn, status: str = "awaiting_shipment") -> tuple[Order, PolicyProfile]:
    order = waiting_order(status, draw(ANY_RATE), draw(ANY_RATE), draw(st.booleans()))
    return order, get_profile(draw(st.sampled_from(PROFILES)))


# --- properties -----------------------------------------------------------------------------------


@SETTINGS
@given(case=orders_and_profiles(), hours=st.lists(st.floats(0.01, 165), min_size=2, max_size=2))
def test_asking_now_never_gains_as_the_ship_by_date_comes_closer(case: tuple[Order, PolicyProfile], hours: list[float]):
    order, profile = case
    later, sooner = sorted(hours)  # hours left before ship-by: fewer hours left is closer to the deadline
    closer = forecast(order, SHIP_BY - timedelta(hours=later), profile, samples=200).probability
    farther = forecast(order, SHIP_BY - timedelta(hours=sooner), profile, samples=200).probability
    assert closer <= farther + 1e-12


@SETTINGS
@given(case=orders_and_profiles("awaiting_cancellation"), shares=st.lists(st.floats(0, 0.999), min_size=2, max_size=2))
def test_while_a_request_waits_unanswered_the_chance_never_falls(
    case: tuple[Order, PolicyProfile], shares: list[float]
):
    order, profile = case
    requested = order.cancel_requested_at
    assert requested is not None and order.ship_by is not None
    ends = min(requested + timedelta(hours=profile.seller_answer_hours.value), order.ship_by)
    early, late = (requested + (ends - requested) * share for share in sorted(shares))
    assert (
        forecast(order, late, profile, samples=200).probability
        >= forecast(order, early, profile, samples=200).probability - 1e-12
    )


@SETTINGS
@given(response=ANY_RATE, made=st.booleans(), name=st.sampled_from(PROFILES), hours=st.floats(0.01, 165))
def test_a_seller_who_always_ships_anyway_gives_at_most_five_percent(
    response: float | None, made: bool, name: str, hours: float
):
    """Asking at any time before the ship-by date, or just asked. (Silence while a request waits is news:
    a seller set on shipping who has not shipped near the deadline is likely to miss it.)"""
    profile = get_profile(name)
    now = SHIP_BY - timedelta(hours=hours)
    asking = waiting_order("awaiting_shipment", response, 1.0, made)
    assert forecast(asking, now, profile, samples=200).probability <= 0.05
    asked = waiting_order("awaiting_cancellation", response, 1.0, made, cancel_requested_at=max(now, at(3)))
    assert forecast(asked, max(now, at(3)), profile, samples=200).probability <= 0.05


@SETTINGS
@given(
    case=orders_and_profiles(),
    hours=st.floats(0.01, 165),
    status=st.sampled_from(["awaiting_shipment", "awaiting_cancellation", "frozen"]),
)
def test_the_chance_is_the_same_for_every_payment_method(case: tuple[Order, PolicyProfile], hours: float, status: str):
    order, profile = case
    now = SHIP_BY - timedelta(hours=hours)
    base = waiting_order(status, order.seller.response_rate, order.seller.ships_anyway_rate, order.made_to_order)
    if now < base.latest_stamp:
        now = base.latest_stamp
    chances = set()
    for method in PaymentMethod:
        paid: dict[str, Any] = {"payment_method": method.value}
        if method is PaymentMethod.CASH_ON_DELIVERY:  # paid at the door, confirmed when ordered
            paid |= {"paid_at": None, "verified_at": None, "confirmed_at": at(1)}
        variant = Order.model_validate({**base.to_json_dict(), **paid})
        chances.add(round(forecast(variant, now, profile, samples=200).probability, 12))
    assert len(chances) == 1


@SETTINGS
@given(case=orders_and_profiles(), hours=st.floats(0.01, 165), wait=st.floats(0.1, 72))
def test_waiting_never_beats_asking_today(case: tuple[Order, PolicyProfile], hours: float, wait: float):
    order, profile = case
    now = SHIP_BY - timedelta(hours=hours)
    later = chance_if_waiting(order, now, now + timedelta(hours=wait), profile)
    assert later is not None and 0.0 <= later <= forecast(order, now, profile, samples=200).probability + 1e-12


@pytest.mark.parametrize("name", PROFILES)
def test_while_the_payment_is_verified_waiting_a_day_costs_the_certainty(name: str):
    order = make_order("payment_verification")
    profile = get_profile(name)
    result = assess(order, at(2), profile)
    if profile.cancel_during_verification.value:
        assert result.likelihood == 1.0 and result.waiting is not None
        assert result.waiting.likelihood < request_odds(order, profile).success
        assert any("verified" in reason for reason in result.why)
    else:
        assert result.waiting is None


def test_the_details_say_what_waiting_costs_and_name_the_assumptions():
    order = waiting_order(response=0.9, ships=0.3)
    result = assess(order, SHIP_BY - timedelta(hours=96), get_profile())
    assert result.waiting is not None and result.waiting.likelihood < result.likelihood
    assert result.waiting.until == SHIP_BY - timedelta(hours=72)
    assert any("asking today keeps the best chance" in reason for reason in result.why)
    near = assess(order, SHIP_BY - timedelta(hours=5), get_profile())
    assert near.waiting is not None and near.waiting.until == SHIP_BY  # waiting past the deadline: only a miss
    assert near.waiting.likelihood == pytest.approx(get_profile().miss_ship_by_rate.value)
    requested = waiting_order("awaiting_cancellation", response=0.9, ships=0.3)
    assert any("simulator assumes" in reason for reason in assess(requested, at(days=1, hours=2)).why)
    refused = waiting_order(response=0.9, ships=0.3, cancel_requested_at=at(5), cancel_refused_at=at(20))
    assert any("one cancellation request" in reason for reason in assess(refused, at(days=1)).why)


# --- the forecast and the simulator tell the same story ---------------------------------------------


def stories(state: OrderState, profile: PolicyProfile, count: int) -> list[OrderState]:
    """`count` simulated futures of the order, one a seed, each run until it ships or closes."""
    return [advance(state, SHIP_BY + timedelta(days=30), seed, profile) for seed in range(count)]


def cancelled(story: OrderState) -> bool:
    """The story ended with the order cancelled before anything shipped."""
    return story.order.shipped_at is None and story.order.close_reason in CANCELLED


def state_of(order: Order, profile: PolicyProfile) -> OrderState:
    return replay(events_from_snapshot(order, profile))


def assert_agrees(exact: float, hits: int, n: int) -> None:
    low, high = wilson_interval(hits, n, z=3.29)  # 99.9%: a few dozen such checks run
    assert low <= exact <= high, f"forecast {exact:.3f}, simulator {hits}/{n}"


@pytest.mark.parametrize("name", PROFILES)
@pytest.mark.parametrize(
    ("response", "ships", "hours_left"), [(None, None, 96), (0.9, 0.3, 30), (1.0, 1.0, 12), (0.0, 0.2, 20)]
)
def test_asking_now_agrees_with_a_thousand_simulated_stories(
    name: str, response: float | None, ships: float | None, hours_left: float
):
    profile = get_profile(name)
    order = waiting_order(response=response, ships=ships)
    now = SHIP_BY - timedelta(hours=hours_left)
    asked = apply_action(state_of(order, profile), Action.REQUEST_CANCELLATION, now, profile, reason="no_longer_needed")
    hits = sum(cancelled(story) for story in stories(asked, profile, 1000))
    assert_agrees(forecast(order, now, profile).probability, hits, 1000)


@pytest.mark.parametrize("name", PROFILES)
def test_a_waiting_request_agrees_with_the_stories_still_waiting(name: str):
    """Condition on silence the way the simulator does: of the stories with no answer yet, how many cancel."""
    profile = get_profile(name)
    order = waiting_order(response=0.9, ships=0.3)
    asked_at = SHIP_BY - timedelta(hours=100)
    asked = apply_action(
        state_of(order, profile), Action.REQUEST_CANCELLATION, asked_at, profile, reason="no_longer_needed"
    )
    now = asked_at + timedelta(hours=profile.seller_answer_hours.value * 0.7)
    so_far = {seed: advance(asked, now, seed, profile) for seed in range(3000)}
    seeds = [seed for seed, story in so_far.items() if story.order.status is Status.AWAITING_CANCELLATION]
    hits = sum(cancelled(advance(so_far[seed], SHIP_BY + timedelta(days=30), seed, profile)) for seed in seeds)
    assert len(seeds) > 300
    assert_agrees(forecast(so_far[seeds[0]].order, now, profile).probability, hits, len(seeds))


@pytest.mark.parametrize("name", PROFILES)
def test_waiting_a_day_agrees_with_the_stories_from_verification(name: str):
    """From the moment the order is verified the simulator's plan and the forecast's fresh plan coincide."""
    profile = get_profile(name)
    verified = at(3)
    order = waiting_order(response=0.9, ships=0.3)
    assert order.verified_at == verified
    until = verified + timedelta(days=1)
    start = state_of(order, profile)
    hits = 0
    for seed in range(1000):
        story = advance(start, until, seed, profile)
        if story.order.status is Status.AWAITING_SHIPMENT:
            story = apply_action(story, Action.REQUEST_CANCELLATION, until, profile, reason="no_longer_needed")
            story = advance(story, SHIP_BY + timedelta(days=30), seed, profile)
        hits += cancelled(story)
    expected = chance_if_waiting(order, verified, until, profile)
    assert expected is not None
    assert_agrees(expected, hits, 1000)


def test_the_simulated_seller_reacts_before_the_earlier_of_the_window_and_the_deadline():
    profile = get_profile(STRICT)  # 72 hours: the deadline comes first
    order = waiting_order(response=0.9, ships=0.3)
    now = SHIP_BY - timedelta(hours=20)
    asked = apply_action(state_of(order, profile), Action.REQUEST_CANCELLATION, now, profile, reason="no_longer_needed")
    for story in stories(asked, profile, 200):
        first = story.events[len(asked.events)]
        assert first.at <= SHIP_BY
        assert first.kind.value in {"shipped", "seller_refused", "seller_approved", "ship_by_missed"}


def test_a_seller_who_never_answers_still_ships_in_the_simulator():
    profile = get_profile()
    order = waiting_order(response=0.0, ships=1.0)
    asked = apply_action(
        state_of(order, profile), Action.REQUEST_CANCELLATION, at(5), profile, reason="no_longer_needed"
    )
    shipped = sum(story.order.shipped_at is not None for story in stories(asked, profile, 200))
    assert shipped >= 170  # all but the profile's deadline misses (5%)


def test_where_the_countdown_pauses_a_refusal_moves_the_ship_by_date_on():
    default = get_profile()
    pauses = default.model_copy(
        update={"ship_by_runs_during_request": default.ship_by_runs_during_request.model_copy(update={"value": False})}
    )
    order = waiting_order(response=1.0, ships=0.0)
    asked_at = SHIP_BY - timedelta(hours=10)
    asked = apply_action(
        state_of(order, pauses), Action.REQUEST_CANCELLATION, asked_at, pauses, reason="no_longer_needed"
    )
    refusals = [s for s in stories(asked, pauses, 100) if s.order.cancel_refused_at is not None]
    assert refusals
    for story in refusals:
        refused_at = story.order.cancel_refused_at
        assert refused_at is not None and story.order.ship_by is not None
        assert abs((story.order.ship_by - SHIP_BY) - (refused_at - asked_at)) <= timedelta(seconds=1)


def test_where_a_second_request_is_assumed_a_refused_order_can_ask_again():
    default = get_profile()
    twice = default.model_copy(
        update={"one_request_per_order": default.one_request_per_order.model_copy(update={"value": False})}
    )
    refused = waiting_order(response=0.9, ships=0.3, cancel_requested_at=at(5), cancel_refused_at=at(20))
    state = state_of(refused, twice)
    again = apply_action(state, Action.REQUEST_CANCELLATION, at(days=1), twice, reason="no_longer_needed")
    assert again.order.status is Status.AWAITING_CANCELLATION
    assert forecast(refused, at(days=1), twice).probability == pytest.approx(request_odds(refused, twice).success)
    assert assess(refused, at(days=1), twice).path.value == "request_cancellation"


@pytest.mark.parametrize("name", PROFILES)
def test_a_freeze_that_outlasts_the_ship_by_date_agrees_with_the_stories(name: str):
    """The ship-by date runs during a freeze: a deadline that passes meanwhile closes the order when it ends,
    and otherwise the buyer asks as soon as it resumes."""
    profile = get_profile(name)
    order = waiting_order(response=0.9, ships=0.3)
    frozen_at = SHIP_BY - timedelta(days=6)  # freezes last 3 to 14 days: most outlast the deadline
    frozen = apply_action(state_of(order, profile), Action.FREEZE, frozen_at, profile)
    hits = 0
    for seed in range(1000):
        unfrozen = next_timer(frozen, seed, profile)
        assert unfrozen is not None and unfrozen.kind is EventKind.UNFROZEN
        story = advance(frozen, unfrozen.at, seed, profile)  # a deadline already past is missed at once
        if story.order.status is Status.AWAITING_SHIPMENT:
            story = apply_action(story, Action.REQUEST_CANCELLATION, unfrozen.at, profile, reason="no_longer_needed")
        hits += cancelled(advance(story, SHIP_BY + timedelta(days=30), seed, profile))
    expected = forecast(frozen.order, frozen_at, profile).probability
    gone = (14 - 6) / (14 - 3)
    assert expected == pytest.approx(gone + (1 - gone) * request_odds(order, profile).success)
    assert_agrees(expected, hits, 1000)
