"""The Order rules that tie the close reason and cash on delivery to the order's stamps.

Each rule raises a ValidationError naming the field (DESIGN.md: a status whose stamps are missing or out of
order is refused; nothing else is): real records a buyer imports are accepted as they come.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from guide.content import validation
from guide.models.enums import CloseReason, Status

if TYPE_CHECKING:
    from guide.models.order import Order

R = CloseReason

# Reasons that close an order before anything ships.
_NOT_SHIPPED = (
    R.CANCELLED_BY_BUYER,
    R.CANCELLED_BY_SELLER_APPROVAL,
    R.CANCELLED_AFTER_SELLER_SILENCE,
    R.SHIP_BY_MISSED,
    R.UNPAID_TIMEOUT,
)
_NEEDS_REQUEST = (R.CANCELLED_BY_SELLER_APPROVAL, R.CANCELLED_AFTER_SELLER_SILENCE)


def _field_error(field: str, code: str, value: Any, **values: Any) -> ValidationError:
    """The order's fields disagree: rule `code` (a key of the "validation" texts) fails at `field`."""
    context = {"field": field, "code": code, **values}
    message = validation.sentence(validation.CONSISTENCY, context)
    return ValidationError.from_exception_data(
        "Order",
        [
            InitErrorDetails(
                type=PydanticCustomError(validation.CONSISTENCY, message, context),
                loc=(field,),
                input=value,
            )
        ],
    )


def _required(order: Order, fields: tuple[str, ...], reason: CloseReason) -> None:
    for field in fields:
        if getattr(order, field) is None:
            raise _field_error(field, "required_for_reason", None, reason=reason.value)


def _empty(order: Order, fields: tuple[str, ...], reason: CloseReason) -> None:
    for field in fields:
        if getattr(order, field) is not None:
            raise _field_error(field, "empty_for_reason", getattr(order, field), reason=reason.value)


def check_close_reason(order: Order) -> None:
    """The stamps a close reason needs or rules out. A buyer's cancellation may come after verification
    and a request (one the seller approved is still the buyer's cancellation in plain words)."""
    reason = order.close_reason
    if reason is None:
        return
    if reason in _NEEDS_REQUEST:
        _required(order, ("cancel_requested_at",), reason)
        if order.cancel_refused_at is not None:
            refused = order.cancel_refused_at
            raise _field_error("cancel_refused_at", "empty_for_reason_refused", refused, reason=reason.value)
    if reason is R.UNPAID_TIMEOUT:
        if order.is_cash_on_delivery:
            raise _field_error("close_reason", "cod_never_unpaid", reason)
        _empty(order, ("paid_at",), reason)
    if reason is R.REFUNDED_AFTER_DISPUTE:
        _required(order, ("shipped_at", "paid_at"), reason)
    if reason is R.SHIP_BY_MISSED and not order.is_cash_on_delivery:
        _required(order, ("paid_at",), reason)
    if reason is R.DELIVERY_REFUSED:  # DOMAIN.md: refuse the delivery (before it arrives)
        _required(order, ("shipped_at",), reason)
        _empty(order, ("delivered_at", "completed_at"), reason)
    if reason in _NOT_SHIPPED:
        _empty(order, ("shipped_at",), reason)


def check_cash_on_delivery(order: Order) -> None:
    """DOMAIN.md: Cash on delivery. Paid at the door, confirmed by the buyer before the seller ships; a card
    order is paid before it ships."""
    if not order.is_cash_on_delivery:
        if order.confirmed_at is not None:
            raise _field_error("confirmed_at", "cod_only", order.confirmed_at)
        if order.shipped_at is not None and order.paid_at is None:
            raise _field_error("paid_at", "required_with", None, other="shipped_at")
        return
    if order.paid_at is not None and order.delivered_at is None:
        raise _field_error("paid_at", "cod_paid_at_door", order.paid_at)
    if order.status is Status.COMPLETED and order.paid_at is None:
        raise _field_error("paid_at", "cod_paid_when_completed", None)
    confirmed = order.confirmed_at
    if confirmed is None:
        return
    for later in ("cancel_requested_at", "shipped_at"):
        stamp = getattr(order, later)
        if stamp is not None and stamp < confirmed:
            raise _field_error(later, "not_before", stamp, earlier="confirmed_at")
