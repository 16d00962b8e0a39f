"""Trainer dashboard: no data without the operator's passcode; with it, every attempt and the export."""

from __future__ import annotations

import pytest

from guide.content import text
from guide.store import Store
from guide.training import Mode, Question, scenarios
from guide.training_store import TrainingStore
from guide.ui import passcode as passcode_ui
from tests.pages.helpers import main_alerts, no_exception, open_page, shown

PASSCODE = "correct horse battery staple"


def unlock(at, passcode: str):
    at.text_input(key="trainer_passcode_input").set_value(passcode)
    [button] = [b for b in at.button if b.label == text("trainer", "unlock")]
    return button.click().run()


@pytest.fixture
def scored(store: Store) -> str:
    """One trainee with one right and one wrong attempt."""
    training = TrainingStore(store)
    trainee = training.create_trainee("Zoë Trainee")
    for scenario_id, path in (("e01-unpaid-wrong-size", "cancel_now"), ("e05-shipped-phone-case", "cancel_now")):
        attempt = training.start_attempt(trainee.id, scenario_id)
        answers = {q: k.answer for q, k in scenarios()[scenario_id].answers.items()} | {Question.PATH: path}
        training.submit(trainee.id, attempt.id, answers)
    return trainee.name


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passcode_ui, "slow_down", lambda seconds: None)


def test_without_a_passcode_it_explains_and_shows_no_data(monkeypatch: pytest.MonkeyPatch, scored: str):
    monkeypatch.delenv("CANCEL_COACH_TRAINER_PASSCODE", raising=False)
    at = open_page("trainer")
    no_exception(at)
    assert text("trainer", "not_configured") in main_alerts(at, "info")
    assert not shown(at, scored)
    assert not at.dataframe and not at.get("download_button")


@pytest.mark.parametrize("wrong", ["", "correct horse", PASSCODE.upper(), PASSCODE + " ", "' OR 1=1 --"])
def test_a_wrong_passcode_shows_nothing_and_is_slowed_down(monkeypatch: pytest.MonkeyPatch, scored: str, wrong: str):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    delays: list[float] = []
    monkeypatch.setattr(passcode_ui, "slow_down", delays.append)
    at = open_page("trainer")
    at = unlock(at, wrong)
    at = unlock(at, wrong)
    no_exception(at)
    assert text("trainer", "wrong") in main_alerts(at, "error")
    assert not shown(at, scored) and not at.dataframe
    assert len(delays) == 2 and delays[1] > delays[0] > 0


def test_the_right_passcode_shows_every_attempt_and_the_export(
    monkeypatch: pytest.MonkeyPatch, scored: str, store: Store
):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    at = unlock(open_page("trainer"), PASSCODE)
    no_exception(at)
    attempts = at.dataframe[-1].value
    assert list(attempts[text("trainer", "col_trainee")]) == [scored, scored]
    stored = [row["score"] for row in TrainingStore(store).submitted_rows()]
    assert sorted(attempts[text("trainer", "col_score")]) == [pytest.approx(v, abs=1e-3) for v in sorted(stored)]
    assert max(stored) < 0.8  # answering the path wrong fails each case
    assert text("path", "cancel_now") in set(attempts[text("question", Question.PATH)])
    downloads = at.get("download_button")
    assert any(text("trainer", "export") in str(d.proto.label) for d in downloads)


def test_a_class_can_be_created_with_a_scenario_set(monkeypatch: pytest.MonkeyPatch, store: Store):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    at = unlock(open_page("trainer"), PASSCODE)
    at.text_input(key="new_class_name").set_value("Night shift")
    at.multiselect(key="new_class_scenarios").set_value(["e01-unpaid-wrong-size"])
    [button] = [b for b in at.button if b.label == text("trainer", "create_class")]
    at = button.click().run()
    no_exception(at)
    [group] = TrainingStore(store).list_classes()
    assert (group.name, group.scenario_ids) == ("Night shift", ["e01-unpaid-wrong-size"])
    assert text("trainer", "created", name="Night shift") in main_alerts(at, "success")


def test_a_class_is_created_in_assessment_mode_and_switched_back(monkeypatch: pytest.MonkeyPatch, store: Store):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    at = unlock(open_page("trainer"), PASSCODE)
    at.text_input(key="new_class_name").set_value("Exam day")
    at.radio(key="new_class_mode").set_value(Mode.ASSESSMENT)
    [button] = [b for b in at.button if b.label == text("trainer", "create_class")]
    at = button.click().run()
    no_exception(at)
    [group] = TrainingStore(store).list_classes()
    assert group.mode is Mode.ASSESSMENT
    at = at.radio(key=f"class_mode_{group.id}").set_value(Mode.PRACTICE).run()
    no_exception(at)
    assert TrainingStore(store).get_class(group.id).mode is Mode.PRACTICE
    saved = text("trainer", "mode_saved", name="Exam day", mode=text("trainer", "mode_practice"))
    assert saved in main_alerts(at, "success")


def test_two_trainees_with_one_name_stay_two_rows(monkeypatch: pytest.MonkeyPatch, store: Store):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    training = TrainingStore(store)
    for _ in range(2):
        trainee = training.create_trainee("Sam")
        attempt = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
        training.submit(
            trainee.id, attempt.id, {q: k.answer for q, k in scenarios()["e01-unpaid-wrong-size"].answers.items()}
        )
    at = unlock(open_page("trainer"), PASSCODE)
    no_exception(at)
    progress = at.dataframe[0].value
    assert len(progress) == 2 and all(str(label).startswith("Sam (…") for label in progress.index)
