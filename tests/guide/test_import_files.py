"""Order import files, good and hostile: every refusal is whole, plain, names each bad row and field,
and leaves the sandbox (or the trainer's class) exactly as it was.

The import takes Order JSON v1 only (a list, or {"orders": [...]}), as bytes or text, up to 5 MB and
5,000 rows. A CSV file is refused as not JSON. The 100,000-row files check that the row limit is
enforced while reading (tracemalloc's peak stays within MEMORY_FACTOR times the file size) rather
than after building 100,000 rows, let alone 100,000 validated orders.
"""

from __future__ import annotations

import codecs
import json
import re
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from guide import importing
from guide.db import events
from guide.importing import IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, ImportRejected, parse_import
from guide.store import Store
from guide.training_store import TrainingStore
from tests.guide.factories import good_row

CLOCK = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# Peak traced memory of refusing a file, at most this many times the file's size (measured: about 1x;
# before the rows were read one at a time, a 1.5 MB file of 100,000 small rows peaked at 16x, 25 MB).
MEMORY_FACTOR = 3


def rows_file(rows: list[Any]) -> str:
    return json.dumps(rows, ensure_ascii=False)


def fingerprint(store: Store, sandbox_id: str) -> tuple[Any, ...]:
    """Everything an import could change: the orders, their logs, the clock and the visitor's facts."""
    with store.engine.connect() as conn:
        logged = conn.execute(select(func.count()).select_from(events).where(events.c.sandbox_id == sandbox_id))
        log_rows = logged.scalar()
    return store.export_json(sandbox_id), log_rows, store.get_sandbox(sandbox_id).clock, store.facts(sandbox_id)


EXISTING = "900000000"


@pytest.fixture
def sandbox_id(store: Store) -> str:
    """A sandbox holding a few orders already (one of them EXISTING), with a fact and a moved clock."""
    sandbox = store.create_sandbox(seed=7, clock=CLOCK, demo=False).id
    store.import_orders(sandbox, rows_file([good_row(EXISTING), good_row("900000098"), good_row("900000099")]))
    store.act(sandbox, EXISTING, "send_message", text="already here")
    store.record(sandbox, "signed_in", "ana")
    store.advance_clock(sandbox, timedelta(minutes=5))
    return sandbox


def refused(store: Store, sandbox_id: str, payload: str | bytes) -> ImportRejected:
    """Import the payload, expecting a refusal that changed nothing; the refusal."""
    before = fingerprint(store, sandbox_id)
    with pytest.raises(ImportRejected) as caught:
        store.import_orders(sandbox_id, payload)
    assert fingerprint(store, sandbox_id) == before
    return caught.value


def named(error: ImportRejected) -> set[tuple[int, str]]:
    """(row, field) of every problem; every problem's text names its row and field."""
    for problem in error.errors:
        assert f"row {problem.row} " in str(problem) and f": {problem.field}: " in str(problem)
    return {(p.row, p.field) for p in error.errors}


# --- files that are not an order list --------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param("{not json", r"not valid JSON \(line 1\)", id="broken"),
        pytest.param('[\n  {"id": "1"},\n  {"id": \n]', r"not valid JSON \(line 4\)", id="broken-line-4"),
        pytest.param(rows_file([good_row()])[:-30], "not valid JSON", id="truncated"),
        pytest.param('[{"id": "1"},]', "not valid JSON", id="trailing-comma"),
        pytest.param("[{}] []", "not valid JSON", id="two-documents"),
        pytest.param("", r"not valid JSON \(line 1\)", id="empty-text"),
        pytest.param(b"", "not valid JSON", id="empty-bytes"),
        pytest.param(" \n\t ", "not valid JSON", id="only-whitespace"),
        pytest.param("[]", "holds no orders", id="empty-list"),
        pytest.param('{"orders": []}', "holds no orders", id="empty-orders"),
        pytest.param("{}", "list of orders", id="empty-object"),
        pytest.param('{"orders": 5}', "list of orders", id="orders-not-list"),
        pytest.param('{"rows": [{}]}', "list of orders", id="object-without-orders"),
        pytest.param("5", "list of orders", id="number"),
        pytest.param('"orders"', "list of orders", id="string"),
        pytest.param("null", "list of orders", id="null"),
        pytest.param("true", "list of orders", id="true"),
        pytest.param("id,status\n900000001,awaiting_payment\n", "not valid JSON", id="csv"),
        pytest.param(b"\xff\xfe\x00", "not valid JSON", id="bad-utf16"),
        pytest.param(rows_file([good_row(items=[{"title": "café"}])]).encode("latin-1"), "not valid JSON", id="latin1"),
        pytest.param(b"\x80\x81\x82\x83[]", "not valid JSON", id="not-utf8"),
        pytest.param("[" + "9" * 5_000 + "]", "not valid JSON", id="5000-digit-number"),
        pytest.param("[" * 100_000 + "]" * 100_000, "nested far too deeply", id="100000-nested-lists"),
        pytest.param('{"orders":' * 50_000 + "[]" + "}" * 50_000, "nested far too deeply", id="nested-objects"),
        pytest.param(
            '[{"id": "1", "seller": ' + "[" * 100_000 + "]" * 100_000 + "}]", "nested far too deeply", id="deep-row"
        ),
    ],
)
def test_a_file_that_is_not_an_order_list_is_refused_plainly(
    store: Store, sandbox_id: str, payload: str | bytes, message: str
) -> None:
    error = refused(store, sandbox_id, payload)
    assert error.errors == []
    assert str(error).startswith("The file") and str(error).endswith(".")
    assert re.search(message, str(error)), str(error)


def test_the_csv_export_is_not_an_import_format(store: Store, sandbox_id: str) -> None:
    """Only Order JSON v1 comes in; the CSV export (for spreadsheets) is refused as not JSON."""
    error = refused(store, sandbox_id, store.export_csv(sandbox_id))
    assert "not valid JSON" in str(error)


def test_a_moderately_nested_value_is_named_as_a_bad_field(store: Store, sandbox_id: str) -> None:
    deep: Any = []
    for _ in range(200):
        deep = [deep]
    error = refused(store, sandbox_id, rows_file([good_row(seller=deep)]))
    assert named(error) == {(1, "seller")}


# --- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), id="utf8-bom-bytes"),
        pytest.param(lambda text: "\ufeff" + text, id="bom-text"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf16-bom"),
        pytest.param(lambda text: text.encode("utf-32-le"), id="utf32-le"),
        pytest.param(lambda text: text.encode("utf-8"), id="utf8-bytes"),
    ],
)
def test_json_in_any_encoding_json_allows_is_read(
    store: Store, sandbox_id: str, encode: Callable[[str], str | bytes]
) -> None:
    row = good_row("900000101", items=[{"title": "Lámpara ☃ 🙂 漢字", "quantity": 1, "unit_price": "3"}])
    added = store.import_orders(sandbox_id, encode(rows_file([row])))
    assert [o.items[0].title for o in added] == ["Lámpara ☃ 🙂 漢字"]
    assert store.get_order(sandbox_id, "900000101").order.items[0].title == "Lámpara ☃ 🙂 漢字"


def test_a_lone_surrogate_in_a_text_field_is_named(store: Store, sandbox_id: str) -> None:
    row = good_row(items=[{"title": "lamp \ud800", "quantity": 1, "unit_price": "1"}])
    for payload in (json.dumps([row]), json.dumps([row], ensure_ascii=False)):
        assert named(refused(store, sandbox_id, payload)) == {(1, "items.0.title")}


# --- bad rows --------------------------------------------------------------------------------------


def unpaid_since(placed_at: str) -> dict[str, Any]:
    return {"status": "awaiting_payment", "placed_at": placed_at, "paid_at": None, "verified_at": None, "ship_by": None}


WRONG_TYPES: list[tuple[dict[str, Any], str]] = [
    ({"id": 900000201}, "id"),
    ({"id": ["900000201"]}, "id"),
    ({"id": "9000-0201"}, "id"),
    ({"id": "1" * 21}, "id"),
    ({"status": 5}, "status"),
    ({"status": "shipped-ish"}, "status"),
    ({"placed_at": 1764320400}, "placed_at"),
    ({"placed_at": "yesterday"}, "placed_at"),
    ({"placed_at": "2026-11-28T10:00:00"}, "placed_at"),  # no offset
    ({"seller": "Imported Store"}, "seller"),
    ({"seller": {"name": ""}}, "seller.name"),
    ({"seller": {"name": "x", "response_rate": "high"}}, "seller.response_rate"),
    ({"items": "lamp"}, "items"),
    ({"items": []}, "items"),
    ({"items": [{"title": "x", "quantity": "two", "unit_price": "1"}]}, "items.0.quantity"),
    ({"items": [{"title": "x", "quantity": 1.5, "unit_price": "1"}]}, "items.0.quantity"),
    ({"items": [{"title": "x", "quantity": 1, "unit_price": [1]}]}, "items.0.unit_price"),
    ({"items": [{"title": "x", "quantity": 1, "unit_price": "-1"}]}, "items.0.unit_price"),
    ({"items": [{"title": "x", "quantity": 1, "unit_price": "1e400"}]}, "items.0.unit_price"),
    ({"items": [{"title": "x\x00y", "quantity": 1, "unit_price": "1"}]}, "items.0.title"),
    ({"items": [{"title": 7, "quantity": 1, "unit_price": "1"}]}, "items.0.title"),
    ({"payment_method": None}, "payment_method"),
    ({"payment_method": "gold"}, "payment_method"),
    ({"currency": "eur"}, "currency"),
    ({"currency": "XYZ"}, "currency"),
    ({"country": 49}, "country"),
    ({"paid_at": None}, "paid_at"),  # required while awaiting shipment
    ({"shipped_at": "2026-11-29T10:00:00+00:00"}, "shipped_at"),  # not yet, while awaiting shipment
    (unpaid_since("2030-01-01T00:00:00+00:00"), "placed_at"),  # after the sandbox clock
    (unpaid_since("0001-01-01T00:00:00+14:00"), "placed_at"),  # before year 1 in UTC
    ({"ship_by": "9999-12-31T00:00:00+00:00"}, "ship_by"),  # extending it would overflow
]


@pytest.mark.parametrize(("changes", "field"), WRONG_TYPES, ids=[f"{f}-{i}" for i, (_, f) in enumerate(WRONG_TYPES)])
def test_a_wrong_type_or_value_is_named_with_its_row_and_field(
    store: Store, sandbox_id: str, changes: dict[str, Any], field: str
) -> None:
    rows = [good_row("900000200"), good_row("900000201", **changes)]
    error = refused(store, sandbox_id, rows_file(rows))
    assert named(error) == {(2, field)}
    assert "Nothing was imported: 1 problem(s) in 2 row(s)" in str(error)


@pytest.mark.parametrize("row", [1, "order", None, [], [good_row()], True], ids=repr)
def test_a_row_that_is_not_an_object_is_named(store: Store, sandbox_id: str, row: Any) -> None:
    error = refused(store, sandbox_id, rows_file([good_row("900000300"), row]))
    assert named(error) == {(2, "order")}


def test_a_row_without_an_id_says_so(store: Store, sandbox_id: str) -> None:
    row = good_row()
    del row["id"]
    error = refused(store, sandbox_id, rows_file([row]))
    assert named(error) == {(1, "id")} and "no order id" in str(error.errors[0])


def test_duplicate_ids_in_the_file_and_in_the_sandbox_are_named(store: Store, sandbox_id: str) -> None:
    existing = EXISTING
    rows = [
        good_row("900000401"),
        good_row("900000402"),
        good_row("900000401"),  # again in the file
        good_row(" 900000402 "),  # the same id once trimmed
        good_row(existing),  # already in the sandbox
    ]
    error = refused(store, sandbox_id, rows_file(rows))
    assert named(error) == {(3, "id"), (4, "id"), (5, "id")}
    by_row = {p.row: p.message for p in error.errors}
    assert "row 1" in by_row[3] and "row 2" in by_row[4] and "already in your sandbox" in by_row[5]


def test_mixed_good_and_bad_rows_import_nothing_and_name_every_bad_one(store: Store, sandbox_id: str) -> None:
    rows: list[Any] = [good_row(f"90000050{i}") for i in range(6)]
    rows[1] = good_row("900000501", currency="euro")
    rows[3] = "not an order"
    rows[4] = good_row("900000504", items=[{"title": "x", "quantity": 0, "unit_price": "1"}], country="Germany")
    error = refused(store, sandbox_id, rows_file(rows))
    assert named(error) == {(2, "currency"), (4, "order"), (5, "items.0.quantity"), (5, "country")}
    assert not store.search_orders(sandbox_id, "90000050")  # not even the good rows
    assert [p.row for p in error.errors] == sorted(p.row for p in error.errors)


def test_the_same_file_fixed_imports_whole(store: Store) -> None:
    rows = [good_row(f"90000060{i}") for i in range(6)]
    for payload in (rows_file(rows), json.dumps({"orders": rows}, indent=2).encode()):
        target = store.create_sandbox(seed=8, clock=CLOCK, demo=False).id
        assert [o.id for o in store.import_orders(target, payload)] == [r["id"] for r in rows]
        assert len(store.list_orders(target)) == 6


# --- limits ----------------------------------------------------------------------------------------


def padded(size: int) -> str:
    """A valid one-row file of exactly `size` UTF-8 bytes (spaces after the list)."""
    body = rows_file([good_row("900000701")])
    return body + " " * (size - len(body.encode()))


def test_a_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_not(store: Store, sandbox_id: str) -> None:
    error = refused(store, sandbox_id, padded(IMPORT_MAX_BYTES + 1).encode())
    assert "too big: the limit is 5 MB" in str(error)
    assert [o.id for o in store.import_orders(sandbox_id, padded(IMPORT_MAX_BYTES))] == ["900000701"]


def test_the_size_limit_counts_utf8_bytes_not_characters(store: Store, sandbox_id: str) -> None:
    title = "é" * 400
    row = good_row(items=[{"title": title, "quantity": 1, "unit_price": "1"}])
    text = rows_file([row]) + " " * (IMPORT_MAX_BYTES - len(rows_file([row])) - 1)
    assert len(text) < IMPORT_MAX_BYTES < len(text.encode())
    assert "limit is 5 MB" in str(refused(store, sandbox_id, text))


def test_exactly_the_row_limit_imports_and_one_more_does_not(store: Store) -> None:
    rows = [good_row(f"91{i:08d}") for i in range(IMPORT_MAX_ROWS + 1)]
    sandbox_id = store.create_sandbox(seed=9, clock=CLOCK, demo=False).id
    error = refused(store, sandbox_id, rows_file(rows))
    assert f"the limit is {IMPORT_MAX_ROWS} a file" in str(error)
    assert len(store.import_orders(sandbox_id, rows_file(rows[:-1]))) == IMPORT_MAX_ROWS
    assert store.count_by_status(sandbox_id) == {rows[0]["status"]: IMPORT_MAX_ROWS}


def _peak(call: Callable[[], Any]) -> tuple[int, BaseException | None]:
    """The peak of traced memory while `call` runs (allocations made before it do not count)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        call()
        caught = None
    except BaseException as error:  # the caller checks what was raised
        caught = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, caught


HUNDRED_THOUSAND = 100_000


def _small_rows(count: int) -> list[dict[str, str]]:
    return [{"id": f"{i}"} for i in range(count)]


BIG_FILES: dict[str, tuple[Callable[[], str | bytes], str]] = {
    # 100,000 small rows: under 5 MB, so the row limit refuses it, with the limit in the message.
    "100000-small-rows-text": (lambda: rows_file(_small_rows(HUNDRED_THOUSAND)), "limit is 5000 a file"),
    "100000-small-rows-bytes": (lambda: rows_file(_small_rows(HUNDRED_THOUSAND)).encode(), "limit is 5000 a file"),
    "100000-small-rows-wrapped": (
        lambda: json.dumps({"note": "x", "orders": _small_rows(HUNDRED_THOUSAND)}).encode(),
        "limit is 5000 a file",
    ),
    # 100,000 whole orders: 40 MB, refused by size before any parsing.
    "100000-full-orders-bytes": (
        lambda: rows_file([good_row(f"92{i:08d}") for i in range(HUNDRED_THOUSAND)]).encode(),
        "limit is 5 MB",
    ),
    "100000-full-orders-text": (
        lambda: rows_file([good_row(f"92{i:08d}") for i in range(HUNDRED_THOUSAND)]),
        "limit is 5 MB",
    ),
    # Just under 5 MB of the smallest rows there are: 1.7 million `{}`.
    "1.7-million-empty-rows": (lambda: "[" + ",".join(["{}"] * (IMPORT_MAX_BYTES // 3 - 1)) + "]", "limit is 5000"),
}


@pytest.mark.parametrize("name", list(BIG_FILES))
def test_a_huge_file_is_refused_whole_with_its_limit_in_bounded_memory(
    store: Store, sandbox_id: str, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    build, message = BIG_FILES[name]
    payload = build()
    size = len(payload.encode()) if isinstance(payload, str) else len(payload)
    checked: list[int] = []
    real_check = importing.check_rows

    def counted(rows: list[Any], *rest: Any) -> Any:
        checked.append(len(rows))
        return real_check(rows, *rest)

    monkeypatch.setattr(importing, "check_rows", counted)
    before = fingerprint(store, sandbox_id)
    peak, error = _peak(lambda: store.import_orders(sandbox_id, payload))
    assert isinstance(error, ImportRejected) and message in str(error), error
    assert checked == []  # refused before a single row became an order
    assert fingerprint(store, sandbox_id) == before
    assert peak < MEMORY_FACTOR * size, f"{name}: peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
    print(f"\n{name}: file {size / 1e6:.2f} MB, peak {peak / 1e6:.2f} MB ({peak / size:.2f}x)")


def test_parse_import_reads_the_same_values_as_json_loads() -> None:
    """The row-at-a-time reader gives what json.loads gives, for both shapes of file."""
    rows = [good_row("900000801"), {"nested": {"a": [1, 2.5, None, True, "ü\\n"]}}, 3, [], "x"]
    for text in (rows_file(rows), json.dumps({"orders": rows, "meta": {"orders": 1}}), json.dumps(rows, indent=4)):
        assert parse_import(text) == rows
    assert parse_import('{"orders": [1], "orders": [2]}') == [2]  # the last key wins, as in json.loads


# --- the trainer's class orders --------------------------------------------------------------------


@pytest.fixture
def training(store: Store) -> Iterator[TrainingStore]:
    yield TrainingStore(store)


CLASS_CASES: list[tuple[str | bytes, str]] = [
    ("{not json", "not valid JSON"),
    ("", "not valid JSON"),
    ('{"orders": 5}', "list of orders"),
    ("[]", "holds no orders"),
    (b"\x80\x81[]", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested far too deeply"),
    (rows_file(_small_rows(HUNDRED_THOUSAND)), "limit is 5000"),
    (" " * (IMPORT_MAX_BYTES + 1), "limit is 5 MB"),
]


@pytest.mark.parametrize(("payload", "message"), CLASS_CASES, ids=[m for _, m in CLASS_CASES])
def test_class_orders_refuse_bad_files_and_keep_the_old_ones(
    training: TrainingStore, payload: str | bytes, message: str
) -> None:
    group = training.create_class("Night shift")
    training.load_class_orders(group.id, rows_file([good_row("900000901")]))
    before = training.get_class(group.id)
    with pytest.raises(ImportRejected, match=message):
        training.load_class_orders(group.id, payload)
    assert training.get_class(group.id) == before


def test_class_orders_name_every_bad_row_and_field(training: TrainingStore) -> None:
    group = training.create_class("Day shift")
    rows: list[Any] = [
        good_row("900000911"),
        good_row("900000912", items=[{"title": "x", "quantity": "two", "unit_price": "1"}]),
        good_row("900000911"),
        7,
        good_row("900000913", placed_at="0001-01-01T00:00:00+14:00"),
    ]
    with pytest.raises(ImportRejected) as caught:
        training.load_class_orders(group.id, rows_file(rows).encode("utf-16"))
    assert named(caught.value) == {(2, "items.0.quantity"), (3, "id"), (4, "order"), (5, "placed_at")}
    assert training.get_class(group.id).orders == []


def test_class_orders_bounded_memory_for_100000_rows(training: TrainingStore) -> None:
    group = training.create_class("Memory")
    payload = rows_file(_small_rows(HUNDRED_THOUSAND)).encode()
    peak, error = _peak(lambda: training.load_class_orders(group.id, payload))
    assert isinstance(error, ImportRejected) and "limit is 5000" in str(error)
    assert peak < MEMORY_FACTOR * len(payload)
    assert training.get_class(group.id).orders == []


def test_class_orders_for_an_unknown_class_are_refused(training: TrainingStore) -> None:
    with pytest.raises(LookupError):
        training.load_class_orders("no-such-class-000", rows_file([good_row()]))
