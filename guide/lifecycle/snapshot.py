"""Snapshot to events: a log that replays to an imported Order JSON v1 snapshot."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from guide.lifecycle.state import STATIC_FIELDS
from guide.models import Actor, CloseReason, Event, EventKind, Order, Status
from guide.profile import PolicyProfile, get_profile

S = Status
K = EventKind
Add = Callable[..., None]


def events_from_snapshot(order: Order, profile: PolicyProfile | None = None) -> list[Event]:
    """A log that replays to this order: how imported Order JSON joins the simulator.

    Stamps the snapshot leaves out but the simulator needs (verified_at, ship_by) are filled in.
    """
    profile = profile or get_profile()
    static = order.model_dump(mode="json", include=set(STATIC_FIELDS), exclude_none=True)
    log: list[Event] = []

    def add(at: datetime | None, kind: EventKind, actor: Actor, **data: Any) -> None:
        if at is not None:
            log.append(Event(seq=len(log), at=at, kind=kind, actor=actor, data=data))

    cod = order.is_cash_on_delivery
    start = order.verified_at or order.paid_at or order.placed_at
    ship_by = (order.ship_by or start + timedelta(days=profile.processing_days.value.high)).isoformat()
    add(order.placed_at, K.PLACED, Actor.BUYER, order=static, **({"ship_by": ship_by} if cod else {}))
    if not cod and order.paid_at is not None:
        add(order.paid_at, K.PAID, Actor.BUYER)
        if _was_verified(order):
            add(order.verified_at or order.paid_at, K.VERIFIED, Actor.PLATFORM, ship_by=ship_by)
    if order.cancel_requested_at is not None:
        add(order.cancel_requested_at, K.CANCEL_REQUESTED, Actor.BUYER, reason="no_longer_needed")
        add(order.cancel_refused_at, K.SELLER_REFUSED, Actor.SELLER)
    if order.shipped_at is not None:
        add(order.shipped_at, K.SHIPPED, Actor.SELLER, partial=order.status is S.PARTIAL_SHIPMENT)
        if _lost_dispute(order):  # opened, then ended without a refund: the order went back to where it was
            add(order.dispute_opened_at, K.DISPUTE_OPENED, Actor.BUYER, claim="not_received")
            add(order.dispute_opened_at, K.DISPUTE_CLOSED, Actor.PLATFORM, refund=False, by="platform")
        cod_payment = {"paid_at": order.paid_at.isoformat() if order.paid_at else None} if cod else {}
        add(order.delivered_at, K.DELIVERED, Actor.CARRIER, **cod_payment)
        add(order.completed_at, K.RECEIPT_CONFIRMED, Actor.BUYER)
    _closing_events(order, add)
    return _sorted_log(log)


def _was_verified(order: Order) -> bool:
    if order.verified_at is not None:
        return True
    if order.cancel_requested_at is not None or order.shipped_at is not None:  # both come after verification
        return True
    if order.status in (S.PAYMENT_VERIFICATION, S.FROZEN):
        return False
    return order.close_reason is not CloseReason.CANCELLED_BY_BUYER


def _lost_dispute(order: Order) -> bool:
    return (
        order.dispute_opened_at is not None
        and order.status is not S.DISPUTE_IN_PROGRESS
        and order.close_reason is not CloseReason.REFUNDED_AFTER_DISPUTE
    )


def _closing_events(order: Order, add: Add) -> None:
    if order.status is S.DISPUTE_IN_PROGRESS:
        add(order.dispute_opened_at or order.latest_stamp, K.DISPUTE_OPENED, Actor.BUYER, claim="not_received")
    elif order.status is S.FROZEN:
        add(order.frozen_at or order.latest_stamp, K.FROZEN, Actor.PLATFORM)
    elif order.status in (S.REFUND_IN_PROGRESS, S.CLOSED) and order.close_reason is not None:
        before = [stamp for name, stamp in order.stamps().items() if name not in ("closed_at", "refund_started_at")]
        started = order.refund_started_at or order.closed_at or max(before)
        reason = order.close_reason
        if reason is CloseReason.REFUNDED_AFTER_DISPUTE:
            add(order.dispute_opened_at or started, K.DISPUTE_OPENED, Actor.BUYER, claim="not_received")
            add(started, K.DISPUTE_CLOSED, Actor.SELLER, refund=True, by="seller")
        else:
            kind = {
                CloseReason.CANCELLED_BY_BUYER: K.CANCELLED,
                CloseReason.CANCELLED_BY_SELLER_APPROVAL: K.SELLER_APPROVED,
                CloseReason.CANCELLED_AFTER_SELLER_SILENCE: K.SELLER_SILENT,
                CloseReason.UNPAID_TIMEOUT: K.UNPAID_TIMEOUT,
                CloseReason.SHIP_BY_MISSED: K.SHIP_BY_MISSED,
            }[reason]
            extra = {"reason": "no_longer_needed"} if kind is K.CANCELLED else {}
            add(started, kind, Actor.PLATFORM, **extra)
        if order.status is S.CLOSED and order.paid_at is not None:
            amount = order.refund_amount if order.refund_amount is not None else order.total
            add(order.closed_at, K.REFUNDED, Actor.PLATFORM, amount=format(amount, "f"))


def _sorted_log(log: Iterable[Event]) -> list[Event]:
    ordered = sorted(enumerate(log), key=lambda pair: (pair[1].at, pair[0]))
    return [event.model_copy(update={"seq": seq}) for seq, (_, event) in enumerate(ordered)]
