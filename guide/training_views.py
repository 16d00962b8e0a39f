"""The trainer's read model: what the dashboard shows, aggregated in SQL over the training tables, so a class
of 500 trainees and 45,000 attempts reads in a few queries instead of parsing every attempt's marks.

The repository (guide/training_store.py) writes and reads one trainee's records; these queries only read, for
every trainee of a class at once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Result, Select, func, select

from guide.certificates import certificates
from guide.store import Store
from guide.training import Mode
from guide.training_records import Attempt, attempt_from_row, attempts, classes, trainees


@dataclass(frozen=True)
class ScenarioScores:
    """One trainee on one scenario: the first scored attempt's score, the best, and how many were scored."""

    first: float
    best: float
    tries: int


@dataclass(frozen=True)
class RosterEntry:
    trainee_id: str
    name: str
    class_id: str | None
    joined: datetime
    last_active: datetime | None  # the last attempt started or submitted; None: never started
    scores: dict[str, ScenarioScores] = field(default_factory=dict)  # by scenario id, scored attempts only


def _tuples(result: Result[Any]) -> list[tuple[Any, ...]]:
    """A result's rows as plain tuples (the aggregate columns are untyped to the type checker)."""
    return [tuple(row) for row in result]


def _in_class(query: Select[Any], class_id: str | None) -> Select[Any]:
    return query.where(trainees.c.class_id == class_id) if class_id else query


def roster_entries(store: Store, class_id: str | None) -> list[RosterEntry]:
    """Every trainee (of the class), joined or not started, with the first and best score of each scenario."""
    scored = attempts.c.submitted_at.is_not(None)
    firsts = (
        select(attempts.c.trainee_id, attempts.c.scenario_id, func.min(attempts.c.id).label("first_id"))
        .where(scored)
        .group_by(attempts.c.trainee_id, attempts.c.scenario_id)
        .subquery()
    )
    first_scores = select(firsts.c.trainee_id, firsts.c.scenario_id, attempts.c.score).join(
        attempts, attempts.c.id == firsts.c.first_id
    )
    best = select(
        attempts.c.trainee_id, attempts.c.scenario_id, func.max(attempts.c.score), func.count(attempts.c.id)
    ).where(scored)
    best = best.group_by(attempts.c.trainee_id, attempts.c.scenario_id)
    last = select(
        attempts.c.trainee_id, func.max(func.coalesce(attempts.c.submitted_at, attempts.c.started_at))
    ).group_by(attempts.c.trainee_id)
    people = _in_class(select(trainees).order_by(trainees.c.created_at, trainees.c.id), class_id)
    with store.reading() as conn:
        rows = conn.execute(people).mappings().all()
        firsts_by = {(str(t), str(s)): float(v or 0.0) for t, s, v in _tuples(conn.execute(first_scores))}
        best_by = {(str(t), str(s)): (float(v or 0.0), int(n)) for t, s, v, n in _tuples(conn.execute(best))}
        last_by: dict[str, datetime] = {str(t): moment for t, moment in _tuples(conn.execute(last))}
    scores: dict[str, dict[str, ScenarioScores]] = {}
    for (trainee_id, scenario_id), (top, tries) in best_by.items():
        first = firsts_by.get((trainee_id, scenario_id), top)
        scores.setdefault(trainee_id, {})[scenario_id] = ScenarioScores(first, top, tries)
    return [
        RosterEntry(r["id"], r["name"], r["class_id"], r["created_at"], last_by.get(r["id"]), scores.get(r["id"], {}))
        for r in rows
    ]


def class_modes(store: Store) -> dict[str, tuple[Mode, list[str]]]:
    """Each class's mode and scenario set (an empty set: every scenario)."""
    with store.reading() as conn:
        rows = conn.execute(select(classes.c.id, classes.c.mode, classes.c.scenario_ids)).all()
    return {str(cid): (Mode(str(mode)) if mode else Mode.PRACTICE, json.loads(str(ids))) for cid, mode, ids in rows}


def attempt_rows(store: Store, class_id: str | None) -> Iterator[dict[str, Any]]:
    """Every scored attempt, oldest first, with the few columns the attempts table shows (no marks)."""
    query = (
        select(
            attempts.c.id,
            attempts.c.trainee_id,
            trainees.c.name,
            attempts.c.scenario_id,
            attempts.c.mode,
            attempts.c.started_at,
            attempts.c.submitted_at,
            attempts.c.score,
            attempts.c.missed,
        )
        .join(trainees, trainees.c.id == attempts.c.trainee_id)
        .where(attempts.c.submitted_at.is_not(None))
        .order_by(attempts.c.id)
    )
    with store.reading() as conn:
        for row in conn.execute(_in_class(query, class_id)).mappings():
            yield dict(row)


def mistake_counts(store: Store, class_id: str | None) -> Counter[tuple[str, str]]:
    """How often each (scenario, mark) was missed over the scored attempts: questions, simulator checks, points of
    the reply and critical errors alike. An attempt scored before `missed` was kept is read from its marks."""
    query = _in_class(
        select(attempts.c.scenario_id, attempts.c.missed, attempts.c.marks)
        .join(trainees, trainees.c.id == attempts.c.trainee_id)
        .where(attempts.c.submitted_at.is_not(None)),
        class_id,
    )
    counted: Counter[tuple[str, str]] = Counter()
    with store.reading() as conn:
        for scenario_id, missed, marks in conn.execute(query):
            if missed:
                items = json.loads(str(missed))
            else:  # scored before `missed` was kept
                items = [m["item"] for m in json.loads(str(marks or "[]")) if not m["correct"]]
            counted.update((str(scenario_id), str(item)) for item in items)
    return counted


def attempt_by_id(store: Store, attempt_id: int) -> Attempt | None:
    """One attempt with every mark and choice, for the drill-down."""
    with store.reading() as conn:
        row = conn.execute(select(attempts).where(attempts.c.id == attempt_id)).mappings().first()
    return attempt_from_row(row) if row is not None else None


Version = tuple[int, int, int, int, tuple[tuple[Any, ...], ...]]


def version(store: Store) -> Version:
    """Changes whenever the dashboard's data does: scored attempts, attempts started, trainees, certificates
    issued or revoked, and any class's name, scenario set, mode or archiving (a trainer's change on any replica).
    The key of the dashboard's cached tables."""
    with store.reading() as conn:
        scored = conn.execute(select(func.count(attempts.c.submitted_at))).scalar() or 0
        started = conn.execute(select(func.max(attempts.c.id))).scalar() or 0
        people = conn.execute(select(func.count()).select_from(trainees)).scalar() or 0
        issued = conn.execute(select(func.count() + func.count(certificates.c.revoked_at))).scalar() or 0
        shown = (classes.c.id, classes.c.name, classes.c.scenario_ids, classes.c.mode, classes.c.archived_at)
        groups = tuple(tuple(row) for row in conn.execute(select(*shown).order_by(classes.c.id)))  # a few dozen rows
    return int(scored), int(started), int(people), int(issued), groups
