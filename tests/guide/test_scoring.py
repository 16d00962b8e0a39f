"""Scoring an attempt: weighted marks earned by what the trainee did and wrote, and critical errors that fail it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from guide.content import cancel_reasons, text, training_rules
from guide.models import Actor, Event, EventKind, Path
from guide.rubric import ReplyPoint, SellerPoint
from guide.scoring import Check, Critical, Mark, Result, answer_shown, score
from guide.training import Question, Scenario, certificate_rule
from tests.guide.replies import GOOD_REPLIES
from tests.guide.scenario_helpers import IDS, expected, scenario, where

CANCELLING = (Path.CANCEL_NOW.value, Path.REQUEST_CANCELLATION.value)
ACTION_FOR_PATH = {
    Path.CANCEL_NOW: EventKind.CANCELLED,
    Path.REQUEST_CANCELLATION: EventKind.CANCEL_REQUESTED,
    Path.CONTACT_SELLER: EventKind.MESSAGE_SENT,
    Path.OPEN_DISPUTE: EventKind.DISPUTE_OPENED,
}


def event(
    s: Scenario,
    kind: EventKind,
    reason: str = "no_longer_needed",
    seq: int = 0,
    text: str = "Hello, please do not ship this order.",
) -> Event:
    """Something the trainee did in the case, `seq` minutes after it started."""
    data: dict[str, Any] = {}
    if kind in (EventKind.CANCELLED, EventKind.CANCEL_REQUESTED):
        data["reason"] = reason
    elif kind is EventKind.MESSAGE_SENT:
        data["text"] = text
    return Event(seq=50 + seq, at=s.now + timedelta(minutes=seq + 1), kind=kind, actor=Actor.BUYER, data=data)


def right_events(s: Scenario) -> list[Event]:
    kind = ACTION_FOR_PATH.get(Path(expected(s, Question.PATH)))
    return [] if kind is None else [event(s, kind)]


def key_answers(s: Scenario) -> dict[Question, str]:
    return {q: s.answers[q].answer for q in Question}


def looked(s: Scenario) -> dict[str, str]:
    return {"opened_order": s.order.id, "read_status": s.order.id}


def marks(result: Result) -> dict[str, Mark]:
    return {m.item: m for m in result.marks}


def first(**answers: str) -> Scenario:
    found = where(**answers)
    assert found, answers
    return found[0]


REPLY_POINTS = [p.value for p in ReplyPoint]
SELLER_POINTS = [p.value for p in SellerPoint]


def ideal(s: Scenario) -> Result:
    """Every answer right, the path done in the simulator and a careful reply."""
    return score(s, key_answers(s), looked(s), right_events(s), GOOD_REPLIES[s.id])


@pytest.mark.parametrize("scenario_id", IDS)
def test_the_ideal_attempt_scores_one(scenario_id: str):
    s = scenario(scenario_id)
    result = ideal(s)
    assert result.score == 1.0, [m.item for m in result.marks if not m.correct]
    checks = [c.value for c in Check if c is not Check.FAIR_REASON or expected(s, Question.PATH) in CANCELLING]
    messaged = expected(s, Question.PATH) == Path.CONTACT_SELLER.value
    items = [q.value for q in Question] + checks + REPLY_POINTS + (SELLER_POINTS if messaged else [])
    assert [m.item for m in result.marks] == items


@pytest.mark.parametrize("scenario_id", IDS)
def test_an_empty_attempt_earns_at_most_a_fifth(scenario_id: str):
    """Opening the case, picking no reason, writing nothing and, on a wait case, doing nothing earn nothing."""
    s = scenario(scenario_id)
    assert score(s, {}, {}, []).score <= 0.2
    assert score(s, {}, {"opened_order": s.order.id}, [], "   ").score <= 0.2
    assert score(s, {}, {"opened_order": s.order.id}, [], "asdf qwerty").score <= 0.2


BAD_ADDITIONS = {
    Critical.PROMISE: "You will get the refund by Friday, guaranteed.",
    Critical.CREDENTIALS: "Please send me your card number so I can check the payment.",
}


@pytest.mark.parametrize("scenario_id", IDS)
def test_each_critical_error_fails_an_otherwise_perfect_attempt(scenario_id: str):
    s = scenario(scenario_id)
    pass_mark = certificate_rule().pass_mark
    good = GOOD_REPLIES[s.id]
    paid = score(s, key_answers(s), looked(s), [*right_events(s), event(s, EventKind.PAID, seq=5)], good)
    assert paid.score < pass_mark and "payment" in marks(paid)
    for error, addition in BAD_ADDITIONS.items():
        written = score(s, key_answers(s), looked(s), right_events(s), f"{good} {addition}")
        assert written.score < pass_mark and marks(written)[error.value].critical, error
    if s.order.shipped_at is not None:
        told = score(s, {**key_answers(s), Question.PATH: Path.CANCEL_NOW.value}, looked(s), right_events(s), good)
        assert told.score < pass_mark and marks(told)["cancel_shipped"].critical
        wrote = score(s, key_answers(s), looked(s), right_events(s), f"{good} Just cancel the order.")
        assert wrote.score < pass_mark and marks(wrote)["cancel_shipped"].critical
    else:
        assert "cancel_shipped" not in marks(ideal(s))
    if not s.seller_at_fault:
        blamed = [event(s, EventKind.CANCEL_REQUESTED, BLAMING[0], seq=3)]
        result = score(s, key_answers(s), looked(s), [*right_events(s), *blamed], good)
        assert result.score < pass_mark and marks(result)["blames_seller"].critical


def test_a_card_number_sent_to_the_seller_is_critical():
    s = first(path="contact_seller")
    leak = event(
        s, EventKind.MESSAGE_SENT, seq=9, text="Hello, please cancel this order. My card number is 4111 1111 1111 1111."
    )
    result = score(s, key_answers(s), looked(s), [*right_events(s), leak], GOOD_REPLIES[s.id])
    assert marks(result)["credentials"].critical
    assert not marks(result)["no_credentials_to_seller"].correct


def test_a_message_to_the_seller_that_asks_nothing_loses_its_mark():
    s = first(path="contact_seller")
    junk = event(s, EventKind.MESSAGE_SENT, text="asdf qwerty")
    result = marks(score(s, key_answers(s), looked(s), [junk], GOOD_REPLIES[s.id]))
    assert not result["asks_clearly"].correct
    assert result["right_path"].correct  # a message was sent; what it said is its own mark


def test_the_reply_shows_the_words_it_was_judged_by():
    s = first(path="request_cancellation")
    result = marks(score(s, key_answers(s), looked(s), right_events(s), f"{GOOD_REPLIES[s.id]} I promise."))
    assert not result["no_promise_outcome"].correct
    assert result["no_promise_outcome"].matched == ["i promise"]
    assert result["names_action"].matched  # the words that named the next step


def test_the_weights_make_the_decision_and_the_reply_count_most():
    weights = training_rules().scoring.weights
    assert weights["path"] == max(weights.values())
    points = set(REPLY_POINTS) | set(SELLER_POINTS)
    assert set(weights) == {q.value for q in Question} | {c.value for c in Check} | points
    reply = sum(weights[p] for p in REPLY_POINTS)
    decision = weights["path"] + weights["right_path"]
    others = [weights[q.value] for q in Question if q is not Question.PATH]
    assert min(reply, decision) > max(others)
    assert set(training_rules().scoring.critical) == {c.value for c in Critical}
    assert set(training_rules().written_rules) == points


def test_a_wrong_answer_gets_its_mark_with_the_keys_why_and_rule():
    s = first(path="request_cancellation")
    answers = {**key_answers(s), Question.PATH: Path.CANCEL_NOW.value}
    result = score(s, answers, looked(s), right_events(s), GOOD_REPLIES[s.id])
    mark = marks(result)["path"]
    key = s.answers[Question.PATH]
    assert not mark.correct
    assert (mark.given, mark.expected, mark.rule) == ("cancel_now", "request_cancellation", key.rule)
    assert mark.feedback == f"{text('training', 'wrong')} {key.why}"
    assert all(m.correct for m in result.marks if m.item != "path")
    weights = training_rules().scoring.weights
    total = sum(weights[m.item] for m in result.marks)
    assert result.score == pytest.approx(1 - weights["path"] / total)
    assert result.score < certificate_rule().pass_mark  # the wrong decision alone fails the case


def test_a_right_answer_also_gets_the_why():
    s = first(path="wait")
    mark = marks(score(s, key_answers(s), looked(s), []))["status"]
    assert mark.correct
    assert mark.feedback == f"{text('training', 'right')} {s.answers[Question.STATUS].why}"


def test_a_missing_answer_is_wrong():
    s = first(path="wait")
    result = score(s, {}, looked(s), [])
    # On a wait case doing nothing is the right path only with the path answered, and an empty reply earns none
    # of the rubric's points, the "must not" ones included: no free marks (issue 12).
    missed = [m.item for m in result.marks if not m.correct]
    assert missed == [q.value for q in Question] + ["right_path"] + REPLY_POINTS


BLAMING = sorted(r.id for r in cancel_reasons().values() if r.blames_seller)
NEUTRAL = sorted(r.id for r in cancel_reasons().values() if not r.blames_seller)


def innocent_request() -> Scenario:
    return next(s for s in where(path="request_cancellation") if not s.seller_at_fault)


def guilty_request() -> Scenario:
    return next(s for s in where(path="request_cancellation") if s.seller_at_fault)


@pytest.mark.parametrize("reason", BLAMING)
def test_blaming_an_innocent_seller_fails_fair_reason(reason: str):
    s = innocent_request()
    result = marks(score(s, key_answers(s), looked(s), [event(s, EventKind.CANCEL_REQUESTED, reason)]))
    assert not result["fair_reason"].correct
    assert result["right_path"].correct


@pytest.mark.parametrize("reason", BLAMING)
def test_blaming_a_seller_at_fault_is_fair(reason: str):
    s = guilty_request()
    result = marks(score(s, key_answers(s), looked(s), [event(s, EventKind.CANCEL_REQUESTED, reason)]))
    assert result["fair_reason"].correct


@pytest.mark.parametrize("reason", NEUTRAL)
def test_a_neutral_reason_is_always_fair(reason: str):
    s = innocent_request()
    result = marks(score(s, key_answers(s), looked(s), [event(s, EventKind.CANCEL_REQUESTED, reason)]))
    assert result["fair_reason"].correct


def test_blaming_when_cancelling_an_unpaid_order_is_unfair_too():
    s = next(s for s in where(path="cancel_now") if not s.seller_at_fault)
    result = marks(score(s, key_answers(s), looked(s), [event(s, EventKind.CANCELLED, BLAMING[0])]))
    assert not result["fair_reason"].correct


def test_requesting_cancellation_when_the_key_says_contact_seller_fails_right_path():
    s = next(s for s in where(path="contact_seller") if s.order.cancel_refused_at is not None)
    alone = marks(score(s, key_answers(s), looked(s), [event(s, EventKind.CANCEL_REQUESTED)]))
    assert not alone["right_path"].correct
    both = [event(s, EventKind.MESSAGE_SENT), event(s, EventKind.CANCEL_REQUESTED, seq=1)]
    assert not marks(score(s, key_answers(s), looked(s), both))["right_path"].correct
    assert marks(score(s, key_answers(s), looked(s), [event(s, EventKind.MESSAGE_SENT)]))["right_path"].correct


def test_doing_nothing_when_the_key_is_wait_passes_right_path():
    s = first(path="wait")
    assert marks(score(s, key_answers(s), looked(s), []))["right_path"].correct
    # Acting on a wait case is the wrong path, messaging the seller included (issue 12).
    assert not marks(score(s, key_answers(s), looked(s), [event(s, EventKind.MESSAGE_SENT)]))["right_path"].correct
    disputed = marks(score(s, key_answers(s), looked(s), [event(s, EventKind.DISPUTE_OPENED)]))
    assert not disputed["right_path"].correct


def test_doing_nothing_when_an_action_is_due_fails_right_path():
    s = first(path="open_dispute")
    mark = marks(score(s, key_answers(s), looked(s), []))["right_path"]
    assert not mark.correct
    assert mark.given == ""  # no event kind: shown as "nothing"
    assert answer_shown(mark, mark.given) == text("training", "no_action")
    assert answer_shown(mark, mark.expected) == text("path", Path.OPEN_DISPUTE)


def test_opening_and_reading_another_order_does_not_count():
    s = first(path="cancel_now")
    other = {"opened_order": "8100000000000000", "read_status": "8100000000000000"}
    result = marks(score(s, key_answers(s), other, right_events(s)))
    assert not result["opened_details"].correct
    assert not result["checked_status"].correct
    assert marks(score(s, key_answers(s), {}, right_events(s)))["opened_details"].correct is False


def test_every_check_mark_cites_a_domain_rule():
    s = first(path="wait")
    rules = training_rules().check_rules
    for mark in score(s, key_answers(s), looked(s), []).marks:
        assert mark.rule.startswith("DOMAIN.md: ")
        if mark.item in rules:
            assert mark.rule == rules[mark.item]


def test_a_red_mark_shows_both_answers_in_the_words_the_trainee_saw():
    s = first(path="request_cancellation")
    answers = {**key_answers(s), Question.PATH: Path.CANCEL_NOW.value}
    result = marks(score(s, answers, {}, right_events(s), GOOD_REPLIES[s.id]))
    path = result["path"]
    assert answer_shown(path, path.given) == text("next_action", Path.CANCEL_NOW)
    assert answer_shown(path, path.expected) == text("next_action", Path.REQUEST_CANCELLATION)
    opened = result["opened_details"]
    assert (answer_shown(opened, opened.given), answer_shown(opened, opened.expected)) == (
        text("check_answer", "not_done"),
        text("check_answer", "done"),
    )
    acted = result["right_path"]
    assert answer_shown(acted, acted.given) == text("event", EventKind.CANCEL_REQUESTED)


def test_the_path_mark_and_the_path_answer_never_disagree_on_a_wait_case():
    """Messaging the seller on a wait case is the wrong path, and the path mark says what was done (issue 12)."""
    s = first(path="wait")
    result = marks(score(s, key_answers(s), looked(s), [event(s, EventKind.MESSAGE_SENT)], GOOD_REPLIES[s.id]))
    mark = result["right_path"]
    assert not mark.correct
    assert answer_shown(mark, mark.given) == text("event", EventKind.MESSAGE_SENT)
    assert answer_shown(mark, mark.expected) == text("path", Path.WAIT)


def test_every_message_to_the_seller_must_earn_a_point_and_the_failing_one_is_shown():
    s = first(path="contact_seller")
    clear = event(s, EventKind.MESSAGE_SENT, seq=1, text="Hello, please do not ship this order. Thank you!")
    rude = event(s, EventKind.MESSAGE_SENT, seq=2, text="You are a scammer, cancel this order right now please.")
    result = marks(score(s, key_answers(s), looked(s), [clear, rude], GOOD_REPLIES[s.id]))
    assert result["asks_clearly"].correct and set(result["asks_clearly"].matched) >= {"do not ship", "cancel"}
    assert not result["courteous"].correct
    assert result["courteous"].matched == ["scammer"]
