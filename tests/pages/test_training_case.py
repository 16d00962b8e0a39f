"""A training case as the trainee sees it: the profile it runs under, its own clock, the reply, feedback that
matches the screen, and an assessment without giveaways (issue 12)."""

from __future__ import annotations

from datetime import timedelta

from guide.content import cancel_reasons, text
from guide.profile import get_profile
from guide.store import Store
from guide.training import Mode, Question, option_label, options, scenarios
from guide.training_store import TrainingStore
from guide.ui.widgets import plain
from tests.guide.replies import GOOD_REPLIES
from tests.pages.helpers import button_keys, main_alerts, no_exception, open_page, shown

SUBMIT_ANSWERS = text("trainee", "submit")
STRICT_CASE = "h04-verification-help-centre-2020"
REQUEST = "e02-earbuds-gift-duplicate"
SHIPPED = "e05-shipped-phone-case"


def open_case(store: Store, scenario_id: str, mode: Mode = Mode.PRACTICE, details: bool = True):
    training = TrainingStore(store)
    group = training.create_class("Class", mode=mode)
    trainee = training.create_trainee("Ana", group.id)
    attempt = training.start_attempt(trainee.id, scenario_id)
    at = open_page("training", trainee=trainee.id, attempt=str(attempt.id))
    if details:
        at = at.button(key=f"train_{attempt.id}_details").click().run()
    no_exception(at)
    return at, training, trainee, attempt


def submit(at, attempt_id: int, answers: dict[Question, str], reply: str):
    for question, value in answers.items():
        at.radio(key=f"answer_{attempt_id}_{question.value}").set_value(value)
    at.text_area(key=f"answer_{attempt_id}_reply").set_value(reply)
    [button] = [b for b in at.button if b.label == SUBMIT_ANSWERS]
    return button.click().run()


def sidebar_text(at) -> str:
    return " ".join(str(c.value) for c in at.sidebar.caption)


def test_the_case_header_and_the_sidebar_name_the_profile_the_case_runs_under(store: Store):
    at, *_ = open_case(store, STRICT_CASE, details=False)
    name = get_profile(scenarios()[STRICT_CASE].profile).name
    badges = " ".join(str(b.proto.body) for b in at.get("badge")) if at.get("badge") else ""
    assert text("trainee", "runs_under", profile=name) in badges or shown(at, name)
    assert text("sidebar", "policy", name=name) in sidebar_text(at)


def test_letting_time_pass_moves_the_case_clock_and_the_seller_answers(store: Store):
    at, _training, _trainee, attempt = open_case(store, REQUEST)
    before = store.get_sandbox(attempt.sandbox_id).clock
    at = at.button(key=f"train_{attempt.id}_time_24").click().run()
    no_exception(at)
    assert store.get_sandbox(attempt.sandbox_id).clock - before >= timedelta(hours=24)
    at = at.button(key=f"train_{attempt.id}_time_next").click().run()
    no_exception(at)
    assert main_alerts(at, "info")  # what happened is said in words
    assert store.get_sandbox(attempt.sandbox_id).clock > before


def test_a_shipped_case_shows_the_shipped_date_the_timeline_and_the_conversation(store: Store):
    at, _, _, _attempt = open_case(store, SHIPPED)
    order = scenarios()[SHIPPED].order
    assert order.shipped_at is not None
    assert shown(at, text("details", "shipped_on"))
    labels = [e.label for e in at.expander]
    assert text("trainee", "timeline") in labels and text("trainee", "contact") in labels


def test_a_red_mark_says_your_answer_and_the_expected_one(store: Store):
    at, training, trainee, attempt = open_case(store, REQUEST)
    key = {q: k.answer for q, k in scenarios()[REQUEST].answers.items()}
    at = submit(at, attempt.id, {**key, Question.PATH: "cancel_now"}, GOOD_REPLIES[REQUEST])
    no_exception(at)
    errors = main_alerts(at, "error")
    line = text(
        "training",
        "your_answer",
        given=plain(option_label(Question.PATH, "cancel_now")),
        expected=plain(option_label(Question.PATH, "request_cancellation")),
    )
    assert any(line in e for e in errors), errors
    result = training.get_attempt(trainee.id, attempt.id).result
    assert result is not None and result.score < 0.8


def test_a_reply_that_promises_a_date_fails_the_case_and_shows_the_words(store: Store):
    at, training, trainee, attempt = open_case(store, REQUEST)
    key = {q: k.answer for q, k in scenarios()[REQUEST].answers.items()}
    at = submit(at, attempt.id, key, GOOD_REPLIES[REQUEST] + " You will get the PayPal refund by Friday.")
    no_exception(at)
    result = training.get_attempt(trainee.id, attempt.id).result
    assert result is not None and any(m.item == "promise" and m.critical for m in result.marks)
    assert any("by friday" in e.lower() for e in main_alerts(at, "error"))
    assert training.get_attempt(trainee.id, attempt.id).record.reply.endswith("by Friday.")
    assert text("trainee", "model_reply") in [e.label for e in at.expander]  # the attempt is closed: a good reply


def test_an_assessment_hides_the_hints(store: Store):
    at, _, _, attempt = open_case(store, REQUEST, mode=Mode.ASSESSMENT)
    assert text("trainee", "model_reply") not in [e.label for e in at.expander]  # no key before it is closed
    scenario = scenarios()[REQUEST]
    assert not shown(at, scenario.title)
    assert shown(at, text("trainee", "neutral_title", customer=scenario.customer))
    status = at.radio(key=f"answer_{attempt.id}_status")
    assert list(status.options) != [option_label(Question.STATUS, v) for v in options(Question.STATUS)]
    assert not any(text("status", v) + ":" in o for v in options(Question.STATUS) for o in status.options)
    key = f"train_{attempt.id}"
    at = at.button(key=f"{key}_open").click().run()
    reasons = at.radio(key=f"{key}_reason")
    assert not any(r.note in str(reasons.proto) for r in cancel_reasons().values())
    assert f"{key}_status" in button_keys(at)


def test_a_practice_case_keeps_the_hints(store: Store):
    at, _, _, attempt = open_case(store, REQUEST)
    assert shown(at, scenarios()[REQUEST].title)
    key = f"train_{attempt.id}"
    at = at.button(key=f"{key}_open").click().run()
    reasons = at.radio(key=f"{key}_reason")
    assert any(r.note in str(reasons.proto) for r in cancel_reasons().values())
