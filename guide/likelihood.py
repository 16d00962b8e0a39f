"""Monte Carlo over the seller-behaviour model: will cancelling succeed, and when is the money back?

Every future is drawn at once with numpy. The RNG is seeded from the order, the time and the
profile, so the same question always gets the same answer.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from guide.behaviour import SellerOdds, reply_rate, seller_odds
from guide.models import Order, PaymentMethod, Status, known
from guide.profile import PolicyProfile, Span

DEFAULT_SAMPLES = 10_000
Z_95 = 1.959963984540054


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
    interval: tuple[float, float]  # 95% Wilson interval
    samples: int
    money_back: MoneyBack | None


def _rng(order: Order, now: datetime, profile: PolicyProfile) -> np.random.Generator:
    key = f"{order.model_dump_json()}|{now.isoformat()}|{profile.id}".encode()
    return np.random.default_rng(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"))


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval: honest at 0 and 1, unlike the normal approximation."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + Z_95**2 / n
    centre = (p + Z_95**2 / (2 * n)) / denominator
    half = Z_95 * math.sqrt(p * (1 - p) / n + Z_95**2 / (4 * n * n)) / denominator
    # Rounding can leave p a hair outside at 0 and 1 (e.g. 5.6e-17 or 0.9999999999999999): the interval
    # always contains the estimate.
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def _uniform(rng: np.random.Generator, span: Span, n: int) -> np.ndarray:
    return rng.uniform(span.low, span.high, n)


def _business_to_calendar(start: datetime, business_days: np.ndarray) -> np.ndarray:
    """Calendar days that `business_days` working days take from `start` (weekends skipped)."""
    whole = np.floor(business_days).astype(np.int64)
    first = np.datetime64(start.date())
    ends = np.busday_offset(first, whole, roll="forward")
    calendar: np.ndarray = (ends - first).astype(np.int64) + (business_days - whole)
    return calendar


def _money_back(
    rng: np.random.Generator, order: Order, now: datetime, profile: PolicyProfile, cancelled_after_days: np.ndarray
) -> MoneyBack | None:
    """Days until the refund lands: the cancellation, then the payment method's refund time."""
    if not order.has_paid or cancelled_after_days.size == 0:
        return None
    method = profile.refund_times.value[order.payment_method]
    refund = _uniform(rng, method.business_days, cancelled_after_days.size)
    if order.payment_method is PaymentMethod.CARD:  # the bank may add days after "Refund completed"
        refund = refund + _uniform(rng, profile.bank_extra_business_days.value, cancelled_after_days.size)
    start = now + timedelta(days=float(np.median(cancelled_after_days)))
    days = np.maximum(cancelled_after_days + _business_to_calendar(start, refund), 0.0)
    low, median, high = np.percentile(days, [10, 50, 90])
    histogram = np.bincount(np.floor(days).astype(np.int64))
    return MoneyBack(float(low), float(median), float(high), tuple(int(c) for c in histogram), method.destination)


def _forecast(successes: np.ndarray, money_back: MoneyBack | None) -> Forecast:
    n = int(successes.size)
    hits = int(successes.sum())
    return Forecast(hits / n if n else 0.0, wilson_interval(hits, n), n, money_back)


def _request_futures(
    rng: np.random.Generator,
    odds: SellerOdds,
    window_days: float,
    ship_by_days: float,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Futures of a cancellation request: (succeeded, days from now until it closed).

    The seller answers at a uniform time in the window, or stays silent (DOMAIN.md: seller window).
    Shipping anyway counts as a refusal. Missing the ship-by date closes the order (success).
    """
    answer = rng.uniform(0, window_days, n) if window_days > 0 else np.zeros(n)
    roll = rng.random(n)
    silent = roll < odds.silent
    ships = (roll >= odds.silent) & (roll < odds.silent + odds.ships_anyway)
    refuses = (roll >= odds.silent + odds.ships_anyway) & (roll < odds.silent + odds.ships_anyway + odds.refuses)
    closes_at = np.where(silent, window_days, answer)
    ship_by_first = ship_by_days < closes_at
    succeeded = (silent | ~(ships | refuses)) | ship_by_first
    closes_at = np.where(ship_by_first, ship_by_days, closes_at)
    return succeeded, np.maximum(closes_at, 0.0)


def forecast(order: Order, now: datetime, profile: PolicyProfile, samples: int = DEFAULT_SAMPLES) -> Forecast:
    """The chance that cancelling from `now` succeeds before anything ships, with when the money is back."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    rng = _rng(order, now, profile)
    n = samples
    status = order.status
    day = timedelta(days=1)
    if status is Status.AWAITING_PAYMENT:
        return _forecast(np.ones(n, dtype=bool), None)
    if status is Status.CLOSED:
        return _forecast(np.ones(n, dtype=bool), None)
    if status is Status.REFUND_IN_PROGRESS:  # already cancelled; only the refund's timing is open
        elapsed = max((now - (order.refund_started_at or now)) / day, 0.0)
        return _forecast(np.ones(n, dtype=bool), _money_back(rng, order, now, profile, np.full(n, -elapsed)))
    if status is Status.FROZEN and order.shipped_at is None:  # after the investigation it resumes
        return forecast(order.model_copy(update={"status": _resumes_after_freeze(order)}), now, profile, samples)
    if status is Status.PAYMENT_VERIFICATION:
        if profile.cancel_during_verification.value:
            return _forecast(np.ones(n, dtype=bool), _money_back(rng, order, now, profile, np.zeros(n)))
        # Wait for verification, then request cancellation straight away.
        left = max((known(order.paid_at) + timedelta(hours=profile.verification_max_hours.value) - now) / day, 0.0)
        verified_in = rng.uniform(0, left, n) if left > 0 else np.zeros(n)
        processing = rng.uniform(profile.processing_days.value.low, profile.processing_days.value.high, n)
        window = profile.seller_answer_hours.value / 24
        succeeded, closes = _request_futures(rng, seller_odds(order, profile), window, float(np.median(processing)), n)
        closes = closes + verified_in
        return _forecast(succeeded, _money_back(rng, order, now, profile, closes[succeeded]))
    if status is Status.AWAITING_SHIPMENT:
        ship_by = (order.ship_by - now) / day if order.ship_by else profile.processing_days.value.high
        if ship_by <= 0:  # the deadline passed without shipping: the order closes and refunds
            return _forecast(np.ones(n, dtype=bool), _money_back(rng, order, now, profile, np.zeros(n)))
        odds = seller_odds(order, profile)
        if order.cancel_refused_at is not None:  # the request was spent; only the seller can agree now
            agree = reply_rate(order, profile) * odds.approves / max(1 - odds.silent, 1e-9)
            agree *= profile.after_refusal_agree_factor.value
            succeeded = rng.random(n) < agree
            reply = _uniform(rng, profile.contact_reply_hours.value, n) / 24
            return _forecast(succeeded, _money_back(rng, order, now, profile, reply[succeeded]))
        window = profile.seller_answer_hours.value / 24
        succeeded, closes = _request_futures(rng, odds, window, ship_by, n)
        return _forecast(succeeded, _money_back(rng, order, now, profile, closes[succeeded]))
    if status is Status.AWAITING_CANCELLATION:
        ends = known(order.cancel_requested_at) + timedelta(hours=profile.seller_answer_hours.value)
        window = max((ends - now) / day, 0.0)
        ship_by = (order.ship_by - now) / day if order.ship_by else window + 1
        if window == 0:  # the window ran out with no answer: the order closes and refunds
            return _forecast(np.ones(n, dtype=bool), _money_back(rng, order, now, profile, np.zeros(n)))
        succeeded, closes = _request_futures(rng, seller_odds(order, profile), window, max(ship_by, 0.0), n)
        return _forecast(succeeded, _money_back(rng, order, now, profile, closes[succeeded]))
    if status is Status.DISPUTE_IN_PROGRESS:
        return _dispute_forecast(rng, order, now, profile, n)
    # Shipped, completed or frozen-after-shipping: the cancel route is gone.
    return _forecast(np.zeros(n, dtype=bool), None)


def _resumes_after_freeze(order: Order) -> Status:
    """The status a frozen, unshipped order goes back to once the investigation ends."""
    # Cash on delivery is never verified: it waits for shipment from the start.
    if order.verified_at is None and order.cancel_requested_at is None and not order.is_cash_on_delivery:
        return Status.PAYMENT_VERIFICATION
    if order.cancel_refused_at is not None:  # the request was refused before the freeze
        return Status.AWAITING_SHIPMENT
    return Status.AWAITING_CANCELLATION if order.cancel_requested_at else Status.AWAITING_SHIPMENT


def _dispute_forecast(
    rng: np.random.Generator, order: Order, now: datetime, profile: PolicyProfile, n: int
) -> Forecast:
    """A dispute refunds if the seller agrees, stays silent, or loses when AliExpress steps in."""
    answers = rng.random(n) < reply_rate(order, profile)
    agrees = rng.random(n) < profile.dispute_seller_agrees_rate.value
    buyer_wins = rng.random(n) < profile.dispute_buyer_wins_rate.value
    answer_window = profile.seller_dispute_answer_days.value
    answered_in = rng.uniform(0, answer_window, n)
    escalation = _uniform(rng, profile.dispute_escalation_days.value, n)
    succeeded = ~answers | agrees | buyer_wins
    closes = np.where(~answers, answer_window, np.where(agrees, answered_in, answered_in + escalation))
    return _forecast(succeeded, _money_back(rng, order, now, profile, closes[succeeded]))
