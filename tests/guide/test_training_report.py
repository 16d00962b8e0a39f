"""The trainer's tables without Streamlit: attempt rows, answer labels, best scores per trainee, the wrong-answer
tally and the CSV formula guard."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest

from guide.content import text
from guide.export import FORMULA_START, spreadsheet_safe
from guide.store import Store
from guide.training import Question, scenarios
from guide.training_report import (
    answer_label,
    attempt_records,
    attempts_csv,
    attempts_frame,
    best_by_trainee,
    hidden_columns,
    mean_by_scenario,
    trainee_labels,
    wrong_answers,
)
from guide.training_store import TrainingStore

EASY, SHIPPED = "e01-unpaid-wrong-size", "e05-shipped-phone-case"
TRAINEE, SCENARIO, ATTEMPT, SCORE, WHEN = (
    text("trainer", c) for c in ("col_trainee", "col_scenario", "col_attempt", "col_score", "col_when")
)
QUESTION, ANSWER, COUNT = (text("trainer", c) for c in ("col_question", "col_answer", "col_count"))
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def key(scenario_id: str) -> dict[str, str]:
    return {q.value: k.answer for q, k in scenarios()[scenario_id].answers.items()}


def row(
    trainee_id: str,
    name: str,
    scenario_id: str,
    answers: dict[str, str] | None = None,
    wrong: tuple[str, ...] = (),
    score: float | None = 0.5,
) -> dict[str, Any]:
    """One of the store's submitted rows: answers and marks as JSON text, as the store keeps them."""
    given = key(scenario_id) if answers is None else answers
    marks = [{"item": q.value, "correct": q.value not in wrong} for q in Question]
    return {
        "id": 1,
        "trainee_id": trainee_id,
        "name": name,
        "class_id": None,
        "scenario_id": scenario_id,
        "submitted_at": AT,
        "answers": json.dumps(given),
        "marks": json.dumps(marks),
        "score": score,
    }


# --- answer labels ------------------------------------------------------------------------------------


def test_an_answer_label_is_the_status_or_path_name():
    assert answer_label(Question.STATUS, "awaiting_shipment") == text("status", "awaiting_shipment")
    assert answer_label(Question.PATH, "cancel_now") == text("path", "cancel_now")


def test_a_refund_answer_label_is_its_first_words():
    for value in ("card", "balance", "nothing_paid"):
        full = text("refund_answer", value)
        label = answer_label(Question.REFUND, value)
        assert full.startswith(label) and "," not in label and ";" not in label


# --- the attempts table -------------------------------------------------------------------------------


def test_each_attempt_is_one_record_numbered_per_trainee_and_scenario():
    rows = [row("t1", "Ana", EASY), row("t1", "Ana", SHIPPED), row("t1", "Ana", EASY), row("t2", "Bo", EASY)]
    records = attempt_records(rows)
    assert [r[ATTEMPT] for r in records] == [1, 1, 2, 1]
    assert [r[SCENARIO] for r in records] == [scenarios()[EASY].title, scenarios()[SHIPPED].title] + [
        scenarios()[EASY].title
    ] * 2
    assert records[0][WHEN] == "2026-03-02 09:30"
    assert records[0][TRAINEE] == "Ana" and records[0]["trainee_id"] == "t1"


def test_a_record_holds_each_answers_label_and_whether_it_was_right():
    [record] = attempt_records([row("t1", "Ana", EASY, wrong=("path",))])
    answers = key(EASY)
    for question in Question:
        assert record[text("question", question)] == answer_label(question, answers[question.value])
    assert (record["status_correct"], record["path_correct"], record["refund_correct"]) == (True, False, True)


def test_a_missing_answer_is_empty_and_not_right():
    source = row("t1", "Ana", EASY, answers={"status": "closed"})
    source["marks"] = None
    [record] = attempt_records([source])
    assert record[text("question", Question.PATH)] == "" and record[text("question", Question.REFUND)] == ""
    assert not any(record[f"{q.value}_correct"] for q in Question)


def test_an_unknown_scenario_shows_its_id_and_a_missing_score_is_zero():
    [record] = attempt_records([row("t1", "Ana", EASY) | {"scenario_id": "gone-scenario", "score": None}])
    assert record[SCENARIO] == "gone-scenario" and record[SCORE] == 0.0


def test_the_score_is_rounded_to_three_places():
    [record] = attempt_records([row("t1", "Ana", EASY, score=4 / 7)])
    assert record[SCORE] == 0.571


def test_no_attempts_is_an_empty_frame():
    assert attempts_frame([]).empty


def test_repeated_columns_are_categories_showing_the_same_text():
    frame = attempts_frame([row("t1", "Ana", EASY), row("t2", "Bo", EASY)])
    assert frame[TRAINEE].dtype == "category" and frame[SCENARIO].dtype == "category"
    assert list(frame[TRAINEE].astype(str)) == ["Ana", "Bo"]
    shown = frame.drop(columns=hidden_columns())
    assert "trainee_id" not in shown.columns and not [c for c in shown.columns if c.endswith("_correct")]


def test_the_frame_reads_the_stores_own_rows(store: Store):
    training = TrainingStore(store)
    trainee = training.create_trainee("Zoë Trainee")
    attempt = training.start_attempt(trainee.id, EASY)
    training.submit(trainee.id, attempt.id, {Question(q): a for q, a in key(EASY).items()})
    frame = attempts_frame(training.submitted_rows())
    assert list(frame[TRAINEE].astype(str)) == ["Zoë Trainee"]
    assert frame[text("question", Question.PATH)].iloc[0] == answer_label(Question.PATH, key(EASY)["path"])
    assert bool(frame["path_correct"].iloc[0])


# --- progress and charts ------------------------------------------------------------------------------


def test_two_trainees_with_one_name_get_the_end_of_their_ids():
    labels = trainee_labels({"aaaa1111": "Sam", "bbbb2222": "Sam", "cccc3333": "Ana"})
    assert labels == {"aaaa1111": "Sam (…1111)", "bbbb2222": "Sam (…2222)", "cccc3333": "Ana"}


def test_the_progress_table_holds_each_trainees_best_score_per_scenario():
    rows = [
        row("t1", "Ana", EASY, score=0.4),
        row("t1", "Ana", EASY, score=0.9),
        row("t2", "Sam", EASY, score=0.5),
        row("t3", "Sam", SHIPPED, score=1.0),
    ]
    best = best_by_trainee(attempts_frame(rows))
    assert best.index.name == TRAINEE
    assert list(best.index) == ["Ana", "Sam (…t2)", "Sam (…t3)"]
    easy, shipped = scenarios()[EASY].title, scenarios()[SHIPPED].title
    assert best.loc["Ana", easy] == 0.9 and best.loc["Sam (…t2)", easy] == 0.5
    not_tried = best.loc["Ana", shipped]
    assert isinstance(not_tried, float)  # a score cell; pandas' stubs type .loc as any scalar
    assert pd.isna(not_tried) and best.loc["Sam (…t3)", shipped] == 1.0
    assert all(isinstance(c, str) for c in best.columns)


def test_the_mean_by_scenario_is_plain_text_and_the_mean_score():
    rows = [row("t1", "Ana", EASY, score=0.4), row("t2", "Bo", EASY, score=0.8), row("t1", "Ana", SHIPPED, score=1)]
    means = mean_by_scenario(attempts_frame(rows)).set_index(SCENARIO)[SCORE]
    assert means[scenarios()[EASY].title] == pytest.approx(0.6) and means[scenarios()[SHIPPED].title] == 1.0
    assert all(isinstance(title, str) for title in means.index)


def test_wrong_answers_are_counted_by_scenario_question_and_answer_most_frequent_first():
    wrong_path = key(EASY) | {"path": "wait"}
    rows = [
        row("t1", "Ana", EASY, wrong_path, wrong=("path",)),
        row("t2", "Bo", EASY, wrong_path, wrong=("path",)),
        row("t3", "Cy", EASY, key(EASY) | {"refund": ""}, wrong=("refund",)),
        row("t4", "Di", EASY),
    ]
    tally = wrong_answers(attempts_frame(rows))
    assert list(tally.columns) == [SCENARIO, QUESTION, ANSWER, COUNT]
    assert tally.to_dict("records") == [
        {
            SCENARIO: scenarios()[EASY].title,
            QUESTION: text("question", Question.PATH),
            ANSWER: answer_label(Question.PATH, "wait"),
            COUNT: 2,
        },
        {SCENARIO: scenarios()[EASY].title, QUESTION: text("question", Question.REFUND), ANSWER: "–", COUNT: 1},
    ]


def test_only_the_most_frequent_wrong_answers_are_kept():
    rows = [row(f"t{n}", "Ana", EASY, wrong=("status", "path", "refund")) for n in range(3)]
    assert len(wrong_answers(attempts_frame(rows), top=2)) == 2


def test_no_wrong_answer_is_an_empty_tally_with_its_columns():
    tally = wrong_answers(attempts_frame([row("t1", "Ana", EASY)]))
    assert tally.empty and list(tally.columns) == [SCENARIO, QUESTION, ANSWER, COUNT]


# --- the CSV formula guard ----------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_START)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(start: str):
    value = f'{start}HYPERLINK("http://evil.example")'
    assert spreadsheet_safe(pd.DataFrame({"name": [value]}))["name"][0] == f"'{value}"


def test_other_cells_stay_as_they_are():
    frame = pd.DataFrame({"name": ["Ana", "a=b", ""], "score": [0.5, 1.0, 0.0]})
    safe = spreadsheet_safe(frame)
    assert list(safe["name"]) == ["Ana", "a=b", ""] and list(safe["score"]) == [0.5, 1.0, 0.0]


def test_the_export_is_utf8_csv_with_formulas_neutralised():
    frame = attempts_frame([row("t1", "=1+1", EASY), row("t2", "Zoë", EASY)])
    exported = attempts_csv(frame).decode("utf-8")
    assert "'=1+1" in exported and "Zoë" in exported
    assert exported.splitlines()[0].startswith("trainee_id,")
