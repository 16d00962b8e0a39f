"""Timers and the seller's plan: what time alone brings to an order on the simulated clock.

Seller behaviour is drawn from an RNG keyed by the sandbox seed, the order id and the log position that
started the current phase, so one seed and one list of actions always tell the same story.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from guide.behaviour import Reaction, answer_deadline, reaction, reply_rate, request_odds
from guide.content import seller_reply
from guide.lifecycle.state import OrderState, fire, refusal
from guide.models import Actor, Event, EventKind, Order, Status, known
from guide.profile import PolicyProfile, Span, get_profile

S = Status
K = EventKind
Timer = Callable[..., Event]


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
        case S.AWAITING_PAYMENT if order.charged_but_shown_unpaid:  # the status catches up once verified
            return _verified(rng, known(order.paid_at), timer, profile)
        case S.AWAITING_PAYMENT:
            return timer(order.placed_at + _days(profile.unpaid_close_days.value), K.UNPAID_TIMEOUT, Actor.PLATFORM)
        case S.PAYMENT_VERIFICATION:
            return _verified(rng, start, timer, profile)
        case S.AWAITING_SHIPMENT:
            return _confirm_timer(order, timer, profile) or _shipping_timer(state, rng, start, timer, profile)
        case S.AWAITING_CANCELLATION:
            return _seller_answer(state, rng, start, timer, profile)
        case S.PARTIAL_SHIPMENT:
            protection = known(order.shipped_at) + _days(profile.protection_days(order))  # DOMAIN.md: by country
            rest_at = start + _days(_draw_days(rng, profile.processing_days.value))
            if protection < rest_at:
                return timer(protection, K.PROTECTION_EXPIRED, Actor.PLATFORM)
            return timer(rest_at, K.SHIPPED, Actor.SELLER, partial=False)
        case S.AWAITING_DELIVERY:
            protection = known(order.shipped_at) + _days(profile.protection_days(order))  # DOMAIN.md: by country
            if order.delivered_at is None:
                delivered = known(order.shipped_at) + _days(_draw_days(rng, profile.transit_days.value))
                if delivered < protection:
                    return timer(delivered, K.DELIVERED, Actor.CARRIER)
            return timer(protection, K.PROTECTION_EXPIRED, Actor.PLATFORM)
        case S.DISPUTE_IN_PROGRESS:
            return _dispute_timer(state, rng, start, timer, profile)
        case S.FROZEN:
            return timer(start + _days(_draw_days(rng, profile.freeze_days.value)), K.UNFROZEN, Actor.PLATFORM)
        case S.REFUND_IN_PROGRESS:
            method = profile.refund_times.value[order.payment_method]
            started = order.refund_started_at or start
            at = add_business_days(started, _draw_days(rng, method.business_days))
            paid = order.total if order.has_paid else Decimal(0)
            return timer(at, K.REFUNDED, Actor.PLATFORM, amount=format(paid, "f"))
    return None  # completed and closed orders have no timers


def _verified(rng: random.Random, start: datetime, timer: Timer, profile: PolicyProfile) -> Event:
    """The payment is verified within the profile's hours of `start`, and the seller's ship-by date set."""
    at = _between(rng, start, start + _hours(profile.verification_max_hours.value))
    ship_by = at.replace(microsecond=0) + _days(round(_draw_days(rng, profile.processing_days.value)))
    return timer(at, K.VERIFIED, Actor.PLATFORM, ship_by=ship_by.isoformat())


def _confirm_timer(order: Order, timer: Timer, profile: PolicyProfile) -> Event | None:
    """A cash-on-delivery order the buyer does not confirm in time is cancelled for free (DOMAIN.md: Cash on
    delivery); until then the seller does not ship it."""
    if not order.awaiting_confirmation:
        return None
    return timer(order.placed_at + _hours(profile.cod_confirm_hours.value), K.CONFIRM_EXPIRED, Actor.PLATFORM)


def _seller_answer(
    state: OrderState, rng: random.Random, start: datetime, timer: Timer, profile: PolicyProfile
) -> Event:
    """What the seller does with a cancellation request, and when (DOMAIN.md: Awaiting cancellation): drawn
    from the forecast's own table of odds, before the earlier of the window's end and the ship-by date."""
    order = state.order
    requested = known(order.cancel_requested_at)
    ends, window_first = answer_deadline(order, requested, profile)
    if window_first:
        silence = timer(ends, K.SELLER_SILENT, Actor.PLATFORM)
    else:  # DOMAIN.md: seller misses ship-by deadline
        silence = timer(ends, K.SHIP_BY_MISSED, Actor.PLATFORM)
    if ends <= start:  # the time ran out while nothing could happen (a freeze): the order closes now
        return silence
    picked = reaction(request_odds(order, profile), rng.random())
    at = _between(rng, start, ends)
    match picked:
        case Reaction.SHIPS:
            return timer(at, K.SHIPPED, Actor.SELLER, partial=_partial(rng, order, profile))
        case Reaction.REFUSES:
            return timer(at, K.SELLER_REFUSED, Actor.SELLER, **_paused_ship_by(order, requested, at, profile))
        case Reaction.APPROVES:
            return timer(at, K.SELLER_APPROVED, Actor.SELLER)
    return silence


def _paused_ship_by(order: Order, requested: datetime, refused: datetime, profile: PolicyProfile) -> dict[str, str]:
    """Where the ship-by countdown pauses during a request (a profile's assumption), a refusal moves it on."""
    if profile.ship_by_runs_during_request.value or order.ship_by is None:
        return {}
    return {"ship_by": (order.ship_by + (refused - requested)).replace(microsecond=0).isoformat()}


def _dispute_timer(
    state: OrderState, rng: random.Random, start: datetime, timer: Timer, profile: PolicyProfile
) -> Event:
    """The seller's answer to a dispute, or the platform's ruling once it is escalated."""
    order = state.order
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


def _shipping_timer(
    state: OrderState, rng: random.Random, start: datetime, timer: Timer, profile: PolicyProfile
) -> Event:
    """A seller ships before the ship-by date, or misses it at the profile's small rate (DOMAIN.md: seller
    misses ship-by deadline); a date that passed while nothing could ship (a freeze) is missed."""
    order = state.order
    ship_by = order.ship_by or start + _days(profile.processing_days.value.high)
    if rng.random() < profile.miss_ship_by_rate.value or ship_by <= start:
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
            "text": seller_reply(
                message.data.get("template"), state.order.status, state.order.delivered_at is not None
            ),
        },
    )


def advance(state: OrderState, until: datetime, seed: int, profile: PolicyProfile | None = None) -> OrderState:
    """Fire every timer of this order that falls due up to `until`, in time order."""
    if until.tzinfo is None:
        raise refusal("naive_time")
    profile = profile or get_profile()
    while (event := next_timer(state, seed, profile)) is not None and event.at <= until:
        state = fire(state, event)
    return state
