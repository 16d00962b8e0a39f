"""Policy profiles as data, and assess(): path, verdict, likelihood and why for every status."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any

import pytest

from guide.content import assessment_rules, load, text
from guide.content.formats import day
from guide.lifecycle import Action, DomainError, act, events_from_snapshot, replay
from guide.models import Order, Path, PaymentMethod, Status, Verdict
from guide.policy import Assessment, assess
from guide.policy.assessment import verdict_for
from guide.profile import PolicyProfile, Rule, Span, default_profile, get_profile, load_profiles
from tests.guide.factories import CURRENT, STATUSES, STRICT, T0, at, item, make_order, seller

SAMPLES = 2_000  # enough for the path and verdict; keeps the file fast
COD = {"payment_method": "cash_on_delivery", "paid_at": None, "verified_at": None}


# --- profiles -----------------------------------------------------------------------------------


def test_profiles_load():
    profiles = load_profiles()
    assert set(profiles) == {CURRENT, STRICT}
    for profile_id, profile in profiles.items():
        assert profile.id == profile_id
        assert profile.name and profile.summary


def test_profile_files_match_their_ids():
    folder = resources.files("guide.content").joinpath("profiles")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))
    assert names == sorted(f"{profile_id}.json" for profile_id in load_profiles())


def test_exactly_one_default():
    defaults = [p for p in load_profiles().values() if p.default]
    assert [p.id for p in defaults] == [CURRENT]
    assert default_profile() is defaults[0]
    assert get_profile() is defaults[0]
    assert get_profile(None).id == CURRENT


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(KeyError, match=CURRENT):
        get_profile("lenient")


@pytest.mark.parametrize("profile_id", [CURRENT, STRICT])
def test_every_rule_has_sources(profile_id: str):
    profile = get_profile(profile_id)
    rules = profile.rules()
    rule_fields = [name for name, info in PolicyProfile.model_fields.items() if "Rule" in str(info.annotation)]
    assert [name for name, _ in rules] == rule_fields
    assert len(rules) >= 25
    for name, rule in rules:
        assert isinstance(rule, Rule)
        assert rule.sources, name
        assert all(source.strip() for source in rule.sources), name


@pytest.mark.parametrize("profile_id", [CURRENT, STRICT])
def test_assumptions_say_so(profile_id: str):
    """Seller-behaviour numbers have no public figure: their sources must say they are assumptions."""
    profile = get_profile(profile_id)
    for name in (
        "default_response_rate",
        "default_ships_anyway_rate",
        "refuse_share",
        "miss_ship_by_rate",
        "dispute_buyer_wins_rate",
        "transit_days",
        "freeze_days",
    ):
        rule = getattr(profile, name)
        assert any("assumption" in source for source in rule.sources), name


@pytest.mark.parametrize("profile_id", [CURRENT, STRICT])
def test_every_payment_method_has_a_refund_time(profile_id: str):
    refunds = get_profile(profile_id).refund_times.value
    assert set(refunds) == set(PaymentMethod)
    assert refunds[PaymentMethod.BALANCE].business_days.high < refunds[PaymentMethod.CARD].business_days.high
    assert "coupon" in refunds[PaymentMethod.CASH_ON_DELIVERY].destination
    # DOMAIN.md: PayPal and Klarna are unverified for AliExpress.
    assert not refunds[PaymentMethod.PAYPAL].verified and not refunds[PaymentMethod.KLARNA].verified


# DOMAIN.md conflicts: (rule, value on the permissive / current side, value on the strict / 2020 side,
# a source each side cites).
CONFLICTS = [
    ("cancel_during_verification", True, False, "alimaniac", "freegameguide"),
    ("seller_answer_hours", 48, 72, "guide-aliexpress.com", "alihelpcenter.com"),
]


@pytest.mark.parametrize(("rule", "current", "strict", "current_source", "strict_source"), CONFLICTS)
def test_each_profile_takes_one_side_of_each_conflict(
    rule: str, current: object, strict: object, current_source: str, strict_source: str
):
    ours, theirs = getattr(get_profile(CURRENT), rule), getattr(get_profile(STRICT), rule)
    assert ours.value == current and theirs.value == strict
    assert any(current_source in s for s in ours.sources)
    assert any(strict_source in s for s in theirs.sources)
    assert not any(strict_source in s for s in ours.sources)


def test_profiles_agree_where_sources_do():
    current, strict = get_profile(CURRENT), get_profile(STRICT)
    for name in (
        "unpaid_close_days",
        "verification_max_hours",
        "dispute_after_completion_days",
        "seller_dispute_answer_days",
        "delivery_guarantee_days",  # DOMAIN.md: by country; "up to 90 days" (cnjdpart) is a cap, not a value
    ):
        assert getattr(current, name).value == getattr(strict, name).value, name
    assert current.verification_max_hours.value == 24
    assert current.dispute_after_completion_days.value == 15
    assert 5 <= current.unpaid_close_days.value <= 20


def test_spans_are_ordered():
    with pytest.raises(ValueError, match="high"):
        Span(low=5, high=3)


def test_profile_needs_sources_and_refund_times():
    raw = json.loads(resources.files("guide.content").joinpath("profiles", f"{CURRENT}.json").read_text("utf-8"))
    raw["seller_answer_hours"]["sources"] = []
    with pytest.raises(ValueError, match="seller_answer_hours"):
        PolicyProfile.model_validate(raw)
    raw = json.loads(resources.files("guide.content").joinpath("profiles", f"{CURRENT}.json").read_text("utf-8"))
    del raw["refund_times"]["value"]["klarna"]
    with pytest.raises(ValueError, match="klarna"):
        PolicyProfile.model_validate(raw)


# --- content the assessment speaks in ------------------------------------------------------------


def test_every_reason_has_a_rule_and_a_sentence():
    rules = assessment_rules().rules
    sentences = load("text/en.json")["why"]
    assert set(rules) == set(sentences)
    assert all(rule.startswith("DOMAIN.md: ") for rule in rules.values())


def test_every_path_and_verdict_has_words():
    for path in Path:
        assert text("path", path) and text("next_action", path)
    for verdict in Verdict:
        assert text("verdict", verdict)
    for status in Status:
        assert text("status", status) and text("status_meaning", status)


def test_only_the_money_back_sentence_mentions_guarantees():
    """DOMAIN.md: never promise; cancellation is never 'guaranteed'."""
    for key, sentence in load("text/en.json")["why"].items():
        if "guarantee" in sentence.lower():
            assert "never guaranteed" in sentence, key


def test_verdict_floors_are_ordered():
    floor = assessment_rules().verdict_floor.model_dump()
    assert 1 >= floor["certain"] > floor["likely"] > floor["possible"] > floor["unlikely"] > 0


# --- assess: the contract --------------------------------------------------------------------------

NOW = at(days=30)


def check_contract(result: Assessment, order: Order) -> None:
    assert isinstance(result.path, Path) and isinstance(result.path, str)
    assert isinstance(result.verdict, Verdict) and isinstance(result.verdict, str)
    assert isinstance(result.likelihood, float) and 0.0 <= result.likelihood <= 1.0
    assert isinstance(result.why, list) and result.why
    assert all(isinstance(reason, str) and reason.strip() for reason in result.why)
    assert all("{" not in reason and "}" not in reason for reason in result.why)  # every placeholder filled
    assert all(reason.rule.startswith("DOMAIN.md") for reason in result.reasons)
    if result.waiting is not None:  # waiting never helps: the seller can ship meanwhile
        assert 0.0 <= result.waiting.likelihood <= result.likelihood
    unpaid_and_done = result.path is Path.NOTHING_TO_DO and not order.has_paid
    expected_key = "nothing_to_do_unpaid" if unpaid_and_done else result.path.value
    if result.path is Path.CONTACT_SELLER and (order.delivered_at is not None or order.status is Status.COMPLETED):
        expected_key = "contact_seller_delivered"  # DOMAIN.md: once delivered, a return or refund, not a refusal
    assert result.next_action == text("next_action", expected_key)


def test_nothing_to_do_on_an_unpaid_closed_order_does_not_promise_a_refund():
    order = make_order("closed", close_reason="unpaid_timeout")
    assert order.closed_at is not None
    result = assess(order, order.closed_at)
    assert result.path is Path.NOTHING_TO_DO and "refund tracker" not in result.next_action
    paid = make_order("refund_in_progress")
    refund_started = paid.refund_started_at or paid.paid_at
    assert refund_started is not None
    assert "refund tracker" in assess(paid, refund_started).next_action


@pytest.mark.parametrize("status", STATUSES)
def test_assess_every_status_returns_the_contract_types(status: str, any_profile: PolicyProfile):
    order = make_order(status)
    result = assess(order, NOW, any_profile, samples=SAMPLES)
    check_contract(result, order)
    assert result.profile_id == any_profile.id
    assert result.samples == SAMPLES
    dumped = result.model_dump(mode="json")
    assert dumped["path"] == result.path.value and dumped["why"] == result.why


def test_assess_uses_the_default_profile():
    order = make_order("payment_verification")
    assert assess(order, at(2)).profile_id == CURRENT
    assert assess(order, at(2)) == assess(order, at(2), get_profile(CURRENT))


@pytest.mark.parametrize("status", STATUSES)
def test_assess_is_deterministic(status: str, any_profile: PolicyProfile):
    order = make_order(status)
    first = assess(order, NOW, any_profile)
    again = assess(Order.model_validate(order.model_dump(mode="json")), NOW, any_profile)
    assert first == again
    assert first.likelihood == again.likelihood and first.why == again.why


def test_assess_same_instant_in_another_offset_is_the_same_moment():
    order = make_order("awaiting_shipment")
    elsewhere = NOW.astimezone(timezone(timedelta(hours=8)))
    assert assess(order, elsewhere).path == assess(order, NOW).path


def test_naive_now_is_a_value_error():
    with pytest.raises(ValueError, match="timezone"):
        assess(make_order(), datetime(2025, 3, 4, 9, 0))


def test_now_before_placed_is_a_value_error():
    with pytest.raises(ValueError, match="before"):
        assess(make_order(), T0 - timedelta(seconds=1))
    assert assess(make_order(), T0).path is Path.CANCEL_NOW  # the very moment it was placed is fine


# --- assess: "certain" ---------------------------------------------------------------------------


def all_examples() -> list[tuple[Order, datetime]]:
    """Orders of every status, paid and unpaid, with sellers from silent to always shipping."""
    examples = []
    for status in STATUSES:
        for response, ships in ((0.0, None), (1.0, 1.0), (0.9, 0.1), (None, None)):
            order = make_order(status, seller=seller(response_rate=response, ships_anyway_rate=ships))
            examples += [(order, NOW), (order, order.placed_at + timedelta(days=2))]
    for status in ("awaiting_shipment", "awaiting_cancellation", "frozen"):
        examples.append((make_order(status, seller=seller(response_rate=0.0), **COD), at(days=2)))
    return [(order, now) for order, now in examples if now >= order.placed_at]


def test_certain_only_when_nothing_was_paid_or_already_cancelled(any_profile: PolicyProfile):
    seen = set()
    for order, now in all_examples():
        result = assess(order, now, any_profile, samples=SAMPLES)
        check_contract(result, order)
        seen.add(result.verdict)
        if result.verdict is Verdict.CERTAIN:
            already = order.status in (Status.CLOSED, Status.REFUND_IN_PROGRESS)
            assert already or not order.has_paid, (order.status, now)
        if order.has_paid and order.status not in (Status.CLOSED, Status.REFUND_IN_PROGRESS):
            assert result.verdict is not Verdict.CERTAIN
    assert {Verdict.CERTAIN, Verdict.LIKELY, Verdict.IMPOSSIBLE} <= seen


def test_verdict_for_never_says_certain_once_paid():
    assert verdict_for(1.0, paid=False) is Verdict.CERTAIN
    assert verdict_for(1.0, paid=True) is Verdict.LIKELY
    assert verdict_for(0.0, paid=True) is Verdict.IMPOSSIBLE
    assert verdict_for(0.5, paid=True) is Verdict.POSSIBLE
    assert verdict_for(0.2, paid=True) is Verdict.UNLIKELY
    assert verdict_for(0.8, paid=True) is Verdict.LIKELY


# --- assess: the path for each status (DOMAIN.md: Cancellation rules by status) ---------------------


def test_awaiting_payment_cancel_now_certain(any_profile: PolicyProfile):
    result = assess(make_order("awaiting_payment"), at(2), any_profile)
    assert (result.path, result.verdict, result.likelihood) == (Path.CANCEL_NOW, Verdict.CERTAIN, 1.0)
    assert result.money_back is None
    closes = T0 + timedelta(days=any_profile.unpaid_close_days.value)
    assert any(day(closes) in reason for reason in result.why)


def test_payment_verification_depends_on_the_profile():
    order = make_order("payment_verification")
    current = assess(order, at(2), get_profile(CURRENT))
    strict = assess(order, at(2), get_profile(STRICT))
    assert current.path is Path.CANCEL_NOW
    assert current.verdict is Verdict.LIKELY  # paid: never "certain"
    assert strict.path is Path.WAIT
    assert strict.verdict is not Verdict.CERTAIN
    assert get_profile(STRICT).name in strict.why[0]


def test_awaiting_shipment_request_cancellation(any_profile: PolicyProfile):
    result = assess(make_order("awaiting_shipment"), at(days=2), any_profile)
    assert result.path is Path.REQUEST_CANCELLATION
    assert result.verdict in (Verdict.LIKELY, Verdict.POSSIBLE, Verdict.UNLIKELY)
    hours = f"{any_profile.seller_answer_hours.value:g} hours"
    assert any(hours in reason for reason in result.why)


def test_awaiting_shipment_after_refusal_contact_seller():
    order = make_order("awaiting_shipment", cancel_requested_at=at(10), cancel_refused_at=at(20))
    assert assess(order, at(days=2)).path is Path.CONTACT_SELLER


def test_awaiting_shipment_after_ship_by_waits_for_the_automatic_close():
    order = make_order("awaiting_shipment", ship_by=at(days=5))
    result = assess(order, at(days=6))
    assert result.path is Path.WAIT and result.verdict is Verdict.LIKELY


def test_awaiting_shipment_made_to_order_says_so():
    result = assess(make_order("awaiting_shipment", items=[item(made_to_order=True)]), at(days=2))
    assert any("customised" in reason for reason in result.why)


def test_awaiting_cancellation_waits(any_profile: PolicyProfile):
    result = assess(make_order("awaiting_cancellation"), at(days=1, hours=1), any_profile)
    assert result.path is Path.WAIT
    assert result.verdict is not Verdict.CERTAIN


@pytest.mark.parametrize("status", ["awaiting_delivery", "partial_shipment"])
def test_shipped_contact_seller_then_dispute_impossible(status: str, any_profile: PolicyProfile):
    order = make_order(status)
    shipped = order.shipped_at
    assert shipped is not None
    # DOMAIN.md: with normal tracking a parcel on its way is disputed ("not received") when protection ends.
    opens = shipped + timedelta(days=any_profile.protection_days(order))
    early = assess(order, opens - timedelta(hours=1), any_profile)
    late = assess(order, opens + timedelta(hours=1), any_profile)
    assert early.path is Path.CONTACT_SELLER and late.path is Path.OPEN_DISPUTE
    for result in (early, late):
        assert result.verdict is Verdict.IMPOSSIBLE and result.likelihood == 0.0
        assert result.money_back is None


def completed_days_ago(days: float) -> tuple[Order, datetime]:
    order = make_order("completed")
    assert order.completed_at is not None
    return order, order.completed_at + timedelta(days=days)


def test_completed_14_days_ago_open_dispute(any_profile: PolicyProfile):
    order, now = completed_days_ago(14)
    result = assess(order, now, any_profile)
    assert result.path is Path.OPEN_DISPUTE and result.verdict is Verdict.IMPOSSIBLE


def test_completed_16_days_ago_contact_seller(any_profile: PolicyProfile):
    order, now = completed_days_ago(16)
    result = assess(order, now, any_profile)
    assert result.path is Path.CONTACT_SELLER and result.verdict is Verdict.IMPOSSIBLE
    assert any("window closed" in reason for reason in result.why)


def test_completed_after_a_dispute_contact_seller():
    order = make_order("completed", dispute_opened_at=at(days=22))
    assert assess(order, at(days=23)).path is Path.CONTACT_SELLER


def test_dispute_in_progress_waits():
    result = assess(make_order("dispute_in_progress"), at(days=16))
    assert result.path is Path.WAIT
    assert 0 < result.likelihood < 1


@pytest.mark.parametrize("overrides", [{}, {"cancel_requested_at": at(10)}, {"shipped_at": at(48)}, COD])
def test_frozen_waits(overrides: dict[str, Any], any_profile: PolicyProfile):
    order = make_order("frozen", **{"frozen_at": at(days=3), **overrides})
    result = assess(order, at(days=4), any_profile)
    assert result.path is Path.WAIT
    assert result.verdict is not Verdict.CERTAIN
    check_contract(result, order)


@pytest.mark.parametrize("status", ["refund_in_progress", "closed"])
def test_done_nothing_to_do_certain(status: str, any_profile: PolicyProfile):
    result = assess(make_order(status), at(days=30), any_profile)
    assert result.path is Path.NOTHING_TO_DO and result.verdict is Verdict.CERTAIN


def test_refund_in_progress_says_when_the_money_is_back():
    result = assess(make_order("refund_in_progress"), at(days=3))
    assert result.money_back is not None
    assert re.search(r"back in \d+ to \d+ days", " ".join(result.why))


def test_closed_says_why_in_plain_words():
    result = assess(make_order("closed"), at(days=30))
    assert text("close_reason", "unpaid_timeout") in result.why[0]


COD_PAID = {
    "payment_method": "cash_on_delivery",
    "verified_at": None,
    "delivered_at": at(days=9),
    "paid_at": at(days=9),
}
COD_EXAMPLES: dict[str, dict[str, Any]] = {
    "awaiting_shipment": COD,
    "awaiting_cancellation": COD,
    "partial_shipment": COD,
    "awaiting_delivery": COD,
    "frozen": COD,
    "dispute_in_progress": COD_PAID,
    "refund_in_progress": {
        **COD_PAID,
        "shipped_at": at(48),
        "cancel_requested_at": None,
        "dispute_opened_at": at(days=10),
        "close_reason": "refunded_after_dispute",
        "refund_started_at": at(days=12),
    },
    "completed": {**COD_PAID, "delivered_at": at(days=20), "paid_at": at(days=20)},
    "closed": {
        "payment_method": "cash_on_delivery",
        "close_reason": "cancelled_by_seller_approval",
        "cancel_requested_at": at(5),
    },
}


@pytest.mark.parametrize("status", sorted(COD_EXAMPLES))
def test_cash_on_delivery_is_assessed_in_every_status_it_can_have(status: str, any_profile: PolicyProfile):
    order = make_order(status, **COD_EXAMPLES[status])
    result = assess(order, at(days=30), any_profile, samples=SAMPLES)
    check_contract(result, order)
    if not order.has_paid:
        assert result.money_back is None


def test_unpaid_cash_on_delivery_is_not_sent_to_a_dispute(any_profile: PolicyProfile):
    """The simulator refuses a dispute when nothing was paid, so assess() must not recommend one."""
    order = make_order("awaiting_delivery", **COD)
    assert order.shipped_at is not None
    now = order.shipped_at + timedelta(days=any_profile.dispute_opens_after_shipping_days.value + 2)
    result = assess(order, now, any_profile)
    assert result.path is Path.CONTACT_SELLER
    assert any("refuse the parcel" in reason for reason in result.why)
    with pytest.raises(DomainError):
        act(replay(events_from_snapshot(order, any_profile)), Action.OPEN_DISPUTE, now, any_profile)
    paid = make_order("awaiting_delivery", **{**COD, "delivered_at": at(days=9), "paid_at": at(days=9)})
    assert assess(paid, now, any_profile).path is Path.OPEN_DISPUTE
