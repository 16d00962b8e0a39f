"""Training records: trainees, classes with their scenario sets and own orders, and every attempt.

It shares the order store's engine and transactions. A scenario attempt runs in its own sandbox,
built from the scenario's order, seed, profile and replay steps, so what the trainee sees is
exactly `Scenario.starting_state()`.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from guide.content import text
from guide.db import UTCDateTime, metadata
from guide.importing import check_rows, parse_import, rejection
from guide.models import Order
from guide.profile import get_profile
from guide.scoring import Result, score
from guide.store import Store
from guide.training import Question, Scenario, scenarios

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
    Index("ix_attempts_trainee_scenario", "trainee_id", "scenario_id"),
    Index("ix_attempts_scenario", "scenario_id"),
    # The dashboard's cache key counts scored attempts on every rerun: from this index, not the whole table.
    Index("ix_attempts_submitted", "submitted_at"),
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


def _is_token(value: object) -> bool:
    """Whether the value could be a trainee's or a class's id. Anything else is refused before any SQL: a
    NUL byte would reach PostgreSQL as a DataError, and junk needs no round trip to be unknown."""
    return isinstance(value, str) and TOKEN.fullmatch(value) is not None


def _is_attempt_id(value: object) -> bool:
    """A row id: an int (not a bool, not a string SQLite would quietly compare as a number) that fits
    in 64 bits (a bigger one is an OverflowError in sqlite3)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _attempt(row: Any) -> Attempt:
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
    )


class TrainingStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        metadata.create_all(store.engine)
        # create_all only builds the indexes of tables it creates: a database from before an index gets it here.
        for index in attempts.indexes:
            index.create(store.engine, checkfirst=True)

    # --- classes ---

    def create_class(self, name: str, scenario_ids: list[str] | None = None) -> TrainingClass:
        unknown = sorted(set(scenario_ids or []) - set(scenarios()))
        if unknown:
            raise TrainingInputError(text("training_errors", "unknown_scenarios", ids=", ".join(unknown)))
        group = TrainingClass(secrets.token_urlsafe(12), clean_name(name, 80), list(scenario_ids or []), [])
        with self.store.writing() as conn:
            conn.execute(
                insert(classes).values(
                    id=group.id,
                    name=group.name,
                    scenario_ids=json.dumps(group.scenario_ids),
                    orders="[]",
                    created_at=datetime.now(UTC),
                )
            )
        return group

    def set_class_scenarios(self, class_id: str, scenario_ids: list[str]) -> TrainingClass:
        unknown = sorted(set(scenario_ids) - set(scenarios()))
        if unknown:
            raise TrainingInputError(text("training_errors", "unknown_scenarios", ids=", ".join(unknown)))
        self.get_class(class_id)
        with self.store.writing() as conn:
            conn.execute(update(classes).where(classes.c.id == class_id).values(scenario_ids=json.dumps(scenario_ids)))
        return self.get_class(class_id)

    def load_class_orders(self, class_id: str, payload: str | bytes) -> list[Order]:
        """The class's own orders (Order JSON v1): all of them, or none with every bad row named."""
        self.get_class(class_id)
        rows = parse_import(payload)
        now = datetime.now(UTC)
        accepted, problems, _ = check_rows(rows, get_profile(), now)
        if problems:
            raise rejection(problems, len(rows))
        snapshots = [s.order.to_json_dict() for s in accepted]
        with self.store.writing() as conn:
            conn.execute(update(classes).where(classes.c.id == class_id).values(orders=json.dumps(snapshots)))
        return [s.order for s in accepted]

    def get_class(self, class_id: str) -> TrainingClass:
        if not _is_token(class_id):
            raise LookupError(class_id)
        with self.store.reading() as conn:
            row = conn.execute(select(classes).where(classes.c.id == class_id)).mappings().first()
        if row is None:
            raise LookupError(class_id)
        return TrainingClass(row["id"], row["name"], json.loads(row["scenario_ids"]), json.loads(row["orders"]))

    def list_classes(self) -> list[TrainingClass]:
        with self.store.reading() as conn:
            rows = conn.execute(select(classes).order_by(classes.c.created_at, classes.c.id)).mappings().all()
        return [TrainingClass(r["id"], r["name"], json.loads(r["scenario_ids"]), json.loads(r["orders"])) for r in rows]

    # --- trainees ---

    def create_trainee(self, name: str, class_id: str | None = None) -> Trainee:
        """A trainee known by a display name only (no password, no e-mail) and an unguessable id."""
        trainee = Trainee(secrets.token_urlsafe(16), clean_name(name), None)
        if class_id:
            try:
                self.get_class(class_id)
            except LookupError:
                raise TrainingInputError(text("training_errors", "class_unknown")) from None
            trainee = Trainee(trainee.id, trainee.name, class_id)
        with self.store.writing() as conn:
            conn.execute(
                insert(trainees).values(
                    id=trainee.id, name=trainee.name, class_id=trainee.class_id, created_at=datetime.now(UTC)
                )
            )
        return trainee

    def get_trainee(self, trainee_id: str) -> Trainee:
        if not _is_token(trainee_id):
            raise UnknownTrainee(trainee_id)
        with self.store.reading() as conn:
            row = conn.execute(select(trainees).where(trainees.c.id == trainee_id)).mappings().first()
        if row is None:
            raise UnknownTrainee(trainee_id)
        return Trainee(row["id"], row["name"], row["class_id"])

    def scenario_set(self, trainee: Trainee) -> list[Scenario]:
        """The scenarios this trainee trains on: the class's set, or all of them."""
        chosen = self.get_class(trainee.class_id).scenario_ids if trainee.class_id else []
        return [s for s in scenarios().values() if not chosen or s.id in chosen]

    def practice_sandbox(self, trainee: Trainee) -> str:
        """A free-practice sandbox: the demo orders plus the class's own orders, signed in."""
        sandbox = self.store.create_sandbox()
        if trainee.class_id:
            own = self.get_class(trainee.class_id).orders
            if own:
                self.store.import_orders(sandbox.id, json.dumps(own))
        self.store.record(sandbox.id, "signed_in", "maria")
        return sandbox.id

    # --- attempts ---

    def start_attempt(self, trainee_id: str, scenario_id: str) -> Attempt:
        """A fresh sandbox holding the scenario's order as the trainee finds it, and a new attempt."""
        trainee = self.get_trainee(trainee_id)
        scenario = scenarios().get(scenario_id)
        if scenario is None or scenario not in self.scenario_set(trainee):
            raise TrainingInputError(text("training_errors", "scenario_unknown"))
        first = scenario.replay[0].at if scenario.replay else scenario.now
        start_clock = max(scenario.order.latest_stamp, min(first, scenario.now))
        sandbox = self.store.create_sandbox(
            seed=scenario.seed, profile_id=scenario.profile, clock=start_clock, demo=False
        )
        self.store.import_orders(sandbox.id, json.dumps([scenario.order.to_json_dict()]))
        for step in scenario.replay:
            self.store.advance_clock(sandbox.id, step.at)
            if step.action is not None:
                self.store.act(sandbox.id, scenario.order.id, step.action, **step.params)
        self.store.advance_clock(sandbox.id, scenario.now)
        self.store.record(sandbox.id, "signed_in", "maria")
        start_seq = len(self.store.get_order(sandbox.id, scenario.order.id).events)
        with self.store.writing() as conn:
            result = conn.execute(
                insert(attempts).values(
                    trainee_id=trainee.id,
                    scenario_id=scenario.id,
                    sandbox_id=sandbox.id,
                    start_seq=start_seq,
                    started_at=datetime.now(UTC),
                )
            )
            inserted = result.inserted_primary_key
            if inserted is None:  # typed Optional by SQLAlchemy; an INSERT of one row always has its key
                raise RuntimeError("the attempt was inserted without a key")
            attempt_id = int(inserted[0])
        return self.get_attempt(trainee.id, attempt_id)

    def get_attempt(self, trainee_id: str, attempt_id: int) -> Attempt:
        """One attempt of this trainee (an attempt id of somebody else is unknown here)."""
        if not _is_token(trainee_id) or not _is_attempt_id(attempt_id):
            raise UnknownAttempt(attempt_id)
        with self.store.reading() as conn:
            row = (
                conn.execute(select(attempts).where(attempts.c.id == attempt_id, attempts.c.trainee_id == trainee_id))
                .mappings()
                .first()
            )
        if row is None:
            raise UnknownAttempt(attempt_id)
        return _attempt(row)

    def submit(self, trainee_id: str, attempt_id: int, answers: dict[Question, str]) -> Attempt:
        """Score the answers and the trainee's actions in the attempt's sandbox; an attempt is scored once."""
        attempt = self.get_attempt(trainee_id, attempt_id)
        if attempt.submitted_at is not None:
            raise TrainingInputError(text("training_errors", "already_submitted"))
        missing = [q for q in Question if not answers.get(q)]
        if missing:
            raise TrainingInputError(text("training_errors", "answer_all"))
        scenario = attempt.scenario
        state = self.store.get_order(attempt.sandbox_id, scenario.order.id)
        facts = self.store.facts(attempt.sandbox_id)
        result = score(scenario, answers, facts, state.events[attempt.start_seq :])
        with self.store.writing() as conn:
            done = conn.execute(
                update(attempts)
                .where(attempts.c.id == attempt_id, attempts.c.submitted_at.is_(None))
                .values(
                    submitted_at=datetime.now(UTC),
                    answers=json.dumps({q.value: a for q, a in answers.items()}),
                    marks=json.dumps([m.model_dump() for m in result.marks]),
                    score=result.score,
                )
            )
            if done.rowcount != 1:
                raise TrainingInputError(text("training_errors", "already_submitted"))
        return self.get_attempt(trainee_id, attempt_id)

    def attempts_of(self, trainee_id: str) -> list[Attempt]:
        if not _is_token(trainee_id):
            raise UnknownTrainee(trainee_id)
        with self.store.reading() as conn:
            rows = (
                conn.execute(select(attempts).where(attempts.c.trainee_id == trainee_id).order_by(attempts.c.id))
                .mappings()
                .all()
            )
        return [_attempt(r) for r in rows]

    def best_scores(self, trainee_id: str) -> dict[str, float]:
        best: dict[str, float] = {}
        for attempt in self.attempts_of(trainee_id):
            if attempt.result is not None:
                best[attempt.scenario_id] = max(best.get(attempt.scenario_id, 0.0), attempt.result.score)
        return best

    # --- the trainer's view ---

    def attempt_count(self) -> int:
        """How many attempts are scored: the dashboard's cache key, so a new score shows at once."""
        with self.store.reading() as conn:
            return int(conn.execute(select(func.count(attempts.c.submitted_at))).scalar() or 0)

    def submitted_rows(self, class_id: str | None = None) -> list[dict[str, Any]]:
        """Every scored attempt with its trainee, for the dashboard and the CSV export."""
        query = (
            select(
                attempts.c.id,
                attempts.c.trainee_id,
                trainees.c.name,
                trainees.c.class_id,
                attempts.c.scenario_id,
                attempts.c.submitted_at,
                attempts.c.answers,
                attempts.c.marks,
                attempts.c.score,
            )
            .join(trainees, trainees.c.id == attempts.c.trainee_id)
            .where(attempts.c.submitted_at.is_not(None))
            .order_by(attempts.c.id)
        )
        if class_id:
            query = query.where(trainees.c.class_id == class_id)
        with self.store.reading() as conn:
            return [dict(r) for r in conn.execute(query).mappings().all()]

