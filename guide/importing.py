"""Order JSON v1 import files: reading the rows and checking each one, with no database.

A file is refused whole, with every bad row and field named (ImportRejected), or every row becomes an
order whose log is replayed from its snapshot. The store adds the one check that needs the sandbox's
orders (an id already there) and saves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from guide import lifecycle
from guide.content import text
from guide.content.formats import when
from guide.lifecycle import OrderState
from guide.models import TIMESTAMPS, Order, field_errors
from guide.profile import PolicyProfile

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 5_000
LATEST_YEAR = 9000  # imported times stay clear of datetime.max: the simulator adds days to them


@dataclass(frozen=True)
class RowError:
    """One problem in an import: the row (1-based), the order id if known, the field and what is wrong."""

    row: int
    order_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        who = f"order {self.order_id}" if self.order_id else "no order id"
        return f"row {self.row} ({who}): {self.field}: {self.message}"


class ImportRejected(ValueError):
    """The whole file was refused; `errors` names every bad row and field. Nothing was saved."""

    def __init__(self, errors: Sequence[RowError], summary: str) -> None:
        super().__init__(summary)
        self.errors = list(errors)


def already_there(seen: dict[str, int], existing: Sequence[str]) -> list[RowError]:
    """A problem for each order id of the file (`seen`: id to row) that the sandbox already holds."""
    return [RowError(seen[oid], oid, "id", text("errors", "import_duplicate_in_sandbox")) for oid in sorted(existing)]


def rejection(problems: list[RowError], rows: int) -> ImportRejected:
    """The whole file refused for these problems, in row order, out of `rows` rows."""
    problems = sorted(problems, key=lambda p: p.row)
    return ImportRejected(problems, text("errors", "import_rejected", count=len(problems), rows=rows))


def _fits_utc(stamp: datetime | None) -> bool:
    """Whether the simulator can work with the time: the store keeps UTC (not every offset time has a UTC
    twin) and timers and actions add days to it (a ship_by in year 9999 would overflow when extended)."""
    try:
        return stamp is None or stamp.astimezone(UTC).year <= LATEST_YEAR
    except OverflowError:
        return False


def check_rows(
    rows: Sequence[Any], profile: PolicyProfile, clock: datetime
) -> tuple[list[OrderState], list[RowError], dict[str, int]]:
    """Validate import rows: the orders as replayed logs, every problem with its row and field, and
    the row number of each order id."""
    problems: list[RowError] = []
    accepted: list[OrderState] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            problems.append(RowError(number, None, "order", text("errors", "import_row_not_object")))
            continue
        order_id = str(raw["id"])[:40] if raw.get("id") is not None else None
        try:
            order = Order.model_validate(raw)
        except ValidationError as error:
            problems.extend(RowError(number, order_id, f, m) for f, m in field_errors(error))
            continue
        if order.id in seen:
            message = text("errors", "import_duplicate_in_file", row=seen[order.id])
            problems.append(RowError(number, order.id, "id", message))
            continue
        seen[order.id] = number
        unstorable = next((name for name in (*TIMESTAMPS, "ship_by") if not _fits_utc(getattr(order, name))), None)
        if unstorable:  # e.g. 0001-01-01T00:00+14:00: valid ISO 8601, but before year 1 in UTC
            message = text("errors", "import_time_out_of_range", latest=LATEST_YEAR)
            problems.append(RowError(number, order.id, unstorable, message))
            continue
        if order.latest_stamp > clock:
            message = text("errors", "import_after_clock", clock=when(clock))
            problems.append(RowError(number, order.id, "placed_at", message))
            continue
        accepted.append(lifecycle.replay(lifecycle.events_from_snapshot(order, profile)))
    return accepted, problems, seen


class _TooManyRows(Exception):
    """The list of rows grew past IMPORT_MAX_ROWS while it was being read."""


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(doc: str, at: int) -> int:
    match = _SPACE.match(doc, at)
    return match.end() if match else at


def _value(doc: str, at: int, rows: bool) -> tuple[Any, int]:
    """The JSON value at `at`; when it is the list of rows, read one row at a time and given up as soon
    as it holds more than IMPORT_MAX_ROWS, so a 5 MB file of 1.7 million `{}` never sits in memory whole."""
    if not (rows and doc.startswith("[", at)):
        return _DECODER.raw_decode(doc, at)
    found: list[Any] = []
    at = _skip(doc, at + 1)
    if doc.startswith("]", at):
        return found, at + 1
    while True:
        row, at = _DECODER.raw_decode(doc, at)
        found.append(row)
        if len(found) > IMPORT_MAX_ROWS:
            raise _TooManyRows
        at = _skip(doc, at)
        if doc.startswith("]", at):
            return found, at + 1
        if not doc.startswith(",", at):
            raise json.JSONDecodeError("Expecting ',' delimiter", doc, at)
        at = _skip(doc, at + 1)


def _document(doc: str) -> Any:
    """json.loads(doc), but the rows (a top-level list, or the "orders" list of a top-level object) are
    read by `_value`."""
    at = _skip(doc, 0)
    if not doc.startswith("{", at):
        document, at = _value(doc, at, rows=True)
    else:
        document = {}
        at = _skip(doc, at + 1)
        closed = doc.startswith("}", at)
        at = at + 1 if closed else at
        while not closed:
            if not doc.startswith('"', at):
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", doc, at)
            key, at = _DECODER.raw_decode(doc, at)
            at = _skip(doc, at)
            if not doc.startswith(":", at):
                raise json.JSONDecodeError("Expecting ':' delimiter", doc, at)
            document[key], at = _value(doc, _skip(doc, at + 1), rows=key == "orders")
            at = _skip(doc, at)
            closed = doc.startswith("}", at)
            if not closed and not doc.startswith(",", at):
                raise json.JSONDecodeError("Expecting ',' delimiter", doc, at)
            at = _skip(doc, at + 1)
    if _skip(doc, at) != len(doc):
        raise json.JSONDecodeError("Extra data", doc, at)
    return document


def parse_import(payload: str | bytes) -> list[Any]:
    """The rows of an import file: a JSON list of orders, or {"orders": [...]} (UTF-8, UTF-16 or UTF-32
    as JSON allows, with or without a byte order mark)."""
    # A character is at least one UTF-8 byte: a huge text is refused before it is encoded (copied) to count.
    size = len(payload)
    if size <= IMPORT_MAX_BYTES and isinstance(payload, str):
        size = len(payload.encode("utf-8", "surrogatepass"))
    if size > IMPORT_MAX_BYTES:
        raise ImportRejected([], text("errors", "import_too_big", limit_mb=IMPORT_MAX_BYTES // (1024 * 1024)))
    try:
        doc = payload if isinstance(payload, str) else payload.decode(json.detect_encoding(payload), "surrogatepass")
        document = _document(doc.removeprefix("\ufeff"))
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, or an integer past Python's 4,300 digits
        line = getattr(error, "lineno", None)
        said = text("errors", "import_not_json_line", line=line) if line else text("errors", "import_not_json")
        raise ImportRejected([], said) from None
    except RecursionError:  # lists or objects nested thousands deep: not an order file
        raise ImportRejected([], text("errors", "import_too_deep")) from None
    except _TooManyRows:
        raise ImportRejected([], text("errors", "import_too_many", limit=IMPORT_MAX_ROWS)) from None
    rows = document.get("orders") if isinstance(document, dict) else document
    if not isinstance(rows, list):
        raise ImportRejected([], text("errors", "import_not_list"))
    if not rows:
        raise ImportRejected([], text("errors", "import_empty"))
    return rows
