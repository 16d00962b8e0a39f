"""Plain factories for orders, order states and times, shared by the domain tests (imported, not fixtures)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from guide.lifecycle import OrderState, place
from guide.models import Order
from guide.profile import PolicyProfile, get_profile
from tests.world import START

T0 = START  # the fixed test world's start (tests/world.py): orders are placed at it
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

CURRENT = "current-guides"
STRICT = "help-centre-2020"


def at(hours: float = 0, days: float = 0) -> datetime:
    """A moment `days` and `hours` after T0."""
    return T0 + timedelta(days=days, hours=hours)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def profile(name: str | None = None) -> PolicyProfile:
    return get_profile(name)


def seller(**overrides: Any) -> dict[str, Any]:
    return {"name": "Shenzhen Test Store", "response_rate": 0.9, "ships_anyway_rate": 0.1, **overrides}


def item(**overrides: Any) -> dict[str, Any]:
    return {"title": "Desk lamp", "quantity": 2, "unit_price": "4.50", **overrides}


def base_json(**overrides: Any) -> dict[str, Any]:
    """The static parts of a valid Order JSON v1 (what `place` needs)."""
    data = {
        "id": "8123456789012345",
        "seller": seller(),
        "items": [item()],
        "payment_method": "card",
        "currency": "USD",
        "country": "DE",
    }
    data.update(overrides)
    return data


# The stamps a valid order of each status carries, in hours after T0 (DOMAIN.md: Buyer-facing statuses).
_STAMPS: dict[str, dict[str, Any]] = {
    "awaiting_payment": {},
    "payment_verification": {"paid_at": 1},
    "awaiting_shipment": {"paid_at": 1, "verified_at": 3, "ship_by": 7 * 24},
    "awaiting_cancellation": {"paid_at": 1, "verified_at": 3, "ship_by": 7 * 24, "cancel_requested_at": 24},
    "partial_shipment": {"paid_at": 1, "verified_at": 3, "ship_by": 7 * 24, "shipped_at": 48},
    "awaiting_delivery": {"paid_at": 1, "verified_at": 3, "ship_by": 7 * 24, "shipped_at": 48},
    "dispute_in_progress": {
        "paid_at": 1,
        "verified_at": 3,
        "ship_by": 7 * 24,
        "shipped_at": 48,
        "dispute_opened_at": 15 * 24,
    },
    "frozen": {"paid_at": 1, "verified_at": 3, "ship_by": 7 * 24, "frozen_at": 24},
    "refund_in_progress": {
        "paid_at": 1,
        "verified_at": 3,
        "ship_by": 7 * 24,
        "cancel_requested_at": 24,
        "refund_started_at": 40,
        "close_reason": "cancelled_by_seller_approval",
    },
    "completed": {
        "paid_at": 1,
        "verified_at": 3,
        "ship_by": 7 * 24,
        "shipped_at": 48,
        "delivered_at": 20 * 24,
        "completed_at": 21 * 24,
    },
    "closed": {"closed_at": 20 * 24, "close_reason": "unpaid_timeout"},
}
STATUSES = tuple(_STAMPS)


def order_json(status: str = "awaiting_payment", **overrides: Any) -> dict[str, Any]:
    """A valid Order JSON v1 dict of `status` (times as ISO strings with an offset); overrides win.

    An override of None removes the field.
    """
    data: dict[str, Any] = {"status": status, "placed_at": iso(T0), **base_json()}
    for name, value in _STAMPS.get(status, {}).items():
        data[name] = value if isinstance(value, str) else iso(at(hours=value))
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = iso(value) if isinstance(value, datetime) else value
    return data


def make_order(status: str = "awaiting_payment", **overrides: Any) -> Order:
    return Order.model_validate(order_json(status, **overrides))


def placed(when: datetime = T0, ship_by: datetime | None = None, **overrides: Any) -> OrderState:
    """A freshly placed order's state (cash on delivery starts awaiting shipment)."""
    return place(base_json(**overrides), when, ship_by=ship_by)


def good_row(order_id: str = "900000001", **changes: Any) -> dict[str, Any]:
    """One valid row of an order import file (Order JSON v1); `changes` replace its fields."""
    row = {
        "id": order_id,
        "status": "awaiting_shipment",
        "placed_at": "2026-11-28T10:00:00+00:00",
        "paid_at": "2026-11-28T10:05:00+00:00",
        "verified_at": "2026-11-28T12:00:00+00:00",
        "ship_by": "2026-12-05T12:00:00+00:00",
        "seller": {"name": "Imported Store", "response_rate": 0.9},
        "items": [{"title": "Imported lamp", "quantity": 1, "unit_price": "19.90"}],
        "payment_method": "card",
        "currency": "EUR",
        "country": "DE",
    }
    row.update(changes)
    return row
