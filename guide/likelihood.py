"""Will cancelling succeed, and when is the money back? The seller model's chance, and simulated futures.

The chance is exact under guide/behaviour.py's table of odds (the one the lifecycle draws from), so it is the
same for every payment method and moves only with what the order shows. Only the money-back time is a
Monte Carlo: its futures are drawn at once with numpy, from an RNG seeded by the order, the time and the
profile, so the same question always gets the same answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from guide.behaviour import Reaction, RequestOdds, agrees_after_refusal, answer_deadline, reactions, reply_rate
from guide.behaviour import request_odds as odds_for
from guide.models import Order, PaymentMethod, Status, known
from guide.profile import PolicyProfile, Span

DEFAULT_SAMPLES = 10_000
DAY = timedelta(days=1)


@dataclass(frozen=True)
class MoneyBack:
    """Days from now until the money is back, over the futures where the cancellation succeeds."""

    low: float  # 10th percentile
    median: float
    high: float  # 90th percentile
    histogram: tuple[int, ...]  # futures per whole day, day 0 first
    destination: str


@dataclass(frozen=True)
class Forecast:
    probability: float
    samples: int  # futures behind the money-back time
    money_back: MoneyBack | None


@dataclass(frozen=True)
class _Outlook:
    """The chance of success, and days from now to the cancellation in successful futures (None: none drawn)."""

    probability: float
    closes: np.ndarray | None


def _rng(order: Order, now: datetime, profile: PolicyProfile) -> np.random.Generator:
    key = f"{order.model_dump_json()}|{now.isoformat()}|{profile.id}".encode()
    return np.random.default_rng(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"))


def _uniform(rng: np.random.Generator, span: Span, n: int) -> np.ndarray:
    return rng.uniform(span.low, span.high, n)


def _days(later: datetime | None, now: datetime, otherwise: float) -> float:
    """Days from now until `later`, or `otherwise` where the order has no such moment."""
    return (later - now) / DAY if later is not None else otherwise


def _since(earlier: datetime | None, now: datetime) -> float:
    """Days since `earlier` (0 where the order has no such moment)."""
    return max((now - earlier) / DAY, 0.0) if earlier is not None else 0.0


def _share_by(deadline: float, low: float, high: float) -> float:
    """For a moment uniform in [low, high]: the chance the deadline has come by then."""
    if high <= low:
        return 1.0 if deadline <= low else 0.0
    return float(min(max((high - deadline) / (high - low), 0.0), 1.0))


def _business_to_calendar(start: datetime, business_days: np.ndarray) -> np.ndarray:
    """Calendar days that `business_days` working days take from `start` (weekends skipped)."""
    whole = np.floor(business_days).astype(np.int64)
    first = np.datetime64(start.date())
    ends = np.busday_offset(first, whole, roll="forward")
    calendar: np.ndarray = (ends - first).astype(np.int64) + (business_days - whole)
    return calendar


def _money_back(
    rng: np.random.Generator, order: Order, now: datetime, profile: PolicyProfile, closes: np.ndarray | None
) -> MoneyBack | None:
    """Days until the refund lands: the cancellation, then the payment method's refund time."""
    if not order.has_paid or closes is None or closes.size == 0:
        return None
    method = profile.refund_times.value[order.payment_method]
    refund = _uniform(rng, method.business_days, closes.size)
    if order.payment_method is PaymentMethod.CARD:  # the bank may add days after "Refund completed"
        refund = refund + _uniform(rng, profile.bank_extra_business_days.value, closes.size)
    start = now + timedelta(days=float(np.median(closes)))
    days = np.maximum(closes + _business_to_calendar(start, refund), 0.0)
    low, median, high = np.percentile(days, [10, 50, 90])
    histogram = np.bincount(np.floor(days).astype(np.int64))
    return MoneyBack(float(low), float(median), float(high), tuple(int(c) for c in histogram), method.destination)


def _request_closes(
    rng: np.random.Generator, odds: RequestOdds, start: np.ndarray, ends: np.ndarray, deadline: np.ndarray
) -> np.ndarray:
    """Futures of a request made at `start` (days from now), the seller reacting by `ends`: when each
    successful one closed. An approval closes at the answer, silence at the end, a later miss at the deadline."""
    n = start.size
    picked = reactions(odds, rng.random(n))
    answer = start + (ends - start) * rng.random(n)
    missed = rng.random(n) < odds.misses_later
    approved, silent = picked == Reaction.APPROVES, picked == Reaction.SILENT
    succeeded = approved | silent | ((picked == Reaction.REFUSES) & missed)
    closes = np.where(approved, answer, np.where(silent, ends, np.maximum(deadline, answer)))
    kept: np.ndarray = np.maximum(closes[succeeded], 0.0)
    return kept


def _ask(
    order: Order, profile: PolicyProfile, start: np.ndarray, deadline: float, rng: np.random.Generator
) -> _Outlook:
    """Asking at `start` (days from now), with the ship-by date `deadline` days away."""
    odds = odds_for(order, profile)
    window = profile.seller_answer_hours.value / 24
    runs = profile.ship_by_runs_during_request.value
    ends = np.minimum(start + window, deadline) if runs else start + window
    return _Outlook(odds.success, _request_closes(rng, odds, start, ends, np.full(start.size, deadline)))


def _after_refusal(order: Order, profile: PolicyProfile, deadline: float, rng: np.random.Generator, n: int) -> _Outlook:
    """The request was spent: the seller may still agree when written to, or miss the ship-by date."""
    agree, misses = agrees_after_refusal(order, profile), profile.miss_ship_by_rate.value
    agreed = rng.random(n) < agree
    missed = ~agreed & (rng.random(n) < misses)
    reply = _uniform(rng, profile.contact_reply_hours.value, n) / 24
    closes = np.where(agreed, reply, deadline)[agreed | missed]
    return _Outlook(1 - (1 - agree) * (1 - misses), np.maximum(closes, 0.0))


def _awaiting_shipment(
    order: Order, now: datetime, profile: PolicyProfile, rng: np.random.Generator, n: int
) -> _Outlook:
    deadline = _days(order.ship_by, now, profile.processing_days.value.high)
    if deadline <= 0:  # the deadline passed without shipping: the order closes and refunds
        return _Outlook(1.0, np.zeros(n))
    if profile.request_spent(order):
        return _after_refusal(order, profile, deadline, rng, n)
    return _ask(order, profile, np.zeros(n), deadline, rng)


def _awaiting_cancellation(
    order: Order, now: datetime, profile: PolicyProfile, rng: np.random.Generator, n: int
) -> _Outlook:
    """Conditioned on the silence so far: the answers that would have come by now did not."""
    requested = known(order.cancel_requested_at)
    ends_at, _ = answer_deadline(order, requested, profile)
    if now >= ends_at:  # the time ran out with no answer: the order closes and refunds
        return _Outlook(1.0, np.zeros(n))
    odds = odds_for(order, profile).after_silence((now - requested) / (ends_at - requested))
    ends = np.full(n, (ends_at - now) / DAY)
    deadline = np.full(n, _days(order.ship_by, now, ends[0]))
    return _Outlook(odds.success, _request_closes(rng, odds, np.zeros(n), ends, deadline))


def _payment_verification(
    order: Order, now: datetime, profile: PolicyProfile, rng: np.random.Generator, n: int
) -> _Outlook:
    if profile.cancel_during_verification.value:
        return _Outlook(1.0, np.zeros(n))
    # Wait for verification, then ask straight away; the ship-by date is set when it is verified.
    left = max(_days(known(order.paid_at) + timedelta(hours=profile.verification_max_hours.value), now, 0.0), 0.0)
    verified = rng.uniform(0, left, n)
    processing = np.round(_uniform(rng, profile.processing_days.value, n))
    outlook = _ask(order, profile, verified, float(np.median(verified + processing)), rng)
    return outlook


def _frozen(order: Order, now: datetime, profile: PolicyProfile, rng: np.random.Generator, n: int) -> _Outlook:
    """After the investigation the order resumes and the seller's plan is drawn afresh. The ship-by date runs
    during a freeze, as in the lifecycle: a deadline that passed meanwhile closes the order (nothing shipped)."""
    resumes = resumes_after_freeze(order)
    resumed = order.model_copy(update={"status": resumes, "frozen_at": None})
    frozen_for = _since(order.frozen_at, now)
    span = profile.freeze_days.value
    low, high = max(span.low - frozen_for, 0.0), max(span.high - frozen_for, 0.0)
    unfrozen = rng.uniform(low, high, n)
    if resumes is Status.PAYMENT_VERIFICATION:
        after = _payment_verification(resumed, now, profile, rng, n)
        return _Outlook(after.probability, _later(after.closes, float(np.median(unfrozen))))
    ship_by = _days(order.ship_by, now, float("inf"))
    if resumes is Status.AWAITING_CANCELLATION:
        deadline = (answer_deadline(order, known(order.cancel_requested_at), profile)[0] - now) / DAY
    else:
        deadline = ship_by
    gone = _share_by(deadline, low, high)
    alive = unfrozen[unfrozen < deadline]
    if resumes is Status.AWAITING_CANCELLATION:
        odds = odds_for(order, profile)
        ends = np.full(alive.size, deadline)
        after = _Outlook(odds.success, _request_closes(rng, odds, alive, ends, np.full(alive.size, ship_by)))
    elif profile.request_spent(order):
        refused = _after_refusal(order, profile, ship_by, rng, alive.size)
        after = _Outlook(refused.probability, _later(refused.closes, float(np.median(alive)) if alive.size else 0.0))
    else:
        after = _ask(order, profile, alive, ship_by, rng)
    closes = np.concatenate([unfrozen[unfrozen >= deadline], _later(after.closes, 0.0)])
    return _Outlook(gone + (1 - gone) * after.probability, closes)


def _later(closes: np.ndarray | None, by: float) -> np.ndarray:
    return closes + by if closes is not None else np.zeros(0)


def _dispute(order: Order, profile: PolicyProfile, rng: np.random.Generator, n: int) -> _Outlook:
    """A dispute refunds if the seller agrees, stays silent, or loses when AliExpress steps in."""
    answers, agrees = reply_rate(order, profile), profile.dispute_seller_agrees_rate.value
    wins = profile.dispute_buyer_wins_rate.value
    answered = rng.random(n) < answers
    agreed = rng.random(n) < agrees
    won = rng.random(n) < wins
    window = profile.seller_dispute_answer_days.value
    answered_in = rng.uniform(0, window, n)
    escalation = _uniform(rng, profile.dispute_escalation_days.value, n)
    closes = np.where(~answered, window, np.where(agreed, answered_in, answered_in + escalation))
    chance = (1 - answers) + answers * agrees + answers * (1 - agrees) * wins
    return _Outlook(chance, closes[~answered | agreed | won])


def _outlook(order: Order, now: datetime, profile: PolicyProfile, rng: np.random.Generator, n: int) -> _Outlook:
    match order.status:
        case Status.AWAITING_PAYMENT | Status.CLOSED:
            return _Outlook(1.0, np.zeros(n))
        case Status.AWAITING_SHIPMENT if order.awaiting_confirmation:  # DOMAIN.md: Cash on delivery: free, at once
            return _Outlook(1.0, np.zeros(n))
        case Status.REFUND_IN_PROGRESS:  # already cancelled; only the refund's timing is open
            return _Outlook(1.0, np.full(n, -_since(order.refund_started_at, now)))
        case Status.PAYMENT_VERIFICATION:
            return _payment_verification(order, now, profile, rng, n)
        case Status.AWAITING_SHIPMENT:
            return _awaiting_shipment(order, now, profile, rng, n)
        case Status.AWAITING_CANCELLATION:
            return _awaiting_cancellation(order, now, profile, rng, n)
        case Status.FROZEN if order.shipped_at is None:
            return _frozen(order, now, profile, rng, n)
        case Status.DISPUTE_IN_PROGRESS:
            return _dispute(order, profile, rng, n)
    return _Outlook(0.0, None)  # shipped, completed or frozen after shipping: the cancel route is gone


def forecast(order: Order, now: datetime, profile: PolicyProfile, samples: int = DEFAULT_SAMPLES) -> Forecast:
    """The chance that cancelling from `now` succeeds before anything ships, with when the money is back."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    rng = _rng(order, now, profile)
    outlook = _outlook(order, now, profile, rng, samples)
    probability = float(min(max(outlook.probability, 0.0), 1.0))
    closes = outlook.closes if probability > 0 else None
    return Forecast(probability, samples, _money_back(rng, order, now, profile, closes))


def resumes_after_freeze(order: Order) -> Status:
    """The status a frozen, unshipped order goes back to once the investigation ends."""
    # Cash on delivery is never verified: it waits for shipment from the start.
    if order.verified_at is None and order.cancel_requested_at is None and not order.is_cash_on_delivery:
        return Status.PAYMENT_VERIFICATION
    if order.cancel_refused_at is not None:  # the request was refused before the freeze
        return Status.AWAITING_SHIPMENT
    return Status.AWAITING_CANCELLATION if order.cancel_requested_at else Status.AWAITING_SHIPMENT


def chance_if_waiting(order: Order, now: datetime, until: datetime, profile: PolicyProfile) -> float | None:
    """The chance if the buyer waits until `until` and only then acts, where acting now is possible and waiting
    costs something: a seller can ship at any time before the ship-by date, and a shipped order cannot be
    cancelled. The seller's plan is taken afresh from now (a seller who has not shipped yet still may)."""
    wait = max((until - now) / DAY, 0.0)
    misses = profile.miss_ship_by_rate.value
    match order.status:
        case Status.AWAITING_SHIPMENT if order.awaiting_confirmation:  # cancelling stays free until it expires
            return None
        case Status.AWAITING_SHIPMENT if not profile.request_spent(order):
            deadline = _days(order.ship_by, now, profile.processing_days.value.high)
            if deadline <= 0:
                return None
            return float(_asking_after(wait, deadline, misses, odds_for(order, profile).success))
        case Status.PAYMENT_VERIFICATION if profile.cancel_during_verification.value:
            return _verified_while_waiting(order, now, wait, profile)
    return None


def _asking_after(wait: np.ndarray | float, deadline: np.ndarray | float, misses: float, asking: float) -> np.ndarray:
    """Asking `wait` days from now, with `deadline` days left to ship: the seller ships uniformly up to the
    deadline or misses it at the profile's rate. Past the deadline only a miss cancels the order."""
    unshipped = 1 - (1 - misses) * np.minimum(wait / np.maximum(deadline, 1e-9), 1.0)
    chance: np.ndarray = np.where(wait >= deadline, misses, unshipped * asking)
    return chance


def _verified_while_waiting(order: Order, now: datetime, wait: float, profile: PolicyProfile) -> float:
    """Cancelling is certain while the payment is being verified; once verified, cancelling is a request, and
    the seller may ship first. Averaged over when it is verified and the processing time (midpoint grids)."""
    left = max(_days(known(order.paid_at) + timedelta(hours=profile.verification_max_hours.value), now, 0.0), 0.0)
    verifying = _share_by(wait, 0.0, left)  # verified only after the wait
    by = min(wait, left)
    verified = (np.arange(50) + 0.5) / 50 * by
    span = profile.processing_days.value
    processing = np.round(span.low + (np.arange(200) + 0.5) / 200 * (span.high - span.low))
    since = wait - verified[:, None]
    misses, asking = profile.miss_ship_by_rate.value, odds_for(order, profile).success
    chances = _asking_after(since, processing[None, :], misses, asking)
    return verifying + (1 - verifying) * float(np.mean(chances))
