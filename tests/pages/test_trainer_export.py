"""The trainer's Export tab: both downloads (built only when clicked), and with an LRS set up, sending the
statements, what failed in a table, and Retry."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from guide import attempt_export
from guide.content import text
from guide.store import Store
from guide.training import Question, scenarios
from guide.training_store import TrainingStore
from guide.ui import passcode as passcode_ui
from guide.ui.widgets import plain
from tests.guide.test_lrs import KEY, SECRET, FakeLrs
from tests.pages.helpers import main_alerts, no_exception, open_page, table_column

PASSCODE = "correct horse battery staple"
EXPORT_TAB = {"trainer_tab": text("trainer", "tab_export")}


@pytest.fixture(autouse=True)
def unlocked_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passcode_ui, "slow_down", lambda seconds: None)
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    for name in ("CANCEL_COACH_LRS_URL", "CANCEL_COACH_LRS_KEY", "CANCEL_COACH_LRS_SECRET", "CANCEL_COACH_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def two_attempts(store: Store) -> str:
    """One trainee with two scored attempts; the trainee's name."""
    training = TrainingStore(store)
    trainee = training.create_trainee("Zoë Trainee")
    for scenario_id in ("e01-unpaid-wrong-size", "e05-shipped-phone-case"):
        attempt = training.start_attempt(trainee.id, scenario_id)
        training.submit(trainee.id, attempt.id, {q: k.answer for q, k in scenarios()[scenario_id].answers.items()})
    return trainee.name


@pytest.fixture
def fake_lrs(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLrs]:
    server = FakeLrs()
    monkeypatch.setenv("CANCEL_COACH_LRS_URL", server.url)
    monkeypatch.setenv("CANCEL_COACH_LRS_KEY", KEY)
    monkeypatch.setenv("CANCEL_COACH_LRS_SECRET", SECRET)
    yield server
    server.close()


def export_tab() -> AppTest:
    at = open_page("trainer", **EXPORT_TAB)
    at.text_input(key="trainer_passcode_input").set_value(PASSCODE)
    [button] = [b for b in at.button if b.label == text("trainer", "unlock")]
    at = button.click().run()
    no_exception(at)
    return at


def downloads(at: AppTest) -> dict[str, bool]:
    """Each download button's label and whether it is disabled."""
    return {str(d.proto.label): bool(d.proto.disabled) for d in at.get("download_button")}


def test_both_downloads_are_offered_and_built_only_when_clicked(monkeypatch: pytest.MonkeyPatch, two_attempts: str):
    built: list[str] = []

    def spy(name: str) -> Callable[..., bytes]:
        def build(*args: object) -> bytes:
            built.append(name)
            return b""

        return build

    monkeypatch.setattr(attempt_export, "attempts_csv", spy("csv"))
    monkeypatch.setattr(attempt_export, "xapi_file", spy("xapi"))
    at = export_tab()
    assert downloads(at) == {text("export", "csv"): False, text("export", "xapi"): False}
    assert built == []  # deferred: nothing is written until the trainer clicks
    assert text("export", "lrs_not_configured") in main_alerts(at, "info")
    assert not [b for b in at.button if b.key == "export_lrs_send"]


def test_with_an_lrs_the_tab_sends_lists_what_failed_and_retries(fake_lrs: FakeLrs, two_attempts: str):
    at = export_tab()
    target = text("export", "lrs_target", url=plain(fake_lrs.config().statements_url))
    assert target in [str(c.value) for c in at.caption]
    at = at.button(key="export_lrs_send").click().run()
    no_exception(at)
    assert plain(text("export_lrs", "sent_all", sent=2)) in main_alerts(at, "success")
    assert {s["actor"]["name"] for s in fake_lrs.statements.values()} == {two_attempts}
    assert text("export", "queue_empty") in [str(c.value) for c in at.caption]

    fake_lrs.answer = 400  # the LRS now refuses them
    at = at.button(key="export_lrs_send").click().run()
    no_exception(at)
    [warning] = main_alerts(at, "warning")
    assert warning.startswith(plain(text("export_lrs", "sent_failed", failed=2, error="")))
    assert "400" in warning
    errors = table_column(at, text("export", "col_error"))
    assert len(errors) == 2 and all("400" in e for e in errors)
    assert set(table_column(at, text("export", "col_statement"))) == set(fake_lrs.statements)
    assert text("export", "queue_caption", count=2, shown=2) in [str(c.value) for c in at.caption]

    fake_lrs.answer = None  # fixed: Retry drains the queue
    at = at.button(key="export_lrs_retry").click().run()
    no_exception(at)
    assert plain(text("export_lrs", "sent_all", sent=2)) in main_alerts(at, "success")
    assert not table_column(at, text("export", "col_error"))
    assert text("export", "queue_empty") in [str(c.value) for c in at.caption]


def test_an_lrs_address_that_cannot_work_is_explained(monkeypatch: pytest.MonkeyPatch, two_attempts: str):
    monkeypatch.setenv("CANCEL_COACH_LRS_URL", "lrs.example.org")
    at = export_tab()
    assert text("export_lrs", "url_bad", value="lrs.example.org") in main_alerts(at, "error")
    assert not [b for b in at.button if b.key == "export_lrs_send"]
    assert downloads(at)[text("export", "csv")] is False  # the downloads still work


def test_a_public_address_that_cannot_make_iris_turns_the_xapi_parts_off(
    monkeypatch: pytest.MonkeyPatch, fake_lrs: FakeLrs, two_attempts: str
):
    monkeypatch.setenv("CANCEL_COACH_PUBLIC_URL", "not a url")
    at = export_tab()
    assert text("export", "public_url_bad", value="not a url") in main_alerts(at, "error")
    assert downloads(at) == {text("export", "csv"): False, text("export", "xapi"): True}
    assert not [b for b in at.button if b.key == "export_lrs_send"] and not fake_lrs.statements


def test_the_export_follows_the_class_filter(monkeypatch: pytest.MonkeyPatch, fake_lrs: FakeLrs, store: Store):
    training = TrainingStore(store)
    group = training.create_class("Cohort A")
    for name, class_id in (("In class", group.id), ("Elsewhere", None)):
        trainee = training.create_trainee(name, class_id)
        attempt = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
        answers = {q: k.answer for q, k in scenarios()["e01-unpaid-wrong-size"].answers.items()}
        training.submit(trainee.id, attempt.id, answers | {Question.PATH: "wait"})
    at = export_tab()
    at.selectbox(key="trainer_class").set_value(group.id)
    at = at.run().button(key="export_lrs_send").click().run()
    no_exception(at)
    assert plain(text("export_lrs", "sent_all", sent=1)) in main_alerts(at, "success")
    assert [s["actor"]["name"] for s in fake_lrs.statements.values()] == ["In class"]
