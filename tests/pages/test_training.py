"""Training page: a trainee signs in with a name, works a scenario, answers, and gets scored feedback."""

from __future__ import annotations

import pytest

from guide.citations import cited
from guide.content import text
from guide.store import Store
from guide.training import Difficulty, Question, scenarios
from guide.training_store import TrainingStore
from guide.ui.widgets import plain
from tests.guide.replies import GOOD_REPLIES
from tests.pages.helpers import button_keys, main_alerts, no_exception, open_page, sandbox_count, shown

RIGHT_ACTION: dict[str, tuple[str, dict[str, str]]] = {
    "cancel_now": ("cancel", {"reason": "no_longer_needed"}),
    "request_cancellation": ("request_cancellation", {"reason": "no_longer_needed"}),
    "contact_seller": ("send_message", {"text": "Please do not ship this order; I no longer need it."}),
    "open_dispute": ("open_dispute", {}),
}

SUBMIT_NAME = text("trainee", "start")
SUBMIT_ANSWERS = text("trainee", "submit")


def click_label(at, label: str):
    """Click the (form submit) button with this label, then run."""
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def sign_in(at, name: str):
    at.text_input(key="trainee_name").set_value(name)
    return click_label(at, SUBMIT_NAME)


def answer(at, attempt_id: int, answers: dict[Question, str], reply: str = ""):
    for question, value in answers.items():
        at.radio(key=f"answer_{attempt_id}_{question.value}").set_value(value)
    if reply:
        at.text_area(key=f"answer_{attempt_id}_reply").set_value(reply)
    return click_label(at, SUBMIT_ANSWERS)


def cited_titles(citation: str) -> str:
    """The first rule a citation links to, by the title its link shows (markup escaped as on the page)."""
    return plain(text("cited_rule_title", cited(citation)[0].key))


def right_answers(scenario_id: str) -> dict[Question, str]:
    return {q: k.answer for q, k in scenarios()[scenario_id].answers.items()}


def test_a_trainee_signs_in_with_a_name_only(store: Store):
    at = open_page("training")
    no_exception(at)
    assert not [w for w in at.text_input if w.key == "trainee_name" and w.value]
    at = sign_in(at, "  Ana   Trainee ")
    no_exception(at)
    trainee_id = at.query_params["trainee"]
    assert TrainingStore(store).get_trainee(trainee_id).name == "Ana Trainee"
    assert shown(at, text("trainee", "hello", name="Ana Trainee"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", text("training_errors", "name_empty")),
        ("Ana\x1b[31m", text("training_errors", "name_control")),
        ("Ana\u202e", text("training_errors", "name_control")),
    ],
)
def test_a_bad_name_is_refused_plainly_and_saves_nothing(store: Store, name: str, message: str):
    at = open_page("training")
    at.text_input(key="trainee_name").set_value(name)
    at = click_label(at, SUBMIT_NAME)
    no_exception(at)
    assert message in main_alerts(at, "error")
    assert "trainee" not in at.query_params
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM trainees").scalar() == 0


@pytest.mark.parametrize("junk", ["nope", "../../etc", "A" * 22, "<script>alert(1)</script>"])
def test_an_unknown_trainee_link_says_so_and_offers_sign_in(store: Store, junk: str):
    at = open_page("training", trainee=junk)
    no_exception(at)
    assert text("trainee", "unknown") in main_alerts(at, "warning")
    assert [w for w in at.text_input if w.key == "trainee_name"]


def test_a_scenario_answered_right_scores_the_answers_and_shows_why(store: Store):
    training = TrainingStore(store)
    trainee = training.create_trainee("Ana")
    at = open_page("training", trainee=trainee.id)
    at.button(key="trainee_next").click().run()
    no_exception(at)
    attempt_id = int(at.query_params["attempt"])
    attempt = training.get_attempt(trainee.id, attempt_id)
    assert shown(at, attempt.scenario.customer)
    at = answer(at, attempt_id, right_answers(attempt.scenario_id))
    no_exception(at)
    scored = training.get_attempt(trainee.id, attempt_id)
    assert scored.result is not None
    assert [m.correct for m in scored.result.marks[:3]] == [True, True, True]
    successes = main_alerts(at, "success")
    for question in Question:
        assert any(cited_titles(attempt.scenario.answers[question].rule) in s for s in successes)


def test_a_wrong_answer_gets_not_quite_with_the_rule(store: Store):
    training = TrainingStore(store)
    trainee = training.create_trainee("Ben")
    attempt = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    at = open_page("training", trainee=trainee.id, attempt=str(attempt.id))
    answers = right_answers(attempt.scenario_id) | {Question.PATH: "contact_seller"}
    at = answer(at, attempt.id, answers)
    no_exception(at)
    errors = main_alerts(at, "error")
    key = attempt.scenario.answers[Question.PATH]
    assert any(text("training", "wrong") in e and key.why in e and cited_titles(key.rule) in e for e in errors)
    result = training.get_attempt(trainee.id, attempt.id).result
    assert result is not None and not result.marks[1].correct


def test_submitting_without_every_answer_is_refused_and_nothing_is_scored(store: Store):
    training = TrainingStore(store)
    trainee = training.create_trainee("Cleo")
    attempt = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    at = open_page("training", trainee=trainee.id, attempt=str(attempt.id))
    at.radio(key=f"answer_{attempt.id}_status").set_value("awaiting_payment")
    at = click_label(at, SUBMIT_ANSWERS)
    no_exception(at)
    assert text("training_errors", "answer_all") in main_alerts(at, "error")
    assert training.get_attempt(trainee.id, attempt.id).result is None


def test_acting_in_the_simulator_counts(store: Store):
    """Cancelling the unpaid order in the case's own simulator passes the right-path check."""
    training = TrainingStore(store)
    trainee = training.create_trainee("Dev")
    attempt = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    key = f"train_{attempt.id}"
    at = open_page("training", trainee=trainee.id, attempt=str(attempt.id))
    assert f"{key}_status" not in button_keys(at)  # the details open only when the trainee opens them
    at.button(key=f"{key}_details").click().run()
    at.button(key=f"{key}_status").click().run()
    at.button(key=f"{key}_open").click().run()
    at.radio(key=f"{key}_reason").set_value("no_longer_needed")
    at.button(key=f"{key}_submit").click().run()
    at.button(key=f"{key}_confirm").click().run()
    no_exception(at)
    at = answer(at, attempt.id, right_answers(attempt.scenario_id), GOOD_REPLIES[attempt.scenario_id])
    result = training.get_attempt(trainee.id, attempt.id).result
    assert result is not None and result.score == 1.0


def test_extend_processing_time_is_offered_once(store: Store):
    """Regression (issue 10): after "Extend processing time" the button stayed, and a second click said the
    processing time had already been extended."""
    training = TrainingStore(store)
    trainee = training.create_trainee("Eve")
    attempt = training.start_attempt(trainee.id, "e02-earbuds-gift-duplicate")
    button = f"train_{attempt.id}_action_extend_processing"
    at = open_page("training", trainee=trainee.id, attempt=str(attempt.id))
    at.button(key=f"train_{attempt.id}_details").click().run()
    assert button in button_keys(at)
    at.button(key=button).click().run()
    no_exception(at)
    assert not main_alerts(at, "error")
    assert button not in button_keys(at)
    state = store.get_order(attempt.sandbox_id, attempt.scenario.order.id)
    assert state.processing_extended


def test_someone_elses_attempt_is_not_shown(store: Store):
    training = TrainingStore(store)
    owner, other = training.create_trainee("Owner"), training.create_trainee("Other")
    attempt = training.start_attempt(owner.id, "e01-unpaid-wrong-size")
    before = sandbox_count(store)
    at = open_page("training", trainee=other.id, attempt=str(attempt.id))
    no_exception(at)
    assert text("trainee", "attempt_unknown") in main_alerts(at, "warning")
    assert not shown(at, attempt.scenario.message)
    assert sandbox_count(store) <= before + 1  # at most the visitor's own sandbox


def test_passing_every_level_offers_the_certificate(store: Store):
    training = TrainingStore(store)
    trainee = training.create_trainee("Eve")
    for level in Difficulty:
        for scenario in [s for s in scenarios().values() if s.difficulty is level][:3]:
            attempt = training.start_attempt(trainee.id, scenario.id)
            sandbox, order_id = attempt.sandbox_id, scenario.order.id
            store.record(sandbox, "opened_order", order_id)
            store.record(sandbox, "read_status", order_id)
            act = RIGHT_ACTION.get(scenario.answers[Question.PATH].answer)
            if act is not None:  # the path done in the simulator, as a good agent would
                store.act(sandbox, order_id, act[0], **act[1])
            training.submit(trainee.id, attempt.id, right_answers(scenario.id), GOOD_REPLIES[scenario.id])
    at = open_page("training", trainee=trainee.id)
    no_exception(at)
    assert text("trainee", "certified") in main_alerts(at, "success")
    at.button(key="trainee_certificate_issue").click().run()  # issued on request, with an id anyone can check
    no_exception(at)
    downloads = at.get("download_button")
    assert any(text("trainee", "certificate") in str(d.proto.label) for d in downloads)


def test_a_name_with_markup_is_shown_as_typed(store: Store):
    name = "**Ana** [x](javascript:alert(1)) <b>"
    trainee = TrainingStore(store).create_trainee(name)
    at = open_page("training", trainee=trainee.id)
    no_exception(at)
    [hello] = [c.value for c in at.caption if "Training as" in c.value]
    assert "**Ana**" not in hello and "\\*\\*Ana\\*\\*" in hello and "\\[x\\]" in hello


@pytest.mark.parametrize("page", [None, "walkthrough", "my_orders", "rules"])
def test_a_class_link_is_honoured_on_any_page(store: Store, page: str | None):
    """Regression (issue 13): `?class=` on the front page was silently dropped."""
    group = TrainingStore(store).create_class("Night shift")
    at = open_page(page, **{"class": group.id})
    no_exception(at)
    assert text("trainee", "class_joined", name="Night shift") in main_alerts(at, "info")
    assert at.text_input(key="trainee_name") is not None


def test_an_archived_class_link_says_so_and_joins_no_one(store: Store):
    training = TrainingStore(store)
    group = training.create_class("Old class")
    training.archive_class(group.id)
    at = open_page("training", **{"class": group.id})
    assert text("training_errors", "class_archived") in main_alerts(at, "warning")
    at = sign_in(at, "Ana")
    no_exception(at)
    assert training.get_trainee(at.query_params["trainee"]).class_id is None  # trains, but not in that class
