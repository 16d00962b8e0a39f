"""The database: where it is, the engine, the order tables and how an event is stored.

A SQLite file in WAL mode by default (created on first use under the data folder), any other
database through CANCEL_COACH_DB_URL. Every table is keyed by sandbox_id first, so each query of
one sandbox uses an index and a page costs the same with 10 sandboxes or 100,000. On SQLite a write
transaction starts with BEGIN IMMEDIATE (one writer at a time, no upgrade deadlocks).
The training tables live with the training records (guide.training_store), on the same metadata.
"""

from __future__ import annotations

import json
import os
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.engine import Dialect, RowMapping

from guide import lifecycle
from guide.content import item_title
from guide.content.language import languages
from guide.lifecycle import OrderState
from guide.models import Actor, Event, EventKind, Order
from guide.profile import PolicyProfile

REPO_ROOT = Path(__file__).resolve().parent.parent


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

sandboxes = Table(
    "sandboxes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("seed", BigInteger, nullable=False),
    Column("clock", UTCDateTime, nullable=False),
    Column("profile_id", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=0),
)

orders = Table(
    "orders",
    metadata,
    Column("sandbox_id", String(64), ForeignKey("sandboxes.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", String(20), nullable=False),
    Column("status", String(32), nullable=False),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("snapshot", Text, nullable=False),
    Column("next_timer_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False, default=0),
    PrimaryKeyConstraint("sandbox_id", "order_id"),
    Index("ix_orders_sandbox_placed", "sandbox_id", "placed_at"),
    Index("ix_orders_sandbox_timer", "sandbox_id", "next_timer_at"),
)

events = Table(
    "events",
    metadata,
    Column("sandbox_id", String(64), nullable=False),
    Column("order_id", String(20), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(16), nullable=False),
    Column("data", Text, nullable=False),
    PrimaryKeyConstraint("sandbox_id", "order_id", "seq"),
)


progress = Table(
    "progress",
    metadata,
    Column("sandbox_id", String(64), ForeignKey("sandboxes.id", ondelete="CASCADE"), nullable=False),
    Column("fact", String(40), nullable=False),
    Column("value", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("sandbox_id", "fact"),
)


def data_dir() -> Path:
    return Path(os.environ.get("CANCEL_COACH_DATA_DIR") or REPO_ROOT / "data")


def database_url() -> str:
    """CANCEL_COACH_DB_URL if set, else the embedded SQLite file under the data folder."""
    url = os.environ.get("CANCEL_COACH_DB_URL")
    if url:
        return url
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'cancel_coach.sqlite3'}"


def make_engine(url: str, echo: bool = False) -> Engine:
    """A pooled engine on `url` (safe to share between threads), with the tables created if missing."""
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if is_sqlite(url):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(url, **kwargs)
    if is_sqlite(url):
        _sqlite_setup(engine)
    metadata.create_all(engine)
    return engine


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_setup(engine: Engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for writes (the SQLAlchemy pysqlite recipe)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def order_columns(state: OrderState, seed: int, profile: PolicyProfile) -> dict[str, Any]:
    """What the orders table keeps of an order's state beside its log: status, snapshot, next timer."""
    due = lifecycle.next_timer(state, seed, profile)
    return {
        "status": state.order.status.value,
        "snapshot": state.order.model_dump_json(),
        "next_timer_at": due.at if due else None,
    }


def order_row(sandbox_id: str, seed: int, state: OrderState, profile: PolicyProfile) -> dict[str, Any]:
    """A new order as a row of the orders table (a sandbox's `seed` draws its sellers' behaviour)."""
    return {
        "sandbox_id": sandbox_id,
        "order_id": state.order.id,
        "placed_at": state.order.placed_at,
        "search_text": search_text(state.order),
        "version": 0,
        **order_columns(state, seed, profile),
    }


def event_row(sandbox_id: str, order_id: str, e: Event) -> dict[str, Any]:
    """An event as a row of the events table."""
    return {
        "sandbox_id": sandbox_id,
        "order_id": order_id,
        "seq": e.seq,
        "at": e.at,
        "kind": e.kind.value,
        "actor": e.actor.value,
        "data": json.dumps(e.data, default=str, ensure_ascii=False),
    }


def event_from_row(row: RowMapping) -> Event:
    """The event a row of the events table holds."""
    return Event(
        seq=row["seq"],
        at=row["at"],
        kind=EventKind(row["kind"]),
        actor=Actor(row["actor"]),
        data=json.loads(row["data"]),
    )


@lru_cache(maxsize=20_000)
def parse_snapshot(raw: str) -> Order:
    """An order from its stored JSON. A snapshot never changes (a new version is a new string), so the
    validated, frozen Order is cached: a rerun of a page does not validate the same orders again."""
    return Order.model_validate_json(raw)


def search_text(order: Order) -> str:
    """What the search bar matches: the order id, the item titles in every language and the seller, case-folded
    (a shopper searches in the words the list shows them)."""
    titles = dict.fromkeys(item_title(item.title, code) for item in order.items for code in languages())
    return " \n".join([order.id, *titles, order.seller.name]).casefold()


def search_pattern(query: str) -> str | None:
    """The LIKE pattern (escape character "\\") that finds the query in search_text; None when the query
    is only control characters: nothing can match them, as Order validation refuses them in any text."""
    printable = "".join(ch for ch in query if unicodedata.category(ch) != "Cc").strip()
    if not printable:
        return None
    escaped = printable.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
