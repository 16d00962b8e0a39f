"""Every scored attempt for a learning system: xAPI 1.0.3 statements (a JSON file, or sent by guide/lrs.py)
and the trainer's CSV with every mark.

A read model over the training tables: one streamed query (rows fetched in chunks of CHUNK), so exporting
tens of thousands of attempts holds a chunk of rows at a time, not every attempt as objects.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Generator, Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.engine import RowMapping

from guide.content import cancel_reasons, text
from guide.content.language import current
from guide.profile import get_profile
from guide.rubric import ReplyPoint, SellerPoint
from guide.scoring import Check, Mark, answer_shown
from guide.store import Store
from guide.training import Mode, Question, Scenario, certificate_rule, certified, scenarios
from guide.training_records import attempts, classes, is_token, trainees
from guide.training_report import spreadsheet_safe
from guide.training_store import TrainingStore

CHUNK = 500  # rows fetched (and statements or CSV rows written) at a time
PUBLIC_URL_VARIABLE, PUBLIC_URL_DEFAULT = "CANCEL_COACH_PUBLIC_URL", "http://localhost:8501"
# Statement ids are uuid5 of this namespace and the attempt's IRI: the same attempt always gets the same id,
# so an LRS takes a re-sent statement as the one it has.
STATEMENT_NAMESPACE = uuid.UUID("6f1d3c52-3b8e-5c1a-9a57-1f0de3a4c2b7")
VERB = "http://adlnet.gov/expapi/verbs/{}"
ASSESSMENT_ACTIVITY = "http://adlnet.gov/expapi/activities/assessment"
EXTENSIONS = {"level": "level", "profile": "policy-profile", "mode": "mode", "attempt": "attempt-id"}
RAW_MAX = 100
POINTS = [(p.value, "reply_point") for p in ReplyPoint] + [(p.value, "seller_point") for p in SellerPoint]
CSV_FIELDS = ("trainee_id", "trainee", "class", "scenario_id", "scenario", "level", "profile", "mode")
CSV_TIMES = ("attempt_id", "attempt", "started", "submitted", "seconds", "score", "passed")
CSV_END = ("critical", "reasons", "certified")


class ExportConfigError(ValueError):
    """A setting the export cannot work with, in plain words."""


def public_url(env: Mapping[str, str] | None = None) -> str:
    """The app's public address (CANCEL_COACH_PUBLIC_URL), the base of every IRI in the statements."""
    raw = (os.environ if env is None else env).get(PUBLIC_URL_VARIABLE) or PUBLIC_URL_DEFAULT
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ExportConfigError(text("export", "public_url_bad", value=raw[:80]))
    return value


def statement_id(base_url: str, trainee_id: str, attempt_id: int) -> str:
    """The attempt's statement id, the same on every export (the trainee's random id keeps two databases'
    attempt 1 apart)."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"{base_url}/attempts/{attempt_id}/{trainee_id}"))


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration to the hundredth of a second, e.g. 252.5 -> "PT4M12.5S"."""
    hundredths = round(max(seconds, 0.0) * 100)
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    whole, fraction = divmod(rest, 100)
    second = f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") if fraction else str(whole)
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return f"PT{parts}{second}S" if rest or not parts else f"PT{parts}"


def passed(score: float) -> bool:
    # A score is a float: 0.7999999999999999 is the pass mark all the same (as guide.training.certified).
    return round(score, 9) >= certificate_rule().pass_mark


def _query(class_id: str | None, *extra: Any) -> Select[Any]:
    """Every scored attempt (of one class's trainees), oldest first, with its trainee."""
    if class_id is not None and not is_token(class_id):
        raise LookupError(class_id)
    query = (
        select(
            attempts.c.id,
            attempts.c.trainee_id,
            attempts.c.scenario_id,
            attempts.c.started_at,
            attempts.c.submitted_at,
            attempts.c.score,
            attempts.c.mode,
            attempts.c.record,
            trainees.c.name,
            trainees.c.class_id,
            *extra,
        )
        .join(trainees, trainees.c.id == attempts.c.trainee_id)
        .where(attempts.c.submitted_at.is_not(None))
        .order_by(attempts.c.id)
    )
    return query.where(trainees.c.class_id == class_id) if class_id else query


def _rows(store: Store, query: Select[Any]) -> Iterator[RowMapping]:
    """The query's rows, fetched CHUNK at a time (a server-side cursor where the database has one)."""
    with store.reading() as conn:
        result = conn.execute(query, execution_options={"yield_per": CHUNK}).mappings()
        for partition in result.partitions():
            yield from partition


def _class_names(store: Store) -> dict[str, str]:
    """Every class's name (archived ones too: their attempts are still exported)."""
    with store.reading() as conn:
        return {row.id: row.name for row in conn.execute(select(classes.c.id, classes.c.name))}


def _seconds(row: RowMapping) -> float:
    """Time spent: the record's, or for an attempt from before records, submitted minus started."""
    if row["record"]:
        seconds: float = json.loads(row["record"]).get("seconds", 0.0)
        return float(seconds)
    return max(float((row["submitted_at"] - row["started_at"]).total_seconds()), 0.0)


def _mode(row: RowMapping) -> str:
    return str(row["mode"] or Mode.PRACTICE.value)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


# --- xAPI --------------------------------------------------------------------------------------------


def xapi_statements(store: Store, class_id: str | None, base_url: str) -> Iterator[dict[str, Any]]:
    """One xAPI 1.0.3 statement per scored attempt, oldest first, made as the rows stream in."""
    names = _class_names(store)
    verbs = {ok: text("export_xapi", "passed" if ok else "failed") for ok in (True, False)}
    for row in _rows(store, _query(class_id)):
        yield statement(row, base_url, names, verbs)


def statement(row: RowMapping, base_url: str, names: Mapping[str, str], verbs: Mapping[bool, str]) -> dict[str, Any]:
    """The statement of one attempt row: the trainee passed or failed the scenario's assessment."""
    score = float(row["score"] or 0.0)
    success = passed(score)
    word = "passed" if success else "failed"
    scenario = scenarios().get(row["scenario_id"])
    extensions: dict[str, Any] = {"mode": _mode(row), "attempt": row["id"]}
    if scenario is not None:
        extensions |= {"level": scenario.difficulty.value, "profile": scenario.profile}
    context: dict[str, Any] = {
        "extensions": {f"{base_url}/xapi/{EXTENSIONS[key]}": value for key, value in extensions.items()}
    }
    if row["class_id"]:
        group: dict[str, Any] = {"objectType": "Activity", "id": f"{base_url}/classes/{row['class_id']}"}
        if row["class_id"] in names:
            group["definition"] = {"name": {current(): names[row["class_id"]]}}
        context["contextActivities"] = {"grouping": [group]}
    return {
        "id": statement_id(base_url, row["trainee_id"], row["id"]),
        "actor": {
            "objectType": "Agent",
            "name": row["name"],
            "account": {"homePage": base_url, "name": row["trainee_id"]},
        },
        "verb": {"id": VERB.format(word), "display": {current(): verbs[success]}},
        "object": {
            "objectType": "Activity",
            "id": f"{base_url}/scenarios/{row['scenario_id']}",
            "definition": {
                "name": {current(): scenario.title if scenario else row["scenario_id"]},
                "type": ASSESSMENT_ACTIVITY,
            },
        },
        "result": {
            "score": {"scaled": round(score, 4), "raw": round(score * RAW_MAX, 2), "min": 0, "max": RAW_MAX},
            "success": success,
            "completion": True,
            "duration": iso_duration(_seconds(row)),
        },
        "context": context,
        "timestamp": _stamp(row["submitted_at"]),
    }


def xapi_chunks(store: Store, class_id: str | None, base_url: str) -> Generator[bytes, None, None]:
    """The statements as one JSON array, CHUNK statements a piece (UTF-8)."""
    yield b"["
    batch: list[str] = []
    first = True
    for item in xapi_statements(store, class_id, base_url):
        batch.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        if len(batch) == CHUNK:
            yield (("" if first else ",") + ",".join(batch)).encode("utf-8")
            batch, first = [], False
    if batch:
        yield (("" if first else ",") + ",".join(batch)).encode("utf-8")
    yield b"]"


def xapi_file(store: Store, class_id: str | None, base_url: str) -> bytes:
    """The statements as a JSON array, written piece by piece."""
    out = io.BytesIO()
    for piece in xapi_chunks(store, class_id, base_url):
        out.write(piece)
    return out.getvalue()


# --- the trainer's CSV ---------------------------------------------------------------------------------


def csv_headers() -> list[str]:
    """The CSV's column headers, in order (content text)."""
    headers = [text("export_csv", key) for key in (*CSV_FIELDS, *CSV_TIMES)]
    for question in Question:
        title = text("question", question)
        headers += [title, text("export_csv", "answer_right", question=title)]
    headers += [text("check", check) for check in Check]
    headers += [text("export_csv", kind, point=text("reply_point", point)) for point, kind in POINTS]
    return headers + [text("export_csv", key) for key in CSV_END]


class _CsvRows:
    """Turns attempt rows into CSV rows; the lookups that repeat (labels, titles, certificates) done once."""

    def __init__(self, store: Store) -> None:
        self.training = TrainingStore(store)
        self.classes = _class_names(store)
        self.words = {key: text("export_csv", key) for key in ("right", "wrong", "yes", "no")}
        self.modes = {m.value: text("trainer", f"mode_{m.value}") for m in Mode}
        self.reasons = {r.id: r.label for r in cancel_reasons().values()}
        self.labels: dict[tuple[str, str], str] = {}
        self.certified: dict[str, bool] = {}
        self.seen: dict[tuple[str, str], int] = {}

    def _right(self, mark: Mapping[str, Any] | None) -> str:
        if mark is None:
            return ""  # the mark does not apply to this attempt
        return self.words["right" if mark.get("correct") else "wrong"]

    def _label(self, mark: Mapping[str, Any] | None) -> str:
        if mark is None:
            return ""
        key = (str(mark["item"]), str(mark.get("given", "")))
        if key not in self.labels:  # a few labels over thousands of rows: each put in words once
            self.labels[key] = answer_shown(_bare_mark(key[0]), key[1])
        return self.labels[key]

    def _is_certified(self, trainee_id: str) -> bool:
        if trainee_id not in self.certified:
            self.certified[trainee_id] = certified(self.training.best_scores(trainee_id))
        return self.certified[trainee_id]

    def row(self, row: RowMapping) -> list[object]:
        scenario: Scenario | None = scenarios().get(row["scenario_id"])
        pair = (row["trainee_id"], row["scenario_id"])
        self.seen[pair] = self.seen.get(pair, 0) + 1
        marks = {m["item"]: m for m in json.loads(row["marks"] or "[]")}
        record = json.loads(row["record"]) if row["record"] else {}
        score = float(row["score"] or 0.0)
        cells: list[object] = [
            row["trainee_id"],
            row["name"],
            self.classes.get(row["class_id"] or "", ""),
            row["scenario_id"],
            scenario.title if scenario else row["scenario_id"],
            text("difficulty", scenario.difficulty) if scenario else "",
            get_profile(scenario.profile).name if scenario else "",
            self.modes.get(_mode(row), _mode(row)),
            row["id"],
            self.seen[pair],
            _stamp(row["started_at"]),
            _stamp(row["submitted_at"]),
            round(_seconds(row), 1),
            round(score * RAW_MAX, 1),
            self.words["yes" if passed(score) else "no"],
        ]
        for question in Question:
            cells += [self._label(marks.get(question.value)), self._right(marks.get(question.value))]
        cells += [self._right(marks.get(check.value)) for check in Check]
        cells += [self._right(marks.get(point)) for point, _ in POINTS]
        cells += [
            ";".join(str(m["item"]) for m in marks.values() if m.get("critical")),
            "; ".join(self.reasons.get(r, r) for r in record.get("reasons", [])),
            self.words["yes" if self._is_certified(row["trainee_id"]) else "no"],
        ]
        return cells


def _bare_mark(item: str) -> Mark:
    return Mark(item=item, correct=False, given="", expected="", feedback="", rule="")


def attempts_csv(store: Store, class_id: str | None) -> bytes:
    """Every scored attempt as UTF-8 CSV for the trainer, formulas neutralised, written CHUNK rows at a time."""
    headers = csv_headers()
    rows = _CsvRows(store)
    out = io.StringIO()
    out.write(pd.DataFrame(columns=headers).to_csv(index=False))
    chunk: list[list[object]] = []
    for row in _rows(store, _query(class_id, attempts.c.marks)):
        chunk.append(rows.row(row))
        if len(chunk) == CHUNK:
            spreadsheet_safe(pd.DataFrame(chunk, columns=headers)).to_csv(out, index=False, header=False)
            chunk = []
    if chunk:
        spreadsheet_safe(pd.DataFrame(chunk, columns=headers)).to_csv(out, index=False, header=False)
    return out.getvalue().encode("utf-8")
