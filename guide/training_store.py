"""Training records: trainees, classes with their scenario sets and own orders, and every attempt.

It shares the order store's engine and transactions. A scenario attempt runs in its own sandbox,
built from the scenario's order, seed, profile and replay steps, so what the trainee sees is
exactly `Scenario.starting_state()`.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from guide.authoring import AuthoredScenarios
from guide.content import text
from guide.db import metadata
from guide.importing import check_rows, parse_import, rejection
from guide.models import Order
from guide.profile import get_profile
from guide.scoring import score
from guide.store import Store
from guide.training import Mode, Question, Scenario, scenarios
from guide.training_records import (
    NAME_MAX,
    TOKEN,
    Attempt,
    Trainee,
    TrainingClass,
    TrainingInputError,
    UnknownAttempt,
    UnknownTrainee,
    add_missing_columns,
    attempt_from_row,
    attempt_record,
    attempts,
    class_from_row,
    classes,
    clean_name,
    counted_scores,
    is_attempt_id,
    is_token,
    trainees,
)

__all__ = [
    "NAME_MAX",
    "TOKEN",
    "Attempt",
    "Trainee",
    "TrainingClass",
    "TrainingInputError",
    "TrainingStore",
    "UnknownAttempt",
    "UnknownTrainee",
    "clean_name",
]

REPLY_MAX = 3000  # characters: a reply to a customer, several paragraphs at most


class TrainingStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        metadata.create_all(store.engine)
        # create_all only builds the indexes of tables it creates: a database from before an index gets it here.
        for table in (classes, attempts):
            add_missing_columns(store.engine, table)
        for index in attempts.indexes:
            index.create(store.engine, checkfirst=True)
        self.authored = AuthoredScenarios(store, self)  # scenarios() reads the authored ones from it

    # --- classes ---

    def create_class(
        self, name: str, scenario_ids: list[str] | None = None, mode: Mode = Mode.PRACTICE
    ) -> TrainingClass:
        unknown = sorted(set(scenario_ids or []) - set(scenarios()))
        if unknown:
            raise TrainingInputError(text("training_errors", "unknown_scenarios", ids=", ".join(unknown)))
        group = TrainingClass(secrets.token_urlsafe(12), clean_name(name, 80), list(scenario_ids or []), [], Mode(mode))
        with self.store.writing() as conn:
            conn.execute(
                insert(classes).values(
                    id=group.id,
                    name=group.name,
                    scenario_ids=json.dumps(group.scenario_ids),
                    orders="[]",
                    created_at=datetime.now(UTC),
                    mode=group.mode.value,
                )
            )
        return group

    def set_class_mode(self, class_id: str, mode: str) -> TrainingClass:
        """Practice or assessment; anything else is refused. Attempts already made keep the mode they ran in."""
        if mode not in {m.value for m in Mode}:
            raise TrainingInputError(text("training_errors", "mode_unknown"))
        self.get_class(class_id)
        with self.store.writing() as conn:
            conn.execute(update(classes).where(classes.c.id == class_id).values(mode=mode))
        return self.get_class(class_id)

    def class_mode(self, trainee: Trainee) -> Mode:
        return self.get_class(trainee.class_id).mode if trainee.class_id else Mode.PRACTICE

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
        if not is_token(class_id):
            raise LookupError(class_id)
        with self.store.reading() as conn:
            row = conn.execute(select(classes).where(classes.c.id == class_id)).mappings().first()
        if row is None:
            raise LookupError(class_id)
        return class_from_row(row)

    def list_classes(self, archived: bool = False) -> list[TrainingClass]:
        """The classes, oldest first: the active ones, or with `archived` every one."""
        query = select(classes).order_by(classes.c.created_at, classes.c.id)
        if not archived:
            query = query.where(classes.c.archived_at.is_(None))
        with self.store.reading() as conn:
            rows = conn.execute(query).mappings().all()
        return [class_from_row(r) for r in rows]

    def rename_class(self, class_id: str, name: str) -> TrainingClass:
        cleaned = clean_name(name, 80)
        self.get_class(class_id)
        with self.store.writing() as conn:
            conn.execute(update(classes).where(classes.c.id == class_id).values(name=cleaned))
        return self.get_class(class_id)

    def archive_class(self, class_id: str, archived: bool = True) -> TrainingClass:
        """Archive a class (its link takes no new trainees; its records stay) or bring it back."""
        self.get_class(class_id)
        with self.store.writing() as conn:
            stamp = datetime.now(UTC) if archived else None
            conn.execute(update(classes).where(classes.c.id == class_id).values(archived_at=stamp))
        return self.get_class(class_id)

    # --- trainees ---

    def create_trainee(self, name: str, class_id: str | None = None) -> Trainee:
        """A trainee known by a display name only (no password, no e-mail) and an unguessable id."""
        trainee = Trainee(secrets.token_urlsafe(16), clean_name(name), None)
        if class_id:
            try:
                group = self.get_class(class_id)
            except LookupError:
                raise TrainingInputError(text("training_errors", "class_unknown")) from None
            if group.archived:
                raise TrainingInputError(text("training_errors", "class_archived"))
            trainee = Trainee(trainee.id, trainee.name, class_id)
        with self.store.writing() as conn:
            conn.execute(
                insert(trainees).values(
                    id=trainee.id, name=trainee.name, class_id=trainee.class_id, created_at=datetime.now(UTC)
                )
            )
        return trainee

    def get_trainee(self, trainee_id: str) -> Trainee:
        if not is_token(trainee_id):
            raise UnknownTrainee(trainee_id)
        with self.store.reading() as conn:
            row = conn.execute(select(trainees).where(trainees.c.id == trainee_id)).mappings().first()
        if row is None:
            raise UnknownTrainee(trainee_id)
        return Trainee(row["id"], row["name"], row["class_id"])

    def scenario_set(self, trainee: Trainee) -> list[Scenario]:
        """The scenarios this trainee trains on: the class's set, or all of them."""
        chosen = self.get_class(trainee.class_id).scenario_ids if trainee.class_id else []
        # An authored scenario is only for the class it was written for (None: for trainees in no class).
        mine = [s for s in scenarios().values() if not s.authored or s.class_id == trainee.class_id]
        return [s for s in mine if not chosen or s.id in chosen]

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
        # In an assessment only the first attempt at a scenario counts: a retry is practice, and says so.
        tried = any(a.scenario_id == scenario.id for a in self.attempts_of(trainee.id))
        mode = Mode.ASSESSMENT if self.class_mode(trainee) is Mode.ASSESSMENT and not tried else Mode.PRACTICE
        with self.store.writing() as conn:
            result = conn.execute(
                insert(attempts).values(
                    trainee_id=trainee.id,
                    scenario_id=scenario.id,
                    sandbox_id=sandbox.id,
                    start_seq=start_seq,
                    started_at=datetime.now(UTC),
                    mode=mode.value,
                )
            )
            inserted = result.inserted_primary_key
            if inserted is None:  # typed Optional by SQLAlchemy; an INSERT of one row always has its key
                raise RuntimeError("the attempt was inserted without a key")
            attempt_id = int(inserted[0])
        return self.get_attempt(trainee.id, attempt_id)

    def get_attempt(self, trainee_id: str, attempt_id: int) -> Attempt:
        """One attempt of this trainee (an attempt id of somebody else is unknown here)."""
        if not is_token(trainee_id) or not is_attempt_id(attempt_id):
            raise UnknownAttempt(attempt_id)
        with self.store.reading() as conn:
            row = (
                conn.execute(select(attempts).where(attempts.c.id == attempt_id, attempts.c.trainee_id == trainee_id))
                .mappings()
                .first()
            )
        if row is None:
            raise UnknownAttempt(attempt_id)
        return attempt_from_row(row)

    def submit(self, trainee_id: str, attempt_id: int, answers: dict[Question, str], reply: str = "") -> Attempt:
        """Score the answers, the reply to the customer and the trainee's actions in the attempt's sandbox, and
        keep every choice with the time spent; an attempt is scored once."""
        attempt = self.get_attempt(trainee_id, attempt_id)
        if attempt.submitted_at is not None:
            raise TrainingInputError(text("training_errors", "already_submitted"))
        missing = [q for q in Question if not answers.get(q)]
        if missing:
            raise TrainingInputError(text("training_errors", "answer_all"))
        if not isinstance(reply, str) or len(reply) > REPLY_MAX:
            raise TrainingInputError(text("training_errors", "reply_too_long", limit=REPLY_MAX))
        scenario = attempt.scenario
        state = self.store.get_order(attempt.sandbox_id, scenario.order.id)
        facts = self.store.facts(attempt.sandbox_id)
        events = state.events[attempt.start_seq :]
        result = score(scenario, answers, facts, events, reply)
        submitted_at = datetime.now(UTC)
        record = attempt_record(events, reply, (submitted_at - attempt.started_at).total_seconds())
        with self.store.writing() as conn:
            done = conn.execute(
                update(attempts)
                .where(attempts.c.id == attempt_id, attempts.c.submitted_at.is_(None))
                .values(
                    submitted_at=submitted_at,
                    answers=json.dumps({q.value: a for q, a in answers.items()}),
                    marks=json.dumps([m.model_dump() for m in result.marks]),
                    score=result.score,
                    record=record.model_dump_json(),
                    missed=json.dumps([m.item for m in result.marks if not m.correct]),
                )
            )
            if done.rowcount != 1:
                raise TrainingInputError(text("training_errors", "already_submitted"))
        return self.get_attempt(trainee_id, attempt_id)

    def attempts_of(self, trainee_id: str) -> list[Attempt]:
        if not is_token(trainee_id):
            raise UnknownTrainee(trainee_id)
        with self.store.reading() as conn:
            rows = (
                conn.execute(select(attempts).where(attempts.c.trainee_id == trainee_id).order_by(attempts.c.id))
                .mappings()
                .all()
            )
        return [attempt_from_row(r) for r in rows]

    def best_scores(self, trainee_id: str) -> dict[str, float]:
        """The score that counts for each scenario tried: the best one, or in an assessment the first."""
        trainee = self.get_trainee(trainee_id)
        return counted_scores(self.attempts_of(trainee_id), self.class_mode(trainee))
