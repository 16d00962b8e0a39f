"""Authored scenarios: built from an order and a message, checked against the rules as the built-in ones are,
stored, and then in scenarios() and in their own class's set only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from guide.authoring import (
    AuthoredScenarios,
    AuthoringRefused,
    Draft,
    OrderChoice,
    build_scenario,
    preview,
    what_applies,
)
from guide.citations import PREFIX, all_cited
from guide.models import Path
from guide.store import Store
from guide.training import (
    Question,
    builtin_scenarios,
    option_label,
    options,
    register_authored,
    rule_answers,
    scenarios,
)
from guide.training_store import Trainee, TrainingStore
from tests.guide.replies import BAD
from tests.world import world_sandbox

RULE = PREFIX + all_cited()[0].path
# A model reply for each (path, refund) a built-in scenario has: it meets the rubric (tests/guide/test_rubric.py).
REPLIES = {
    (s.answers[Question.PATH].answer, s.answers[Question.REFUND].answer): s.model_reply
    for s in builtin_scenarios().values()
}


@pytest.fixture(autouse=True)
def forget_the_source() -> Iterator[None]:
    """A test's store stays the authored source after it ends; later tests must not read its scenarios."""
    yield
    register_authored(None)


@pytest.fixture
def training(store: Store) -> TrainingStore:
    return TrainingStore(store)


def demo_choices(training: TrainingStore, store: Store) -> list[OrderChoice]:
    return training.authored.order_choices(None, world_sandbox(store).id)


def blank(choice: OrderChoice, class_id: str | None = None) -> Draft:
    """A draft for the order with the texts filled in and no key yet."""
    keys = {q: (options(q)[0], "Because the rules say so.", RULE) for q in Question}
    message = "Hello, I want to cancel my order, what can I do?"
    return Draft(choice, class_id, "A written case", "Ana", message, "medium", "current-guides", keys, False, "")


def good(choice: OrderChoice, class_id: str | None = None) -> Draft:
    """A draft whose key is what the rules say and whose model reply meets the rubric."""
    draft = blank(choice, class_id)
    rules = preview(draft).rules
    assert rules is not None
    keys = {q: (rules[q], "Because the rules say so.", RULE) for q in Question}
    return replace(draft, keys=keys, model_reply=REPLIES[(rules[Question.PATH], rules[Question.REFUND])])


def usable(choices: list[OrderChoice]) -> list[OrderChoice]:
    """The orders a built-in model reply fits (their path and refund occur in a built-in scenario)."""
    found = []
    for choice in choices:
        rules = preview(blank(choice)).rules
        if rules is not None and (rules[Question.PATH], rules[Question.REFUND]) in REPLIES:
            found.append(choice)
    return found


def trainee_of(training: TrainingStore, class_id: str | None) -> Trainee:
    return training.create_trainee("Trainee", class_id)


def test_a_demo_order_becomes_a_scenario_of_its_own_class_only(training: TrainingStore, store: Store):
    mine, other = training.create_class("Mine"), training.create_class("Other")
    choice = usable(demo_choices(training, store))[0]
    assert choice.source == "sandbox" and choice.now == store.get_sandbox(world_sandbox(store).id).clock
    saved = training.authored.author(good(choice, mine.id))
    assert saved.id.startswith("a-") and saved.authored and saved.class_id == mine.id
    assert scenarios()[saved.id] == saved and "e01-unpaid-wrong-size" in scenarios()
    assert saved in training.scenario_set(trainee_of(training, mine.id))
    assert saved not in training.scenario_set(trainee_of(training, other.id))
    assert saved not in training.scenario_set(trainee_of(training, None))
    assert training.authored.list(mine.id) == [saved] and training.authored.list(other.id) == []


def test_an_imported_class_order_becomes_a_scenario_added_to_the_listed_set(training: TrainingStore, store: Store):
    exported = store.export_orders(world_sandbox(store).id)
    group = training.create_class("Listed", ["e01-unpaid-wrong-size"])
    training.load_class_orders(group.id, json.dumps(exported))
    own = [c for c in training.authored.order_choices(group.id, world_sandbox(store).id) if c.source == "class"]
    assert len(own) == len(exported) and all(c.now == c.order.latest_stamp for c in own)
    saved = training.authored.author(good(usable(own)[0], group.id))
    assert training.get_class(group.id).scenario_ids == ["e01-unpaid-wrong-size", saved.id]
    assert {s.id for s in training.scenario_set(trainee_of(training, group.id))} == {"e01-unpaid-wrong-size", saved.id}


def test_a_key_that_disagrees_with_the_rules_is_refused_with_the_reason(training: TrainingStore, store: Store):
    draft = good(usable(demo_choices(training, store))[0])
    rules = rule_answers(build_scenario(draft))  # the right key builds ...
    wrong = next(p for p in options(Question.PATH) if p != rules[Question.PATH])
    keys = dict(draft.keys) | {Question.PATH: (wrong, "Because I think so, really.", RULE)}
    with pytest.raises(AuthoringRefused) as refused:  # ... a wrong one does not
        training.authored.author(replace(draft, keys=keys))
    [problem] = [p for p in refused.value.problems if p.field == "answers.path.answer"]
    assert option_label(Question.PATH, wrong) in problem.message
    assert option_label(Question.PATH, rules[Question.PATH]) in problem.message
    assert training.authored.list(None) == [] and set(scenarios()) == set(builtin_scenarios())


def _with_key(draft: Draft, question: Question, **part: str) -> Draft:
    answer, why, rule = draft.keys[question]
    values = {"answer": answer, "why": why, "rule": rule} | part
    return replace(draft, keys=dict(draft.keys) | {question: (values["answer"], values["why"], values["rule"])})


BROKEN: dict[str, tuple[str, Any]] = {
    "unknown rule": ("answers.refund.rule", lambda d: _with_key(d, Question.REFUND, rule="DOMAIN.md: No such rule")),
    "free-text rule": ("answers.status.rule", lambda d: _with_key(d, Question.STATUS, rule="my own rule")),
    "reply breaks the rubric": (
        "model_reply",
        lambda d: replace(d, model_reply=d.model_reply + " " + BAD[next(iter(BAD))]),
    ),
    "reply names no step": ("model_reply", lambda d: replace(d, model_reply="Thank you for writing to us today. " * 3)),
    "bad profile": ("profile", lambda d: replace(d, profile="no-such-profile")),
    "empty message": ("message", lambda d: replace(d, message="")),
    "blank message": ("message", lambda d: replace(d, message="   \n  ")),
    "blank customer": ("customer", lambda d: replace(d, customer=" ")),
    "unknown answer": ("answers.status.answer", lambda d: _with_key(d, Question.STATUS, answer="lost")),
    "short why": ("answers.path.why", lambda d: _with_key(d, Question.PATH, why="no")),
    "bad level": ("difficulty", lambda d: replace(d, level="expert")),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_draft_is_refused_naming_the_field_and_changes_nothing(
    training: TrainingStore, store: Store, case: str
):
    field, breaking = BROKEN[case]
    group = training.create_class("Listed", ["e01-unpaid-wrong-size"])
    draft = breaking(good(usable(demo_choices(training, store))[0], group.id))
    with pytest.raises(AuthoringRefused) as refused:
        training.authored.author(draft)
    assert field in {p.field for p in refused.value.problems}, refused.value.problems
    assert all(p.message for p in refused.value.problems)
    assert training.authored.list(group.id) == [] and set(scenarios()) == set(builtin_scenarios())
    assert training.get_class(group.id).scenario_ids == ["e01-unpaid-wrong-size"]
    assert field in {p.field for p in preview(draft).problems}  # the check step says the same before saving


def test_built_in_ids_cannot_be_taken(training: TrainingStore):
    builtin = builtin_scenarios()["e01-unpaid-wrong-size"]
    for taken in (builtin, builtin.model_copy(update={"id": "a-not-hex-at-all"})):
        with pytest.raises(AuthoringRefused) as refused:
            training.authored.save(taken)
        assert [p.field for p in refused.value.problems] == ["id"]
    assert training.authored.list(None) == []
    impostor = builtin.model_copy(update={"title": "Impostor", "authored": True})
    register_authored(lambda: {impostor.id: impostor})  # a source can never replace a built-in
    assert scenarios()[impostor.id] == builtin


def test_export_then_import_round_trips_into_another_class(training: TrainingStore, store: Store):
    first, second = training.create_class("First"), training.create_class("Second")
    for choice in usable(demo_choices(training, store))[:2]:
        training.authored.author(good(choice, first.id))
    payload = training.authored.export_json(first.id)
    imported = training.authored.import_json(payload, second.id)
    originals = training.authored.list(first.id)
    assert training.authored.list(second.id) == imported and len(imported) == 2
    content = {"id", "class_id"}
    assert [s.model_dump(exclude=content) for s in imported] == [s.model_dump(exclude=content) for s in originals]
    assert not {s.id for s in imported} & {s.id for s in originals}
    assert json.loads(training.authored.export_json(second.id)) == json.loads(payload)


def test_an_import_with_bad_fields_is_refused_whole_naming_each(training: TrainingStore, store: Store):
    group = training.create_class("Target")
    for choice in usable(demo_choices(training, store))[:2]:
        training.authored.author(good(choice))
    document = json.loads(training.authored.export_json(None))
    document["scenarios"][0]["customer"] = ""
    document["scenarios"][1]["profile"] = "no-such-profile"
    document["scenarios"][1]["answers"]["path"]["rule"] = "DOMAIN.md: Nothing like it"
    document["scenarios"].append("not a scenario")
    with pytest.raises(AuthoringRefused) as refused:
        training.authored.import_json(json.dumps(document), group.id)
    named = {(p.row, p.field) for p in refused.value.problems}
    assert {(1, "customer"), (2, "profile"), (2, "answers.path.rule"), (3, "scenario")} <= named
    assert training.authored.list(group.id) == []


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"not json",
        b"[]",
        b'{"format": "other", "scenarios": []}',
        b'{"format": "cancel-coach-scenarios"}',
        b"\xff",
    ],
)
def test_a_file_that_is_not_a_scenario_file_is_refused(training: TrainingStore, payload: bytes):
    with pytest.raises(AuthoringRefused) as refused:
        training.authored.import_json(payload, None)
    assert [p.field for p in refused.value.problems] == ["format"]
    assert training.authored.list(None) == []


def test_a_second_process_sees_a_new_scenario_after_the_version_check(training: TrainingStore, store: Store):
    other_store = Store(store.url)
    try:
        other = AuthoredScenarios(other_store, TrainingStore(other_store))
        before = other.current()
        assert before == {}
        saved = training.authored.author(good(usable(demo_choices(training, store))[0]))
        other.check_seconds = 3600
        assert other.current() is before  # not looked for yet: the cached set, no query
        other.check_seconds = 0
        assert list(other.current()) == [saved.id]
        training.authored.delete(saved.id)
        assert other.current() == {}
    finally:
        other_store.dispose()


def test_scenarios_costs_no_query_while_nothing_changes(training: TrainingStore, store: Store):
    training.authored.author(good(usable(demo_choices(training, store))[0]))
    training.authored.check_seconds = 3600
    assert scenarios() is scenarios()


def test_an_attempt_is_started_and_scored_on_an_authored_scenario(training: TrainingStore, store: Store):
    group = training.create_class("Cases")
    saved = training.authored.author(good(usable(demo_choices(training, store))[0], group.id))
    trainee = trainee_of(training, group.id)
    attempt = training.start_attempt(trainee.id, saved.id)
    assert attempt.scenario == saved
    answers = {q: k.answer for q, k in saved.answers.items()}
    scored = training.submit(trainee.id, attempt.id, answers, saved.model_reply)
    assert scored.result is not None
    marks = {m.item: m.correct for m in scored.result.marks}
    assert all(marks[q.value] for q in Question) and not any(m.critical for m in scored.result.marks)
    assert training.best_scores(trainee.id)[saved.id] == scored.result.score > 0.5
    stranger = trainee_of(training, None)
    with pytest.raises(ValueError):
        training.start_attempt(stranger.id, saved.id)


def test_a_scenario_with_attempts_is_not_deleted_and_one_without_leaves_its_set(training: TrainingStore, store: Store):
    group = training.create_class("Listed", ["e01-unpaid-wrong-size"])
    tried, untried = (training.authored.author(good(c, group.id)) for c in usable(demo_choices(training, store))[:2])
    trainee = trainee_of(training, group.id)
    training.start_attempt(trainee.id, tried.id)
    with pytest.raises(AuthoringRefused):
        training.authored.delete(tried.id)
    training.authored.delete(untried.id)
    assert training.get_class(group.id).scenario_ids == ["e01-unpaid-wrong-size", tried.id]
    assert tried.id in scenarios() and untried.id not in scenarios()
    assert training.attempts_of(trainee.id)[0].scenario == tried
    with pytest.raises(AuthoringRefused):
        training.authored.delete(untried.id)


def test_the_last_scenario_of_a_listed_set_is_not_deleted(training: TrainingStore, store: Store):
    group = training.create_class("Own only")
    saved = training.authored.author(good(usable(demo_choices(training, store))[0], group.id))
    training.set_class_scenarios(group.id, [saved.id])
    with pytest.raises(AuthoringRefused):
        training.authored.delete(saved.id)
    assert training.get_class(group.id).scenario_ids == [saved.id]


def test_what_applies_follows_from_the_order_and_the_key(training: TrainingStore, store: Store):
    choices = demo_choices(training, store)
    shipped = next(c.order for c in choices if c.order.shipped_at is not None)
    unpaid = next(c.order for c in choices if not c.order.has_paid)
    applies = {a.item: a.applies for a in what_applies(shipped, Path.CONTACT_SELLER, "card", seller_at_fault=True)}
    assert applies["cancel_shipped"] and not applies["blames_seller"] and not applies["fair_reason"]
    assert not applies["payment"] and applies["promise"] and applies["names_action"]
    applies = {a.item: a.applies for a in what_applies(unpaid, Path.CANCEL_NOW, "nothing_paid", seller_at_fault=False)}
    assert not applies["cancel_shipped"] and applies["blames_seller"] and applies["fair_reason"] and applies["payment"]
