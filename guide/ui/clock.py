"""Moving a sandbox's simulated clock, for the sidebar and for a training case's own clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from guide.content import text
from guide.lifecycle import DomainError
from guide.models import Event
from guide.store import ConcurrentChange, Store


def move_clock(store: Store, sandbox_id: str, clock: datetime, step: timedelta | None) -> str:
    """Move the clock on by `step`, or to the next event when `step` is None; say what happened in words."""
    try:
        if step is None:
            due = store.next_event_at(sandbox_id)
            if due is None:
                return text("sidebar", "no_next_event")
            fired = store.advance_clock(sandbox_id, max(due, clock))
        else:
            fired = store.advance_clock(sandbox_id, step)
    except (DomainError, ConcurrentChange) as refused:
        return str(refused)
    return fired_summary(fired)


def fired_summary(fired: list[tuple[str, Event]]) -> str:
    if not fired:
        return text("sidebar", "nothing_fired")
    shown = "; ".join(f"…{order_id[-4:]}: {text('event', e.kind)}" for order_id, e in fired[:4])
    more = f" (+{len(fired) - 4})" if len(fired) > 4 else ""
    return text("sidebar", "fired", count=len(fired), summary=shown + more)
