"""The order state machine: an event log per order, buyer actions, and timers on a simulated clock.

- `state`: replaying a log into an `OrderState`, and which event may follow which status.
- `actions`: `allowed()`, the one place that decides what may be done to an order now, and `act()`.
- `timers`: what time alone brings (the seller's plan, deliveries, refunds) and `advance()`.
- `snapshot`: the log that replays to an imported Order JSON v1 snapshot.
"""

from guide.lifecycle.actions import (
    MESSAGE_MAX_CHARS,
    MESSAGES_MAX_PER_ORDER,
    Action,
    act,
    allowed,
    apply_action,
    dispute_refusal,
)
from guide.lifecycle.snapshot import events_from_snapshot
from guide.lifecycle.state import ALLOWED_FROM, DomainError, OrderState, fire, place, refusal, replay
from guide.lifecycle.timers import add_business_days, advance, next_timer

__all__ = [
    "ALLOWED_FROM",
    "MESSAGES_MAX_PER_ORDER",
    "MESSAGE_MAX_CHARS",
    "Action",
    "DomainError",
    "OrderState",
    "act",
    "add_business_days",
    "advance",
    "allowed",
    "apply_action",
    "dispute_refusal",
    "events_from_snapshot",
    "fire",
    "next_timer",
    "place",
    "refusal",
    "replay",
]
