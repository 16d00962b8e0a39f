"""Training records: trainees, attempts built from scenarios, scoring once, classes and their orders."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from guide import training_views
from guide.importing import ImportRejected
from guide.store import Store
from guide.training import Question, scenarios
from guide.training_store import TrainingInputError, TrainingStore, UnknownAttempt, UnknownTrainee, clean_name


@pytest.fixture
def training(tmp_path) -> Iterator[TrainingStore]:
    store = Store(f"sqlite:///{tmp_path / 'training.sqlite3'}")
    yield TrainingStore(store)
    store.dispose()


def key_of(scenario_id: str) -> dict[Question, str]:
    return {q: k.answer for q, k in scenarios()[scenario_id].answers.items()}


@pytest.mark.parametrize(
    ("raw", "clean"), [("  Ana  María ", "Ana María"), ("李雷", "李雷"), ("O'Brien-Smith", "O'Brien-Smith")]
)
def test_names_are_kept_as_typed_but_trimmed(raw: str, clean: str):
    assert clean_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "x" * 61, "Ana\x00", "Ana\u202eevil", "\u200b"])
def test_bad_names_are_refused(raw: str):
    with pytest.raises(TrainingInputError):
        clean_name(raw)


@pytest.mark.parametrize("scenario_id", sorted(scenarios()))
def test_every_attempt_starts_exactly_where_the_scenario_says(training: TrainingStore, scenario_id: str):
    trainee = training.create_trainee("Ana")
    attempt = training.start_attempt(trainee.id, scenario_id)
    scenario = scenarios()[scenario_id]
    in_store = training.store.get_order(attempt.sandbox_id, scenario.order.id)
    assert in_store.order == scenario.starting_state().order
    assert training.store.get_sandbox(attempt.sandbox_id).clock == scenario.now
    assert attempt.start_seq == len(in_store.events)


def test_an_attempt_is_scored_once_and_retries_are_new_attempts(training: TrainingStore):
    trainee = training.create_trainee("Ana")
    first = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    training.submit(trainee.id, first.id, key_of(first.scenario_id))
    with pytest.raises(TrainingInputError):
        training.submit(trainee.id, first.id, key_of(first.scenario_id))
    second = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    assert second.id != first.id and second.sandbox_id != first.sandbox_id
    assert [a.id for a in training.attempts_of(trainee.id)] == [first.id, second.id]


def test_attempts_belong_to_their_trainee(training: TrainingStore):
    owner, other = training.create_trainee("Owner"), training.create_trainee("Other")
    attempt = training.start_attempt(owner.id, "e01-unpaid-wrong-size")
    with pytest.raises(UnknownAttempt):
        training.get_attempt(other.id, attempt.id)
    with pytest.raises(UnknownAttempt):
        training.submit(other.id, attempt.id, key_of(attempt.scenario_id))


@pytest.mark.parametrize("junk", ["", "short", "../../x", "A" * 200, None])
def test_unknown_trainees_are_refused(training: TrainingStore, junk):
    with pytest.raises(UnknownTrainee):
        training.get_trainee(junk)


def test_a_class_limits_its_trainees_to_its_scenario_set(training: TrainingStore):
    group = training.create_class("Night shift", ["e01-unpaid-wrong-size", "h07-frozen-order"])
    trainee = training.create_trainee("Ana", group.id)
    assert [s.id for s in training.scenario_set(trainee)] == ["e01-unpaid-wrong-size", "h07-frozen-order"]
    with pytest.raises(TrainingInputError):
        training.start_attempt(trainee.id, "m07-completed-14-days")
    with pytest.raises(TrainingInputError):
        training.create_class("Bad", ["no-such-scenario"])


def test_class_orders_load_all_or_nothing_and_reach_practice(training: TrainingStore):
    group = training.create_class("Day shift")
    good = scenarios()["e01-unpaid-wrong-size"].order.to_json_dict()
    bad = {**good, "id": "8100000000009999", "items": []}
    with pytest.raises(ImportRejected) as caught:
        training.load_class_orders(group.id, json.dumps([good, bad]))
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "items")]
    assert training.get_class(group.id).orders == []
    training.load_class_orders(group.id, json.dumps([good]))
    trainee = training.create_trainee("Ana", group.id)
    sandbox_id = training.practice_sandbox(trainee)
    assert good["id"] in {o.id for o in training.store.list_orders(sandbox_id)}


def test_the_dashboard_rows_hold_every_scored_attempt(training: TrainingStore):
    trainee = training.create_trainee("Ana")
    attempt = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    assert list(training_views.attempt_rows(training.store, None)) == []
    training.submit(trainee.id, attempt.id, key_of(attempt.scenario_id))
    [row] = training_views.attempt_rows(training.store, None)
    assert row["name"] == "Ana" and row["id"] == attempt.id and "path" not in json.loads(row["missed"])
