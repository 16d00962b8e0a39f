"""Trainer dashboard: no data without the operator's passcode; with it, every attempt, the charts as a screen reader
reads them, and the export."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from guide import training_views
from guide.content import text, ui_settings
from guide.store import Store
from guide.training import Mode, Question, scenarios
from guide.training_report import BAR_WORDS
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


def tab(name: str) -> dict[str, str]:
    """The query parameter that opens a tab of the dashboard."""
    return {"trainer_tab": text("trainer", f"tab_{name}")}


def test_the_right_passcode_shows_every_attempt(monkeypatch: pytest.MonkeyPatch, scored: str, store: Store):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    at = unlock(open_page("trainer", **tab("attempts")), PASSCODE)
    no_exception(at)
    table = next(d.value for d in at.dataframe if text("trainer", "col_mode") in d.value.columns)
    assert list(table[text("trainer", "col_trainee")]) == [scored, scored]
    stored = [row["score"] for row in training_views.attempt_rows(store, None)]
    assert sorted(table[text("trainer", "col_score")]) == [pytest.approx(v, abs=1e-3) for v in sorted(stored)]
    assert max(stored) < 0.8  # answering the path wrong fails each case
    captions = " ".join(str(c.value) for c in at.caption)
    assert "Lowest mean score" in captions and "Most missed" in captions  # each chart's gist in words
    assert text("trainer", "detail_none") in captions  # no attempt opened yet


def test_each_chart_is_named_by_its_gist_and_has_a_table_of_its_own(monkeypatch: pytest.MonkeyPatch, scored: str):
    """A screen reader hears each chart's title and gist (not "Vega visualization"), each bar in rounded words, and
    finds its data behind a toggle that names the chart; every bar is drawn in ui.json's colours."""
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    at = unlock(open_page("trainer", **tab("attempts")), PASSCODE)
    no_exception(at)
    charts = at.get("vega_lite_chart")
    specs = [json.loads(c.proto.spec) for c in charts]
    titles = [text("trainer", "by_scenario"), text("trainer", "mistakes")]
    assert [spec["title"] for spec in specs] == titles
    gists = [re.sub(r"\\(.)", r"\1", str(c.value)) for c in at.caption]  # the captions, markdown escapes undone
    for spec, title in zip(specs, titles, strict=True):
        assert spec["description"] in [text("trainer", "chart_name", chart=title, summary=g) for g in gists]
        assert spec["encoding"]["description"]["field"] == BAR_WORDS
    by_scenario, mistakes = (convert_arrow_bytes_to_pandas_df(c.proto.datasets[0].data.data) for c in charts)
    assert all(re.search(r"\d+%", w) and not re.search(r"\d\.\d", w) for w in by_scenario[BAR_WORDS])
    assert specs[0]["mark"]["color"] == ui_settings().chart_colour.bar
    assert set(specs[1]["encoding"]["color"]["scale"]["range"]) <= set(ui_settings().chart_colour.mark_kind.values())
    labels = [e.label for e in at.expander]
    assert labels == [text("trainer", "chart_table_of", chart=t) for t in titles] and len(set(labels)) == 2
    means, missed = (t.value for t in at.table)
    assert all(re.fullmatch(r"\d{1,3}%", v) for v in means[text("trainer", "col_score")])  # "29%", not 0.286
    assert set(missed[text("trainer", "col_kind")]) == set(mistakes[text("trainer", "col_kind")])  # kind in words


def test_an_attempt_opens_in_detail_with_every_mark_and_what_was_written(monkeypatch: pytest.MonkeyPatch, store: Store):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    training = TrainingStore(store)
    trainee = training.create_trainee("Ana")
    attempt = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    answers = {q: k.answer for q, k in scenarios()["e01-unpaid-wrong-size"].answers.items()}
    training.submit(trainee.id, attempt.id, answers, "You will get your money back by Friday, guaranteed.")
    at = unlock(open_page("trainer", **tab("attempts"), attempt_detail=str(attempt.id)), PASSCODE)
    no_exception(at)
    marks = next(d.value for d in at.dataframe if text("trainer", "col_mark") in d.value.columns)
    result = scored_result(training, trainee.id, attempt.id)
    assert len(marks) == len(result.marks)
    assert text("critical", "promise") in " ".join(marks[text("trainer", "col_mark")])
    assert any("by Friday, guaranteed." in str(t.value) for t in at.text)  # the reply, as written
    assert text("trainer", "detail_no_reason") in [str(m.value) for m in at.markdown]


def test_a_junk_attempt_in_the_link_opens_nothing(monkeypatch: pytest.MonkeyPatch, scored: str):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    for junk in ("abc", "99999999", "-1", "1" * 40):
        at = unlock(open_page("trainer", **tab("attempts"), attempt_detail=junk), PASSCODE)
        no_exception(at)
        assert text("trainer", "detail_none") in " ".join(str(c.value) for c in at.caption)


def test_the_roster_lists_a_trainee_who_never_started(monkeypatch: pytest.MonkeyPatch, scored: str, store: Store):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    TrainingStore(store).create_trainee("Newcomer")
    at = unlock(open_page("trainer"), PASSCODE)
    no_exception(at)
    roster = at.dataframe[0].value
    progress = dict(zip(roster[text("trainer", "col_trainee")], roster[text("trainer", "col_progress")], strict=True))
    assert progress["Newcomer"] == text("progress", "not_started")
    assert progress[scored] == text("progress", "in_progress")
    at = at.text_input(key="roster_search").set_value("newc").run()
    assert list(at.dataframe[0].value[text("trainer", "col_trainee")]) == ["Newcomer"]
    downloads = at.get("download_button")
    assert any(text("trainer", "roster_csv") in str(d.proto.label) for d in downloads)


def test_a_class_can_be_created_with_a_scenario_set(monkeypatch: pytest.MonkeyPatch, store: Store):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    at = unlock(open_page("trainer", **tab("classes")), PASSCODE)
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
    at = unlock(open_page("trainer", **tab("classes")), PASSCODE)
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
    roster = list(at.dataframe[0].value[text("trainer", "col_trainee")])
    assert len(roster) == 2 and all(label.startswith("Sam (…") for label in roster)
    at = unlock(open_page("trainer", **tab("attempts")), PASSCODE)
    best = at.dataframe[0].value
    table = next(d.value for d in at.dataframe if text("trainer", "col_mode") in d.value.columns)
    assert sorted(best.index) == sorted(roster) == sorted(table[text("trainer", "col_trainee")])  # told apart alike


def scored_result(training: TrainingStore, trainee_id: str, attempt_id: int):
    result = training.get_attempt(trainee_id, attempt_id).result
    assert result is not None
    return result


def test_a_class_is_renamed_given_a_new_set_and_archived(monkeypatch: pytest.MonkeyPatch, store: Store):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    training = TrainingStore(store)
    group = training.create_class("Night shift")
    at = unlock(open_page("trainer", **tab("classes")), PASSCODE)
    assert any(f"/training?class={group.id}" in str(c.value) for c in at.code)  # the full link, with a copy button
    at = at.text_input(key=f"class_{group.id}_name").set_value("   ").run()
    at = at.button(key=f"class_{group.id}_rename").click().run()
    assert text("training_errors", "name_empty") in main_alerts(at, "error")
    assert training.get_class(group.id).name == "Night shift"
    at = at.text_input(key=f"class_{group.id}_name").set_value("Late shift").run()
    at = at.button(key=f"class_{group.id}_rename").click().run()
    assert training.get_class(group.id).name == "Late shift"
    at = at.multiselect(key=f"class_{group.id}_scenarios").set_value(["e01-unpaid-wrong-size"]).run()
    at = at.button(key=f"class_{group.id}_save_set").click().run()
    assert training.get_class(group.id).scenario_ids == ["e01-unpaid-wrong-size"]
    at = at.button(key=f"class_{group.id}_archive").click().run()
    no_exception(at)
    assert training.get_class(group.id).archived
    assert text("trainer", "archived", name="Late shift") in main_alerts(at, "success")
