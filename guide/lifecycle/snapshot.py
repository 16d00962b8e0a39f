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


def events_from_snapshot(
    order: Order, profile: PolicyProfile | None = None, *, assume_confirmed: bool = True
) -> list[Event]:
    """A log that replays to this order: how imported Order JSON joins the simulator.

    Stamps the snapshot leaves out but the simulator needs (verified_at, ship_by) are filled in. An open
    cash-on-delivery order without confirmed_at is taken as confirmed when placed (unless not
    `assume_confirmed`), so a real record is never cancelled for want of a confirmation.
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
    verified = not cod and order.paid_at is not None and _was_verified(order)
    keep_ship_by = cod or (order.ship_by is not None and not verified)  # else the VERIFIED event sets it
    add(order.placed_at, K.PLACED, Actor.BUYER, order=static, **({"ship_by": ship_by} if keep_ship_by else {}))
    if cod:
        closing = order.status in (S.CLOSED, S.REFUND_IN_PROGRESS)
        assumed = order.placed_at if assume_confirmed and not closing else None
        add(order.confirmed_at or assumed, K.ORDER_CONFIRMED, Actor.BUYER)
    if not cod and order.paid_at is not None:
        add(order.paid_at, K.PAID, Actor.BUYER, **({"shown_unpaid": True} if order.charged_but_shown_unpaid else {}))
        if verified:
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
    if order.status in (S.AWAITING_PAYMENT, S.PAYMENT_VERIFICATION, S.FROZEN):
        return False
    closing = order.status in (S.CLOSED, S.REFUND_IN_PROGRESS)
    if closing and order.close_reason in (None, CloseReason.CANCELLED_BY_BUYER):  # verified if it had a ship-by
        return order.ship_by is not None
    return True


def _self_service(order: Order) -> bool:
    """Whether a buyer's cancellation was the self-service Cancel order (before verification, or before a
    cash-on-delivery order was confirmed) rather than a request the seller approved."""
    if order.cancel_requested_at is not None:
        return False
    return order.confirmed_at is None if order.is_cash_on_delivery else not _was_verified(order)


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
    elif order.status in (S.REFUND_IN_PROGRESS, S.CLOSED):
        before = [stamp for name, stamp in order.stamps().items() if name not in ("closed_at", "refund_started_at")]
        started = order.refund_started_at or order.closed_at or max(before)
        reason = order.close_reason
        if reason is CloseReason.REFUNDED_AFTER_DISPUTE:
            add(order.dispute_opened_at or started, K.DISPUTE_OPENED, Actor.BUYER, claim="not_received")
            add(started, K.DISPUTE_CLOSED, Actor.SELLER, refund=True, by="seller")
        elif reason is None or (reason is CloseReason.CANCELLED_BY_BUYER and not _self_service(order)):
            add(started, K.CLOSED, Actor.PLATFORM, **({"reason": reason.value} if reason else {}))
        else:
            kind = {
                CloseReason.CANCELLED_BY_BUYER: K.CANCELLED,
                CloseReason.CANCELLED_BY_SELLER_APPROVAL: K.SELLER_APPROVED,
                CloseReason.CANCELLED_AFTER_SELLER_SILENCE: K.SELLER_SILENT,
                CloseReason.UNPAID_TIMEOUT: K.UNPAID_TIMEOUT,
                CloseReason.SHIP_BY_MISSED: K.SHIP_BY_MISSED,
                CloseReason.DELIVERY_REFUSED: K.DELIVERY_REFUSED,
            }[reason]
            extra = {"reason": "no_longer_needed"} if kind is K.CANCELLED else {}
            add(started, kind, Actor.PLATFORM, **extra)
        if order.status is S.CLOSED and order.paid_at is not None:
            amount = order.refund_amount if order.refund_amount is not None else order.total
            add(order.closed_at, K.REFUNDED, Actor.PLATFORM, amount=format(amount, "f"))


def _sorted_log(log: Iterable[Event]) -> list[Event]:
    ordered = sorted(enumerate(log), key=lambda pair: (pair[1].at, pair[0]))
    return [event.model_copy(update={"seq": seq}) for seq, (_, event) in enumerate(ordered)]
