"""The order state machine: an event log per order, buyer actions, and timers on a simulated clock.

The status is always the replay of the log (`replay`). Buyer actions (`act`) and due timers
(`next_timer`, `advance`) only ever append events. Seller behaviour is drawn from an RNG keyed by
the sandbox seed, the order id and the log position that started the current phase, so one seed
and one list of actions always tell the same story.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np

from guide.behaviour import reply_rate, seller_odds
from guide.content import cancel_reasons, seller_reply, text
from guide.models import (
    MESSAGE_KINDS,
    Actor,
    CloseReason,
    Event,
    EventKind,
    Order,
    Status,
)
from guide.profile import PolicyProfile, Span, get_profile

S = Status
K = EventKind

MESSAGE_MAX_CHARS = 2000
# Every action replays the order and weighs each unanswered message, so a log without end would slow every
# write of its sandbox (measured: 466 ms an action at 1,200 messages); a real conversation is far shorter.
MESSAGES_MAX_PER_ORDER = 200


class DomainError(Exception):
    """An action that the order's rules do not allow now. The message is plain and user-facing."""


class Action(StrEnum):
    PAY = "pay"
    CANCEL = "cancel"
    REQUEST_CANCELLATION = "request_cancellation"
    EXTEND_PROCESSING = "extend_processing"
    CONFIRM_RECEIPT = "confirm_receipt"
    OPEN_DISPUTE = "open_dispute"
    SEND_MESSAGE = "send_message"
    FREEZE = "freeze"  # a platform action, used by training scenarios


# Where each event may happen (DOMAIN.md: Cancellation rules by status). Messages go anywhere.
ALLOWED_FROM: dict[EventKind, frozenset[Status]] = {
    K.PLACED: frozenset(),
    K.PAID: frozenset({S.AWAITING_PAYMENT}),
    K.VERIFIED: frozenset({S.PAYMENT_VERIFICATION}),
    K.CANCELLED: frozenset({S.AWAITING_PAYMENT, S.PAYMENT_VERIFICATION}),
    K.CANCEL_REQUESTED: frozenset({S.AWAITING_SHIPMENT}),
    K.SELLER_APPROVED: frozenset({S.AWAITING_CANCELLATION}),
    K.SELLER_REFUSED: frozenset({S.AWAITING_CANCELLATION}),
    K.SELLER_SILENT: frozenset({S.AWAITING_CANCELLATION}),
    K.PROCESSING_EXTENDED: frozenset({S.AWAITING_SHIPMENT, S.AWAITING_CANCELLATION}),
    K.SHIP_BY_MISSED: frozenset({S.AWAITING_SHIPMENT, S.AWAITING_CANCELLATION}),
    K.SHIPPED: frozenset({S.AWAITING_SHIPMENT, S.AWAITING_CANCELLATION, S.PARTIAL_SHIPMENT}),
    K.DELIVERED: frozenset({S.AWAITING_DELIVERY}),
    K.RECEIPT_CONFIRMED: frozenset({S.AWAITING_DELIVERY}),
    K.PROTECTION_EXPIRED: frozenset({S.AWAITING_DELIVERY, S.PARTIAL_SHIPMENT}),
    K.UNPAID_TIMEOUT: frozenset({S.AWAITING_PAYMENT}),
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

    def close(self, at: datetime, reason: CloseReason) -> None:
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
    else:
        data.update(status=S.AWAITING_PAYMENT)
    return data


def _apply(r: _Replay, event: Event) -> None:
    """Apply one event to the replay. The log was checked when it was written."""
    f, at, kind, data = r.fields, event.at, event.kind, event.data
    if kind in MESSAGE_KINDS:
        if kind is K.MESSAGE_SENT:
            r.unanswered.append(event)
        elif r.unanswered:
            answered = [m for m in r.unanswered if m.seq == data.get("reply_to")]
            r.unanswered.remove(answered[0] if answered else r.unanswered[0])
        return
    if r.status not in ALLOWED_FROM[kind]:
        raise DomainError(f"A {kind.value} event cannot follow the status {r.status.value}.")
    match kind:
        case K.PAID:
            f.update(status=S.PAYMENT_VERIFICATION, paid_at=at)
        case K.VERIFIED:
            f.update(status=S.AWAITING_SHIPMENT, verified_at=at, ship_by=data["ship_by"])
        case K.CANCELLED:
            r.close(at, CloseReason.CANCELLED_BY_BUYER)
        case K.CANCEL_REQUESTED:
            f.update(status=S.AWAITING_CANCELLATION, cancel_requested_at=at, cancel_refused_at=None)
        case K.SELLER_APPROVED:
            r.close(at, CloseReason.CANCELLED_BY_SELLER_APPROVAL)
        case K.SELLER_SILENT:
            r.close(at, CloseReason.CANCELLED_AFTER_SELLER_SILENCE)
        case K.SELLER_REFUSED:
            f.update(status=S.AWAITING_SHIPMENT, cancel_refused_at=at)
        case K.PROCESSING_EXTENDED:
            f.update(ship_by=data["ship_by"])
            r.processing_extended = True
        case K.SHIP_BY_MISSED:
            r.close(at, CloseReason.SHIP_BY_MISSED)
        case K.SHIPPED:
            f.setdefault("shipped_at", None)
            f.update(status=S.PARTIAL_SHIPMENT if data.get("partial") else S.AWAITING_DELIVERY)
            f["shipped_at"] = f["shipped_at"] or at
        case K.DELIVERED:
            f.update(delivered_at=at)
            if f.get("payment_method") == "cash_on_delivery":
                f.update(paid_at=data.get("paid_at", at))  # paid at the door
        case K.RECEIPT_CONFIRMED | K.PROTECTION_EXPIRED:
            f.update(status=S.COMPLETED, completed_at=at)
        case K.UNPAID_TIMEOUT:
            r.close(at, CloseReason.UNPAID_TIMEOUT)
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
        raise DomainError("An order's log must start with the order being placed.")
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


def _append(state: OrderState, at: datetime, kind: EventKind, actor: Actor, **data: Any) -> Event:
    return Event(seq=len(state.events), at=at, kind=kind, actor=actor, data=data)


def _say(key: str, **values: Any) -> DomainError:
    return DomainError(text("errors", key, **values))


# --- buyer (and platform) actions ---------------------------------------------------------------


def act(
    state: OrderState,
    action: Action | str,
    at: datetime,
    profile: PolicyProfile | None = None,
    **params: Any,
) -> list[Event]:
    """The events a buyer action adds at time `at`, or a DomainError saying why it is not allowed.

    Nothing is changed: the caller appends the events (the store does it in one transaction).
    """
    profile = profile or get_profile()
    try:
        action = Action(action)
    except ValueError:
        raise _say("unknown_action", action=action) from None
    if at.tzinfo is None:
        raise _say("naive_time")
    if at < state.now:
        raise _say("clock_back")
    order, status = state.order, state.order.status
    match action:
        case Action.PAY:
            if order.is_cash_on_delivery:
                raise _say("pay_cod")
            if status is not S.AWAITING_PAYMENT:
                raise _say("pay_not_due", status=text("status", status))
            return [_append(state, at, K.PAID, Actor.BUYER)]
        case Action.CANCEL:
            if status is S.AWAITING_PAYMENT:
                return [_append(state, at, K.CANCELLED, Actor.BUYER, reason=_reason(params))]
            if status is S.PAYMENT_VERIFICATION:
                if not profile.cancel_during_verification.value:
                    raise _say("cancel_during_verification_hidden")
                return [_append(state, at, K.CANCELLED, Actor.BUYER, reason=_reason(params))]
            if status is S.AWAITING_SHIPMENT:
                raise _say("cancel_use_request")
            raise _say("cancel_not_possible", status=text("status", status))
        case Action.REQUEST_CANCELLATION:
            if status is not S.AWAITING_SHIPMENT:
                if status in (S.AWAITING_PAYMENT, S.PAYMENT_VERIFICATION):
                    raise _say("request_use_cancel")
                if status is S.AWAITING_CANCELLATION:
                    raise _say("request_pending")
                raise _say("cancel_not_possible", status=text("status", status))
            if order.cancel_refused_at is not None:
                raise _say("request_refused_before")
            return [_append(state, at, K.CANCEL_REQUESTED, Actor.BUYER, reason=_reason(params))]
        case Action.EXTEND_PROCESSING:
            if status not in ALLOWED_FROM[K.PROCESSING_EXTENDED]:
                raise _say("extend_not_possible", status=text("status", status))
            if state.processing_extended:
                raise _say("extend_once")
            ship_by = max(order.ship_by or at, at) + timedelta(days=profile.extend_processing_days.value)
            return [_append(state, at, K.PROCESSING_EXTENDED, Actor.BUYER, ship_by=ship_by.isoformat())]
        case Action.CONFIRM_RECEIPT:
            if status is not S.AWAITING_DELIVERY:
                raise _say("confirm_not_possible", status=text("status", status))
            events = []
            if order.delivered_at is None:  # the buyer has it, whatever the tracking says
                events.append(_append(state, at, K.DELIVERED, Actor.BUYER))
            seq = len(state.events) + len(events)
            events.append(Event(seq=seq, at=at, kind=K.RECEIPT_CONFIRMED, actor=Actor.BUYER))
            return events
        case Action.OPEN_DISPUTE:
            _check_dispute_window(state, at, profile)
            return [_append(state, at, K.DISPUTE_OPENED, Actor.BUYER, claim=str(params.get("claim", "not_received")))]
        case Action.SEND_MESSAGE:
            message = str(params.get("text", ""))
            if not message.strip():
                raise _say("message_empty")
            if len(message) > MESSAGE_MAX_CHARS:
                raise _say("message_too_long", limit=MESSAGE_MAX_CHARS)
            if sum(e.kind is K.MESSAGE_SENT for e in state.events) >= MESSAGES_MAX_PER_ORDER:
                raise _say("conversation_full", limit=MESSAGES_MAX_PER_ORDER)
            template = params.get("template")
            return [_append(state, at, K.MESSAGE_SENT, Actor.BUYER, text=message, template=template)]
        case Action.FREEZE:
            if status not in ALLOWED_FROM[K.FROZEN]:
                raise _say("freeze_not_possible", status=text("status", status))
            return [_append(state, at, K.FROZEN, Actor.PLATFORM)]
    raise _say("unknown_action", action=action)  # pragma: no cover - every Action is matched


def _reason(params: dict[str, Any]) -> str:
    reason = params.get("reason")
    known = cancel_reasons()
    if reason not in known:
        raise _say("reason_unknown")
    return str(reason)


def dispute_window(order: Order, profile: PolicyProfile) -> tuple[datetime, datetime] | None:
    """When the buyer may open a dispute (DOMAIN.md: Awaiting delivery; Completed), if ever."""
    if order.status is S.COMPLETED and order.completed_at is not None:
        return order.completed_at, order.completed_at + timedelta(days=profile.dispute_after_completion_days.value)
    if order.status in (S.AWAITING_DELIVERY, S.PARTIAL_SHIPMENT) and order.shipped_at is not None:
        opens = order.shipped_at + timedelta(days=profile.dispute_opens_after_shipping_days.value)
        protection_ends = order.shipped_at + timedelta(days=profile.delivery_guarantee_days.value)
        return opens, protection_ends + timedelta(days=profile.dispute_after_protection_days.value)
    return None


def _check_dispute_window(state: OrderState, at: datetime, profile: PolicyProfile) -> None:
    order = state.order
    window = dispute_window(order, profile)
    if window is None:
        raise _say("dispute_not_possible", status=text("status", order.status))
    if order.dispute_opened_at is not None:
        raise _say("dispute_once")
    if not order.has_paid:
        raise _say("dispute_unpaid")
    opens, closes = window
    if at < opens:
        raise _say("dispute_too_early", opens=opens.strftime("%d %b %Y %H:%M UTC"))
    if at > closes:
        raise _say("dispute_too_late", closed=closes.strftime("%d %b %Y %H:%M UTC"))


# --- timers ------------------------------------------------------------------------------------


def _rng(seed: int, order_id: str, seq: int) -> random.Random:
    digest = hashlib.blake2b(f"{seed}:{order_id}:{seq}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def _days(value: float) -> timedelta:
    return timedelta(days=value)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random() if end > start else start


def _draw_days(rng: random.Random, span: Span) -> float:
    return rng.uniform(span.low, span.high)


def add_business_days(start: datetime, days: float) -> datetime:
    """`days` business days after `start` (weekends skipped), keeping the time of day."""
    whole = int(days)
    day = np.busday_offset(np.datetime64(start.date()), whole, roll="forward")
    shift = (day - np.datetime64(start.date())).astype(int)
    return start + timedelta(days=int(shift)) + timedelta(days=days - whole)


def next_timer(state: OrderState, seed: int, profile: PolicyProfile | None = None) -> Event | None:
    """The next event that time alone will bring to this order, or None if nothing is pending."""
    profile = profile or get_profile()
    candidates = [e for e in (_status_timer(state, seed, profile), _reply_timer(state, seed, profile)) if e]
    if not candidates:
        return None
    earliest = min(candidates, key=lambda e: e.at)
    # Whole seconds read better on a timeline; never before the last event.
    return earliest.model_copy(update={"at": max(earliest.at.replace(microsecond=0), state.now)})


def _status_timer(state: OrderState, seed: int, profile: PolicyProfile) -> Event | None:
    order, phase = state.order, state.phase
    rng = _rng(seed, order.id, phase.seq)
    start = phase.at
    seq = len(state.events)

    def timer(at: datetime, kind: EventKind, actor: Actor, **data: Any) -> Event:
        return Event(seq=seq, at=at, kind=kind, actor=actor, data=data)

    match order.status:
        case S.AWAITING_PAYMENT:
            return timer(order.placed_at + _days(profile.unpaid_close_days.value), K.UNPAID_TIMEOUT, Actor.PLATFORM)
        case S.PAYMENT_VERIFICATION:
            at = _between(rng, start, start + _hours(profile.verification_max_hours.value))
            ship_by = at.replace(microsecond=0) + _days(round(_draw_days(rng, profile.processing_days.value)))
            return timer(at, K.VERIFIED, Actor.PLATFORM, ship_by=ship_by.isoformat())
        case S.AWAITING_SHIPMENT:
            return _shipping_timer(state, rng, start, timer, profile)
        case S.AWAITING_CANCELLATION:
            odds = seller_odds(order, profile)
            window_ends = order.cancel_requested_at + _hours(profile.seller_answer_hours.value)  # type: ignore[operator]
            answer_at = _between(rng, start, window_ends)
            ship_by = order.ship_by or window_ends
            roll = rng.random()
            if roll < odds.silent:
                answer = timer(window_ends, K.SELLER_SILENT, Actor.PLATFORM)
            elif roll < odds.silent + odds.ships_anyway:
                answer = timer(answer_at, K.SHIPPED, Actor.SELLER, partial=_partial(rng, order, profile))
            elif roll < odds.silent + odds.ships_anyway + odds.refuses:
                answer = timer(answer_at, K.SELLER_REFUSED, Actor.SELLER)
            else:
                answer = timer(answer_at, K.SELLER_APPROVED, Actor.SELLER)
            if ship_by < answer.at:  # DOMAIN.md: seller misses ship-by deadline
                return timer(ship_by, K.SHIP_BY_MISSED, Actor.PLATFORM)
            return answer
        case S.PARTIAL_SHIPMENT:
            protection = order.shipped_at + _days(profile.delivery_guarantee_days.value)  # type: ignore[operator]
            rest_at = start + _days(_draw_days(rng, profile.processing_days.value))
            if protection < rest_at:
                return timer(protection, K.PROTECTION_EXPIRED, Actor.PLATFORM)
            return timer(rest_at, K.SHIPPED, Actor.SELLER, partial=False)
        case S.AWAITING_DELIVERY:
            protection = order.shipped_at + _days(profile.delivery_guarantee_days.value)  # type: ignore[operator]
            if order.delivered_at is None:
                delivered = order.shipped_at + _days(_draw_days(rng, profile.transit_days.value))  # type: ignore[operator]
                if delivered < protection:
                    return timer(delivered, K.DELIVERED, Actor.CARRIER)
            return timer(protection, K.PROTECTION_EXPIRED, Actor.PLATFORM)
        case S.DISPUTE_IN_PROGRESS:
            if state.dispute_escalated:
                at = start + _days(_draw_days(rng, profile.dispute_escalation_days.value))
                wins = rng.random() < profile.dispute_buyer_wins_rate.value
                return timer(at, K.DISPUTE_CLOSED, Actor.PLATFORM, refund=wins, by="platform")
            window_ends = start + _days(profile.seller_dispute_answer_days.value)
            if rng.random() >= reply_rate(order, profile):
                return timer(window_ends, K.DISPUTE_CLOSED, Actor.PLATFORM, refund=True, by="seller_silence")
            at = _between(rng, start, window_ends)
            if rng.random() < profile.dispute_seller_agrees_rate.value:
                return timer(at, K.DISPUTE_CLOSED, Actor.SELLER, refund=True, by="seller")
            return timer(at, K.DISPUTE_ESCALATED, Actor.SELLER)
        case S.FROZEN:
            return timer(start + _days(_draw_days(rng, profile.freeze_days.value)), K.UNFROZEN, Actor.PLATFORM)
        case S.REFUND_IN_PROGRESS:
            method = profile.refund_times.value[order.payment_method]
            started = order.refund_started_at or start
            at = add_business_days(started, _draw_days(rng, method.business_days))
            paid = order.total if order.has_paid else Decimal(0)
            return timer(at, K.REFUNDED, Actor.PLATFORM, amount=format(paid, "f"))
    return None  # completed and closed orders have no timers


def _shipping_timer(
    state: OrderState, rng: random.Random, start: datetime, timer: Any, profile: PolicyProfile
) -> Event:
    order = state.order
    ship_by = order.ship_by or start + _days(profile.processing_days.value.high)
    if rng.random() < profile.miss_ship_by_rate.value:
        return timer(ship_by, K.SHIP_BY_MISSED, Actor.PLATFORM)
    return timer(_between(rng, start, ship_by), K.SHIPPED, Actor.SELLER, partial=_partial(rng, order, profile))


def _partial(rng: random.Random, order: Order, profile: PolicyProfile) -> bool:
    return len(order.items) > 1 and rng.random() < profile.partial_shipment_rate.value


def _reply_timer(state: OrderState, seed: int, profile: PolicyProfile) -> Event | None:
    """The seller's next reply. Each message has its own chance: an ignored one blocks no later one."""
    replies = []
    for message in state.unanswered:
        rng = _rng(seed, state.order.id, message.seq)
        if rng.random() >= reply_rate(state.order, profile):
            continue  # this seller never answers that message
        at = message.at + _hours(_draw_days(rng, profile.contact_reply_hours.value))
        replies.append((at, message))
    if not replies:
        return None
    at, message = min(replies, key=lambda pair: (pair[0], pair[1].seq))
    return Event(
        seq=len(state.events),
        at=at,
        kind=K.MESSAGE_RECEIVED,
        actor=Actor.SELLER,
        data={
            "reply_to": message.seq,
            "template": message.data.get("template"),
            "text": seller_reply(message.data.get("template"), state.order.status),
        },
    )


def fire(state: OrderState, event: Event) -> OrderState:
    """Append one event and replay incrementally (checked against ALLOWED_FROM)."""
    return replay([*state.events, event])


def advance(state: OrderState, until: datetime, seed: int, profile: PolicyProfile | None = None) -> OrderState:
    """Fire every timer of this order that falls due up to `until`, in time order."""
    if until.tzinfo is None:
        raise _say("naive_time")
    profile = profile or get_profile()
    while (event := next_timer(state, seed, profile)) is not None and event.at <= until:
        state = fire(state, event)
    return state


def apply_action(
    state: OrderState, action: Action | str, at: datetime, profile: PolicyProfile | None = None, **params: Any
) -> OrderState:
    """`act` and append: the new state, or a DomainError with the old state untouched."""
    events = act(state, action, at, profile, **params)
    return replay([*state.events, *events])


def place(order: dict[str, Any], at: datetime, ship_by: datetime | None = None) -> OrderState:
    """Start a log with a `placed` event. `order` holds the static parts of Order JSON v1."""
    static = {k: v for k, v in order.items() if k in _STATIC_FIELDS}
    data: dict[str, Any] = {"order": static}
    if static.get("payment_method") == "cash_on_delivery":
        data["ship_by"] = (ship_by or at + timedelta(days=7)).isoformat()
    return replay([Event(seq=0, at=at, kind=K.PLACED, actor=Actor.BUYER, data=data)])


_STATIC_FIELDS = frozenset({"id", "seller", "items", "payment_method", "currency", "country"})


def events_from_snapshot(order: Order, profile: PolicyProfile | None = None) -> list[Event]:
    """A log that replays to this order: how imported Order JSON joins the simulator.

    Stamps the snapshot leaves out but the simulator needs (verified_at, ship_by) are filled in.
    """
    profile = profile or get_profile()
    static = order.model_dump(mode="json", include=set(_STATIC_FIELDS), exclude_none=True)
    log: list[Event] = []

    def add(at: datetime | None, kind: EventKind, actor: Actor, **data: Any) -> None:
        if at is not None:
            log.append(Event(seq=len(log), at=at, kind=kind, actor=actor, data=data))

    cod = order.is_cash_on_delivery
    start = order.verified_at or order.paid_at or order.placed_at
    ship_by = (order.ship_by or start + _days(profile.processing_days.value.high)).isoformat()
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


def _closing_events(order: Order, add: Any) -> None:
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
