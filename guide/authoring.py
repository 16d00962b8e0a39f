"""Authored scenarios in the database: a trainer's cases (built and checked in guide/authoring_draft.py), kept
per class, exported and imported as a file, and handed to guide.training as its authored source.

Delete refuses a scenario that trainees attempted: their attempts keep reading it, so it stays.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import Column, Connection, ForeignKey, Index, String, Table, Text, delete, func, insert, select

from guide.authoring_draft import (
    Applies,
    AuthoringRefused,
    Draft,
    OrderChoice,
    Preview,
    Problem,
    against_rules,
    build_scenario,
    field_label,
    new_id,
    preview,
    problem_text,
    rule_lines,
    stable_seed,
    validate,
    what_applies,
)
from guide.content import text
from guide.db import UTCDateTime, metadata
from guide.importing import IMPORT_MAX_BYTES
from guide.models import Order
from guide.store import Store
from guide.training import Scenario, builtin_scenarios, register_authored
from guide.training_records import TrainingClass, attempts, classes

__all__ = [
    "Applies",
    "AuthoredScenarios",
    "AuthoringRefused",
    "Draft",
    "OrderChoice",
    "Preview",
    "Problem",
    "build_scenario",
    "field_label",
    "preview",
    "problem_text",
    "rule_lines",
    "what_applies",
]

AUTHORED_ID = re.compile(r"a-[0-9a-f]{10}")  # always fullmatch; fits Scenario's id pattern (see new_id)
CHECK_SECONDS = 1.0  # how often another process's writes are looked for
EXPORT_FORMAT, EXPORT_VERSION = "cancel-coach-scenarios", 1
IMPORT_MAX_SCENARIOS = 200

authored_scenarios = Table(
    "authored_scenarios",
    metadata,
    Column("id", String(60), primary_key=True),
    Column("class_id", String(64), ForeignKey(classes.c.id), nullable=True),  # NULL: for trainees in no class
    Column("scenario", Text, nullable=False),  # the Scenario as JSON
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_authored_scenarios_class", "class_id"),
)
# The class has a method called `list`, so its annotations name lists by these.
Scenarios = list[Scenario]
Problems = list[Problem]
Ids = list[str]
Choices = list[OrderChoice]
Version = tuple[int, datetime | None]


class ClassSets(Protocol):
    """What authoring needs of the training store (guide.training_store.TrainingStore)."""

    def get_class(self, class_id: str) -> TrainingClass: ...

    def set_class_scenarios(self, class_id: str, scenario_ids: list[str]) -> TrainingClass: ...


class AuthoredScenarios:
    """Authored scenarios on the order store's database, and guide.training's source of them: the set is kept
    in memory, read again when this object writes, and when a cheap version check (at most every
    `check_seconds`) sees another process's write."""

    def __init__(self, store: Store, classes: ClassSets) -> None:
        self.store, self.classes = store, classes
        metadata.create_all(store.engine, tables=[authored_scenarios])
        self.check_seconds = CHECK_SECONDS
        self._lock = threading.RLock()
        self._known: dict[str, Scenario] = {}
        self._version: Version | None = None
        self._checked = time.monotonic()
        self._reload()  # now, so the first pages of a run ask the database nothing for a second
        register_authored(self.current)

    def current(self) -> dict[str, Scenario]:
        """Every authored scenario by id (the same dict until the set changes: guide.training relies on it)."""
        if time.monotonic() - self._checked >= self.check_seconds:
            with self._lock:
                if time.monotonic() - self._checked >= self.check_seconds:
                    if self._read_version() != self._version:
                        self._reload()
                    self._checked = time.monotonic()
        return self._known

    def _read_version(self) -> Version:
        with self.store.reading() as conn:
            return _version(conn)

    def _reload(self) -> None:
        table = authored_scenarios
        with self._lock, self.store.reading() as conn:
            query = select(table.c.scenario).order_by(table.c.created_at, table.c.id)
            rows: Sequence[str] = conn.execute(query).scalars().all()
            version = _version(conn)
            known = {}
            for raw in rows:
                try:
                    scenario = Scenario.model_validate_json(raw)
                except ValidationError:  # content changed under it (a profile gone): left out, not every page down
                    continue
                known[scenario.id] = scenario
            self._known, self._version = known, version

    def list(self, class_id: str | None) -> Scenarios:
        """The scenarios written for this class (None: for trainees in no class), oldest first."""
        return [s for s in self.current().values() if s.class_id == class_id]

    def author(self, draft: Draft) -> Scenario:
        """Build the draft's scenario and save it."""
        return self.save(build_scenario(draft))

    def save(self, scenario: Scenario) -> Scenario:
        """Save a scenario as its class's, checked against the rules first; AuthoringRefused names every problem."""
        scenario = scenario.model_copy(update={"authored": True})
        problems = self._home_problems(scenario.id, scenario.class_id) or against_rules(scenario)
        if problems:
            raise AuthoringRefused(problems)
        self._insert([scenario])
        return scenario

    def _home_problems(self, scenario_id: str, class_id: str | None) -> Problems:
        if not AUTHORED_ID.fullmatch(scenario_id) or scenario_id in builtin_scenarios():
            return [Problem("id", text("authoring_errors", "id_taken", id=scenario_id))]
        if class_id is not None:
            try:
                self.classes.get_class(class_id)
            except LookupError:
                return [Problem("class_id", text("authoring_errors", "class_unknown"))]
        return []

    def _insert(self, new: Scenarios) -> None:
        """Save them all or none, then add them to their class's set where it lists its scenarios."""
        table, ids = authored_scenarios, [s.id for s in new]
        with self.store.writing() as conn:
            taken: Sequence[str] = conn.execute(select(table.c.id).where(table.c.id.in_(ids))).scalars().all()
            if taken:
                raise AuthoringRefused([Problem("id", text("authoring_errors", "id_taken", id=i)) for i in taken])
            rows = [
                {"id": s.id, "class_id": s.class_id, "scenario": s.model_dump_json(), "created_at": _utcnow()}
                for s in new
            ]
            conn.execute(insert(table), rows)
        self._reload()
        class_id = new[0].class_id
        try:
            if class_id is not None and (listed := self.classes.get_class(class_id).scenario_ids):
                self.classes.set_class_scenarios(class_id, [*self._known_ids(listed), *ids])
        except Exception:
            self._remove(ids)  # a scenario outside the set it was written for would be lost: undo
            raise

    def _known_ids(self, listed: Sequence[str]) -> Ids:
        """A class's listed ids that still name a scenario (set_class_scenarios refuses any other)."""
        return [s for s in listed if s in builtin_scenarios() or s in self._known]

    def _remove(self, ids: Sequence[str]) -> None:
        with self.store.writing() as conn:
            conn.execute(delete(authored_scenarios).where(authored_scenarios.c.id.in_(list(ids))))
        self._reload()

    def delete(self, scenario_id: str) -> Scenario:
        """Delete a scenario nobody attempted (attempts keep reading theirs: one that was tried is refused)."""
        scenario = self.current().get(scenario_id)
        if scenario is None:
            raise AuthoringRefused([Problem("id", text("authoring_errors", "unknown", id=scenario_id))])
        with self.store.reading() as conn:
            tried = conn.execute(select(func.count()).where(attempts.c.scenario_id == scenario_id)).scalar_one()
        if tried:
            raise AuthoringRefused([Problem("id", text("authoring_errors", "has_attempts", count=tried))])
        if scenario.class_id is not None and (listed := self.classes.get_class(scenario.class_id).scenario_ids):
            rest = [s for s in self._known_ids(listed) if s != scenario_id]
            if not rest:  # an empty list means every scenario: the class's set would grow, not shrink
                raise AuthoringRefused([Problem("id", text("authoring_errors", "last_in_set"))])
            self.classes.set_class_scenarios(scenario.class_id, rest)
        self._remove([scenario_id])
        return scenario

    def export_json(self, class_id: str | None) -> bytes:
        """The class's scenarios as a file import_json takes (ids and class left out: an import gives new ones)."""
        dumped = [s.model_dump(mode="json", exclude={"id", "class_id", "authored"}) for s in self.list(class_id)]
        document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "scenarios": dumped}
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")

    def import_json(self, payload: bytes | str, class_id: str | None) -> Scenarios:
        """Every scenario of the file, for this class, each checked as a saved one is: all of them or none."""
        rows = _import_rows(payload)
        problems = self._home_problems(new_id(), class_id)
        found: Scenarios = []
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                problems.append(Problem("scenario", text("authoring_errors", "not_object"), number))
                continue
            scenario, wrong = validate(row | {"id": new_id(), "class_id": class_id, "authored": True})
            problems.extend(Problem(p.field, p.message, number) for p in wrong)
            if scenario is not None and not wrong:
                found.append(scenario)
        if problems:
            raise AuthoringRefused(problems, text("authoring_errors", "import_refused", count=len(problems)))
        self._insert(found)
        return found

    def order_choices(self, class_id: str | None, sandbox_id: str) -> Choices:
        """The class's own orders (a case starts at the order's latest stamp), then the sandbox's demo orders
        (it starts at the sandbox's clock, with its seed, so the case tells the sandbox's story)."""
        found: Choices = []
        own = self.classes.get_class(class_id).orders if class_id else []
        for number, raw in enumerate(own):
            order = Order.model_validate(raw)
            found.append(OrderChoice(f"class-{number}", "class", order, order.latest_stamp, stable_seed(order.id)))
        sandbox = self.store.get_sandbox(sandbox_id)
        for order in self.store.list_orders(sandbox_id):
            found.append(OrderChoice(f"sandbox-{order.id}", "sandbox", order, sandbox.clock, sandbox.seed))
        return found


def _version(conn: Connection) -> Version:
    """How many authored scenarios there are and the newest one's time: any save or delete changes it."""
    row = conn.execute(select(func.count(), func.max(authored_scenarios.c.created_at))).one()
    count: int = row[0]
    newest: datetime | None = row[1]
    return count, newest


def _import_rows(payload: bytes | str) -> list[Any]:
    """The scenarios of an export file, or AuthoringRefused saying why the file is not one."""

    def refused(key: str, **values: Any) -> AuthoringRefused:
        problem = Problem("format", text("authoring_errors", key, **values))
        return AuthoringRefused([problem], text("authoring_errors", "import_refused", count=1))

    if len(payload) > IMPORT_MAX_BYTES:
        raise refused("too_big", limit_mb=IMPORT_MAX_BYTES // (1024 * 1024))
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise refused("not_json") from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise refused("not_export")
    rows = document.get("scenarios")
    if not isinstance(rows, list) or not rows:
        raise refused("no_scenarios")
    if len(rows) > IMPORT_MAX_SCENARIOS:
        raise refused("too_many", limit=IMPORT_MAX_SCENARIOS)
    return rows


def _utcnow() -> datetime:
    return datetime.now(UTC)
