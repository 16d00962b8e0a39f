"""Assessment mode per class, every choice kept with the attempt, and databases from before both (issue 12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy import text as sql

from guide.lifecycle import Action
from guide.models import Path
from guide.store import Store
from guide.training import Mode, Question, options, scenarios
from guide.training_records import attempts, classes
from guide.training_store import REPLY_MAX, TrainingInputError, TrainingStore

REQUEST = "e02-earbuds-gift-duplicate"  # awaiting shipment: request cancellation, card refund
REPLY = "Please use Request Cancellation in the order; the money goes back to your card once the seller agrees."


def key_of(scenario_id: str) -> dict[Question, str]:
    return {q: k.answer for q, k in scenarios()[scenario_id].answers.items()}


def test_an_assessment_counts_the_first_attempt_and_labels_retries_practice(store: Store):
    training = TrainingStore(store)
    group = training.create_class("Night shift", mode=Mode.ASSESSMENT)
    trainee = training.create_trainee("Ana", group.id)
    first = training.start_attempt(trainee.id, REQUEST)
    assert first.mode is Mode.ASSESSMENT
    training.submit(trainee.id, first.id, {**key_of(REQUEST), Question.PATH: Path.WAIT.value})
    retry = training.start_attempt(trainee.id, REQUEST)
    assert retry.mode is Mode.PRACTICE
    training.submit(trainee.id, retry.id, key_of(REQUEST), REPLY)
    scored = {a.id: a.result.score for a in training.attempts_of(trainee.id) if a.result}
    assert scored[retry.id] > scored[first.id]
    assert training.best_scores(trainee.id) == {REQUEST: scored[first.id]}  # elimination by retries earns nothing


def test_a_practice_class_counts_the_best_attempt(store: Store):
    training = TrainingStore(store)
    trainee = training.create_trainee("Ana", training.create_class("Day shift").id)
    first = training.start_attempt(trainee.id, REQUEST)
    training.submit(trainee.id, first.id, {**key_of(REQUEST), Question.PATH: Path.WAIT.value})
    retry = training.start_attempt(trainee.id, REQUEST)
    assert (first.mode, retry.mode) == (Mode.PRACTICE, Mode.PRACTICE)
    done = training.submit(trainee.id, retry.id, key_of(REQUEST), REPLY)
    assert done.result is not None
    assert training.best_scores(trainee.id) == {REQUEST: done.result.score}


@pytest.mark.parametrize("mode", ["exam", "", "ASSESSMENT", "practice\x00"])
def test_an_unknown_mode_is_refused_and_changes_nothing(store: Store, mode: str):
    training = TrainingStore(store)
    group = training.create_class("Night shift")
    with pytest.raises(TrainingInputError):
        training.set_class_mode(group.id, mode)
    assert training.get_class(group.id).mode is Mode.PRACTICE
    assert training.set_class_mode(group.id, "assessment").mode is Mode.ASSESSMENT


def test_assessment_options_are_shuffled_by_the_attempt_and_stable():
    for question in Question:
        stable = options(question)
        assert options(question, shuffle_seed=7) == options(question, shuffle_seed=7)
        assert sorted(options(question, shuffle_seed=7)) == sorted(stable)
    orders = {tuple(options(Question.STATUS, shuffle_seed=seed)) for seed in range(20)}
    assert len(orders) > 10  # a seed per attempt gives different orders, not one fixed shuffle


def test_every_choice_and_the_time_spent_are_kept_with_the_attempt(store: Store):
    training = TrainingStore(store)
    trainee = training.create_trainee("Ana")
    attempt = training.start_attempt(trainee.id, REQUEST)
    order_id = attempt.scenario.order.id
    store.act(attempt.sandbox_id, order_id, Action.SEND_MESSAGE, text="Hello, please do not ship this order.")
    store.advance_clock(attempt.sandbox_id, timedelta(hours=24))
    store.act(attempt.sandbox_id, order_id, Action.REQUEST_CANCELLATION, reason="no_longer_needed")
    done = training.submit(trainee.id, attempt.id, key_of(REQUEST), REPLY)
    record = done.record
    assert record is not None
    assert record.reply == REPLY
    assert record.reasons == ["no_longer_needed"]
    assert record.messages == ["Hello, please do not ship this order."]
    assert [s.kind for s in record.steps] == ["message_sent", "cancel_requested"]
    assert record.steps[1].at - record.steps[0].at >= timedelta(hours=24)  # simulated times, not wall times
    assert done.submitted_at is not None
    assert record.seconds == pytest.approx((done.submitted_at - done.started_at).total_seconds(), abs=0.1)
    assert training.get_attempt(trainee.id, attempt.id).record == record  # read back from the database


@pytest.mark.parametrize("reply", ["x" * (REPLY_MAX + 1), 42])
def test_a_reply_too_long_or_not_text_is_refused_and_nothing_is_scored(store: Store, reply: object):
    training = TrainingStore(store)
    trainee = training.create_trainee("Ana")
    attempt = training.start_attempt(trainee.id, REQUEST)
    with pytest.raises(TrainingInputError):
        training.submit(trainee.id, attempt.id, key_of(REQUEST), reply)  # type: ignore[arg-type]
    again = training.get_attempt(trainee.id, attempt.id)
    assert (again.result, again.record, again.submitted_at) == (None, None, None)


def test_a_database_from_before_modes_gets_the_new_columns_and_keeps_its_rows(store: Store):
    training = TrainingStore(store)
    group = training.create_class("Old class")
    trainee = training.create_trainee("Ana", group.id)
    attempt = training.start_attempt(trainee.id, REQUEST)
    with store.engine.begin() as conn:  # the tables as an older version made them
        conn.execute(sql("ALTER TABLE attempts DROP COLUMN record"))
        conn.execute(sql("ALTER TABLE attempts DROP COLUMN mode"))
        conn.execute(sql("ALTER TABLE classes DROP COLUMN mode"))
    reopened = TrainingStore(store)
    with store.engine.connect() as conn:
        row = conn.execute(select(attempts.c.mode, attempts.c.record).where(attempts.c.id == attempt.id)).one()
    assert tuple(row) == (None, None)
    assert reopened.get_class(group.id).mode is Mode.PRACTICE
    old = reopened.get_attempt(trainee.id, attempt.id)
    assert (old.mode, old.record) == (Mode.PRACTICE, None)
    assert reopened.submit(trainee.id, attempt.id, key_of(REQUEST), REPLY).record is not None


def test_a_class_row_without_a_mode_is_practice(store: Store):
    training = TrainingStore(store)
    with store.writing() as conn:
        conn.execute(
            insert(classes).values(
                id="c" * 16, name="Legacy", scenario_ids="[]", orders="[]", created_at=datetime.now(UTC)
            )
        )
    assert training.get_class("c" * 16).mode is Mode.PRACTICE


def test_a_class_is_renamed_and_archived_and_an_archived_class_takes_no_one(store: Store):
    training = TrainingStore(store)
    group = training.create_class("Night shift")
    assert training.rename_class(group.id, "  Late   shift ").name == "Late shift"
    with pytest.raises(TrainingInputError):
        training.rename_class(group.id, "   ")
    assert training.get_class(group.id).name == "Late shift"
    training.archive_class(group.id)
    assert [c.id for c in training.list_classes()] == []
    assert [c.id for c in training.list_classes(archived=True)] == [group.id]
    with pytest.raises(TrainingInputError):
        training.create_trainee("Ana", group.id)
    assert training.archive_class(group.id, archived=False).archived is False
    assert training.create_trainee("Ana", group.id).class_id == group.id


def test_the_marks_missed_are_kept_for_the_mistake_tally(store: Store):
    training = TrainingStore(store)
    trainee = training.create_trainee("Ana")
    attempt = training.start_attempt(trainee.id, REQUEST)
    training.submit(trainee.id, attempt.id, {**key_of(REQUEST), Question.PATH: Path.WAIT.value}, REPLY)
    with store.engine.connect() as conn:
        missed: str = conn.execute(select(attempts.c.missed).where(attempts.c.id == attempt.id)).scalar_one()
    done = training.get_attempt(trainee.id, attempt.id)
    assert done.result is not None
    assert json.loads(missed) == [m.item for m in done.result.marks if not m.correct]
    assert "path" in json.loads(missed)
