"""The sidebar on every page: the simulated clock (+1 hour, +1 day, Next event), sign-out and reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from guide.content import text
from guide.content.formats import when
from guide.lifecycle import Action
from guide.models import Status
from guide.store import Store
from tests.pages.helpers import (
    first_order,
    main_alerts,
    no_exception,
    open_page,
    reason_id,
    shown,
    sidebar_alerts,
)
from tests.world import START as CLOCK


@pytest.mark.parametrize("page", ["walkthrough", "my_orders", "rules"])
def test_plus_one_hour_moves_the_clock_exactly_one_hour(store: Store, sandbox: str, page: str):
    at = open_page(page, sandbox)
    at.button(key="clock_hour").click().run()
    no_exception(at)
    assert store.get_sandbox(sandbox).clock == CLOCK + timedelta(hours=1)
    assert shown(at, text("app", "simulated_time", when=when(CLOCK + timedelta(hours=1))))
    assert len(sidebar_alerts(at, "info")) == 1, "it says what happened meanwhile"


def test_plus_one_day_twice(store: Store, sandbox: str):
    at = open_page("my_orders", sandbox)
    at.button(key="clock_day").click().run()
    at.button(key="clock_day").click().run()
    no_exception(at)
    assert store.get_sandbox(sandbox).clock == CLOCK + timedelta(days=2)


def test_next_event_jumps_to_the_next_timer_and_fires_it(store: Store, sandbox: str):
    due = store.next_event_at(sandbox)
    assert due is not None and due > CLOCK
    before = {o.id: o.status for o in store.list_orders(sandbox)}
    at = open_page("my_orders", sandbox)
    at.button(key="clock_next").click().run()
    no_exception(at)
    assert store.get_sandbox(sandbox).clock == due
    after = {o.id: o.status for o in store.list_orders(sandbox)}
    assert after != before, "the event that was due happened"
    fired = [e for o in after for e in store.get_order(sandbox, o).events if CLOCK < e.at <= due]
    assert fired
    [flash] = sidebar_alerts(at, "info")
    assert flash.startswith(text("sidebar", "fired", count=len(fired), summary=""))
    following = store.next_event_at(sandbox)
    assert following is None or following > due


def test_the_clock_never_moves_on_its_own(store: Store, sandbox: str):
    at = open_page("my_orders", sandbox)
    at.run()
    at.run()
    assert store.get_sandbox(sandbox).clock == CLOCK


def test_sign_out_hides_the_orders(store: Store, sandbox: str):
    at = open_page("my_orders", sandbox)
    at.button(key="sidebar_sign_out").click().run()
    no_exception(at)
    assert "signed_in" not in store.facts(sandbox)
    assert text("app", "sign_in_first") in main_alerts(at, "info")
    assert shown(at, text("sidebar", "not_signed_in"))


def test_reset_starts_the_same_sandbox_over(store: Store, sandbox: str):
    cancelled = first_order(store, sandbox, Status.AWAITING_PAYMENT)
    store.act(sandbox, cancelled.id, Action.CANCEL, reason=reason_id())
    store.advance_clock(sandbox, timedelta(days=3))
    at = open_page("my_orders", sandbox)
    at.button(key="sidebar_reset").click().run()
    no_exception(at)
    assert at.query_params["sandbox"] == sandbox, "same link"
    assert "signed_in" not in store.facts(sandbox), "the walkthrough and sign-in start again"
    assert abs(store.get_sandbox(sandbox).clock - datetime.now(UTC)) < timedelta(minutes=5), "a fresh clock"
    fresh = {o.id: o.status for o in store.list_orders(sandbox)}
    assert fresh.get(cancelled.id, Status.AWAITING_PAYMENT) is Status.AWAITING_PAYMENT, "fresh orders, none cancelled"
    assert text("sidebar", "reset_done") in sidebar_alerts(at, "info")
