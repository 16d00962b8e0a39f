"""The store: sandboxes, scoping, search, actions, the clock, races, import and export."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import text as sql

from guide import lifecycle
from guide.db import database_url
from guide.importing import IMPORT_MAX_BYTES, ImportRejected
from guide.lifecycle import DomainError
from guide.models import EventKind, Order, Status
from guide.store import Store, UnknownOrder, UnknownSandbox
from tests.guide.factories import good_row

CLOCK = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def first(store: Store, sandbox_id: str, status: Status) -> Order:
    found = store.list_orders(sandbox_id, statuses=[status])
    assert found, f"the demo set has no {status} order"
    return found[0]


# --- sandboxes -----------------------------------------------------------------------------------


def test_sandbox_ids_are_unguessable_and_unique(store: Store) -> None:
    ids = {store.create_sandbox(seed=1, clock=CLOCK).id for _ in range(20)}
    assert len(ids) == 20
    for sandbox_id in ids:
        raw = base64.urlsafe_b64decode(sandbox_id + "=" * (-len(sandbox_id) % 4))
        assert len(raw) * 8 >= 128


def test_a_new_sandbox_covers_every_status_with_about_forty_orders(store: Store) -> None:
    sandbox = store.create_sandbox(seed=3, clock=CLOCK)
    counts = store.count_by_status(sandbox.id)
    assert set(counts) == set(Status)
    assert 35 <= sum(counts.values()) <= 50
    orders = store.list_orders(sandbox.id)
    assert len({o.currency for o in orders}) >= 3
    assert len({o.seller.name for o in orders}) >= 5
    assert all(o.placed_at <= CLOCK for o in orders)


def test_the_same_seed_and_clock_give_the_same_demo_orders(store: Store) -> None:
    a = store.create_sandbox(seed=11, clock=CLOCK)
    b = store.create_sandbox(seed=11, clock=CLOCK)
    c = store.create_sandbox(seed=12, clock=CLOCK)
    assert store.export_orders(a.id) == store.export_orders(b.id)
    assert store.export_orders(a.id) != store.export_orders(c.id)


def test_no_demo_timer_is_already_due(store: Store) -> None:
    sandbox = store.create_sandbox(seed=5, clock=CLOCK)
    assert store.advance_clock(sandbox.id, CLOCK) == []


@pytest.mark.parametrize("junk", ["", "nope", "../../etc/passwd", "x' OR '1'='1", "a" * 500, None, 42])
def test_an_unknown_sandbox_is_refused(store: Store, junk: object) -> None:
    with pytest.raises(UnknownSandbox):
        store.get_sandbox(junk)  # type: ignore[arg-type]  # junk on purpose: non-strings must be refused too


def test_an_unknown_but_well_formed_sandbox_is_refused(store: Store) -> None:
    with pytest.raises(UnknownSandbox):
        store.list_orders("A" * 22)


def test_reset_restores_the_demo_set_and_keeps_the_id(store: Store) -> None:
    sandbox = store.create_sandbox(seed=8, clock=CLOCK)
    order = first(store, sandbox.id, Status.AWAITING_PAYMENT)
    store.act(sandbox.id, order.id, "cancel", reason="no_longer_needed")
    reset = store.reset_sandbox(sandbox.id)
    assert reset.id == sandbox.id
    assert store.get_order(sandbox.id, order.id).order.status is Status.AWAITING_PAYMENT


def test_the_default_database_is_a_wal_sqlite_file_in_the_data_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CANCEL_COACH_DB_URL", raising=False)
    monkeypatch.setenv("CANCEL_COACH_DATA_DIR", str(tmp_path / "data"))
    url = database_url()
    assert url.startswith("sqlite:///") and url.endswith("data/cancel_coach.sqlite3")
    store = Store()
    try:
        with store.engine.connect() as conn:
            assert conn.execute(sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (tmp_path / "data" / "cancel_coach.sqlite3").exists()
    finally:
        store.dispose()


# --- reading and scoping -------------------------------------------------------------------------


def test_orders_never_cross_sandboxes(store: Store) -> None:
    mine = store.create_sandbox(seed=21, clock=CLOCK)
    theirs = store.create_sandbox(seed=22, clock=CLOCK)
    their_order = store.list_orders(theirs.id)[0]
    with pytest.raises(UnknownOrder):
        store.get_order(mine.id, their_order.id)
    with pytest.raises(UnknownOrder):
        store.act(mine.id, their_order.id, "send_message", text="hello")
    assert their_order.id not in {o.id for o in store.search_orders(mine.id, their_order.id)}
    assert store.get_order(theirs.id, their_order.id).order == their_order


def test_search_finds_by_id_title_and_seller_case_insensitively(store: Store) -> None:
    sandbox = store.create_sandbox(seed=31, clock=CLOCK)
    order = store.list_orders(sandbox.id)[7]
    assert order.id in {o.id for o in store.search_orders(sandbox.id, order.id[-6:])}
    word = order.items[0].title.split()[0]
    assert order.id in {o.id for o in store.search_orders(sandbox.id, word.upper())}
    assert order.id in {o.id for o in store.search_orders(sandbox.id, order.seller.name.lower())}


@pytest.mark.parametrize(
    "query",
    [
        "%",
        "_",
        "\\",
        "' OR 1=1 --",
        "'; DROP TABLE orders; --",
        "<script>alert(1)</script>",
        "🙂" * 10,
        "x" * 5000,
        "\x00\x1b",
    ],
)
def test_hostile_search_text_matches_literally_and_harms_nothing(store: Store, query: str) -> None:
    sandbox = store.create_sandbox(seed=32, clock=CLOCK)
    before = store.export_orders(sandbox.id)
    assert store.search_orders(sandbox.id, query) == []
    assert store.export_orders(sandbox.id) == before


def test_tabs_filter_by_status(store: Store) -> None:
    sandbox = store.create_sandbox(seed=33, clock=CLOCK)
    to_ship = store.list_orders(sandbox.id, statuses=[Status.AWAITING_SHIPMENT, Status.AWAITING_CANCELLATION])
    assert to_ship and {o.status for o in to_ship} <= {Status.AWAITING_SHIPMENT, Status.AWAITING_CANCELLATION}


# --- acting and the clock ------------------------------------------------------------------------


def test_an_action_is_saved_at_the_sandbox_clock(store: Store) -> None:
    sandbox = store.create_sandbox(seed=41, clock=CLOCK)
    order = next(o for o in store.list_orders(sandbox.id, [Status.AWAITING_SHIPMENT]) if o.cancel_refused_at is None)
    state = store.act(sandbox.id, order.id, "request_cancellation", reason="no_longer_needed")
    assert state.order.status is Status.AWAITING_CANCELLATION
    assert state.order.cancel_requested_at == CLOCK
    assert store.get_order(sandbox.id, order.id) == state


def test_a_refused_action_changes_nothing(store: Store) -> None:
    sandbox = store.create_sandbox(seed=42, clock=CLOCK)
    order = first(store, sandbox.id, Status.AWAITING_DELIVERY)
    before = store.get_order(sandbox.id, order.id)
    with pytest.raises(DomainError, match="cannot be cancelled"):
        store.act(sandbox.id, order.id, "cancel", reason="no_longer_needed")
    with pytest.raises(DomainError):
        store.act(sandbox.id, order.id, "send_message", text="   ")
    assert store.get_order(sandbox.id, order.id) == before


def test_the_clock_never_goes_back(store: Store) -> None:
    sandbox = store.create_sandbox(seed=43, clock=CLOCK)
    store.advance_clock(sandbox.id, timedelta(hours=2))
    with pytest.raises(DomainError, match="cannot go back"):
        store.advance_clock(sandbox.id, CLOCK)
    assert store.get_sandbox(sandbox.id).clock == CLOCK + timedelta(hours=2)


def test_advancing_fires_due_timers_in_time_order_and_keeps_replays_true(store: Store) -> None:
    sandbox = store.create_sandbox(seed=44, clock=CLOCK)
    fired = store.advance_clock(sandbox.id, timedelta(days=30))
    assert len(fired) > 20
    times = [e.at for _, e in fired]
    assert times == sorted(times)
    assert all(CLOCK <= t <= CLOCK + timedelta(days=30) for t in times)
    for order in store.list_orders(sandbox.id):
        state = store.get_order(sandbox.id, order.id)
        assert state.order == order == lifecycle.replay(state.events).order


def test_next_event_jumps_exactly_to_the_next_timer(store: Store) -> None:
    sandbox = store.create_sandbox(seed=45, clock=CLOCK)
    due = store.next_event_at(sandbox.id)
    assert due is not None and due > CLOCK
    fired = store.advance_clock(sandbox.id, due)
    assert fired and fired[0][1].at == due


def test_silence_past_the_sellers_window_closes_and_schedules_the_refund(store: Store) -> None:
    sandbox = store.create_sandbox(seed=46, clock=CLOCK)
    order = first(store, sandbox.id, Status.AWAITING_CANCELLATION)
    store.advance_clock(sandbox.id, timedelta(hours=sandbox.profile.seller_answer_hours.value + 1))
    after = store.get_order(sandbox.id, order.id).order
    assert after.status is not Status.AWAITING_CANCELLATION


# --- races ---------------------------------------------------------------------------------------


def _race(actions: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = actions[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("round_", range(5))
def test_two_sessions_cancelling_one_order_cannot_both_win(store: Store, round_: int) -> None:
    sandbox = store.create_sandbox(seed=50 + round_, clock=CLOCK)
    order = first(store, sandbox.id, Status.AWAITING_PAYMENT)
    cancel = lambda: store.act(sandbox.id, order.id, "cancel", reason="no_longer_needed")  # noqa: E731
    results = _race([cancel, cancel, cancel, cancel])
    wins = [r for r in results if isinstance(r, lifecycle.OrderState)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1 and len(losses) == 3, results
    state = store.get_order(sandbox.id, order.id)
    assert [e.kind for e in state.events].count(EventKind.CANCELLED) == 1
    assert state.order.status is Status.CLOSED


def test_pay_and_cancel_racing_leave_one_consistent_story(store: Store) -> None:
    sandbox = store.create_sandbox(seed=60, clock=CLOCK)
    order = first(store, sandbox.id, Status.AWAITING_PAYMENT)
    results = _race(
        [
            lambda: store.act(sandbox.id, order.id, "pay"),
            lambda: store.act(sandbox.id, order.id, "cancel", reason="no_longer_needed"),
            lambda: store.advance_clock(sandbox.id, timedelta(minutes=1)),
        ]
    )
    assert not any(isinstance(r, Exception) and not isinstance(r, DomainError) for r in results), results
    state = store.get_order(sandbox.id, order.id)
    assert state.order == lifecycle.replay(state.events).order
    assert [e.seq for e in state.events] == list(range(len(state.events)))


# --- import and export ---------------------------------------------------------------------------


def test_import_adds_every_row_and_they_can_be_found(store: Store) -> None:
    sandbox = store.create_sandbox(seed=70, clock=CLOCK)
    rows = [
        good_row("900000001"),
        {**good_row("900000002"), "status": "awaiting_payment", "paid_at": None, "verified_at": None, "ship_by": None},
    ]
    added = store.import_orders(sandbox.id, json.dumps(rows))
    assert [o.id for o in added] == ["900000001", "900000002"]
    assert {o.id for o in store.search_orders(sandbox.id, "imported lamp")} == {"900000001", "900000002"}


def test_orders_placed_at_the_same_moment_list_by_id_and_never_reshuffle(store: Store) -> None:
    sandbox = store.create_sandbox(seed=72, clock=CLOCK, demo=False)
    store.import_orders(sandbox.id, json.dumps([good_row(i) for i in ("900000002", "900000003", "900000001")]))
    store.act(sandbox.id, "900000003", "send_message", text="moves its row on PostgreSQL")
    expected = ["900000003", "900000002", "900000001"]
    assert [o.id for o in store.list_orders(sandbox.id)] == expected
    assert [o["id"] for o in json.loads(store.export_json(sandbox.id))] == expected[::-1]  # oldest first


def test_import_is_all_or_nothing_and_names_every_bad_row_and_field(store: Store) -> None:
    sandbox = store.create_sandbox(seed=71, clock=CLOCK)
    before = store.export_orders(sandbox.id)
    rows = [
        good_row("900000010"),
        {**good_row("900000011"), "items": [{"title": "x", "quantity": 0, "unit_price": "1"}]},
        {**good_row("900000012"), "status": "awaiting_delivery"},
        good_row("900000010"),
        "not an order",
        {
            **good_row("900000013"),
            "placed_at": "2030-01-01T00:00:00+00:00",
            "paid_at": None,
            "verified_at": None,
            "ship_by": None,
            "status": "awaiting_payment",
        },
    ]
    with pytest.raises(ImportRejected) as caught:
        store.import_orders(sandbox.id, json.dumps(rows))
    found = {(e.row, e.field) for e in caught.value.errors}
    assert (2, "items.0.quantity") in found
    assert (3, "shipped_at") in found
    assert (4, "id") in found
    assert (5, "order") in found
    assert (6, "placed_at") in found
    assert all(e.row != 1 for e in caught.value.errors)
    assert "Nothing was imported" in str(caught.value)
    assert store.export_orders(sandbox.id) == before


def test_import_refuses_ids_already_in_the_sandbox(store: Store) -> None:
    sandbox = store.create_sandbox(seed=72, clock=CLOCK)
    existing = store.list_orders(sandbox.id)[0].id
    with pytest.raises(ImportRejected) as caught:
        store.import_orders(sandbox.id, json.dumps([good_row(existing)]))
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "id")]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"orders": 5}', "list of orders"),
        ("[]", "no orders"),
        (b"\xff\xfe\x00", "not valid JSON"),
        ("[" + ",".join(["{}"] * 5001) + "]", "too many"),
        (" " * (IMPORT_MAX_BYTES + 1), "limit is 5 MB"),
    ],
)
def test_bad_import_files_get_a_plain_message(store: Store, payload: str | bytes, message: str) -> None:
    sandbox = store.create_sandbox(seed=73, clock=CLOCK)
    before = store.export_orders(sandbox.id)
    with pytest.raises(ImportRejected, match=message):
        store.import_orders(sandbox.id, payload)
    assert store.export_orders(sandbox.id) == before


def test_export_then_import_round_trips_every_order(store: Store) -> None:
    source = store.create_sandbox(seed=74, clock=CLOCK)
    store.advance_clock(source.id, timedelta(days=2))
    exported = store.export_json(source.id)
    target = store.create_sandbox(seed=75, clock=CLOCK + timedelta(days=3))
    imported = store.import_orders(target.id, exported)
    originals = {o["id"]: o for o in json.loads(exported)}
    assert {o.id: o.to_json_dict() for o in imported} == originals


def test_csv_export_has_one_row_an_order(store: Store) -> None:
    sandbox = store.create_sandbox(seed=76, clock=CLOCK)
    frame = pd.read_csv(io.StringIO(store.export_csv(sandbox.id)), dtype=str)
    assert len(frame) == len(store.list_orders(sandbox.id))
    assert list(frame.columns[:3]) == ["id", "status", "placed_at"]
    assert set(frame["status"]) == {s.value for s in Status}
