"""Replay and state: an order's event log, which events may follow which status, and the state it leaves.

The status is always the replay of the log (`replay`); actions and timers only ever append events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from guide.content import text
from guide.models import MESSAGE_KINDS, Actor, CloseReason, Event, EventKind, Order, Status

S = Status
K = EventKind


class DomainError(Exception):
    """Something the order's rules do not allow now. The message is plain and user-facing; `key` names it in
    content (the errors section), so other rules (the assessment) can tell refusals apart without the words."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.key = key


def refusal(key: str, **values: Any) -> DomainError:
    """The DomainError whose sentence is `errors.<key>` in content."""
    return DomainError(text("errors", key, **values), key)


# Where each event may happen (DOMAIN.md: Cancellation rules by status). Messages go anywhere.
ALLOWED_FROM: dict[EventKind, frozenset[Status]] = {
    K.PLACED: frozenset(),
    K.ORDER_CONFIRMED: frozenset({S.AWAITING_SHIPMENT}),
    K.CONFIRM_EXPIRED: frozenset({S.AWAITING_SHIPMENT}),
    K.PAID: frozenset({S.AWAITING_PAYMENT}),
    K.VERIFIED: frozenset({S.PAYMENT_VERIFICATION, S.AWAITING_PAYMENT}),
    K.CANCELLED: frozenset({S.AWAITING_PAYMENT, S.PAYMENT_VERIFICATION, S.AWAITING_SHIPMENT}),
    K.CANCEL_REQUESTED: frozenset({S.AWAITING_SHIPMENT}),
    K.SELLER_APPROVED: frozenset({S.AWAITING_CANCELLATION}),
    K.SELLER_REFUSED: frozenset({S.AWAITING_CANCELLATION}),
    K.SELLER_SILENT: frozenset({S.AWAITING_CANCELLATION}),
    K.PROCESSING_EXTENDED: frozenset({S.AWAITING_SHIPMENT, S.AWAITING_CANCELLATION}),
    K.SHIP_BY_MISSED: frozenset({S.AWAITING_SHIPMENT, S.AWAITING_CANCELLATION}),
    K.SHIPPED: frozenset({S.AWAITING_SHIPMENT, S.AWAITING_CANCELLATION, S.PARTIAL_SHIPMENT}),
    K.DELIVERED: frozenset({S.AWAITING_DELIVERY, S.PARTIAL_SHIPMENT}),
    K.DELIVERY_REFUSED: frozenset({S.AWAITING_DELIVERY}),
    K.RECEIPT_CONFIRMED: frozenset({S.AWAITING_DELIVERY}),
    K.PROTECTION_EXPIRED: frozenset({S.AWAITING_DELIVERY, S.PARTIAL_SHIPMENT}),
    K.UNPAID_TIMEOUT: frozenset({S.AWAITING_PAYMENT}),
    # An imported record's close: from any open status, with its reason if the record gives one.
    K.CLOSED: frozenset(
        {
            S.AWAITING_PAYMENT,
            S.PAYMENT_VERIFICATION,
            S.AWAITING_SHIPMENT,
            S.AWAITING_CANCELLATION,
            S.PARTIAL_SHIPMENT,
            S.AWAITING_DELIVERY,
            S.COMPLETED,
        }
    ),
    K.DISPUTE_OPENED: frozenset({S.AWAITING_DELIVERY, S.PARTIAL_SHIPMENT, S.COMPLETED}),
    K.DISPUTE_ESCALATED: frozenset({S.DISPUTE_IN_PROGRESS}),
    K.DISPUTE_CLOSED: frozenset({S.DISPUTE_IN_PROGRESS}),
    K.FROZEN: frozenset(
        {S.PAYMENT_VERIFICATION, S.AWAITING_SHIPMENT, S.AWAITING_CANCELLATION, S.PARTIAL_SHIPMENT, S.AWAITING_DELIVERY}
    ),
    K.UNFROZEN: frozenset({S.FROZEN}),
    K.REFUNDED: frozenset({S.REFUND_IN_PROGRESS}),
}


@dataclass(frozen=True)
class OrderState:
    """An order as its log leaves it, plus what the simulator needs that Order JSON does not hold."""

    order: Order
    events: tuple[Event, ...]
    resume_status: Status | None = None  # where a freeze or a lost dispute returns to
    dispute_escalated: bool = False
    processing_extended: bool = False
    unanswered: tuple[Event, ...] = ()  # buyer messages still waiting for the seller

    @property
    def now(self) -> datetime:
        """The time of the last event: nothing new may happen before it."""
        return self.events[-1].at

    @property
    def phase(self) -> Event:
        """The last event that changed more than the conversation; seller plans are keyed on it."""
        return next(e for e in reversed(self.events) if e.kind not in MESSAGE_KINDS)


@dataclass
class _Replay:
    fields: dict[str, Any]
    resume_status: Status | None = None
    dispute_escalated: bool = False
    processing_extended: bool = False
    unanswered: list[Event] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return Status(self.fields["status"])

    def converse(self, message: Event) -> None:
        """A buyer message waits for an answer; a seller reply answers the one it names, else the oldest."""
        if message.kind is K.MESSAGE_SENT:
            self.unanswered.append(message)
        elif self.unanswered:
            answered = [m for m in self.unanswered if m.seq == message.data.get("reply_to")]
            self.unanswered.remove(answered[0] if answered else self.unanswered[0])

    def close(self, at: datetime, reason: CloseReason | None) -> None:
        """Close the order, or start the refund first when money was paid (DOMAIN.md: Refunds)."""
        if self.fields.get("paid_at") is not None:
            self.fields.update(status=S.REFUND_IN_PROGRESS, refund_started_at=at, close_reason=reason)
        else:
            self.fields.update(status=S.CLOSED, closed_at=at, close_reason=reason)


def _placed_fields(event: Event) -> dict[str, Any]:
    data = dict(event.data["order"])
    data.update(placed_at=event.at)
    if data.get("payment_method") == "cash_on_delivery":
        data.update(status=S.AWAITING_SHIPMENT, ship_by=event.data["ship_by"])
    else:  # an imported record's ship-by date is kept even if it was never verified in the log
        kept = {"ship_by": event.data["ship_by"]} if "ship_by" in event.data else {}
        data.update(status=S.AWAITING_PAYMENT, **kept)
    return data


# Events that close the order (or start its refund), with the reason they close for.
_CLOSES: dict[EventKind, CloseReason] = {
    K.CANCELLED: CloseReason.CANCELLED_BY_BUYER,
    K.CONFIRM_EXPIRED: CloseReason.CANCELLED_BY_BUYER,  # DOMAIN.md: Cash on delivery (a free cancellation)
    K.SELLER_APPROVED: CloseReason.CANCELLED_BY_SELLER_APPROVAL,
    K.SELLER_SILENT: CloseReason.CANCELLED_AFTER_SELLER_SILENCE,
    K.SHIP_BY_MISSED: CloseReason.SHIP_BY_MISSED,
    K.UNPAID_TIMEOUT: CloseReason.UNPAID_TIMEOUT,
    K.DELIVERY_REFUSED: CloseReason.DELIVERY_REFUSED,
}


def _fits_order(f: dict[str, Any], kind: EventKind) -> bool:
    """Whether an event the status allows also fits the order's stamps: a charged order is not paid again
    nor closed unpaid, a cash-on-delivery order is confirmed (or cancelled for free) only while it waits for
    the buyer's confirmation, and a parcel already delivered is not refused."""
    status, charged = Status(f["status"]), f.get("paid_at") is not None
    unconfirmed = f.get("payment_method") == "cash_on_delivery" and f.get("confirmed_at") is None
    match kind:
        case K.PAID | K.UNPAID_TIMEOUT:
            return not charged
        case K.VERIFIED:
            return status is not S.AWAITING_PAYMENT or charged
        case K.CANCELLED:
            return status is not S.AWAITING_SHIPMENT or unconfirmed
        case K.ORDER_CONFIRMED | K.CONFIRM_EXPIRED:
            return unconfirmed
        case K.DELIVERY_REFUSED:
            return f.get("delivered_at") is None
    return True


def _apply(r: _Replay, event: Event) -> None:
    """Apply one event to the replay. The log was checked when it was written."""
    f, at, kind, data = r.fields, event.at, event.kind, event.data
    if kind in MESSAGE_KINDS:
        r.converse(event)
        return
    if r.status not in ALLOWED_FROM[kind] or not _fits_order(f, kind):
        raise refusal("event_cannot_follow", kind=kind.value, status=r.status.value)
    if kind in _CLOSES:
        r.close(at, _CLOSES[kind])
        return
    match kind:
        case K.ORDER_CONFIRMED:
            f.update(confirmed_at=at)
        case K.CLOSED:
            r.close(at, CloseReason(data["reason"]) if data.get("reason") else None)
        case K.PAID:
            # DOMAIN.md: an order can still show "Awaiting payment" after the buyer has paid.
            f.update(paid_at=at, **({} if data.get("shown_unpaid") else {"status": S.PAYMENT_VERIFICATION}))
        case K.VERIFIED:
            f.update(status=S.AWAITING_SHIPMENT, verified_at=at, ship_by=data["ship_by"])
        case K.CANCEL_REQUESTED:
            f.update(status=S.AWAITING_CANCELLATION, cancel_requested_at=at, cancel_refused_at=None)
        case K.SELLER_REFUSED:
            f.update(status=S.AWAITING_SHIPMENT, cancel_refused_at=at, ship_by=data.get("ship_by", f.get("ship_by")))
        case K.PROCESSING_EXTENDED:
            f.update(ship_by=data["ship_by"])
            r.processing_extended = True
        case K.SHIPPED:
            f.setdefault("shipped_at", None)
            f.update(status=S.PARTIAL_SHIPMENT if data.get("partial") else S.AWAITING_DELIVERY)
            f["shipped_at"] = f["shipped_at"] or at
        case K.DELIVERED:
            f.update(delivered_at=at)
            if f.get("payment_method") == "cash_on_delivery":
                f.update(paid_at=data.get("paid_at", at))  # paid at the door
        case K.RECEIPT_CONFIRMED | K.PROTECTION_EXPIRED:
            if f.get("payment_method") == "cash_on_delivery" and f.get("paid_at") is None:
                r.close(at, None)  # never delivered, nothing paid at the door: nothing to complete or refund
            else:
                f.update(status=S.COMPLETED, completed_at=at)
        case K.DISPUTE_OPENED:
            r.resume_status = r.status
            f.update(status=S.DISPUTE_IN_PROGRESS, dispute_opened_at=at)
        case K.DISPUTE_ESCALATED:
            r.dispute_escalated = True
        case K.DISPUTE_CLOSED:
            if data["refund"]:
                r.close(at, CloseReason.REFUNDED_AFTER_DISPUTE)
            else:
                f.update(status=r.resume_status)
            r.dispute_escalated = False
        case K.FROZEN:
            r.resume_status = r.status
            f.update(status=S.FROZEN, frozen_at=at)
        case K.UNFROZEN:
            f.update(status=r.resume_status, frozen_at=None)
        case K.REFUNDED:
            f.update(status=S.CLOSED, closed_at=at, refund_amount=Decimal(data["amount"]))


def replay(events: Sequence[Event]) -> OrderState:
    """Rebuild an order from its log. The first event must be `placed`."""
    if not events or events[0].kind is not K.PLACED:
        raise refusal("log_must_start_placed")
    r = _Replay(fields=_placed_fields(events[0]))
    for event in events[1:]:
        _apply(r, event)
    return OrderState(
        order=Order.model_validate(r.fields),
        events=tuple(events),
        resume_status=r.resume_status,
        dispute_escalated=r.dispute_escalated,
        processing_extended=r.processing_extended,
        unanswered=tuple(r.unanswered),
    )


def fire(state: OrderState, event: Event) -> OrderState:
    """Append one event and replay incrementally (checked against ALLOWED_FROM)."""
    return replay([*state.events, event])


def place(order: dict[str, Any], at: datetime, ship_by: datetime | None = None) -> OrderState:
    """Start a log with a `placed` event. `order` holds the static parts of Order JSON v1."""
    static = {k: v for k, v in order.items() if k in STATIC_FIELDS}
    data: dict[str, Any] = {"order": static}
    if static.get("payment_method") == "cash_on_delivery":
        data["ship_by"] = (ship_by or at + timedelta(days=7)).isoformat()
    return replay([Event(seq=0, at=at, kind=K.PLACED, actor=Actor.BUYER, data=data)])


STATIC_FIELDS = frozenset({"id", "seller", "items", "payment_method", "currency", "country"})
