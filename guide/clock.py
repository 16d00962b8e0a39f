"""A sandbox's clock moving forward: every timer that falls due fires, across orders, in time order.

Pure: order states in, order states and the fired events out. The store loads the due orders, calls
`advance_orders` and saves what it returns, in one transaction.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from datetime import datetime, timedelta

from guide import lifecycle
from guide.lifecycle import OrderState, refusal
from guide.models import Event
from guide.profile import PolicyProfile


def clock_target(clock: datetime, to: datetime | timedelta) -> datetime:
    """Where the clock moves: `to` itself, or `to` after `clock`. It never goes back, and is never naive."""
    target = clock + to if isinstance(to, timedelta) else to
    if target.tzinfo is None:
        raise refusal("naive_time")
    if target < clock:
        raise refusal("clock_back")
    return target


def advance_orders(
    states: Mapping[str, OrderState], until: datetime, seed: int, profile: PolicyProfile
) -> tuple[dict[str, OrderState], list[tuple[str, Event]]]:
    """Fire every timer due by `until` across the orders, earliest first (a tie goes to the smaller order
    id). Returns every order's state after (unchanged ones too) and (order id, event) for each event fired.
    """
    current = dict(states)
    due: list[tuple[datetime, str]] = []
    for order_id, state in current.items():
        timer = lifecycle.next_timer(state, seed, profile)
        if timer is not None and timer.at <= until:
            due.append((timer.at, order_id))
    heapq.heapify(due)
    fired: list[tuple[str, Event]] = []
    while due:
        _, order_id = heapq.heappop(due)
        timer = lifecycle.next_timer(current[order_id], seed, profile)
        if timer is None or timer.at > until:
            continue
        current[order_id] = lifecycle.fire(current[order_id], timer)
        fired.append((order_id, timer))
        following = lifecycle.next_timer(current[order_id], seed, profile)
        if following is not None and following.at <= until:
            heapq.heappush(due, (following.at, order_id))
    return current, fired
