"""Training: the scenario files, their answer key against the rules, the cases staff must meet, and levels."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta

import pytest

from guide import training
from guide.content import training_rules
from guide.lifecycle import Action
from guide.models import TIMESTAMPS, Actor, CloseReason, EventKind, Path, PaymentMethod, Status
from guide.profile import get_profile, load_profiles
from guide.training import (
    Difficulty,
    Question,
    RefundAnswer,
    Scenario,
    attempt_in_link,
    certificate_rule,
    certified,
    level_progress,
    level_scores,
    next_scenario,
    practised_profiles,
    rule_answers,
    scenarios,
)
from tests.guide.scenario_helpers import (
    CURRENT,
    DOMAIN_SECTIONS,
    FILES,
    IDS,
    PREFIX_LEVEL,
    STRICT,
    every,
    expected,
    raw,
    scenario,
    where,
)


def window_hours(s: Scenario) -> float:
    return get_profile(s.profile).seller_answer_hours.value


def since(s: Scenario, moment: datetime | None) -> timedelta:
    """How long before the scenario's now this moment was; the statuses picked here always set it."""
    assert moment is not None
    return s.now - moment


# --- the files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_every_scenario_file_validates(name: str):
    s = Scenario.model_validate(raw(name))
    assert name == f"{s.id}.json"
    assert re.fullmatch(r"[emh]\d\d-[a-z0-9-]+\.json", name)
    assert s.difficulty is PREFIX_LEVEL[name[0]], "the file name's letter names its difficulty"


def test_the_loader_reads_every_file_once():
    assert list(training.scenarios()) == IDS
    assert len(set(IDS)) == len(IDS)


def test_there_are_enough_scenarios():
    assert len(IDS) >= 24


def test_order_ids_are_16_digits_from_81_and_unique():
    order_ids = [s.order.id for s in every()]
    assert all(re.fullmatch(r"81\d{14}", i) for i in order_ids)
    assert [i for i, n in Counter(order_ids).items() if n > 1] == []


@pytest.mark.parametrize("scenario_id", IDS)
def test_times_are_2026_with_offsets_and_now_comes_last(scenario_id: str):
    s, data = scenario(scenario_id), raw(f"{scenario_id}.json")
    written = [data["now"], *(v for k, v in data["order"].items() if k in (*TIMESTAMPS, "ship_by"))]
    written += [step["at"] for step in data["replay"]]
    assert all(re.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", t) for t in written)
    stamps = [v for name in TIMESTAMPS if (v := getattr(s.order, name)) is not None]
    assert all(stamp <= s.now for stamp in stamps)
    assert all(step.at <= s.now for step in s.replay)


def test_a_scenario_whose_now_comes_before_its_order_is_refused():
    data = json.loads(json.dumps(raw(f"{where(status='awaiting_delivery')[0].id}.json")))
    data["now"] = data["order"]["placed_at"]
    with pytest.raises(ValueError, match="now"):
        Scenario.model_validate(data)


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_answer_explains_itself_and_cites_domain(scenario_id: str):
    for question, key in scenario(scenario_id).answers.items():
        section = key.rule.removeprefix("DOMAIN.md: ").split(" / ")[0].split(";")[0].split(" (")[0]
        assert key.rule.startswith("DOMAIN.md: ")
        assert section in DOMAIN_SECTIONS, f"{question}: {key.rule!r} cites no DOMAIN.md section"
        sentences = re.findall(r"[.!?](?:\s|$)", key.why)
        assert 1 <= len(sentences) <= 2, f"{question}: `why` should be one or two sentences"


def test_seller_at_fault_is_rare_and_only_where_a_reason_is_picked():
    at_fault = [s for s in every() if s.seller_at_fault]
    assert 1 <= len(at_fault) <= len(IDS) // 4
    assert all(expected(s, Question.PATH) in (Path.CANCEL_NOW, Path.REQUEST_CANCELLATION) for s in at_fault)


# --- coverage ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_every_status_is_an_expected_answer(status: Status):
    assert where(status=status.value)


@pytest.mark.parametrize("path", list(Path))
def test_every_path_is_an_expected_answer(path: Path):
    assert where(path=path.value)


@pytest.mark.parametrize("refund", list(RefundAnswer))
def test_every_refund_answer_is_an_expected_answer(refund: RefundAnswer):
    assert where(refund=refund.value)


@pytest.mark.parametrize("level", list(Difficulty))
def test_every_difficulty_has_at_least_six_scenarios(level: Difficulty):
    assert sum(s.difficulty is level for s in every()) >= 6


def test_both_profiles_are_used():
    assert {s.profile for s in every()} == set(load_profiles())


# --- the key agrees with the rules ---------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", IDS)
def test_key_agrees_with_the_rules(scenario_id: str):
    s = scenario(scenario_id)
    assert rule_answers(s) == {q: s.answers[q].answer for q in Question}


# --- the cases support staff must meet -----------------------------------------------------------


def test_cash_on_delivery_before_shipping_is_a_request_with_nothing_paid():
    found = [
        s
        for s in where(status="awaiting_shipment", path="request_cancellation", refund="nothing_paid")
        if s.order.payment_method is PaymentMethod.CASH_ON_DELIVERY
    ]
    assert found


def test_cash_on_delivery_paid_at_the_door_is_refunded_as_a_coupon():
    found = [
        s
        for s in where(refund="coupon")
        if s.order.is_cash_on_delivery and s.order.delivered_at is not None and s.order.paid_at is not None
    ]
    assert found


def test_a_cash_on_delivery_order_shipped_but_unpaid_is_refused_at_the_door():
    found = [s for s in where(status="awaiting_delivery", path="contact_seller", refund="nothing_paid")]
    assert any(s.order.is_cash_on_delivery for s in found)


def test_payment_verification_under_each_profile_gives_different_paths():
    paths = {s.profile: expected(s, Question.PATH) for s in where(status="payment_verification")}
    assert paths == {CURRENT: Path.CANCEL_NOW.value, STRICT: Path.WAIT.value}


@pytest.mark.parametrize(("days", "path"), [(14, Path.OPEN_DISPUTE), (16, Path.CONTACT_SELLER)])
def test_completed_14_days_ago_disputes_and_16_days_ago_contacts_the_seller(days: int, path: Path):
    found = [s for s in where(status="completed") if since(s, s.order.completed_at) == timedelta(days=days)]
    assert [expected(s, Question.PATH) for s in found] == [path.value]
    assert get_profile(found[0].profile).dispute_after_completion_days.value == 15


def test_a_frozen_order_waits():
    assert where(status="frozen", path="wait")


def test_a_seller_who_already_refused_means_contacting_the_seller():
    found = [s for s in where(status="awaiting_shipment", path="contact_seller") if s.order.cancel_refused_at]
    assert found


def test_a_request_inside_the_seller_window_waits():
    found = [
        s
        for s in where(status="awaiting_cancellation", path="wait")
        if since(s, s.order.cancel_requested_at) < timedelta(hours=window_hours(s))
    ]
    assert found
    # One of them is past 48 hours but inside the 72 of the 2020 help centre: the numbers differ by profile.
    assert any(
        s.profile == STRICT and timedelta(hours=48) < since(s, s.order.cancel_requested_at) < timedelta(hours=72)
        for s in found
    )


def test_a_request_past_the_seller_window_has_closed_itself():
    found = [
        s
        for s in where(status="refund_in_progress", path="nothing_to_do")
        if s.order.status is Status.AWAITING_CANCELLATION
        and since(s, s.order.cancel_requested_at) > timedelta(hours=window_hours(s))
    ]
    assert found
    assert all(s.starting_state().order.close_reason is CloseReason.CANCELLED_AFTER_SELLER_SILENCE for s in found)


def test_a_seller_who_ships_anyway():
    found = []
    for s in where(status="awaiting_delivery"):
        requests = [step for step in s.replay if step.action is Action.REQUEST_CANCELLATION]
        if s.order.status is Status.AWAITING_SHIPMENT and requests:
            assert requests[0].params == {"reason": "no_longer_needed"}
            kinds = [(e.kind, e.actor) for e in s.starting_state().events]
            asked = kinds.index((EventKind.CANCEL_REQUESTED, Actor.BUYER))
            assert (EventKind.SHIPPED, Actor.SELLER) in kinds[asked:]
            found.append(s)
    assert [expected(s, Question.PATH) for s in found] == [Path.CONTACT_SELLER.value]


def test_a_request_near_the_ship_by_deadline():
    found = [
        s
        for s in where(status="awaiting_shipment", path="request_cancellation")
        if s.order.ship_by is not None and timedelta(0) < s.order.ship_by - s.now < timedelta(hours=window_hours(s))
    ]
    assert found


def test_a_partial_shipment():
    found = where(status="partial_shipment", path="contact_seller")
    assert found
    assert all(len(s.order.items) > 1 for s in found)


def test_a_customised_item():
    assert any(s.order.made_to_order for s in where(status="awaiting_shipment", path="request_cancellation"))


@pytest.mark.parametrize(
    ("method", "refund"),
    [
        (PaymentMethod.PAYPAL, RefundAnswer.UNVERIFIED),
        (PaymentMethod.KLARNA, RefundAnswer.UNVERIFIED),
        (PaymentMethod.BALANCE, RefundAnswer.BALANCE),
        (PaymentMethod.BANK_TRANSFER, RefundAnswer.ALIPAY_ACCOUNT),
        (PaymentMethod.CARD, RefundAnswer.CARD),
    ],
)
def test_each_payment_method_and_its_refund_answer(method: PaymentMethod, refund: RefundAnswer):
    assert any(s.order.payment_method is method for s in where(refund=refund.value))


@pytest.mark.parametrize("status", [Status.REFUND_IN_PROGRESS, Status.CLOSED])
def test_a_cancelled_order_has_nothing_to_do(status: Status):
    assert where(status=status.value, path="nothing_to_do")


# --- levels and the certificate ------------------------------------------------------------------

CERTIFICATE = training_rules().certificate
PASS, NEEDED = CERTIFICATE.pass_mark, CERTIFICATE.min_scenarios_per_level


def test_the_certificate_thresholds_are_the_documented_ones():
    assert (PASS, NEEDED) == (0.8, 3)


def by_level(level: Difficulty) -> list[str]:
    return [s.id for s in every() if s.difficulty is level]


def best_of(values: dict[Difficulty, list[float]]) -> dict[str, float]:
    return {i: v for level, vs in values.items() for i, v in zip(by_level(level), vs, strict=False)}


def test_the_pass_mark_on_every_level_certifies():
    best = best_of({level: [PASS] * NEEDED for level in Difficulty})
    assert level_scores(best) == {level: pytest.approx(PASS) for level in Difficulty}
    assert certified(best)


def test_a_level_score_is_the_mean_of_the_scenarios_tried():
    best = best_of({Difficulty.EASY: [1.0, 0.5, 0.6], Difficulty.MEDIUM: [1.0] * 4})
    scores = level_scores(best)
    assert scores[Difficulty.EASY] == pytest.approx(0.7)
    assert scores[Difficulty.MEDIUM] == 1.0
    assert scores[Difficulty.HARD] is None


def test_too_few_scenarios_on_one_level_do_not_certify():
    best = best_of({level: [1.0] * NEEDED for level in Difficulty})
    best.pop(by_level(Difficulty.HARD)[0])
    assert level_scores(best)[Difficulty.HARD] is None
    assert not certified(best)


def test_below_the_pass_mark_on_one_level_does_not_certify():
    best = best_of({Difficulty.EASY: [1.0] * NEEDED, Difficulty.MEDIUM: [1.0] * NEEDED, Difficulty.HARD: [0.79] * 3})
    assert level_scores(best)[Difficulty.HARD] == pytest.approx(0.79)
    assert not certified(best)


def test_a_mean_exactly_at_the_pass_mark_certifies_despite_float_rounding():
    assert (1.0 + 0.7 + 0.7) / 3 < 0.8  # the float noise the certificate must not trip on
    best = best_of({level: [1.0, 0.7, 0.7] for level in Difficulty})
    assert certified(best)


def test_unknown_scenarios_do_not_count():
    best = best_of({level: [1.0] * NEEDED for level in Difficulty})
    best.pop(by_level(Difficulty.EASY)[0])
    best["no-such-scenario"] = 1.0
    assert level_scores(best)[Difficulty.EASY] is None
    assert not certified(best)


def test_no_attempts_no_certificate():
    assert level_scores({}) == dict.fromkeys(Difficulty)
    assert not certified({})


def test_the_certificate_rule_is_read_from_the_content_file():
    rule = certificate_rule()
    assert (rule.pass_mark, rule.min_scenarios_per_level) == (PASS, NEEDED)


def test_level_progress_counts_the_trainees_own_scenarios_tried_and_how_many_to_go():
    easy = by_level(Difficulty.EASY)
    best = {easy[0]: 1.0, easy[1]: 0.5, by_level(Difficulty.HARD)[0]: 0.2}
    own = [scenarios()[i] for i in easy[:2] + by_level(Difficulty.MEDIUM)]  # the HARD one is not in the set
    progress = level_progress(own, best)
    assert list(progress) == list(Difficulty)
    # The set has only two easy scenarios: trying both is enough for that level (issue 13: a class's small set
    # showed "try 1 more" that could never be done), and a level the set does not have asks for nothing.
    assert (progress[Difficulty.EASY].tried, progress[Difficulty.EASY].to_go) == (2, 0)
    assert progress[Difficulty.EASY].score == pytest.approx(0.75)
    assert (progress[Difficulty.MEDIUM].tried, progress[Difficulty.MEDIUM].to_go) == (0, NEEDED)
    assert (progress[Difficulty.HARD].tried, progress[Difficulty.HARD].to_go) == (0, 0)
    assert progress[Difficulty.MEDIUM].score is None and progress[Difficulty.HARD].score is None


def test_level_progress_has_the_level_score_once_enough_were_tried():
    best = best_of({Difficulty.EASY: [1.0] * (NEEDED + 1)})
    progress = level_progress(list(scenarios().values()), best)
    assert progress[Difficulty.EASY].score == 1.0
    assert (progress[Difficulty.EASY].tried, progress[Difficulty.EASY].to_go) == (NEEDED + 1, 0)


def test_the_next_scenario_is_the_first_not_passed_easiest_first():
    own = list(scenarios().values())
    ordered = sorted(own, key=lambda s: (list(Difficulty).index(s.difficulty), s.id))
    assert next_scenario(own, {}) == ordered[0].id
    passed = {s.id: PASS for s in ordered[:3]} | {ordered[3].id: PASS - 0.01}
    assert next_scenario(own, passed) == ordered[3].id
    assert next_scenario(list(reversed(own)), passed) == ordered[3].id  # the set's order does not matter


def test_no_next_scenario_once_every_one_is_passed():
    own = [scenarios()[i] for i in by_level(Difficulty.HARD)]
    assert next_scenario(own, {s.id: 1.0 for s in own}) is None
    assert next_scenario([], {}) is None


def test_the_certificate_names_the_profiles_practised_once_each_sorted():
    best = dict.fromkeys(by_level(Difficulty.EASY), 1.0)
    names = practised_profiles(best)
    assert names == sorted(set(names))
    assert set(names) == {get_profile(scenarios()[i].profile).name for i in best}
    assert practised_profiles({}) == []


def test_starting_time_is_aware_and_replays_before_now():
    for s in every():
        assert isinstance(s.now, datetime) and s.now.utcoffset() is not None
        assert s.starting_state().now <= s.now


@pytest.mark.parametrize(("raw", "expected"), [("7", 7), ("00042", 42), ("99999999999", 99999999999), (None, None)])
def test_a_training_link_holds_an_attempt_id_of_digits(raw: str | None, expected: int | None):
    assert attempt_in_link(raw) == expected


@pytest.mark.parametrize("raw", ["", "-1", "1.0", "²", "１", "1 ", "999999999999", "1e3", "0x1f"])
def test_anything_else_in_a_training_link_is_no_attempt(raw: str):
    assert attempt_in_link(raw) is None
