"""The order store: sandboxes, their orders, event logs, facts and clocks, through SQLAlchemy Core.

Every query is scoped to one sandbox (the tables and the engine: guide.db). Every read-modify-write
is one transaction (`writing()`, which the training records use too): on SQLite it starts with BEGIN
IMMEDIATE (one writer at a time), elsewhere the order row is locked FOR UPDATE; the version column
catches anything else.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, and_, false, func, insert, select, update

from guide import export, importing, lifecycle
from guide.clock import advance_orders, clock_target
from guide.content import text
from guide.db import (
    database_url,
    event_from_row,
    event_row,
    events,
    is_sqlite,
    make_engine,
    order_columns,
    order_row,
    orders,
    parse_snapshot,
    progress,
    sandboxes,
    search_pattern,
)
from guide.demo import demo_orders
from guide.lifecycle import Action, OrderState
from guide.models import Event, EventKind, Order, Status
from guide.profile import PolicyProfile, get_profile

SANDBOX_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")  # always fullmatch: "$" would let a final "\n" through
SANDBOX_ID_BYTES = 16  # 128 bits from the OS's CSPRNG
SEARCH_LIMIT = 200
WRITE_RETRIES = 5
T = TypeVar("T")


class UnknownSandbox(LookupError):
    """No sandbox with that id: it never existed, or the link is mistyped."""


class UnknownOrder(LookupError):
    """No order with that id in this sandbox."""


class ConcurrentChange(RuntimeError):
    """Someone else changed the order first; the action was not applied."""


@dataclass(frozen=True)
class Sandbox:
    id: str
    seed: int
    clock: datetime
    profile_id: str
    created_at: datetime

    @property
    def profile(self) -> PolicyProfile:
        return get_profile(self.profile_id)


def _check_sandbox_id(sandbox_id: object) -> str:
    """The id if it could be a sandbox's; anything else is UnknownSandbox before any SQL runs (a NUL byte
    would otherwise reach PostgreSQL as a DataError, and junk ids need no round trip to be refused)."""
    if not isinstance(sandbox_id, str) or not SANDBOX_ID.fullmatch(sandbox_id):
        raise UnknownSandbox(sandbox_id)
    return sandbox_id


class Store:
    """The order store. One per process; safe to share between Streamlit sessions (threads)."""

    def __init__(self, url: str | None = None, echo: bool = False) -> None:
        self.url = url or database_url()
        self.is_sqlite = is_sqlite(self.url)
        self.engine = make_engine(self.url, echo)

    def dispose(self) -> None:
        self.engine.dispose()

    # --- transactions (the training records use them too) ---

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: it commits when the block ends and rolls back if it raises."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def reading_in(self, sandbox_id: str) -> Iterator[Connection]:
        """A read transaction on one sandbox, which must exist: checked in the same transaction, so a page's
        reads cost one round trip each, not two."""
        _check_sandbox_id(sandbox_id)
        with self.reading() as conn:
            self._sandbox(conn, sandbox_id)
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the one writer's lock at once (BEGIN IMMEDIATE)."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """The attempt, run again when another transaction changed an order first; ConcurrentChange after
        WRITE_RETRIES losses."""
        for _ in range(WRITE_RETRIES):
            try:
                return attempt()
            except _VersionConflict:
                continue
        raise ConcurrentChange(text("errors", "concurrent_change"))

    # --- sandboxes ---

    def create_sandbox(
        self, seed: int | None = None, profile_id: str | None = None, clock: datetime | None = None, demo: bool = True
    ) -> Sandbox:
        """A new sandbox with an unguessable id, its own clock and (unless `demo` is off) seeded demo orders."""
        profile = get_profile(profile_id)
        seed = secrets.randbits(62) if seed is None else seed
        clock = (clock or datetime.now(UTC)).replace(microsecond=0)
        sandbox = Sandbox(secrets.token_urlsafe(SANDBOX_ID_BYTES), seed, clock, profile.id, datetime.now(UTC))
        states = demo_orders(seed, clock, profile) if demo else []
        with self.writing() as conn:
            conn.execute(insert(sandboxes).values(**sandbox.__dict__, version=0))
            self._insert_orders(conn, sandbox, states, profile)
        return sandbox

    def _insert_orders(
        self, conn: Connection, sandbox: Sandbox, states: Sequence[OrderState], profile: PolicyProfile
    ) -> None:
        if not states:
            return
        conn.execute(insert(orders), [order_row(sandbox.id, sandbox.seed, s, profile) for s in states])
        conn.execute(insert(events), [event_row(sandbox.id, s.order.id, e) for s in states for e in s.events])

    def get_sandbox(self, sandbox_id: str) -> Sandbox:
        _check_sandbox_id(sandbox_id)
        with self.reading() as conn:
            return self._sandbox(conn, sandbox_id)

    def set_profile(self, sandbox_id: str, profile_id: str) -> Sandbox:
        profile = get_profile(profile_id)
        self.get_sandbox(sandbox_id)
        with self.writing() as conn:
            conn.execute(update(sandboxes).where(sandboxes.c.id == sandbox_id).values(profile_id=profile.id))
            self._retime_all(conn, self._sandbox(conn, sandbox_id, lock=True))
        return self.get_sandbox(sandbox_id)

    def reset_sandbox(self, sandbox_id: str) -> Sandbox:
        """Back to a fresh demo set with the same id, seed and profile; the clock restarts now."""
        old = self.get_sandbox(sandbox_id)
        clock = datetime.now(UTC).replace(microsecond=0)
        fresh = Sandbox(old.id, old.seed, clock, old.profile_id, old.created_at)
        states = demo_orders(old.seed, clock, old.profile)
        with self.writing() as conn:
            conn.execute(events.delete().where(events.c.sandbox_id == sandbox_id))
            conn.execute(progress.delete().where(progress.c.sandbox_id == sandbox_id))
            conn.execute(orders.delete().where(orders.c.sandbox_id == sandbox_id))
            self._set_clock(conn, sandbox_id, clock)
            self._insert_orders(conn, fresh, states, old.profile)
        return fresh

    def _set_clock(self, conn: Connection, sandbox_id: str, clock: datetime) -> None:
        """The sandbox's clock moves (a step, or a reset), and its version with it."""
        stmt = update(sandboxes).where(sandboxes.c.id == sandbox_id)
        conn.execute(stmt.values(clock=clock, version=sandboxes.c.version + 1))

    def _sandbox(self, conn: Connection, sandbox_id: str, lock: bool = False) -> Sandbox:
        """The sandbox, in the caller's transaction; `lock` holds its row (FOR UPDATE) where the database can."""
        _check_sandbox_id(sandbox_id)
        query = select(sandboxes).where(sandboxes.c.id == sandbox_id)
        if lock and not self.is_sqlite:
            query = query.with_for_update()
        row = conn.execute(query).mappings().first()
        if row is None:
            raise UnknownSandbox(sandbox_id)
        return Sandbox(row["id"], row["seed"], row["clock"], row["profile_id"], row["created_at"])

    # --- what the visitor did (the walkthrough checks steps off from these facts) ---

    def record(self, sandbox_id: str, fact: str, value: str = "") -> None:
        """Remember that the visitor did something (signed in, opened an order...); the latest value wins."""
        if not re.fullmatch(r"[a-z_]{1,40}", fact):
            raise ValueError(f"not a fact name: {fact!r}")
        _check_sandbox_id(sandbox_id)
        value = value[:200]
        with self.writing() as conn:
            self._sandbox(conn, sandbox_id, lock=True)
            where = (progress.c.sandbox_id == sandbox_id, progress.c.fact == fact)
            now = datetime.now(UTC)
            if conn.execute(update(progress).where(*where).values(value=value, at=now)).rowcount == 0:
                conn.execute(insert(progress).values(sandbox_id=sandbox_id, fact=fact, value=value, at=now))

    def forget(self, sandbox_id: str, *facts: str) -> None:
        """Drop facts (all of them when none are named), e.g. on sign-out or a restarted walkthrough."""
        _check_sandbox_id(sandbox_id)
        with self.writing() as conn:
            query = progress.delete().where(progress.c.sandbox_id == sandbox_id)
            if facts:
                query = query.where(progress.c.fact.in_(facts))
            conn.execute(query)

    def facts(self, sandbox_id: str) -> dict[str, str]:
        _check_sandbox_id(sandbox_id)
        with self.reading() as conn:
            rows = conn.execute(select(progress.c.fact, progress.c.value).where(progress.c.sandbox_id == sandbox_id))
            return dict(rows.all())

    # --- reading orders ---

    def list_orders(
        self, sandbox_id: str, statuses: Sequence[Status] | None = None, query: str = "", limit: int = SEARCH_LIMIT
    ) -> list[Order]:
        """The sandbox's orders, newest first, optionally by status and by a search for id, title or seller.

        Orders placed at the same moment go by id, so a list never reshuffles between reads."""
        where = [orders.c.sandbox_id == sandbox_id]
        if statuses:
            where.append(orders.c.status.in_([Status(s).value for s in statuses]))
        if query.strip():
            pattern = search_pattern(query)
            where.append(orders.c.search_text.like(pattern, escape="\\") if pattern else false())
        newest_first = (orders.c.placed_at.desc(), orders.c.order_id.desc())
        stmt = select(orders.c.snapshot).where(and_(*where)).order_by(*newest_first).limit(limit)
        with self.reading_in(sandbox_id) as conn:
            rows: Sequence[str] = conn.execute(stmt).scalars().all()
        return [parse_snapshot(raw) for raw in rows]

    def search_orders(self, sandbox_id: str, query: str, limit: int = SEARCH_LIMIT) -> list[Order]:
        return self.list_orders(sandbox_id, query=query, limit=limit)

    def count_by_status(self, sandbox_id: str) -> dict[Status, int]:
        stmt = select(orders.c.status, func.count()).where(orders.c.sandbox_id == sandbox_id).group_by(orders.c.status)
        with self.reading_in(sandbox_id) as conn:
            counts = cast(Sequence[tuple[str, int]], conn.execute(stmt).all())
        return {Status(status): count for status, count in counts}

    def get_order(self, sandbox_id: str, order_id: str) -> OrderState:
        """The order with its whole log, replayed."""
        with self.reading_in(sandbox_id) as conn:
            return self.load_state(conn, sandbox_id, order_id)[0]

    def load_state(
        self, conn: Connection, sandbox_id: str, order_id: str, lock: bool = False
    ) -> tuple[OrderState, int]:
        """The order replayed from its log, and its version, in the caller's transaction; `lock` holds the
        order row (FOR UPDATE) where the database can. UnknownOrder if the sandbox has no such order."""
        if not isinstance(order_id, str) or not re.fullmatch(r"[0-9]{1,20}", order_id):
            raise UnknownOrder(order_id)
        query = select(orders.c.version).where(orders.c.sandbox_id == sandbox_id, orders.c.order_id == order_id)
        if lock and not self.is_sqlite:
            query = query.with_for_update()
        version = conn.execute(query).scalar()
        if version is None:
            raise UnknownOrder(order_id)
        log = select(events).where(events.c.sandbox_id == sandbox_id, events.c.order_id == order_id)
        rows = conn.execute(log.order_by(events.c.seq)).mappings()
        return lifecycle.replay([event_from_row(r) for r in rows]), version

    def messages(self, sandbox_id: str, order_id: str) -> list[Event]:
        """The conversation with the seller about one order, oldest first."""
        state = self.get_order(sandbox_id, order_id)
        return [e for e in state.events if e.kind in (EventKind.MESSAGE_SENT, EventKind.MESSAGE_RECEIVED)]

    def next_event_at(self, sandbox_id: str) -> datetime | None:
        """When the next timer in this sandbox falls due, if any."""
        stmt = select(func.min(orders.c.next_timer_at)).where(orders.c.sandbox_id == sandbox_id)
        with self.reading_in(sandbox_id) as conn:
            value = conn.execute(stmt).scalar()
        return None if value is None else (value if value.tzinfo else value.replace(tzinfo=UTC))

    # --- writing ---

    def act(self, sandbox_id: str, order_id: str, action: Action | str, **params: Any) -> OrderState:
        """Apply a buyer action at the sandbox clock, in one transaction.

        A DomainError (not allowed now) or ConcurrentChange (someone else won) leaves everything as it was.
        """
        _check_sandbox_id(sandbox_id)
        return self._retrying(lambda: self._act_once(sandbox_id, order_id, action, params))

    def _act_once(self, sandbox_id: str, order_id: str, action: Action | str, params: dict[str, Any]) -> OrderState:
        with self.writing() as conn:
            sandbox = self._sandbox(conn, sandbox_id, lock=True)
            profile = sandbox.profile
            state, version = self.load_state(conn, sandbox_id, order_id, lock=True)
            settled = lifecycle.advance(state, sandbox.clock, sandbox.seed, profile)
            new = lifecycle.act(settled, action, sandbox.clock, profile, **params)
            final = lifecycle.replay([*settled.events, *new])
            self._save(conn, sandbox, final, len(state.events), version, profile)
            return final

    def _save(
        self, conn: Connection, sandbox: Sandbox, state: OrderState, known: int, version: int, profile: PolicyProfile
    ) -> None:
        """Write the events after the first `known`, and the snapshot, if nobody else wrote first."""
        where = (orders.c.sandbox_id == sandbox.id, orders.c.order_id == state.order.id, orders.c.version == version)
        columns = order_columns(state, sandbox.seed, profile)
        result = conn.execute(update(orders).where(*where).values(**columns, version=version + 1))
        if result.rowcount != 1:
            raise _VersionConflict
        fresh = state.events[known:]
        if fresh:
            conn.execute(insert(events), [event_row(sandbox.id, state.order.id, e) for e in fresh])

    def advance_clock(self, sandbox_id: str, to: datetime | timedelta) -> list[tuple[str, Event]]:
        """Move the sandbox clock forward and fire every timer due by then, across orders in time order.

        Returns (order id, event) for each event fired. The clock never goes back.
        """
        _check_sandbox_id(sandbox_id)
        return self._retrying(lambda: self._advance_once(sandbox_id, to))

    def _advance_once(self, sandbox_id: str, to: datetime | timedelta) -> list[tuple[str, Event]]:
        with self.writing() as conn:
            sandbox = self._sandbox(conn, sandbox_id, lock=True)
            target = clock_target(sandbox.clock, to)
            due = select(orders.c.order_id).where(orders.c.sandbox_id == sandbox_id, orders.c.next_timer_at <= target)
            due_ids: Sequence[str] = conn.execute(due).scalars().all()
            loaded = {oid: self.load_state(conn, sandbox_id, oid, lock=True) for oid in due_ids}
            before = {oid: state for oid, (state, _) in loaded.items()}
            after, fired = advance_orders(before, target, sandbox.seed, sandbox.profile)
            for oid, (state, version) in loaded.items():
                self._save(conn, sandbox, after[oid], len(state.events), version, sandbox.profile)
            self._set_clock(conn, sandbox_id, target)
            return fired

    def _retime_all(self, conn: Connection, sandbox: Sandbox) -> None:
        """Recompute every order's next timer (after the profile changed)."""
        ids: Sequence[str] = (
            conn.execute(select(orders.c.order_id).where(orders.c.sandbox_id == sandbox.id)).scalars().all()
        )
        for oid in ids:
            state, _ = self.load_state(conn, sandbox.id, oid)
            due = order_columns(state, sandbox.seed, sandbox.profile)["next_timer_at"]
            where = (orders.c.sandbox_id == sandbox.id, orders.c.order_id == oid)
            conn.execute(update(orders).where(*where).values(next_timer_at=due))

    # --- import and export ---

    def import_orders(self, sandbox_id: str, payload: str | bytes) -> list[Order]:
        """Add Order JSON v1 orders to a sandbox: all of them, or none with every bad row named."""
        sandbox = self.get_sandbox(sandbox_id)
        rows = importing.parse_import(payload)
        accepted, problems, seen = importing.check_rows(rows, sandbox.profile, sandbox.clock)
        with self.writing() as conn:
            self._sandbox(conn, sandbox_id, lock=True)
            problems += importing.already_there(seen, self._existing_ids(conn, sandbox_id, list(seen)))
            if problems:
                raise importing.rejection(problems, len(rows))
            self._insert_orders(conn, sandbox, accepted, sandbox.profile)
        return [s.order for s in accepted]

    def _existing_ids(self, conn: Connection, sandbox_id: str, order_ids: list[str]) -> Sequence[str]:
        """Which of these order ids the sandbox already holds."""
        if not order_ids:
            return []
        query = select(orders.c.order_id).where(orders.c.sandbox_id == sandbox_id, orders.c.order_id.in_(order_ids))
        return conn.execute(query).scalars().all()

    def _oldest_first(self, sandbox_id: str) -> list[Order]:
        """Every order of the sandbox, oldest first: what an export holds."""
        return list(reversed(self.list_orders(sandbox_id, limit=1_000_000)))

    def export_orders(self, sandbox_id: str) -> list[dict[str, Any]]:
        """Every order of the sandbox as Order JSON v1, oldest first."""
        return export.export_orders(self._oldest_first(sandbox_id))

    def export_json(self, sandbox_id: str) -> str:
        return export.export_json(self._oldest_first(sandbox_id))

    def export_csv(self, sandbox_id: str) -> str:
        """One row an order, for spreadsheets."""
        return export.export_csv(self._oldest_first(sandbox_id))


class _VersionConflict(Exception):
    """Another transaction changed the order between our read and our write."""
