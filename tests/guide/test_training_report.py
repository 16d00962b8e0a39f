"""The trainer's read model and tables without Streamlit: the roster (not started included), the attempts, the
mean by scenario, the most common mistakes (critical errors and checks too), the charts' data as a screen reader
reads it (rounded as shown, the kind in words), one attempt in detail, namesakes, and the CSV formula guard."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import update

from guide import training_views
from guide.content import text
from guide.export import FORMULA_START, spreadsheet_safe
from guide.lifecycle import Action
from guide.models import Path
from guide.store import Store
from guide.training import Difficulty, Question, scenarios
from guide.training_records import attempts
from guide.training_report import (
    BAR_LABEL,
    BAR_WORDS,
    Progress,
    RosterContext,
    attempts_table,
    best_by_trainee,
    chart_table,
    filter_attempts,
    filter_roster,
    mark_rows,
    mean_by_scenario,
    mistake_bars,
    mistakes_frame,
    reasons_in_words,
    roster_csv,
    roster_frame,
    scenario_bars,
    step_rows,
    trainee_labels,
)
from guide.training_store import TrainingStore
from guide.training_views import RosterEntry, ScenarioScores

EASY, SHIPPED = "e01-unpaid-wrong-size", "e05-shipped-phone-case"
TRAINEE, SCENARIO, ATTEMPT, SCORE = (
    text("trainer", c) for c in ("col_trainee", "col_scenario", "col_attempt", "col_score")
)
PROGRESS, DONE = text("trainer", "col_progress"), text("trainer", "col_done")
TITLES = {sid: s.title for sid, s in scenarios().items()}


def key(scenario_id: str, **wrong: str) -> dict[Question, str]:
    return {q: wrong.get(q.value, k.answer) for q, k in scenarios()[scenario_id].answers.items()}


def context(training: TrainingStore) -> RosterContext:
    groups = training.list_classes(archived=True)
    return RosterContext(
        class_names={g.id: g.name for g in groups},
        class_sets={g.id: g.scenario_ids for g in groups},
        scenarios=scenarios(),
        certified=frozenset(),
    )


@pytest.fixture
def world(store: Store) -> tuple[TrainingStore, dict[str, str]]:
    """A class of three: Ana worked EASY twice (wrong, then right with a reply), Ben shipped SHIPPED with a critical
    error, Cy joined and never started; plus Dan outside the class."""
    training = TrainingStore(store)
    group = training.create_class("Night shift", [EASY, SHIPPED])
    ana, ben, cy = (training.create_trainee(name, group.id) for name in ("Ana", "Ben", "Cy"))
    dan = training.create_trainee("Dan")
    first = training.start_attempt(ana.id, EASY)
    training.submit(ana.id, first.id, key(EASY, path="wait"))
    second = training.start_attempt(ana.id, EASY)
    sandbox, order = second.sandbox_id, scenarios()[EASY].order.id
    store.record(sandbox, "opened_order", order)
    store.record(sandbox, "read_status", order)
    store.act(sandbox, order, Action.CANCEL, reason="no_longer_needed")
    training.submit(ana.id, second.id, key(EASY), scenarios()[EASY].model_reply)
    shipped = training.start_attempt(ben.id, SHIPPED)
    training.submit(ben.id, shipped.id, key(SHIPPED, path=Path.CANCEL_NOW.value), "You will get it back by Friday.")
    other = training.start_attempt(dan.id, EASY)
    training.submit(dan.id, other.id, key(EASY))
    ids = {"class": group.id, "ana": ana.id, "ben": ben.id, "cy": cy.id, "dan": dan.id, "second": str(second.id)}
    return training, ids


def test_two_trainees_with_one_name_get_the_end_of_their_ids():
    labels = trainee_labels({"aaaa1111": "Sam", "bbbb2222": "Sam", "cccc3333": "Ana"})
    assert labels == {"aaaa1111": "Sam (…1111)", "bbbb2222": "Sam (…2222)", "cccc3333": "Ana"}


def test_the_roster_has_a_row_per_trainee_of_the_class_not_started_included(world):
    training, ids = world
    entries = training_views.roster_entries(training.store, ids["class"])
    frame = roster_frame(entries, context(training))
    assert list(frame.index) == [ids["ana"], ids["ben"], ids["cy"]]  # Dan is not in the class
    assert frame.loc[ids["cy"], PROGRESS] == text("progress", Progress.NOT_STARTED)
    assert frame.loc[ids["ana"], DONE] == text("trainer", "done_of", done=1, total=2)
    assert frame.loc[ids["ben"], PROGRESS] == text("progress", Progress.IN_PROGRESS)
    easy = text("difficulty", Difficulty.EASY)
    first, best = (text("trainer", c, level=easy) for c in ("col_level_first", "col_level_best"))
    ana = next(e for e in entries if e.trainee_id == ids["ana"])
    assert ana.scores[EASY].tries == 2 and ana.scores[EASY].first < ana.scores[EASY].best == 1.0
    assert frame.loc[ids["ana"], first] < frame.loc[ids["ana"], best] == 100.0
    assert pd.isna(frame.loc[ids["cy"], first])


def test_the_roster_filters_by_name_or_class_and_by_progress(world):
    training, ids = world
    frame = roster_frame(training_views.roster_entries(training.store, None), context(training))
    assert list(filter_roster(frame, "  aNa ", None).index) == [ids["ana"]]
    assert set(filter_roster(frame, "night", None).index) == {ids["ana"], ids["ben"], ids["cy"]}
    assert list(filter_roster(frame, "", Progress.NOT_STARTED).index) == [ids["cy"]]
    assert filter_roster(frame, "(.*", None).empty  # typed text, never a pattern


def test_the_roster_csv_neutralises_a_name_a_spreadsheet_would_run(store: Store):
    training = TrainingStore(store)
    training.create_trainee('=HYPERLINK("http://evil.example")')
    frame = roster_frame(training_views.roster_entries(store, None), context(training))
    exported = roster_csv(frame).decode("utf-8")
    assert "'=HYPERLINK" in exported and exported.splitlines()[0].startswith(TRAINEE)


def test_attempts_are_newest_first_numbered_per_trainee_and_scenario(world):
    training, ids = world
    rows = list(training_views.attempt_rows(training.store, ids["class"]))
    table = attempts_table(rows, scenarios())
    assert list(table[TRAINEE]) == ["Ben", "Ana", "Ana"]
    assert list(table[ATTEMPT]) == [1, 2, 1]
    assert list(table[text("trainer", "col_critical")]) == [text("trainer", c) for c in ("yes", "no", "no")]
    assert table.index[1] == int(ids["second"])


def test_the_mean_by_scenario_counts_its_attempts(world):
    training, _ = world
    means = mean_by_scenario(training_views.attempt_rows(training.store, None), TITLES)
    easy = means[means[SCENARIO] == TITLES[EASY]].iloc[0]
    assert easy[text("trainer", "col_attempts")] == 3 and 0 < easy[SCORE] < 1


def test_the_most_common_mistakes_count_critical_errors_and_checks_too(world):
    training, ids = world
    counts = training_views.mistake_counts(training.store, ids["class"])
    assert counts[(SHIPPED, "cancel_shipped")] == 1 and counts[(SHIPPED, "promise")] == 1
    assert counts[(EASY, "opened_details")] == 1  # the first attempt did not open the details
    frame = mistakes_frame(counts, TITLES, top=100)
    kinds = set(frame[text("trainer", "col_kind")])
    assert {text("mark_kind", k) for k in ("critical", "check", "question", "written")} <= kinds
    assert list(frame[text("trainer", "col_count")]) == sorted(frame[text("trainer", "col_count")], reverse=True)


def test_the_mean_by_scenario_is_kept_as_it_is_shown_and_read():
    rows = [{"scenario_id": EASY, "score": s} for s in (0.25, 0.3, 0.308)]  # a mean of 0.286: shown as 29%
    means = mean_by_scenario(rows, TITLES)
    assert means[SCORE].tolist() == [0.29]
    bars = scenario_bars(means)
    words = text("trainer", "by_scenario_bar", scenario=TITLES[EASY], score=0.29, count=3)
    assert bars[BAR_WORDS].tolist() == [words] and "29%" in words  # Vega's own words read "28.600000%"
    table = chart_table(means, percent=[SCORE])
    assert table[SCORE].tolist() == ["29%"] and means[SCORE].tolist() == [0.29]  # the chart's data stays a number


def test_the_best_scores_are_whole_percents_as_the_grid_shows_them():
    joined = datetime(2026, 1, 5, tzinfo=UTC)
    entry = RosterEntry("t1", "Ana", None, joined, joined, {EASY: ScenarioScores(first=0.286, best=0.286, tries=1)})
    best = best_by_trainee([entry], TITLES)
    assert best.loc["Ana", TITLES[EASY]] == 29  # 100 * 0.286 would be read as 28.599999999999998


def test_a_mistakes_label_and_words_name_its_kind(world):
    training, ids = world
    frame = mistakes_frame(training_views.mistake_counts(training.store, ids["class"]), TITLES, top=100)
    bars = mistake_bars(frame)
    kind, mistake = text("trainer", "col_kind"), text("trainer", "col_mistake")
    for _, row in bars.iterrows():
        first, second = row[BAR_LABEL].split("\n")
        assert first == row[mistake] and second.startswith(row[kind])  # the kind in words, not colour alone
        assert row[kind] in row[BAR_WORDS] and str(row[text("trainer", "col_count")]) in row[BAR_WORDS]
    assert bars[BAR_LABEL].is_unique  # one band a bar: a mistake made in two scenarios stays two bars
    assert list(bars.columns[: len(frame.columns)]) == list(frame.columns)  # the table's columns, unchanged


def test_an_attempt_scored_before_missed_was_kept_is_read_from_its_marks(world):
    training, ids = world
    with training.store.writing() as conn:
        conn.execute(update(attempts).values(missed=None))
    counts = training_views.mistake_counts(training.store, ids["class"])
    assert counts[(SHIPPED, "cancel_shipped")] == 1


def test_one_attempt_shows_every_mark_in_words_the_reason_and_the_steps(world):
    training, ids = world
    attempt = training_views.attempt_by_id(training.store, int(ids["second"]))
    assert attempt is not None and attempt.record is not None and attempt.result is not None
    marks = mark_rows(attempt)
    assert len(marks) == len(attempt.result.marks)
    path = marks[marks[text("trainer", "col_mark")] == text("question", Question.PATH)].iloc[0]
    assert path[text("trainer", "col_expected")] == text("next_action", Path.CANCEL_NOW)
    assert reasons_in_words(attempt.record) == "I don't need this order anymore / Other reasons"
    steps = step_rows(attempt)
    assert list(steps[text("trainer", "col_action")]) == [text("event", "cancelled")]
    assert attempt.record.steps[0].at >= scenarios()[EASY].now - timedelta(minutes=1)


def test_the_best_score_table_has_a_row_per_trainee_who_tried(world):
    training, ids = world
    best = best_by_trainee(training_views.roster_entries(training.store, ids["class"]), TITLES)
    assert best.loc["Ana", TITLES[EASY]] == 100.0
    assert list(best.index) == ["Ana", "Ben", "Cy"] and best.loc["Cy"].isna().all()


def test_the_version_changes_when_a_trainee_joins_or_starts(world):
    training, ids = world
    before = training_views.version(training.store)
    trainee = training.create_trainee("Eve", ids["class"])
    joined = training_views.version(training.store)
    training.start_attempt(trainee.id, EASY)
    assert before != joined != training_views.version(training.store)


def test_the_version_changes_when_a_class_is_renamed_reset_or_archived(world):
    """The dashboard's tables are cached by this version: a class change on any replica must show."""
    training, ids = world
    seen = [training_views.version(training.store)]
    training.rename_class(ids["class"], "Evening group")
    seen.append(training_views.version(training.store))
    training.set_class_scenarios(ids["class"], [EASY])
    seen.append(training_views.version(training.store))
    training.archive_class(ids["class"])
    seen.append(training_views.version(training.store))
    assert len(set(seen)) == 4, seen


def test_a_stored_mark_list_reads_back_as_json(world):
    training, ids = world
    rows = list(training_views.attempt_rows(training.store, ids["class"]))
    assert all(isinstance(json.loads(r["missed"]), list) for r in rows)


# --- the CSV formula guard ----------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_START)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(start: str):
    value = f'{start}HYPERLINK("http://evil.example")'
    assert spreadsheet_safe(pd.DataFrame({"name": [value]}))["name"][0] == f"'{value}"


def test_other_cells_stay_as_they_are():
    frame = pd.DataFrame({"name": ["Ana", "a=b", ""], "score": [0.5, 1.0, 0.0]})
    safe = spreadsheet_safe(frame)
    assert list(safe["name"]) == ["Ana", "a=b", ""] and list(safe["score"]) == [0.5, 1.0, 0.0]


def test_the_attempts_filter_by_trainee_or_scenario_as_typed(world):
    training, _ = world
    table = attempts_table(list(training_views.attempt_rows(training.store, None)), scenarios())
    assert set(filter_attempts(table, " BEN ")[TRAINEE]) == {"Ben"}
    assert set(filter_attempts(table, TITLES[EASY][:10].lower())[TRAINEE]) == {"Ana", "Dan"}
    assert filter_attempts(table, "(.*").empty and len(filter_attempts(table, "")) == len(table)
