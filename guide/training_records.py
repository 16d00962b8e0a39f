"""Training's tables and the records read from them: classes, trainees and attempts.

The tables share the order store's metadata (guide.db). A database made before a column was added gets it
from `add_missing_columns` when the training store starts, so an older data/ file keeps working.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, Engine, Float, ForeignKey, Index, Integer, String, Table, Text, inspect
from sqlalchemy import text as sql

from guide.content import text
from guide.db import UTCDateTime, metadata
from guide.models import Actor, Event
from guide.scoring import Result, sent_to_seller
from guide.training import Mode, Scenario, scenarios

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # always fullmatch: "$" would let a final "\n" through
NAME_MAX = 60

classes = Table(
    "classes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(80), nullable=False),
    Column("scenario_ids", Text, nullable=False),  # JSON list; empty means every scenario
    Column("orders", Text, nullable=False),  # JSON list of Order JSON v1 the class practises on
    Column("created_at", UTCDateTime, nullable=False),
    Column("mode", String(16), nullable=True),  # a Mode; NULL (a class from before modes) is practice
    Column("archived_at", UTCDateTime, nullable=True),  # an archived class takes no new trainees
)

trainees = Table(
    "trainees",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(NAME_MAX), nullable=False),
    Column("class_id", String(64), ForeignKey("classes.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trainee_id", String(64), ForeignKey("trainees.id"), nullable=False),
    Column("scenario_id", String(60), nullable=False),
    Column("sandbox_id", String(64), nullable=False),
    Column("start_seq", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=True),
    Column("answers", Text, nullable=True),
    Column("marks", Text, nullable=True),
    Column("score", Float, nullable=True),
    Column("mode", String(16), nullable=True),  # a Mode; NULL (an attempt from before modes) is practice
    Column("record", Text, nullable=True),  # an AttemptRecord as JSON, once submitted
    # The items of the marks not earned, as a JSON list (critical errors included): the dashboard's mistake
    # tally reads these few bytes instead of every attempt's marks.
    Column("missed", Text, nullable=True),
    Index("ix_attempts_trainee_scenario", "trainee_id", "scenario_id"),
    Index("ix_attempts_scenario", "scenario_id"),
    # The dashboard's cache key counts scored attempts on every rerun: from this index, not the whole table.
    Index("ix_attempts_submitted", "submitted_at"),
)


def add_missing_columns(engine: Engine, table: Table) -> None:
    """Add the nullable columns a table made by an older version lacks (create_all never alters a table)."""
    present = {column["name"] for column in inspect(engine).get_columns(table.name)}
    missing = [c for c in table.columns if c.name not in present]
    if not missing:
        return
    with engine.begin() as conn:
        for column in missing:
            kind = column.type.compile(dialect=engine.dialect)
            conn.execute(sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))


class SimulatorStep(BaseModel):
    """One thing the trainee did in the simulator, at the case's simulated time."""

    model_config = ConfigDict(frozen=True)

    kind: str
    at: datetime


class AttemptRecord(BaseModel):
    """Everything the trainee chose and wrote in an attempt, kept for the trainer's view."""

    model_config = ConfigDict(frozen=True)

    reply: str = ""
    reasons: list[str] = Field(default_factory=list)  # cancel reasons picked, by id
    messages: list[str] = Field(default_factory=list)  # what the trainee sent to the seller
    steps: list[SimulatorStep] = Field(default_factory=list)
    seconds: float = 0.0  # time spent, from opening the case to submitting it


def attempt_record(events: Sequence[Event], reply: str, seconds: float) -> AttemptRecord:
    """What the trainee did in the case (the events after it started that the buyer made) and wrote."""
    mine = [e for e in events if e.actor is Actor.BUYER]
    return AttemptRecord(
        reply=reply,
        reasons=[str(e.data["reason"]) for e in mine if e.data.get("reason")],
        messages=sent_to_seller(mine),
        steps=[SimulatorStep(kind=e.kind.value, at=e.at) for e in mine],
        seconds=round(max(seconds, 0.0), 1),
    )


class TrainingInputError(ValueError):
    """Input the training pages refuse, with a plain message. Nothing was saved."""


class UnknownTrainee(LookupError):
    pass


class UnknownAttempt(LookupError):
    pass


@dataclass(frozen=True)
class Trainee:
    id: str
    name: str
    class_id: str | None


@dataclass(frozen=True)
class TrainingClass:
    id: str
    name: str
    scenario_ids: list[str]
    orders: list[dict[str, Any]]
    mode: Mode = Mode.PRACTICE
    archived: bool = False


@dataclass(frozen=True)
class Attempt:
    id: int
    trainee_id: str
    scenario_id: str
    sandbox_id: str
    start_seq: int
    started_at: datetime
    submitted_at: datetime | None
    answers: dict[str, str]
    result: Result | None
    mode: Mode = Mode.PRACTICE
    record: AttemptRecord | None = None

    @property
    def scenario(self) -> Scenario:
        return scenarios()[self.scenario_id]


def clean_name(raw: str, limit: int = NAME_MAX) -> str:
    """A display name as typed, trimmed; refused when empty, too long or holding control characters."""
    name = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not name:
        raise TrainingInputError(text("training_errors", "name_empty"))
    if len(name) > limit:
        raise TrainingInputError(text("training_errors", "name_too_long", limit=limit))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in name):
        raise TrainingInputError(text("training_errors", "name_control"))
    return name


def is_token(value: object) -> bool:
    """Whether the value could be a trainee's or a class's id. Anything else is refused before any SQL: a
    NUL byte would reach PostgreSQL as a DataError, and junk needs no round trip to be unknown."""
    return isinstance(value, str) and TOKEN.fullmatch(value) is not None


def is_attempt_id(value: object) -> bool:
    """A row id: an int (not a bool, not a string SQLite would quietly compare as a number) that fits
    in 64 bits (a bigger one is an OverflowError in sqlite3)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _mode(row: Any) -> Mode:
    return Mode(row["mode"]) if row["mode"] else Mode.PRACTICE


def class_from_row(row: Any) -> TrainingClass:
    return TrainingClass(
        row["id"],
        row["name"],
        json.loads(row["scenario_ids"]),
        json.loads(row["orders"]),
        _mode(row),
        row["archived_at"] is not None,
    )


def attempt_from_row(row: Any) -> Attempt:
    marks = json.loads(row["marks"]) if row["marks"] else None
    return Attempt(
        id=row["id"],
        trainee_id=row["trainee_id"],
        scenario_id=row["scenario_id"],
        sandbox_id=row["sandbox_id"],
        start_seq=row["start_seq"],
        started_at=row["started_at"],
        submitted_at=row["submitted_at"],
        answers=json.loads(row["answers"]) if row["answers"] else {},
        result=Result(marks=marks) if marks is not None else None,
        mode=_mode(row),
        record=AttemptRecord.model_validate_json(row["record"]) if row["record"] else None,
    )


def counted_scores(attempts: list[Attempt], class_mode: Mode) -> dict[str, float]:
    """Each scenario's score that counts: the best of every attempt in practice; in an assessment, the first
    attempt (the only one in assessment mode), as later attempts are practice."""
    counted: dict[str, float] = {}
    for attempt in attempts:
        if attempt.result is None or (class_mode is Mode.ASSESSMENT and attempt.mode is not Mode.ASSESSMENT):
            continue
        counted[attempt.scenario_id] = max(counted.get(attempt.scenario_id, 0.0), attempt.result.score)
    return counted
