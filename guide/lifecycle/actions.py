"""Actions: the one place that decides what may be done to an order now (`allowed`), and the events each adds.

`act` asks `allowed` first, so a button the UI draws from `allowed` is always accepted, and an action `act`
refuses is never offered. Only checks that need the action's own input (the reason picked, the message
typed) come after.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from guide.content import cancel_reasons, text
from guide.content.formats import when
from guide.lifecycle.state import ALLOWED_FROM, DomainError, OrderState, refusal, replay
from guide.models import Actor, Event, EventKind, Order, Status
from guide.profile import PolicyProfile, get_profile

S = Status
K = EventKind

MESSAGE_MAX_CHARS = 2000
# Every action replays the order and weighs each unanswered message, so a log without end would slow every
# write of its sandbox (measured: 466 ms an action at 1,200 messages); a real conversation is far shorter.
MESSAGES_MAX_PER_ORDER = 200


class Action(StrEnum):
    PAY = "pay"
    CANCEL = "cancel"
    REQUEST_CANCELLATION = "request_cancellation"
    EXTEND_PROCESSING = "extend_processing"
    CONFIRM_ORDER = "confirm_order"  # DOMAIN.md: Cash on delivery (the buyer confirms before shipping)
    CONFIRM_RECEIPT = "confirm_receipt"
    REFUSE_DELIVERY = "refuse_delivery"
    OPEN_DISPUTE = "open_dispute"
    SEND_MESSAGE = "send_message"
    FREEZE = "freeze"  # a platform action, used by training scenarios


def allowed(state: OrderState, at: datetime, profile: PolicyProfile | None = None) -> dict[Action, DomainError | None]:
    """Every action, with None where it may be done at `at`, else the DomainError saying why not."""
    profile = profile or get_profile()
    if at.tzinfo is None:
        raise refusal("naive_time")
    if at < state.now:
        late = refusal("clock_back")
        return dict.fromkeys(Action, late)
    order = state.order
    return {
        Action.PAY: _pay(order),
        Action.CANCEL: _cancel(order, profile),
        Action.REQUEST_CANCELLATION: _request(order, profile),
        Action.EXTEND_PROCESSING: _extend(state),
        Action.CONFIRM_ORDER: None if order.awaiting_confirmation else _not_now("confirm_order_not_needed", order),
        Action.CONFIRM_RECEIPT: _status_is(order, S.AWAITING_DELIVERY, "confirm_not_possible"),
        Action.REFUSE_DELIVERY: _refuse_delivery(order),
        Action.OPEN_DISPUTE: dispute_refusal(order, at, profile),
        Action.SEND_MESSAGE: _message_room(state),
        Action.FREEZE: None if order.status in ALLOWED_FROM[K.FROZEN] else _not_now("freeze_not_possible", order),
    }


def _not_now(key: str, order: Order) -> DomainError:
    return refusal(key, status=text("status", order.status))


def _status_is(order: Order, status: Status, key: str) -> DomainError | None:
    return None if order.status is status else _not_now(key, order)


def _pay(order: Order) -> DomainError | None:
    if order.is_cash_on_delivery:
        return refusal("pay_cod")
    if order.charged_but_shown_unpaid:  # DOMAIN.md: never pay twice
        return refusal("pay_already_charged")
    return _status_is(order, S.AWAITING_PAYMENT, "pay_not_due")


def _cancel(order: Order, profile: PolicyProfile) -> DomainError | None:
    """Self-service cancel before shipment is prepared (DOMAIN.md: Cancellation rules by status)."""
    match order.status:
        case S.AWAITING_PAYMENT:
            return None
        case S.PAYMENT_VERIFICATION:
            return None if profile.cancel_during_verification.value else refusal("cancel_during_verification_hidden")
        case S.AWAITING_SHIPMENT:
            # DOMAIN.md: Cash on delivery: before the buyer confirms, cancelling is free and at once.
            return None if order.awaiting_confirmation else refusal("cancel_use_request")
    return _not_now("cancel_not_possible", order)


def _refuse_delivery(order: Order) -> DomainError | None:
    """DOMAIN.md: Awaiting delivery: refuse the parcel before it arrives; once delivered, ask for a return."""
    if order.status is not S.AWAITING_DELIVERY:
        return _not_now("refuse_delivery_not_possible", order)
    return refusal("refuse_delivery_delivered") if order.delivered_at is not None else None


def _request(order: Order, profile: PolicyProfile) -> DomainError | None:
    """A request to the seller while awaiting shipment; once, where the profile assumes one request per order."""
    match order.status:
        case S.AWAITING_SHIPMENT if order.awaiting_confirmation:
            return refusal("request_use_cancel")
        case S.AWAITING_SHIPMENT:
            return refusal("request_refused_before") if profile.request_spent(order) else None
        case S.AWAITING_PAYMENT | S.PAYMENT_VERIFICATION:
            return refusal("request_use_cancel")
        case S.AWAITING_CANCELLATION:
            return refusal("request_pending")
    return _not_now("cancel_not_possible", order)


def _extend(state: OrderState) -> DomainError | None:
    if state.order.status not in ALLOWED_FROM[K.PROCESSING_EXTENDED]:
        return _not_now("extend_not_possible", state.order)
    return refusal("extend_once") if state.processing_extended else None


def _message_room(state: OrderState) -> DomainError | None:
    if sum(e.kind is K.MESSAGE_SENT for e in state.events) >= MESSAGES_MAX_PER_ORDER:
        return refusal("conversation_full", limit=MESSAGES_MAX_PER_ORDER)
    return None


def dispute_refusal(order: Order, at: datetime, profile: PolicyProfile) -> DomainError | None:
    """Why the buyer may not open a dispute at `at`, or None (DOMAIN.md: Awaiting delivery; Completed).

    The assessment reads the same refusal to say when a dispute opens or why it cannot.
    """
    window = profile.dispute_window(order)
    if window is None:
        return _not_now("dispute_not_possible", order)
    if order.dispute_opened_at is not None:
        return refusal("dispute_once")
    if not order.has_paid:
        return refusal("dispute_unpaid")
    opens, closes = window
    if at < opens:
        return refusal("dispute_too_early", opens=when(opens))
    if at > closes:
        return refusal("dispute_too_late", closed=when(closes))
    return None


def act(
    state: OrderState,
    action: Action | str,
    at: datetime,
    profile: PolicyProfile | None = None,
    **params: Any,
) -> list[Event]:
    """The events a buyer action adds at time `at`, or the DomainError from `allowed` saying why not.

    Nothing is changed: the caller appends the events (the store does it in one transaction).
    """
    profile = profile or get_profile()
    try:
        action = Action(action)
    except ValueError:
        raise refusal("unknown_action", action=action) from None
    refused = allowed(state, at, profile)[action]
    if refused is not None:
        raise refused
    return _events(state, action, at, profile, params)


def _events(
    state: OrderState, action: Action, at: datetime, profile: PolicyProfile, params: dict[str, Any]
) -> list[Event]:
    """The events of an allowed action; only the action's own input can still be refused here."""
    order = state.order
    match action:
        case Action.PAY:
            return [_append(state, at, K.PAID, Actor.BUYER)]
        case Action.CANCEL:
            return [_append(state, at, K.CANCELLED, Actor.BUYER, reason=_reason(params))]
        case Action.REQUEST_CANCELLATION:
            return [_append(state, at, K.CANCEL_REQUESTED, Actor.BUYER, reason=_reason(params))]
        case Action.EXTEND_PROCESSING:
            ship_by = max(order.ship_by or at, at) + timedelta(days=profile.extend_processing_days.value)
            return [_append(state, at, K.PROCESSING_EXTENDED, Actor.BUYER, ship_by=ship_by.isoformat())]
        case Action.CONFIRM_ORDER:
            return [_append(state, at, K.ORDER_CONFIRMED, Actor.BUYER)]
        case Action.REFUSE_DELIVERY:
            return [_append(state, at, K.DELIVERY_REFUSED, Actor.BUYER)]
        case Action.CONFIRM_RECEIPT:
            events = []
            if order.delivered_at is None:  # the buyer has it, whatever the tracking says
                events.append(_append(state, at, K.DELIVERED, Actor.BUYER))
            seq = len(state.events) + len(events)
            events.append(Event(seq=seq, at=at, kind=K.RECEIPT_CONFIRMED, actor=Actor.BUYER))
            return events
        case Action.OPEN_DISPUTE:
            return [_append(state, at, K.DISPUTE_OPENED, Actor.BUYER, claim=str(params.get("claim", "not_received")))]
        case Action.SEND_MESSAGE:
            message = _message(params)
            return [_append(state, at, K.MESSAGE_SENT, Actor.BUYER, text=message, template=params.get("template"))]
        case Action.FREEZE:
            return [_append(state, at, K.FROZEN, Actor.PLATFORM)]
    raise refusal("unknown_action", action=action)  # pragma: no cover - every Action is matched


def _append(state: OrderState, at: datetime, kind: EventKind, actor: Actor, **data: Any) -> Event:
    return Event(seq=len(state.events), at=at, kind=kind, actor=actor, data=data)


def _reason(params: dict[str, Any]) -> str:
    reason = params.get("reason")
    if reason not in cancel_reasons():
        raise refusal("reason_unknown")
    return str(reason)


def _message(params: dict[str, Any]) -> str:
    message = str(params.get("text", ""))
    if not message.strip():
        raise refusal("message_empty")
    if len(message) > MESSAGE_MAX_CHARS:
        raise refusal("message_too_long", limit=MESSAGE_MAX_CHARS)
    return message


def apply_action(
    state: OrderState, action: Action | str, at: datetime, profile: PolicyProfile | None = None, **params: Any
) -> OrderState:
    """`act` and append: the new state, or a DomainError with the old state untouched."""
    events = act(state, action, at, profile, **params)
    return replay([*state.events, *events])
