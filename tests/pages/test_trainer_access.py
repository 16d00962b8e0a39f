"""Trainer access: trainer data (other trainees' names, scores, answers, class names, the export) shows
only on the trainer dashboard, and only to a session that gave the operator's passcode.

test_trainer.py covers no passcode configured, wrong passcodes (two, slowed down) and the unlocked
dashboard; test_training.py and test_hostile_input.py cover unknown or someone else's unsubmitted attempt
and odd query parameters on the training page. Here: locking again, one session's unlock not reaching
another, query parameters that must not open the dashboard, every other page, another trainee's *scored*
attempt, an empty passcode, and how the gate compares (hmac.compare_digest) and slows guessing down.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from guide import passcode_guard
from guide.content import text
from guide.store import Store
from guide.training import Question, option_label, scenarios
from guide.training_store import Attempt, TrainingStore
from guide.ui import passcode as passcode_ui
from guide.ui.state import PAGES
from tests.pages.helpers import main_alerts, make_sandbox, no_exception, open_page

PASSCODE = "correct horse battery staple"
SECRET_NAME = "Quentin Secretname"  # another trainee: never shown to anyone but the unlocked trainer
SECRET_CLASS = "Night shift Q7"
VISITOR = "Vera Visitor"
SCENARIO = "e05-shipped-phone-case"
WRONG_PATH = "cancel_now"  # an answer of the secret trainee's that the page must not repeat


@pytest.fixture(autouse=True)
def passcode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits slow_down() asks for, recorded instead of slept (slow_down itself still runs)."""
    asked: list[float] = []
    monkeypatch.setattr(passcode_ui, "time", SimpleNamespace(sleep=asked.append))
    return asked


@pytest.fixture
def secret(store: Store) -> tuple[TrainingStore, Attempt]:
    """A trainee in a class, with a scored attempt (a wrong path among the answers)."""
    training = TrainingStore(store)
    group = training.create_class(SECRET_CLASS, [SCENARIO, "e01-unpaid-wrong-size"])
    trainee = training.create_trainee(SECRET_NAME, group.id)
    attempt = training.start_attempt(trainee.id, SCENARIO)
    answers = {q: k.answer for q, k in scenarios()[SCENARIO].answers.items()} | {Question.PATH: WRONG_PATH}
    return training, training.submit(trainee.id, attempt.id, answers)


def everything(at: AppTest) -> str:
    """All the page holds, as text: every element's and block's message (labels, options, bodies, tables)."""
    return "\n".join(str(node.proto) for node in at._tree if getattr(node, "proto", None) is not None)


def no_trainer_data(at: AppTest, attempt: Attempt | None = None) -> None:
    no_exception(at)
    page = everything(at)
    for secret_text in (SECRET_NAME, SECRET_CLASS, text("trainer", "export"), text("trainer", "attempts")):
        assert secret_text not in page, f"{secret_text!r} is on the page"
    assert not at.get("download_button") and not at.get("vega_lite_chart")  # Streamlit 1.67 names it so
    for frame in at.dataframe:  # the simulator's own tables (items, timeline, refunds) only
        assert text("trainer", "col_trainee") not in frame.value.columns and SECRET_NAME not in frame.value.to_string()
    if attempt is not None:
        assert attempt.result is not None
        assert f"{attempt.result.score:.0%}" not in [m.value for m in at.metric]
        assert not any(m.feedback in page for m in attempt.result.marks)


def unlock(at: AppTest, passcode: str) -> AppTest:
    at.text_input(key="trainer_passcode_input").set_value(passcode)
    [button] = [b for b in at.button if b.label == text("trainer", "unlock")]
    return button.click().run()


def locked(at: AppTest) -> bool:
    """The gate's form is there and the dashboard (its Lock button, any table) is not."""
    form = [w for w in at.text_input if w.key == "trainer_passcode_input"]
    return bool(form) and not [b for b in at.button if b.key == "trainer_lock"] and not at.dataframe


def test_lock_hides_every_trainer_datum_again(secret: tuple[TrainingStore, Attempt], delays: list[float]) -> None:
    at = unlock(open_page("trainer"), PASSCODE)
    assert SECRET_NAME in everything(at) and at.dataframe  # unlocked: the data is there
    at = at.button(key="trainer_lock").click().run()
    assert locked(at)
    no_trainer_data(at)
    at = at.run()  # and stays locked on the next run of the session
    assert locked(at)
    no_trainer_data(at)
    assert delays == []


def test_one_sessions_unlock_does_not_open_another_session(secret: tuple[TrainingStore, Attempt]) -> None:
    unlocked = unlock(open_page("trainer"), PASSCODE)
    assert SECRET_NAME in everything(unlocked)
    other = open_page("trainer")  # another browser at the same time
    assert locked(other)
    no_trainer_data(other)


@pytest.mark.parametrize(
    "params",
    [
        {"class": "class"},
        {"trainee": "trainee"},
        {"attempt": "attempt"},
        {"trainer_unlocked": "true"},
        {"unlocked": "1"},
        {"passcode": PASSCODE},
        {"trainer_passcode_input": PASSCODE},
    ],
    ids=lambda p: "?" + next(iter(p)),
)
def test_no_query_parameter_opens_the_dashboard(
    store: Store, secret: tuple[TrainingStore, Attempt], params: dict[str, str]
) -> None:
    """Links with the real class, trainee and attempt ids, flags and the passcode itself: all still locked."""
    training, attempt = secret
    real = {"class": training.get_trainee(attempt.trainee_id).class_id, "trainee": attempt.trainee_id}
    real["attempt"] = str(attempt.id)
    query = {k: real.get(k, v) or v for k, v in params.items()}
    at = open_page("trainer", make_sandbox(store), **query)
    assert locked(at)
    no_trainer_data(at)


def test_an_empty_passcode_setting_is_no_passcode(
    monkeypatch: pytest.MonkeyPatch, secret: tuple[TrainingStore, Attempt]
) -> None:
    """CANCEL_COACH_TRAINER_PASSCODE="" must not mean "an empty passcode unlocks"."""
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", "")
    at = open_page("trainer")
    assert text("trainer", "not_configured") in main_alerts(at, "info")
    assert not [w for w in at.text_input if w.key == "trainer_passcode_input"]
    no_trainer_data(at)


@pytest.mark.parametrize("page", [p for p in PAGES if p != "trainer"])
def test_no_other_page_shows_trainer_data(store: Store, secret: tuple[TrainingStore, Attempt], page: str) -> None:
    """Every other page, opened by a trainee of their own (on the training page) in a signed-in sandbox."""
    training, attempt = secret
    visitor = training.create_trainee(VISITOR)
    sandbox = make_sandbox(store)
    params = {"trainee": visitor.id} if page == "training" else {}
    at = open_page(page, sandbox, **params)
    no_trainer_data(at, attempt)
    if page == "training":
        assert VISITOR in everything(at)  # the visitor's own page, with nothing of the other trainee


def test_another_trainees_scored_attempt_shows_nothing_of_it(
    store: Store, secret: tuple[TrainingStore, Attempt]
) -> None:
    """Their score, feedback and answers stay theirs, whether the link names a trainee of one's own or none."""
    training, attempt = secret
    visitor = training.create_trainee(VISITOR)
    at = open_page("training", trainee=visitor.id, attempt=str(attempt.id))
    assert text("trainee", "attempt_unknown") in main_alerts(at, "warning")
    no_trainer_data(at, attempt)
    assert option_label(Question.PATH, WRONG_PATH) not in everything(at)  # no radio with their answer chosen
    at = open_page("training", attempt=str(attempt.id))  # no trainee: the sign-in form, nothing else
    assert [w for w in at.text_input if w.key == "trainee_name"]
    no_trainer_data(at, attempt)


# --- how the gate compares and waits -------------------------------------------------------------


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """Every call of hmac.compare_digest (still answered by the real one)."""
    calls: list[tuple[Any, Any]] = []
    real: Callable[[Any, Any], bool] = hmac.compare_digest

    def recording(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    return calls


def test_the_passcode_is_compared_in_constant_time(
    secret: tuple[TrainingStore, Attempt], compared: list[tuple[Any, Any]], delays: list[float]
) -> None:
    at = unlock(open_page("trainer"), "correct horse battery stapler")
    assert locked(at)
    at = unlock(at, PASSCODE)
    assert not locked(at)
    expected = PASSCODE.encode()
    assert compared == [(b"correct horse battery stapler", expected), (expected, expected)]
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in compared)
    # The passcode typed is not kept in the session once it has been checked.
    assert "trainer_passcode_input" not in at.session_state or not at.session_state["trainer_passcode_input"]


def test_the_answer_of_compare_digest_alone_decides(
    monkeypatch: pytest.MonkeyPatch, secret: tuple[TrainingStore, Attempt], delays: list[float]
) -> None:
    """No other comparison short-cuts it: told "different", the right passcode does not unlock."""
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: False)
    at = unlock(open_page("trainer"), PASSCODE)
    assert locked(at)
    no_trainer_data(at)
    assert delays == [0.5]


def test_each_wrong_passcode_in_a_row_waits_longer_up_to_the_cap(
    secret: tuple[TrainingStore, Attempt], delays: list[float]
) -> None:
    at = open_page("trainer")
    for _ in range(7):
        at = unlock(at, "guess")
        assert locked(at)
        assert text("trainer", "wrong") in main_alerts(at, "error")
    cap = passcode_guard.MAX_DELAY_SECONDS
    assert delays == [0.5, 1.0, 2.0, 4.0, cap, cap, cap]
    # The right passcode opens at once and ends the run of failures: after Lock, a wrong one waits the least.
    at = unlock(at, PASSCODE)
    assert not locked(at) and len(delays) == 7
    at = unlock(at.button(key="trainer_lock").click().run(), "guess")
    assert delays[7:] == [0.5]


def test_a_new_session_does_not_reset_the_wait(secret: tuple[TrainingStore, Attempt], delays: list[float]) -> None:
    """Guessing is only slow if a guesser cannot start over by opening a new session (a new websocket) for
    each guess: wrong guesses are counted in the database, for every session of every replica."""
    at = open_page("trainer")
    for _ in range(4):
        at = unlock(at, "guess")
    fresh = unlock(open_page("trainer"), "guess")  # the same guesser, reconnected
    assert locked(fresh)
    assert delays == [0.5, 1.0, 2.0, 4.0, passcode_guard.MAX_DELAY_SECONDS], delays
