"""The refund tracker's facts: which orders have money coming back, how much, to where and by when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from guide.likelihood import MoneyBack
from guide.models import Order, PaymentMethod, Status
from guide.profile import PolicyProfile

STATUSES = (Status.REFUND_IN_PROGRESS, Status.CLOSED)  # the only statuses a refund can be in


@dataclass(frozen=True)
class Refund:
    """One order's refund: done on a day, or expected between two moments (None when nothing forecasts it)."""

    order: Order
    amount: Decimal
    method: PaymentMethod
    destination: str
    done_at: datetime | None
    expected: tuple[datetime, datetime] | None
    verified: bool  # False where no source covers AliExpress's refund time for this payment method


def has_refund(order: Order) -> bool:
    """Money is coming back, or came back (a closed order that was never paid has nothing to refund)."""
    if order.status is Status.CLOSED:
        return order.refund_amount is not None
    return order.status is Status.REFUND_IN_PROGRESS


def refund(order: Order, money_back: MoneyBack | None, clock: datetime, profile: PolicyProfile) -> Refund:
    """The refund of `order` at `clock`, its expected days taken from the assessment's money-back forecast."""
    refund_time = profile.refund_times.value[order.payment_method]
    done_at = order.closed_at if order.status is Status.CLOSED else None
    expected = None
    if done_at is None and money_back is not None:
        expected = (clock + timedelta(days=money_back.low), clock + timedelta(days=money_back.high))
    return Refund(
        order=order,
        amount=order.refund_amount if order.refund_amount is not None else order.total,
        method=order.payment_method,
        destination=refund_time.destination,
        done_at=done_at,
        expected=expected,
        verified=refund_time.verified,
    )
