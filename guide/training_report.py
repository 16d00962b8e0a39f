"""The trainer's tables, from the store's scored attempts: one row an attempt, the best score of each
trainee on each scenario, the mean by scenario, the most frequent wrong answers, and the CSV-safe export.

Column names are the trainer's texts (content), so the tables read as they are shown and exported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

import pandas as pd

from guide.content import text
from guide.content.formats import stamp
from guide.export import spreadsheet_safe
from guide.training import Question, scenarios

WRONG_ANSWERS_SHOWN = 15


def answer_label(question: Question, value: str) -> str:
    """A short label for an answer: the status or path name, or the refund answer's first words."""
    if question is Question.STATUS:
        return text("status", value)
    if question is Question.PATH:
        return text("path", value)
    return text("refund_answer", value).split(",")[0].split(";")[0]


def _question_columns() -> list[tuple[str, str, str, Question]]:
    """For each question: its value, its column (the question's text), its correct-flag column, itself."""
    return [(q.value, text("question", q), f"{q.value}_correct", q) for q in Question]


def attempt_records(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, object]]:
    """One record an attempt (the store's `submitted_rows`, oldest first): trainee, scenario title, the
    trainee's attempt number on that scenario, score, time, and each answer's label and whether it was right."""
    titles = {s.id: s.title for s in scenarios().values()}
    trainee, scenario, attempt, score, when = (
        text("trainer", c) for c in ("col_trainee", "col_scenario", "col_attempt", "col_score", "col_when")
    )
    # Looked up once, not once per row: with tens of thousands of attempts these lookups were a large part of
    # building the frame.
    questions = _question_columns()
    labels: dict[tuple[Question, str], str] = {}
    records = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        pair = (row["trainee_id"], row["scenario_id"])
        seen[pair] = seen.get(pair, 0) + 1
        answers = json.loads(row["answers"] or "{}")
        marks = {m["item"]: m for m in json.loads(row["marks"] or "[]")}
        record: dict[str, object] = {
            "trainee_id": row["trainee_id"],
            trainee: row["name"],
            scenario: titles.get(row["scenario_id"], row["scenario_id"]),
            "scenario_id": row["scenario_id"],
            attempt: seen[pair],
            score: round(float(row["score"] or 0.0), 3),
            when: stamp(row["submitted_at"]),
        }
        for value, column, correct, question in questions:
            given = answers.get(value, "")
            if given and (question, given) not in labels:
                labels[question, given] = answer_label(question, given)
            record[column] = labels[question, given] if given else ""
            record[correct] = bool(marks.get(value, {}).get("correct"))
        records.append(record)
    return records


def attempts_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The attempts as a frame (empty when there are none)."""
    frame = pd.DataFrame.from_records(attempt_records(rows))
    if frame.empty:
        return frame
    # Names, titles and answers repeat over thousands of rows: as categories, the attempts table sent to the
    # browser on every rerun is several times smaller and quicker to serialise (the text shown and exported is
    # the same; the categories sort as the text does).
    trainee, scenario = text("trainer", "col_trainee"), text("trainer", "col_scenario")
    repeated = ["trainee_id", "scenario_id", trainee, scenario, *(column for _, column, _, _ in _question_columns())]
    return frame.astype(dict.fromkeys(repeated, "category"))


def hidden_columns() -> list[str]:
    """The attempts frame's columns for the code, not for people: ids and the correct flags."""
    return ["trainee_id", "scenario_id", *(f"{q.value}_correct" for q in Question)]


def trainee_labels(names: Mapping[str, str]) -> dict[str, str]:
    """Each trainee id's row label: the name, with the id's last four characters when two trainees share
    it (two trainees with one name stay two rows)."""
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {t: f"{name} (…{t[-4:]})" if counts[name] > 1 else name for t, name in names.items()}


def best_by_trainee(frame: pd.DataFrame) -> pd.DataFrame:
    """Each trainee's best score on each scenario (NaN for a scenario not tried), one row a trainee."""
    trainee, scenario, score = (text("trainer", c) for c in ("col_trainee", "col_scenario", "col_score"))
    best = frame.pivot_table(index="trainee_id", columns=scenario, values=score, aggfunc="max", observed=True)
    names = frame.drop_duplicates("trainee_id").set_index("trainee_id")[trainee].astype(str)
    labels = trainee_labels({str(t): str(name) for t, name in names.items()})
    rows = [labels[t] for t in best.index.astype(str)]
    best = best.set_axis(rows, axis=0).set_axis(best.columns.astype(str), axis=1)  # plain strings, not categories
    best.index.name = trainee
    return best


def mean_by_scenario(frame: pd.DataFrame) -> pd.DataFrame:
    """The mean score of each scenario's attempts, with the titles as plain text."""
    scenario, score = text("trainer", "col_scenario"), text("trainer", "col_score")
    means = frame.groupby(scenario, observed=True)[score].mean().reset_index()
    means[scenario] = means[scenario].astype(str)  # a chart gets plain text, not categories
    return means


def wrong_answers(frame: pd.DataFrame, top: int = WRONG_ANSWERS_SHOWN) -> pd.DataFrame:
    """The most frequent wrong answers: scenario, question, the answer given ("–" for none) and how often,
    most frequent first; empty when every answer was right."""
    scenario = text("trainer", "col_scenario")
    question_column, answer, count = (text("trainer", c) for c in ("col_question", "col_answer", "col_count"))
    wrong = []
    for question in Question:
        misses = frame.loc[~frame[f"{question.value}_correct"], [scenario, text("question", question)]]
        counted = misses.groupby(list(misses.columns), observed=True).size()
        for (title, given), times in cast("Iterable[tuple[tuple[str, str], int]]", counted.items()):
            wrong.append(
                {scenario: title, question_column: text("question", question), answer: given or "–", count: int(times)}
            )
    if not wrong:
        return pd.DataFrame(columns=[scenario, question_column, answer, count])
    return pd.DataFrame(wrong).sort_values(count, ascending=False).head(top)


def attempts_csv(frame: pd.DataFrame) -> bytes:
    """Every attempt as UTF-8 CSV, formulas neutralised."""
    return spreadsheet_safe(frame).to_csv(index=False).encode("utf-8")
