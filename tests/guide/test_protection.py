"""Buyer protection by country and the dispute window it sets (DOMAIN.md: Timers / delivery guarantee;
Cancellation rules / Awaiting delivery), read the same by the lifecycle, the profile and assess()."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from guide.content import messages, seller_reply, text
from guide.lifecycle import (
    Action,
    DomainError,
    OrderState,
    act,
    dispute_refusal,
    events_from_snapshot,
    next_timer,
    replay,
)
from guide.models import EventKind, Order, Path, Status, iso_codes
from guide.policy import assess
from guide.profile import ByCountry, PolicyProfile, Rule, Span, load_profiles
from tests.guide.factories import HOUR, at, make_order

PROFILES = sorted(load_profiles())
# DOMAIN.md: Timers / delivery guarantee: 60 days, 90 for Russia, 120 for Brazil.
EXPECTED = {"RU": 90, "BR": 120}
DEFAULT_DAYS = 60
COUNTRIES = st.one_of(st.sampled_from(["RU", "BR"]), st.sampled_from(sorted(iso_codes()["countries"])))
SAMPLES = 200
PROPERTY = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def expected_days(country: str | None) -> int:
    return EXPECTED.get(country or "", DEFAULT_DAYS)


def shipped_order(status: str, country: str, ship_hours: float, delivered_days: float | None, **extra: Any) -> Order:
    """A paid order shipped `ship_hours` after T0 to `country`, delivered `delivered_days` after shipping."""
    shipped = at(hours=ship_hours)
    overrides: dict[str, Any] = {"country": country, "shipped_at": shipped, "ship_by": shipped + HOUR, **extra}
    if delivered_days is not None:
        overrides["delivered_at"] = shipped + timedelta(days=delivered_days)
    return make_order(status, **overrides)


def state_of(order: Order, profile: PolicyProfile) -> OrderState:
    return replay(events_from_snapshot(order, profile))


def never_ships_the_rest(profile: PolicyProfile) -> PolicyProfile:
    """A partial shipment whose rest would ship after any protection ends, so protection is the next timer."""
    slow: Rule[Span] = Rule(value=Span(low=400, high=400), sources=["test"])
    return profile.model_copy(update={"processing_days": slow})


# --- the rule as data ---------------------------------------------------------------------------


@pytest.mark.parametrize("profile_id", PROFILES)
@pytest.mark.parametrize("country", ["DE", "US", "RU", "BR", "ES", None])
def test_every_profile_gives_protection_by_country(profile_id: str, country: str | None):
    profile = load_profiles()[profile_id]
    order = make_order("awaiting_delivery", country=country)
    assert profile.protection_days(order) == expected_days(country)


@pytest.mark.parametrize("profile_id", PROFILES)
def test_the_rule_cites_its_sources(profile_id: str):
    rule = load_profiles()[profile_id].delivery_guarantee_days
    assert any("activities.aliexpress.com" in s for s in rule.sources)
    assert any("bio-guard.net" in s for s in rule.sources)


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"default": 60, "by_country": {"XX": 90}}, "by_country"),
        ({"default": 60, "by_country": {"ru": 90}}, "by_country"),
        ({"default": 60, "by_country": {"RU": -1}}, "by_country"),
        ({"default": -5}, "default"),
        ({"default": 500}, "default"),
        ({"by_country": {"RU": 90}}, "default"),
    ],
)
def test_a_bad_protection_value_is_rejected_naming_its_field(value: dict[str, Any], field: str):
    with pytest.raises(ValidationError) as error:
        ByCountry.model_validate(value)
    assert field in {str(part) for problem in error.value.errors() for part in problem["loc"]}


# --- the lifecycle's protection timer and the dispute window agree ---------------------------------


@PROPERTY
@given(
    profile_id=st.sampled_from(PROFILES),
    country=COUNTRIES,
    ship_hours=st.floats(min_value=24, max_value=24 * 30),
    delivered_days=st.floats(min_value=1, max_value=59),
)
def test_delivered_order_completes_when_protection_ends(
    profile_id: str, country: str, ship_hours: float, delivered_days: float
):
    profile = load_profiles()[profile_id]
    order = shipped_order("awaiting_delivery", country, ship_hours, delivered_days)
    shipped = order.shipped_at
    assert shipped is not None
    ends = shipped + timedelta(days=expected_days(country))
    timer = next_timer(state_of(order, profile), seed=1, profile=profile)
    assert timer is not None and timer.kind is EventKind.PROTECTION_EXPIRED
    assert timer.at == ends.replace(microsecond=0) or timer.at == ends
    window = profile.dispute_window(order)
    assert window is not None
    assert window[1] == ends + timedelta(days=profile.dispute_after_protection_days.value)
    # DOMAIN.md: a delivered item may be disputed from the 11th day after shipping.
    assert window[0] == shipped + timedelta(days=profile.dispute_opens_after_shipping_days.value)


@PROPERTY
@given(profile_id=st.sampled_from(PROFILES), country=COUNTRIES, ship_hours=st.floats(min_value=24, max_value=720))
def test_partial_shipment_protection_uses_the_country(profile_id: str, country: str, ship_hours: float):
    profile = never_ships_the_rest(load_profiles()[profile_id])
    order = shipped_order("partial_shipment", country, ship_hours, None)
    assert order.shipped_at is not None
    ends = order.shipped_at + timedelta(days=expected_days(country))
    timer = next_timer(state_of(order, profile), seed=2, profile=profile)
    assert timer is not None and timer.kind is EventKind.PROTECTION_EXPIRED
    assert abs(timer.at - ends) < timedelta(seconds=1)
    window = profile.dispute_window(order)
    assert window is not None and window[0] == ends, "not received: opens when protection ends"


# (status, delivered): a partial shipment is not delivered until all of it has shipped.
SHIPPED = st.sampled_from([("awaiting_delivery", True), ("awaiting_delivery", False), ("partial_shipment", False)])


@PROPERTY
@given(profile_id=st.sampled_from(PROFILES), country=COUNTRIES, shipped=SHIPPED, day=st.floats(0, 150))
def test_lifecycle_and_assessment_agree_on_the_dispute_window(
    profile_id: str, country: str, shipped: tuple[str, bool], day: float
):
    profile = load_profiles()[profile_id]
    status, delivered = shipped
    order = shipped_order(status, country, 48, 5 if delivered else None)
    assert order.shipped_at is not None
    now = order.shipped_at + timedelta(days=day)
    protection_ends = order.shipped_at + timedelta(days=expected_days(country))
    first_day = order.shipped_at + timedelta(days=profile.dispute_opens_after_shipping_days.value)
    opens = first_day if delivered else protection_ends
    closes = protection_ends + timedelta(days=profile.dispute_after_protection_days.value)
    assert profile.dispute_window(order) == (opens, closes)
    may = opens <= now <= closes
    assert (dispute_refusal(order, now, profile) is None) is may
    try:
        act(state_of(order, profile), Action.OPEN_DISPUTE, now, profile)
        accepted = True
    except DomainError:
        accepted = False
    assert accepted is may
    advice = assess(order, now, profile, samples=SAMPLES)
    assert (advice.path is Path.OPEN_DISPUTE) is may


@pytest.mark.parametrize("profile_id", PROFILES)
def test_a_parcel_on_its_way_is_not_disputed_on_day_eleven(profile_id: str):
    """DOMAIN.md: with normal tracking a "not received" dispute opens only when protection ends."""
    profile = load_profiles()[profile_id]
    order = shipped_order("awaiting_delivery", "RU", 48, None)
    assert order.shipped_at is not None
    day_eleven = order.shipped_at + timedelta(days=11)
    advice = assess(order, day_eleven, profile, samples=SAMPLES)
    assert advice.path is Path.CONTACT_SELLER
    window = profile.dispute_window(order)
    assert window is not None and window[0] == order.shipped_at + timedelta(days=90)
    with pytest.raises(DomainError, match="can be opened from"):
        act(state_of(order, profile), Action.OPEN_DISPUTE, day_eleven, profile)


# --- once delivered: a return or refund, never "refuse the delivery" ---------------------------------

REFUSE = "refus"  # "refuse the delivery", "refuse the parcel", "refusing it"...


def said(order: Order, now: datetime, profile: PolicyProfile) -> list[str]:
    advice = assess(order, now, profile, samples=SAMPLES)
    return [*advice.why, advice.next_action]


@PROPERTY
@given(profile_id=st.sampled_from(PROFILES), country=COUNTRIES, cod=st.booleans(), day=st.floats(0, 150))
def test_a_delivered_order_never_hears_refuse_the_delivery(profile_id: str, country: str, cod: bool, day: float):
    profile = load_profiles()[profile_id]
    door = at(hours=48) + timedelta(days=3)
    extra: dict[str, Any] = {"payment_method": "cash_on_delivery", "paid_at": door, "verified_at": None} if cod else {}
    order = shipped_order("awaiting_delivery", country, 48, 3, **extra)  # cash on delivery: paid at the door
    assert order.shipped_at is not None
    sentences = said(order, order.shipped_at + timedelta(days=day), profile)
    said_refusal = [s for s in sentences if REFUSE in s.lower() and "refusing it is no longer" not in s.lower()]
    assert not said_refusal


@pytest.mark.parametrize("days_after", [0, 14, 16])
def test_a_completed_order_never_hears_refuse_the_delivery(days_after: int):
    order = make_order("completed")
    assert order.completed_at is not None
    assert not [
        s
        for s in said(order, order.completed_at + timedelta(days=days_after), load_profiles()[PROFILES[0]])
        if REFUSE in s.lower()
    ]


def test_a_delivered_order_before_day_eleven_is_told_to_ask_for_a_return():
    profile = load_profiles()[PROFILES[0]]
    order = shipped_order("awaiting_delivery", "DE", 48, 2)
    assert order.shipped_at is not None
    advice = assess(order, order.shipped_at + timedelta(days=4), profile, samples=SAMPLES)
    assert advice.path is Path.CONTACT_SELLER
    assert advice.next_action == text("next_action", "contact_seller_delivered")
    assert any("return or a refund" in reason for reason in advice.why)


def test_an_undelivered_parcel_may_still_be_refused():
    profile = load_profiles()[PROFILES[0]]
    order = shipped_order("awaiting_delivery", "DE", 48, None)
    assert order.shipped_at is not None
    advice = assess(order, order.shipped_at + timedelta(days=4), profile, samples=SAMPLES)
    assert advice.next_action == text("next_action", "contact_seller")
    assert any("refuse the delivery" in reason for reason in advice.why)


@pytest.mark.parametrize("template", [t.id for t in messages().buyer_templates] + ["free_text"])
@pytest.mark.parametrize("status", [Status.AWAITING_DELIVERY, Status.PARTIAL_SHIPMENT, Status.DISPUTE_IN_PROGRESS])
def test_the_seller_never_suggests_refusing_a_delivered_parcel(template: str, status: Status):
    assert REFUSE not in seller_reply(template, status, delivered=True).lower()


def test_the_simulated_seller_answers_a_delivered_order_with_its_delivered_reply():
    profile = load_profiles()[PROFILES[0]]
    order = shipped_order("awaiting_delivery", "DE", 48, 2, seller={"name": "Always Answers", "response_rate": 1.0})
    assert order.delivered_at is not None
    state = state_of(order, profile)
    template = next(t for t in messages().buyer_templates if t.id == "please_cancel")
    sent = act(state, Action.SEND_MESSAGE, order.delivered_at + HOUR, profile, template=template.id, text=template.text)
    reply = next_timer(replay([*state.events, *sent]), seed=3, profile=profile)
    assert reply is not None and reply.kind is EventKind.MESSAGE_RECEIVED
    assert reply.data["text"] == seller_reply("please_cancel", Status.AWAITING_DELIVERY, delivered=True)


# --- the unpaid timer ------------------------------------------------------------------------------


@pytest.mark.parametrize("profile_id", PROFILES)
def test_the_unpaid_close_date_is_said_to_be_at_the_latest(profile_id: str):
    """DOMAIN.md: Timers / unpaid order closes: sellers may set 5 to 20 days, so the date is the latest."""
    profile = load_profiles()[profile_id]
    order = make_order("awaiting_payment")
    advice = assess(order, at(hours=1), profile, samples=SAMPLES)
    closes = [r for r in advice.reasons if r.rule.endswith("unpaid order closes")]
    assert len(closes) == 1 and "at the latest" in closes[0].text


@pytest.mark.parametrize("profile_id", PROFILES)
def test_a_partial_shipment_whose_first_parcel_arrived_is_disputed_from_day_eleven(profile_id: str):
    """A real record (issue 11): the first parcel was delivered; what arrived gets a return or refund."""
    profile = load_profiles()[profile_id]
    order = shipped_order("partial_shipment", "BR", 48, 5)
    assert order.shipped_at is not None
    first_day = order.shipped_at + timedelta(days=profile.dispute_opens_after_shipping_days.value)
    closes = order.shipped_at + timedelta(days=120 + profile.dispute_after_protection_days.value)
    assert profile.dispute_window(order) == (first_day, closes)
    before = assess(order, first_day - HOUR, profile, samples=SAMPLES)
    after = assess(order, first_day, profile, samples=SAMPLES)
    assert before.path is Path.CONTACT_SELLER and after.path is Path.OPEN_DISPUTE
    assert before.next_action == text("next_action", "contact_seller_delivered")
    for advice in (before, after):
        assert not [s for s in [*advice.why, advice.next_action] if "refuse the" in s.lower()]
