"""The sandbox clock as a pure function: timers fire across orders in time order, none past the target."""

from __future__ import annotations

from datetime import timedelta

import pytest

from guide import lifecycle
from guide.clock import advance_orders, clock_target
from guide.demo import demo_orders
from guide.lifecycle import DomainError, OrderState
from guide.profile import get_profile
from guide.store import Store
from tests.guide.factories import DAY, HOUR, T0, placed
from tests.world import SEED


def demo_states(seed: int = SEED) -> dict[str, OrderState]:
    return {s.order.id: s for s in demo_orders(seed, T0, get_profile())}


def test_timers_fire_across_orders_in_time_order() -> None:
    states = demo_states()
    after, fired = advance_orders(states, T0 + 60 * DAY, SEED, get_profile())
    assert len({oid for oid, _ in fired}) > 1, "the demo set should fire timers on several orders"
    moments = [(event.at, oid) for oid, event in fired]
    assert moments == sorted(moments)  # earliest first, a tie to the smaller order id
    for oid, state in after.items():
        mine = [event for fired_oid, event in fired if fired_oid == oid]
        assert list(state.events) == [*states[oid].events, *mine]


def test_a_tie_goes_to_the_smaller_order_id_as_text() -> None:
    states = {oid: placed(T0, id=oid) for oid in ("2", "10")}
    due = lifecycle.next_timer(states["2"], SEED, get_profile())
    assert due is not None and due == lifecycle.next_timer(states["10"], SEED, get_profile())
    _, fired = advance_orders(states, due.at, SEED, get_profile())
    assert [oid for oid, _ in fired] == ["10", "2"]


def test_nothing_fires_past_the_target_and_nothing_due_is_left() -> None:
    states = demo_states()
    until = T0 + 3 * DAY + 5 * HOUR
    after, fired = advance_orders(states, until, SEED, get_profile())
    assert fired and all(event.at <= until for _, event in fired)
    for state in after.values():
        pending = lifecycle.next_timer(state, SEED, get_profile())
        assert pending is None or pending.at > until


def test_the_input_states_are_left_as_they_were() -> None:
    states = demo_states()
    copy = dict(states)
    advance_orders(states, T0 + 60 * DAY, SEED, get_profile())
    assert states == copy


def test_no_orders_fire_nothing() -> None:
    assert advance_orders({}, T0 + 60 * DAY, SEED, get_profile()) == ({}, [])


def test_the_same_as_the_store_gives(store: Store) -> None:
    sandbox = store.create_sandbox(seed=SEED, clock=T0)
    until = T0 + 20 * DAY
    states = {o.id: store.get_order(sandbox.id, o.id) for o in store.list_orders(sandbox.id, limit=1_000)}
    after, fired = advance_orders(states, until, sandbox.seed, sandbox.profile)
    assert fired and store.advance_clock(sandbox.id, until) == fired
    for oid, state in after.items():
        stored = store.get_order(sandbox.id, oid)
        assert stored.order == state.order
        assert [(e.seq, e.at, e.kind) for e in stored.events] == [(e.seq, e.at, e.kind) for e in state.events]


def test_the_target_is_a_moment_or_a_step_and_never_goes_back() -> None:
    assert clock_target(T0, timedelta(hours=2)) == T0 + 2 * HOUR
    assert clock_target(T0, T0 + DAY) == T0 + DAY
    assert clock_target(T0, T0) == T0
    with pytest.raises(DomainError):
        clock_target(T0, T0 - HOUR)
    with pytest.raises(DomainError):
        clock_target(T0, (T0 + DAY).replace(tzinfo=None))
