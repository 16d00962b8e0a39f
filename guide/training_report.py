"""The trainer's tables, shaped from the read model (guide/training_views.py): the roster, the best score of
each trainee on each scenario, the attempts, the mean by scenario, the most common mistakes, and one attempt
in detail, and the charts' data (each bar in words, the kind in a mistake's label, the colours from ui.json).
Pure: no database, no Streamlit.

Column names are the trainer's texts (content), so the tables read as they are shown and exported.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from guide.content import cancel_reasons, text, ui_settings
from guide.content.formats import stamp
from guide.export import spreadsheet_safe
from guide.scoring import CHECKS, QUESTIONS, Critical, Mark, answer_shown, mark_title
from guide.training import Difficulty, Mode, Scenario
from guide.training_records import Attempt, AttemptRecord
from guide.training_views import RosterEntry

MISTAKES_SHOWN = 15
WHOLE_PERCENT = 2  # a share kept to a whole percent, as every text and axis shows it ({:.0%}): read as it is seen
BAR_WORDS = "bar_words"  # a chart's column that is not shown: each bar in words, rounded as shown (its aria text)
BAR_LABEL = "bar_label"  # the mistakes chart's axis label: the mistake, then its kind and scenario (one band a row)
__all__ = ["spreadsheet_safe"]  # the CSV guard, for every export of the trainer's data


class Progress(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


def trainee_labels(names: Mapping[str, str]) -> dict[str, str]:
    """Each trainee id's label: the name, with the id's last four characters when two trainees share it. Every
    table, chart and export of the dashboard names trainees through this, so "Ana (…x7Q2)" is the same Ana."""
    counts = Counter(names.values())
    return {t: f"{name} (…{t[-4:]})" if counts[name] > 1 else name for t, name in names.items()}


def assigned(entry: RosterEntry, sets: Mapping[str, list[str]], every: Mapping[str, Scenario]) -> list[str]:
    """The scenarios this trainee is set: the class's set, or every scenario open to them."""
    chosen = sets.get(entry.class_id or "", [])
    return [sid for sid in every if not chosen or sid in chosen]


def progress_of(entry: RosterEntry, set_ids: list[str]) -> Progress:
    if entry.last_active is None:
        return Progress.NOT_STARTED
    return Progress.DONE if all(sid in entry.scores for sid in set_ids) else Progress.IN_PROGRESS


def _level_mean(values: Iterable[float]) -> float | None:
    found = list(values)
    return round(100 * statistics.fmean(found), 1) if found else None


@dataclass(frozen=True)
class RosterContext:
    """What the roster needs beside the entries: class names and sets, the scenarios, who is certified."""

    class_names: Mapping[str, str]
    class_sets: Mapping[str, list[str]]
    scenarios: Mapping[str, Scenario]
    certified: frozenset[str]


def _level(context: RosterContext, scenario_id: str) -> Difficulty:
    return context.scenarios[scenario_id].difficulty


def roster_frame(entries: list[RosterEntry], context: RosterContext) -> pd.DataFrame:
    """One row a trainee: class, joined, last active, done of assigned, each level's first-attempt and best
    mean, certified and progress. Indexed by trainee id; labels tell namesakes apart."""
    labels = trainee_labels({e.trainee_id: e.name for e in entries})
    rows = []
    for entry in entries:
        set_ids = assigned(entry, context.class_sets, context.scenarios)
        certified = entry.trainee_id in context.certified
        done = sum(sid in entry.scores for sid in set_ids)
        # Who is where first (name, progress, done, certified), then when, then the scores by level.
        row: dict[str, object] = {
            text("trainer", "col_trainee"): labels[entry.trainee_id],
            text("trainer", "col_progress"): text("progress", progress_of(entry, set_ids)),
            text("trainer", "col_done"): text("trainer", "done_of", done=done, total=len(set_ids)),
            text("trainer", "col_certified"): text("trainer", "yes" if certified else "no"),
            text("trainer", "col_class"): context.class_names.get(entry.class_id or "", "–"),
            text("trainer", "col_joined"): stamp(entry.joined),
            text("trainer", "col_last_active"): stamp(entry.last_active) if entry.last_active else "–",
        }
        for level in Difficulty:
            name = text("difficulty", level)
            mine = [v for sid, v in entry.scores.items() if sid in set_ids and _level(context, sid) is level]
            row[text("trainer", "col_level_first", level=name)] = _level_mean(v.first for v in mine)
            row[text("trainer", "col_level_best", level=name)] = _level_mean(v.best for v in mine)
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index([e.trainee_id for e in entries], name="trainee_id"))


def filter_roster(frame: pd.DataFrame, query: str, progress: Progress | None) -> pd.DataFrame:
    """The rows whose trainee or class holds `query` (any case), in the given progress (None: any)."""
    kept = frame
    if query.strip():
        needle = query.strip().casefold()
        names = kept[text("trainer", "col_trainee")].str.casefold().str.contains(needle, regex=False)
        groups = kept[text("trainer", "col_class")].str.casefold().str.contains(needle, regex=False)
        kept = kept[names | groups]
    if progress is not None:
        kept = kept[kept[text("trainer", "col_progress")] == text("progress", progress)]
    return kept


def best_by_trainee(entries: list[RosterEntry], titles: Mapping[str, str]) -> pd.DataFrame:
    """Each trainee's best score (a whole percent, as shown: a screen reader reads the grid's values) on each
    scenario tried, one row a trainee (NaN: not tried)."""
    labels = trainee_labels({e.trainee_id: e.name for e in entries})
    data = {labels[e.trainee_id]: {titles.get(s, s): round(100 * v.best) for s, v in e.scores.items()} for e in entries}
    frame = pd.DataFrame.from_dict(data, orient="index").sort_index(axis=1)
    frame.index.name = text("trainer", "col_trainee")
    return frame


def attempts_table(rows: Iterable[Mapping[str, Any]], scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """One row an attempt, newest first, indexed by attempt id: trainee, scenario, score, whether it had a critical
    error, the trainee's attempt number there, level, mode, submitted and minutes spent."""
    records, seen, names = [], Counter[tuple[str, str]](), {}
    for row in rows:
        seen[row["trainee_id"], row["scenario_id"]] += 1
        names[row["trainee_id"]] = row["name"]
        records.append((row, seen[row["trainee_id"], row["scenario_id"]]))
    labels = trainee_labels(names)
    criticals = {c.value for c in Critical}
    shown = []
    for row, number in reversed(records):
        scenario = scenarios.get(row["scenario_id"])
        minutes = (row["submitted_at"] - row["started_at"]).total_seconds() / 60
        shown.append(
            {
                "attempt_id": row["id"],
                text("trainer", "col_trainee"): labels[row["trainee_id"]],
                text("trainer", "col_scenario"): scenario.title if scenario else row["scenario_id"],
                text("trainer", "col_score"): round(float(row["score"] or 0.0), 3),
                text("trainer", "col_critical"): text("trainer", "yes" if criticals & set(missed(row)) else "no"),
                text("trainer", "col_attempt"): number,
                text("trainer", "col_level"): text("difficulty", scenario.difficulty) if scenario else "–",
                text("trainer", "col_mode"): text("trainer", f"mode_{Mode(row['mode'] or 'practice').value}"),
                text("trainer", "col_when"): stamp(row["submitted_at"]),
                text("trainer", "col_minutes"): round(minutes, 1),
            }
        )
    return pd.DataFrame(shown).set_index("attempt_id") if shown else pd.DataFrame()


def filter_attempts(frame: pd.DataFrame, query: str) -> pd.DataFrame:
    """The attempts whose trainee or scenario holds `query` (any case; typed text, never a pattern)."""
    if frame.empty or not query.strip():
        return frame
    needle = query.strip().casefold()
    columns = (text("trainer", "col_trainee"), text("trainer", "col_scenario"))
    hits = [frame[c].astype(str).str.casefold().str.contains(needle, regex=False) for c in columns]
    return frame[hits[0] | hits[1]]


def missed(row: Mapping[str, Any]) -> list[str]:
    """The items an attempt row did not earn (kept at submit; empty for an attempt from before that)."""
    return list(json.loads(row["missed"])) if row.get("missed") else []


def mean_by_scenario(rows: Iterable[Mapping[str, Any]], titles: Mapping[str, str]) -> pd.DataFrame:
    """The mean score (0 to 1, to a whole percent as shown) of each scenario's attempts and how many there were,
    titles as plain text."""
    scores: dict[str, list[float]] = {}
    for row in rows:
        scores.setdefault(row["scenario_id"], []).append(float(row["score"] or 0.0))
    scenario, score, count = (text("trainer", c) for c in ("col_scenario", "col_score", "col_attempts"))
    means = [
        {scenario: titles.get(sid, sid), score: round(statistics.fmean(v), WHOLE_PERCENT), count: len(v)}
        for sid, v in scores.items()
    ]
    return pd.DataFrame(means, columns=[scenario, score, count])


def mistakes_frame(
    counts: Counter[tuple[str, str]], titles: Mapping[str, str], top: int = MISTAKES_SHOWN
) -> pd.DataFrame:
    """The most common mistakes: scenario, what was missed (a question, a simulator check, a point of the reply or
    a critical error), its kind, and how often, most frequent first."""
    scenario, mistake, kind, count = (
        text("trainer", c) for c in ("col_scenario", "col_mistake", "col_kind", "col_count")
    )
    rows = [
        {
            scenario: titles.get(sid, sid),
            mistake: mark_title(_bare_mark(item)),
            kind: text("mark_kind", mark_kind(item)),
            count: times,
        }
        for (sid, item), times in counts.most_common(top)
    ]
    return pd.DataFrame(rows, columns=[scenario, mistake, kind, count])


def scenario_bars(means: pd.DataFrame) -> pd.DataFrame:
    """The mean-by-scenario chart's rows: each bar also in words, its score as shown ("29%"), for a screen reader
    (Vega's own words would read the raw number)."""
    scenario, score, count = (text("trainer", c) for c in ("col_scenario", "col_score", "col_attempts"))
    words = [
        text("trainer", "by_scenario_bar", scenario=s, score=v, count=n)
        for s, v, n in zip(means[scenario], means[score], means[count], strict=True)
    ]
    return means.assign(**{BAR_WORDS: words})


def mistake_bars(mistakes: pd.DataFrame) -> pd.DataFrame:
    """The mistakes chart's rows: a label that names the kind (so colour is never the only telling), the mistake
    and its scenario (one band a row), and each bar in words for a screen reader."""
    scenario, mistake, kind, count = (
        text("trainer", c) for c in ("col_scenario", "col_mistake", "col_kind", "col_count")
    )
    rows = list(zip(mistakes[scenario], mistakes[mistake], mistakes[kind], mistakes[count], strict=True))
    labels = [text("trainer", "mistake_label", kind=k, mistake=m, scenario=s) for s, m, k, _ in rows]
    words = [text("trainer", "mistake_bar", kind=k, mistake=m, scenario=s, count=n) for s, m, k, n in rows]
    return mistakes.assign(**{BAR_LABEL: labels, BAR_WORDS: words})


def kind_colours(kinds: Iterable[str]) -> dict[str, str]:
    """The colour of each kind of mark shown (by its words, as the chart's legend has them), in ui.json's order."""
    shown = set(kinds)
    palette = ui_settings().chart_colour.mark_kind
    return {text("mark_kind", k): c for k, c in palette.items() if text("mark_kind", k) in shown}


def chart_table(frame: pd.DataFrame, percent: Iterable[str] = ()) -> pd.DataFrame:
    """A chart's data as its table shows it and a screen reader reads it: a share as "29%", never 0.286."""
    return frame.assign(**{c: [text("trainer", "percent", value=v) for v in frame[c]] for c in percent})


def mark_kind(item: str) -> str:
    """Which kind of mark an item is: question, check, written (the reply or a message) or critical."""
    if item in {c.value for c in Critical}:
        return "critical"
    if item in QUESTIONS:
        return "question"
    return "check" if item in CHECKS else "written"


def _bare_mark(item: str) -> Mark:
    critical = item in {c.value for c in Critical}
    return Mark(item=item, correct=False, given="", expected="", feedback="", rule="", critical=critical)


def mark_rows(attempt: Attempt) -> pd.DataFrame:
    """Every mark of an attempt: what it is, right or not, the trainee's answer and the expected one (in the words
    the trainee saw), the words a written point was judged by, and its weight."""
    marks = attempt.result.marks if attempt.result else []
    mark, result, given, expected, weight = (
        text("trainer", c) for c in ("col_mark", "col_result", "col_given", "col_expected", "col_weight")
    )
    rows = [
        {
            mark: mark_title(m),
            result: text("trainer", "right" if m.correct else "wrong_mark"),
            given: ", ".join(m.matched) if m.matched else (answer_shown(m, m.given) if m.expected else ""),
            expected: answer_shown(m, m.expected) if m.expected else "",
            weight: m.weight,
        }
        for m in marks
    ]
    return pd.DataFrame(rows, columns=[mark, result, given, expected, weight])


def step_rows(attempt: Attempt) -> pd.DataFrame:
    """The simulator actions of an attempt in order, at their simulated times."""
    when, what = text("trainer", "col_simulated"), text("trainer", "col_action")
    steps = attempt.record.steps if attempt.record else []
    return pd.DataFrame([{when: stamp(s.at), what: text("event", s.kind)} for s in steps], columns=[when, what])


def roster_csv(frame: pd.DataFrame) -> bytes:
    """The roster as UTF-8 CSV, formulas neutralised."""
    return spreadsheet_safe(frame.reset_index(drop=True)).to_csv(index=False).encode("utf-8")


def detail_head(row: Mapping[Any, Any], attempt: Attempt) -> str:
    """One line naming the attempt: who, which scenario, the score, which attempt, the mode and the minutes."""
    score = attempt.result.score if attempt.result else 0.0
    return text(
        "trainer",
        "detail_head",
        trainee=row[text("trainer", "col_trainee")],
        scenario=row[text("trainer", "col_scenario")],
        score=score,
        number=row[text("trainer", "col_attempt")],
        mode=row[text("trainer", "col_mode")],
        minutes=row[text("trainer", "col_minutes")],
    )


def reasons_in_words(record: AttemptRecord) -> str:
    """The cancellation reasons picked, as the pop-up showed them."""
    reasons = cancel_reasons()
    return ", ".join(reasons[r].label if r in reasons else r for r in record.reasons)
