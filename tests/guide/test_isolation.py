"""Isolation at the store level: a sandbox id (or a trainee id) is the only key to its data.

The ids are 128-bit random tokens; every Store method that takes a sandbox id sees and changes that
sandbox only, whatever order ids it is handed; malformed ids are refused as unknown before any SQL
runs; and a trainee can neither read nor submit another trainee's attempt.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from guide.db import events, orders, sandboxes
from guide.lifecycle import Action
from guide.models import Status
from guide.store import SANDBOX_ID_BYTES, Store, UnknownOrder, UnknownSandbox
from guide.training import Question, scenarios
from guide.training_store import TrainingStore, UnknownAttempt, UnknownTrainee
from tests.guide.factories import STRICT

CLOCK = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SECRET_ID = "977000000001"  # only sandbox B has it
SECRET_TITLE = "Zebra secret lamp"


def secret_order() -> dict[str, Any]:
    return {
        "id": SECRET_ID,
        "status": "awaiting_shipment",
        "placed_at": "2026-11-28T10:00:00+00:00",
        "paid_at": "2026-11-28T10:05:00+00:00",
        "verified_at": "2026-11-28T12:00:00+00:00",
        "ship_by": "2026-12-05T12:00:00+00:00",
        "seller": {"name": "Secret Seller B"},
        "items": [{"title": SECRET_TITLE, "quantity": 1, "unit_price": "9.99"}],
        "payment_method": "card",
        "currency": "EUR",
    }


def everything_of(store: Store, sandbox_id: str) -> tuple[Any, ...]:
    """Every row of one sandbox, straight from the tables: what nobody else may change."""
    with store.engine.connect() as conn:
        sandbox = conn.execute(select(sandboxes).where(sandboxes.c.id == sandbox_id)).one()
        rows = conn.execute(select(orders).where(orders.c.sandbox_id == sandbox_id).order_by(orders.c.order_id)).all()
        log = conn.execute(
            select(events).where(events.c.sandbox_id == sandbox_id).order_by(events.c.order_id, events.c.seq)
        ).all()
    return tuple(sandbox), [tuple(r) for r in rows], [tuple(e) for e in log], store.facts(sandbox_id)


@pytest.fixture
def pair(store: Store) -> tuple[str, str, list[str]]:
    """Sandbox A and sandbox B (with a secret order, a message, a fact and a moved clock), and the order
    ids only B holds."""
    a = store.create_sandbox(seed=21, clock=CLOCK).id
    b = store.create_sandbox(seed=22, clock=CLOCK).id
    store.import_orders(b, json.dumps([secret_order()]))
    store.act(b, SECRET_ID, "send_message", text="B's private message")
    store.record(b, "signed_in", "bob")
    store.record(b, "opened_order", SECRET_ID)
    store.advance_clock(b, timedelta(hours=3))
    mine = {o.id for o in store.list_orders(a, limit=10_000)}
    only_b = sorted({o.id for o in store.list_orders(b, limit=10_000)} - mine)
    assert SECRET_ID in only_b and len(only_b) > 10
    return a, b, only_b


ACTION_PARAMS: dict[Action, dict[str, Any]] = {
    Action.CANCEL: {"reason": "no_longer_needed"},
    Action.REQUEST_CANCELLATION: {"reason": "no_longer_needed"},
    Action.SEND_MESSAGE: {"text": "hello from A"},
    Action.OPEN_DISPUTE: {"claim": "not_received"},
}


# --- ids -------------------------------------------------------------------------------------------


def _common_prefix(x: str, y: str) -> int:
    return next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y)))


def _check_random_tokens(ids: list[str], bits: int) -> None:
    """Unique, the right length, and statistically like independent uniform bits: no counter, no time."""
    assert len(set(ids)) == len(ids)
    raw = [base64.urlsafe_b64decode(i + "=" * (-len(i) % 4)) for i in ids]
    assert all(len(r) * 8 == bits for r in raw)
    numbers = [int.from_bytes(r, "big") for r in raw]
    n = len(numbers)
    # Each bit position is set in about half the ids (6 sigma either side).
    sigma = (n / 4) ** 0.5
    for position in range(bits):
        ones = sum(number >> position & 1 for number in numbers)
        assert abs(ones - n / 2) < 6 * sigma, f"bit {position} is set in {ones} of {n} ids"
    # Consecutive ids differ in about half their bits, and never by a constant step.
    distances = [bin(x ^ y).count("1") for x, y in itertools.pairwise(numbers)]
    assert abs(sum(distances) / len(distances) - bits / 2) < 6 * (bits / 4) ** 0.5 / len(distances) ** 0.5
    steps = {y - x for x, y in itertools.pairwise(numbers)}
    assert len(steps) == n - 1
    # No shared prefixes beyond chance: sorted neighbours share at most 6 of 22 characters.
    ordered = sorted(ids)
    shared = max(_common_prefix(x, y) for x, y in itertools.pairwise(ordered))
    assert shared <= 6, shared


def test_sandbox_ids_are_128_bit_random_tokens_whatever_the_seed_and_clock(store: Store) -> None:
    """1,000 sandboxes with the same seed and clock: the id comes from the CSPRNG alone."""
    ids = [store.create_sandbox(seed=1, clock=CLOCK, demo=False).id for _ in range(1_000)]
    assert SANDBOX_ID_BYTES * 8 == 128
    assert all(len(i) == 22 for i in ids)
    _check_random_tokens(ids, 128)


def test_trainee_ids_are_128_bit_random_tokens(store: Store) -> None:
    training = TrainingStore(store)
    ids = [training.create_trainee("Ana").id for _ in range(300)]
    _check_random_tokens(ids, 128)


# --- reading across sandboxes ----------------------------------------------------------------------


def test_a_sandbox_sees_nothing_of_another(store: Store, pair: tuple[str, str, list[str]]) -> None:
    a, b, only_b = pair
    before = everything_of(store, b)
    for order_id in only_b:
        with pytest.raises(UnknownOrder):
            store.get_order(a, order_id)
        with pytest.raises(UnknownOrder):
            store.messages(a, order_id)
    listed = {o.id for o in store.list_orders(a, statuses=list(Status), limit=10_000)}
    assert listed.isdisjoint(only_b)
    assert sum(store.count_by_status(a).values()) == len(listed)
    for query in (SECRET_ID, SECRET_ID[-5:], "zebra", SECRET_TITLE.upper(), "secret seller b", *only_b[:5]):
        assert store.search_orders(a, query) == []
    exported = store.export_json(a) + store.export_csv(a)
    assert all(order_id not in exported for order_id in only_b)
    assert SECRET_TITLE not in exported and "private message" not in exported
    assert "signed_in" not in store.facts(a) and "opened_order" not in store.facts(a)
    assert store.get_sandbox(a).clock == CLOCK  # B's clock moved; A's did not
    empty = store.create_sandbox(seed=23, clock=CLOCK, demo=False).id
    assert store.next_event_at(empty) is None  # B's timers are not A's
    assert store.list_orders(empty) == [] and store.export_orders(empty) == []
    assert everything_of(store, b) == before


# --- changing across sandboxes ---------------------------------------------------------------------


def test_every_action_on_another_sandboxs_order_is_unknown_and_changes_nothing(
    store: Store, pair: tuple[str, str, list[str]]
) -> None:
    a, b, only_b = pair
    before_a, before_b = everything_of(store, a), everything_of(store, b)
    for order_id in only_b:
        for action in Action:
            with pytest.raises(UnknownOrder):
                store.act(a, order_id, action, **ACTION_PARAMS.get(action, {}))
    assert everything_of(store, a) == before_a
    assert everything_of(store, b) == before_b


def test_everything_a_sandbox_does_to_itself_leaves_another_untouched(
    store: Store, pair: tuple[str, str, list[str]]
) -> None:
    a, b, only_b = pair
    before = everything_of(store, b)
    secret_in_b = store.get_order(b, SECRET_ID)
    # A imports B's orders under B's ids: they are A's own copies (B's ids are no duplicates in A).
    store.advance_clock(a, timedelta(hours=3))  # B's orders moved 3 hours on; an import cannot be ahead of A
    from_b = [o for o in store.export_orders(b) if o["id"] in only_b]
    copies = store.import_orders(a, json.dumps(from_b))
    assert {o.id for o in copies} == set(only_b)
    # A works on its copy of B's secret order, and on everything else it has.
    store.act(a, SECRET_ID, "request_cancellation", reason="no_longer_needed")
    store.act(a, SECRET_ID, "send_message", text="A's own message")
    store.record(a, "signed_in", "alice")
    store.record(a, "opened_order", SECRET_ID)
    store.advance_clock(a, timedelta(days=30))
    store.forget(a)
    store.forget(a, "signed_in", "opened_order")
    store.set_profile(a, STRICT)
    assert store.get_order(a, SECRET_ID).order.status is not Status.AWAITING_SHIPMENT
    store.reset_sandbox(a)
    with pytest.raises(UnknownOrder):
        store.get_order(a, SECRET_ID)  # the reset dropped A's copy ...
    assert store.get_order(b, SECRET_ID) == secret_in_b  # ... and never touched B's original
    assert everything_of(store, b) == before
    assert store.facts(b) == {"signed_in": "bob", "opened_order": SECRET_ID}


# --- malformed ids ---------------------------------------------------------------------------------


JUNK_IDS: list[Any] = [
    "",
    "x",
    "' OR '1'='1",
    "'; DROP TABLE orders; --",
    "' UNION SELECT id FROM sandboxes --",
    "../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "A" * 21 + "/",
    "A" * 22 + "\n",  # "$" in a regex matches before a final newline
    "A" * 22 + "\x00",
    "\x00" * 22,
    "A" * 65,
    "A" * 100_000,
    "ü" * 22,
    "🙂" * 22,
    "Ａ" * 22,  # fullwidth A
    "A" * 21 + "\u0301",  # a combining accent
    "A" * 11 + " " + "A" * 11,
    None,
    42,
    b"A" * 22,
    ["A" * 22],
]

# Every Store method that takes a sandbox id, called with it.
SANDBOX_CALLS: dict[str, Callable[[Store, Any], Any]] = {
    "get_sandbox": lambda s, i: s.get_sandbox(i),
    "set_profile": lambda s, i: s.set_profile(i, STRICT),
    "reset_sandbox": lambda s, i: s.reset_sandbox(i),
    "record": lambda s, i: s.record(i, "signed_in", "x"),
    "forget": lambda s, i: s.forget(i),
    "forget_one": lambda s, i: s.forget(i, "signed_in"),
    "facts": lambda s, i: s.facts(i),
    "list_orders": lambda s, i: s.list_orders(i),
    "search_orders": lambda s, i: s.search_orders(i, "lamp"),
    "count_by_status": lambda s, i: s.count_by_status(i),
    "get_order": lambda s, i: s.get_order(i, SECRET_ID),
    "messages": lambda s, i: s.messages(i, SECRET_ID),
    "next_event_at": lambda s, i: s.next_event_at(i),
    "act": lambda s, i: s.act(i, SECRET_ID, "cancel", reason="no_longer_needed"),
    "advance_clock": lambda s, i: s.advance_clock(i, timedelta(hours=1)),
    "import_orders": lambda s, i: s.import_orders(i, json.dumps([secret_order()])),
    "export_orders": lambda s, i: s.export_orders(i),
    "export_json": lambda s, i: s.export_json(i),
    "export_csv": lambda s, i: s.export_csv(i),
}


@contextmanager
def no_sql(store: Store) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block (BEGIN included, on SQLite)."""
    sent: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", spy)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", spy)


@pytest.mark.parametrize("method", list(SANDBOX_CALLS))
def test_a_malformed_sandbox_id_is_unknown_before_any_sql(
    store: Store, pair: tuple[str, str, list[str]], method: str
) -> None:
    a, b, _ = pair
    before = everything_of(store, a), everything_of(store, b)
    call = SANDBOX_CALLS[method]
    for junk in JUNK_IDS:
        with no_sql(store) as sent, pytest.raises(UnknownSandbox):
            call(store, junk)
        assert sent == [], (junk, sent)
    assert (everything_of(store, a), everything_of(store, b)) == before


@pytest.mark.parametrize("method", [m for m in SANDBOX_CALLS if m not in ("forget", "forget_one", "facts")])
def test_a_well_formed_unknown_sandbox_id_is_unknown(store: Store, method: str) -> None:
    with pytest.raises(UnknownSandbox):
        SANDBOX_CALLS[method](store, "A" * 22)


def test_facts_of_an_unknown_sandbox_are_empty_and_forgetting_them_is_harmless(store: Store) -> None:
    known = store.create_sandbox(seed=24, clock=CLOCK, demo=False).id
    store.record(known, "signed_in", "x")
    assert store.facts("A" * 22) == {}
    store.forget("A" * 22)
    assert store.facts(known) == {"signed_in": "x"}


MALFORMED_ORDER_IDS: list[Any] = [
    "",
    "1 OR 1=1",
    "' OR ''='",
    "%",
    "_",
    "../1",
    "1" * 21,
    " " + SECRET_ID,
    SECRET_ID + "\n",
    "１２３",  # fullwidth digits
    None,
    5,
]


def test_a_malformed_order_id_is_unknown(store: Store, pair: tuple[str, str, list[str]]) -> None:
    a, b, _ = pair
    before = everything_of(store, a), everything_of(store, b)
    for order_id in MALFORMED_ORDER_IDS:
        for sandbox_id in (a, b):
            with pytest.raises(UnknownOrder):
                store.get_order(sandbox_id, order_id)
            with pytest.raises(UnknownOrder):
                store.messages(sandbox_id, order_id)
            with pytest.raises(UnknownOrder):
                store.act(sandbox_id, order_id, "send_message", text="x")
    assert (everything_of(store, a), everything_of(store, b)) == before


# --- trainees and attempts -------------------------------------------------------------------------


def _answers(scenario_id: str) -> dict[Question, str]:
    return {q: key.answer for q, key in scenarios()[scenario_id].answers.items()}


SCENARIO = "e01-unpaid-wrong-size"


def test_a_trainee_cannot_read_or_submit_another_trainees_attempt(store: Store) -> None:
    training = TrainingStore(store)
    owner, other = training.create_trainee("Owner"), training.create_trainee("Other")
    attempt = training.start_attempt(owner.id, SCENARIO)
    own = training.start_attempt(other.id, SCENARIO)
    assert own.sandbox_id != attempt.sandbox_id
    with pytest.raises(UnknownAttempt):
        training.get_attempt(other.id, attempt.id)
    with pytest.raises(UnknownAttempt):
        training.submit(other.id, attempt.id, _answers(SCENARIO))
    assert training.get_attempt(owner.id, attempt.id).submitted_at is None  # the other's submit did nothing
    assert [a.id for a in training.attempts_of(other.id)] == [own.id]
    training.submit(owner.id, attempt.id, _answers(SCENARIO))
    assert training.best_scores(other.id) == {}
    with pytest.raises(UnknownAttempt):
        training.get_attempt(other.id, attempt.id)  # scored, still not theirs
    # The other trainee's own work does not reach the owner's.
    training.submit(other.id, own.id, {q: "wrong" for q in Question})
    assert [a.id for a in training.attempts_of(owner.id)] == [attempt.id]
    scored = training.get_attempt(owner.id, attempt.id).result
    assert scored is not None and training.best_scores(owner.id) == {SCENARIO: scored.score}


TRAINING_CALLS: dict[str, tuple[Callable[[TrainingStore, Any, int], Any], type[Exception]]] = {
    "get_trainee": (lambda t, i, n: t.get_trainee(i), UnknownTrainee),
    "get_attempt": (lambda t, i, n: t.get_attempt(i, n), UnknownAttempt),
    "submit": (lambda t, i, n: t.submit(i, n, _answers(SCENARIO)), UnknownAttempt),
    "start_attempt": (lambda t, i, n: t.start_attempt(i, SCENARIO), UnknownTrainee),
    "attempts_of": (lambda t, i, n: t.attempts_of(i), UnknownTrainee),
    "best_scores": (lambda t, i, n: t.best_scores(i), UnknownTrainee),
    "get_class": (lambda t, i, n: t.get_class(i), LookupError),
}


@pytest.mark.parametrize("method", list(TRAINING_CALLS))
def test_a_malformed_trainee_or_class_id_is_unknown_before_any_sql(store: Store, method: str) -> None:
    training = TrainingStore(store)
    call, error = TRAINING_CALLS[method]
    for junk in JUNK_IDS:
        with no_sql(store) as sent, pytest.raises(error):
            call(training, junk, 1)
        assert sent == [], (junk, sent)


def test_a_malformed_attempt_id_is_unknown_before_any_sql(store: Store) -> None:
    training = TrainingStore(store)
    owner = training.create_trainee("Owner")
    attempt = training.start_attempt(owner.id, SCENARIO)
    # Its id as text, float or bool would match on SQLite (type affinity); 2**70 overflows sqlite3.
    junk: list[Any] = [str(attempt.id), f"{attempt.id} OR 1=1", float(attempt.id), True, 0, -1, 2**63, 2**70, None]
    for attempt_id in junk:
        for call in (training.get_attempt, lambda t, n: training.submit(t, n, _answers(SCENARIO))):
            with no_sql(store) as sent, pytest.raises(UnknownAttempt):
                call(owner.id, attempt_id)
            assert sent == [], (attempt_id, sent)
    assert training.get_attempt(owner.id, attempt.id).submitted_at is None
