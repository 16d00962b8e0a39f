"""assess(): for one order at one moment, the path to take, the verdict, the likelihood and why."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from guide.behaviour import answer_deadline
from guide.content import assessment_rules, text
from guide.content.formats import when
from guide.lifecycle import dispute_refusal
from guide.likelihood import DEFAULT_SAMPLES, MoneyBack, chance_if_waiting, forecast
from guide.models import Order, Path, Status, Verdict, known
from guide.profile import PolicyProfile, get_profile

S = Status


class Reason(BaseModel):
    """One plain-language reason and the DOMAIN.md rule it rests on."""

    model_config = ConfigDict(frozen=True)

    text: str
    rule: str


class Waiting(BaseModel):
    """What waiting costs: the likelihood if the buyer waits until `until` and only then acts."""

    model_config = ConfigDict(frozen=True)

    until: datetime
    likelihood: float


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    verdict: Verdict
    likelihood: float
    waiting: Waiting | None
    samples: int
    reasons: tuple[Reason, ...]
    next_action: str
    money_back: MoneyBack | None
    profile_id: str

    @computed_field  # type: ignore[prop-decorator]  # mypy rejects decorators over @property; pydantic documents this
    @property
    def why(self) -> list[str]:
        return [reason.text for reason in self.reasons]


def _thresholds() -> dict[str, float]:
    return assessment_rules().verdict_floor.model_dump()


def verdict_for(likelihood: float, paid: bool) -> Verdict:
    """Map a probability to a verdict word. Only an unpaid order is ever 'certain' (DOMAIN.md)."""
    floor = _thresholds()
    if likelihood >= floor["certain"]:
        return Verdict.LIKELY if paid else Verdict.CERTAIN
    for verdict in (Verdict.LIKELY, Verdict.POSSIBLE, Verdict.UNLIKELY):
        if likelihood >= floor[verdict.value]:
            return verdict
    return Verdict.IMPOSSIBLE


class _Why:
    """Collects reasons; each key names its sentence in content and its DOMAIN.md rule."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []

    def add(self, key: str, **values: Any) -> None:
        rules = assessment_rules().rules
        self.reasons.append(Reason(text=text("why", key, **values), rule=rules[key]))


def assess(
    order: Order, now: datetime, profile: PolicyProfile | None = None, samples: int = DEFAULT_SAMPLES
) -> Assessment:
    """Assess cancelling `order` at `now` under `profile` (the default profile if None)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if now < order.placed_at:
        raise ValueError("now is before the order was placed")
    profile = profile or get_profile()
    why = _Why()
    path, done = _path_and_reasons(order, now, profile, why)
    result = forecast(order, now, profile, samples)
    likelihood = result.probability
    verdict = Verdict.CERTAIN if done else verdict_for(likelihood, order.has_paid)
    waiting = _waiting(order, now, profile)
    if waiting is not None:
        key = "waiting_costs_verification" if order.status is S.PAYMENT_VERIFICATION else "waiting_costs"
        why.add(key, now=likelihood, later=waiting.likelihood, when=when(waiting.until))
    if result.money_back is not None:
        why.add(
            "money_back",
            low=round(result.money_back.low),
            high=round(result.money_back.high),
            destination=result.money_back.destination,
        )
    return Assessment(
        path=path,
        verdict=verdict,
        likelihood=likelihood,
        waiting=waiting,
        samples=result.samples,
        reasons=tuple(why.reasons),
        next_action=text("next_action", _next_action_key(path, order)),
        money_back=result.money_back,
        profile_id=profile.id,
    )


def _waiting(order: Order, now: datetime, profile: PolicyProfile) -> Waiting | None:
    """The chance if the buyer waits (a day, or until the ship-by date if that is sooner), where acting now is
    possible and waiting costs something."""
    until = now + timedelta(hours=assessment_rules().compare_wait_hours)
    if order.status is S.AWAITING_SHIPMENT and order.ship_by is not None:
        until = min(until, order.ship_by)
    later = chance_if_waiting(order, now, until, profile)
    return None if later is None else Waiting(until=until, likelihood=later)


def _next_action_key(path: Path, order: Order) -> str:
    """Nothing to do differs when nothing was paid: there is no refund to watch for; and a delivered
    order cannot be refused any more (DOMAIN.md: Awaiting delivery: a return or refund request instead)."""
    if path is Path.NOTHING_TO_DO and order.refund_amount is None and not order.has_paid:
        return "nothing_to_do_unpaid"
    if path is Path.CONTACT_SELLER and (order.delivered_at is not None or order.status is S.COMPLETED):
        return "contact_seller_delivered"
    return path.value


def _path_and_reasons(order: Order, now: datetime, profile: PolicyProfile, why: _Why) -> tuple[Path, bool]:
    """The recommended path, and whether the cancellation has already happened."""
    status = order.status
    match status:
        case S.AWAITING_PAYMENT if order.charged_but_shown_unpaid:  # DOMAIN.md: Buyer-facing statuses
            why.add("charged_shown_unpaid")
            why.add("charged_cancel_refunds")
            return Path.CANCEL_NOW, False
        case S.AWAITING_PAYMENT:
            why.add("unpaid")
            why.add("unpaid_closes", when=when(order.placed_at + timedelta(days=profile.unpaid_close_days.value)))
            return Path.CANCEL_NOW, False
        case S.PAYMENT_VERIFICATION:
            if profile.cancel_during_verification.value:
                why.add("verification_cancel_allowed", profile=profile.name)
                return Path.CANCEL_NOW, False
            why.add("verification_cancel_hidden", profile=profile.name, hours=profile.verification_max_hours.value)
            return Path.WAIT, False
        case S.AWAITING_SHIPMENT if order.awaiting_confirmation:  # DOMAIN.md: Cash on delivery
            expires = order.placed_at + timedelta(hours=profile.cod_confirm_hours.value)
            why.add("cod_awaiting_confirmation", when=when(expires))
            return Path.CANCEL_NOW, False
        case S.AWAITING_SHIPMENT:
            return _awaiting_shipment(order, now, profile, why), False
        case S.AWAITING_CANCELLATION:
            _awaiting_cancellation(order, now, profile, why)
            return Path.WAIT, False
        case S.PARTIAL_SHIPMENT | S.AWAITING_DELIVERY:
            why.add("shipped_no_cancel")
            return _dispute_or_contact(order, now, profile, why), False
        case S.DISPUTE_IN_PROGRESS:
            why.add("dispute_running", days=profile.seller_dispute_answer_days.value)
            return Path.WAIT, False
        case S.FROZEN:
            why.add("frozen")
            return Path.WAIT, False
        case S.REFUND_IN_PROGRESS:
            if order.close_reason is None:  # a real record may not say why
                why.add("refund_no_reason")
            else:
                why.add("already_cancelled", reason=text("close_reason", order.close_reason))
            return Path.NOTHING_TO_DO, True
        case S.COMPLETED:
            why.add("completed_no_cancel")
            return _dispute_or_contact(order, now, profile, why), False
        case S.CLOSED if order.close_reason is None:
            why.add("closed_no_reason")
            return Path.NOTHING_TO_DO, True
        case S.CLOSED:
            why.add("closed", reason=text("close_reason", order.close_reason))
            return Path.NOTHING_TO_DO, True
    raise AssertionError(f"unhandled status {status}")  # pragma: no cover


def _awaiting_shipment(order: Order, now: datetime, profile: PolicyProfile, why: _Why) -> Path:
    if order.ship_by is not None and now >= order.ship_by:
        why.add("ship_by_passed", when=when(order.ship_by))
        return Path.WAIT
    if profile.request_spent(order):
        why.add("seller_refused")
        why.add("assumes_one_request")
        return Path.CONTACT_SELLER
    if order.cancel_refused_at is not None:  # refused, but this profile lets the buyer ask again
        why.add("assumes_second_request")
    key = "request_needed" if order.has_paid else "request_needed_unpaid"  # cash on delivery
    why.add(key, hours=profile.seller_answer_hours.value)
    if order.ship_by is not None and order.ship_by - now < timedelta(hours=profile.seller_answer_hours.value):
        why.add("ship_by_near", when=when(order.ship_by))
    if order.made_to_order:
        why.add("made_to_order")
    return Path.REQUEST_CANCELLATION


def _awaiting_cancellation(order: Order, now: datetime, profile: PolicyProfile, why: _Why) -> None:
    """The seller's time runs to the window's end, or to the ship-by date if that comes first (assumed)."""
    ends, window_first = answer_deadline(order, known(order.cancel_requested_at), profile)
    if now >= ends:
        why.add("seller_silent_closes" if window_first else "ship_by_passed", when=when(ends))
    else:
        why.add("awaiting_seller", hours=profile.seller_answer_hours.value, when=when(ends))
        if not window_first:
            why.add("ship_by_first", when=when(ends))
    if order.ship_by is not None:
        runs = profile.ship_by_runs_during_request.value
        why.add("assumes_ship_by_runs" if runs else "assumes_ship_by_pauses")


# The assessment's reason for each answer the lifecycle gives to "may the buyer open a dispute now?", and
# which end of the dispute window the sentence names (0: when it opens, 1: when it closes).
_DISPUTE_WHY: dict[str | None, tuple[str, int | None]] = {
    None: ("dispute_open_now", 1),
    "dispute_not_possible": ("contact_seller", None),
    "dispute_once": ("dispute_used", None),
    "dispute_unpaid": ("unpaid_refuse_delivery", None),  # cash on delivery not yet paid: nothing to dispute
    "dispute_too_early": ("dispute_opens_later", 0),
    "dispute_too_late": ("dispute_closed_window", 1),
}


# DOMAIN.md: Awaiting delivery: once an item is delivered the buyer asks for a return or refund, and
# "refuse the delivery" no longer applies; these reasons replace the ones that would say it.
_DELIVERED_WHY: dict[str, str] = {
    "dispute_open_now": "dispute_open_now_delivered",
    "dispute_opens_later": "dispute_opens_later_delivered",
    "unpaid_refuse_delivery": "unpaid_delivered",
}


def _dispute_or_contact(order: Order, now: datetime, profile: PolicyProfile, why: _Why) -> Path:
    """Open a dispute when the lifecycle would accept one now, else contact the seller, saying why."""
    refused = dispute_refusal(order, now, profile)
    key, end = _DISPUTE_WHY[refused.key if refused else None]
    if order.delivered_at is not None:
        key = _DELIVERED_WHY.get(key, key)
    window = profile.dispute_window(order)
    why.add(key, **({"when": when(window[end])} if window and end is not None else {}))
    return Path.OPEN_DISPUTE if refused is None else Path.CONTACT_SELLER
