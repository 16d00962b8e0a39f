"""The seller-behaviour model: one table of odds that the lifecycle's seller plan and the forecast both read.

A seller who answers a cancellation request, refuses it or ships anyway does so before the earlier of the
window's end and the ship-by date (a seller who means to ship does it before the deadline). Missing the
deadline is its own small rate. Shipping anyway does not depend on answering messages: `response_rate` and
`ships_anyway_rate` mean what their names say. Every rate is the simulator's assumption (DOMAIN.md: Not
confirmed by any source found).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

import numpy as np

from guide.models import Order
from guide.profile import PolicyProfile


class Reaction(IntEnum):
    """What a seller does with a cancellation request; the values index RequestOdds.shares()."""

    SHIPS = 0  # ships anyway, which counts as refusing (DOMAIN.md: Awaiting shipment)
    REFUSES = 1
    APPROVES = 2
    SILENT = 3  # neither answers nor ships: the order closes when the window ends or the deadline passes


@dataclass(frozen=True)
class RequestOdds:
    """A seller's reaction to a cancellation request, as probabilities that sum to one, and the chance that
    the seller misses the ship-by date after a refusal (the order then closes and refunds too)."""

    ships: float
    refuses: float
    approves: float
    silent: float
    misses_later: float

    def shares(self) -> tuple[float, float, float, float]:
        return self.ships, self.refuses, self.approves, self.silent

    @property
    def success(self) -> float:
        """The chance the order ends cancelled if the buyer does nothing more after asking."""
        return self.approves + self.silent + self.refuses * self.misses_later

    def after_silence(self, share: float) -> RequestOdds:
        """The odds once `share` (0..1) of the seller's time has passed with no answer and no parcel: the
        answers that would have come by now did not, so silence grows more likely."""
        left = min(max(1.0 - share, 0.0), 1.0)
        acting = (self.ships + self.refuses + self.approves) * left
        total = acting + self.silent
        if total <= 0:  # nothing the seller could still do: the time is up and the order closes
            return RequestOdds(0.0, 0.0, 0.0, 1.0, self.misses_later)
        return RequestOdds(
            self.ships * left / total,
            self.refuses * left / total,
            self.approves * left / total,
            self.silent / total,
            self.misses_later,
        )


def reply_rate(order: Order, profile: PolicyProfile) -> float:
    """How likely the seller is to answer a message or a request at all."""
    rate = order.seller.response_rate
    return profile.default_response_rate.value if rate is None else rate


def ships_anyway_rate(order: Order, profile: PolicyProfile) -> float:
    """How likely the seller is to ship instead of cancelling, whether or not it answers messages."""
    rate = order.seller.ships_anyway_rate
    return profile.default_ships_anyway_rate.value if rate is None else rate


def _refuse_share(order: Order, profile: PolicyProfile) -> float:
    """Of the sellers who answer, the share who refuse: more for customised and pre-sale items."""
    return profile.made_to_order_refuse_share.value if order.made_to_order else profile.refuse_share.value


def request_odds(order: Order, profile: PolicyProfile) -> RequestOdds:
    """The odds for this order's seller: its own rates where the order has them, else the profile's."""
    answers = reply_rate(order, profile)
    ships = ships_anyway_rate(order, profile)
    misses = profile.miss_ship_by_rate.value
    refuse_share = _refuse_share(order, profile)
    return RequestOdds(
        ships=ships * (1 - misses),
        refuses=(1 - ships) * answers * refuse_share,
        approves=(1 - ships) * answers * (1 - refuse_share),
        silent=ships * misses + (1 - ships) * (1 - answers),  # a seller set on shipping can miss the deadline too
        misses_later=misses,
    )


def agrees_after_refusal(order: Order, profile: PolicyProfile) -> float:
    """The chance a seller who refused still agrees to cancel when the buyer writes (a simulator assumption)."""
    return reply_rate(order, profile) * (1 - _refuse_share(order, profile)) * profile.after_refusal_agree_factor.value


def reactions(odds: RequestOdds, rolls: np.ndarray) -> np.ndarray:
    """The reaction for each uniform roll in [0, 1): the lifecycle rolls one, the forecast thousands."""
    edges = np.cumsum(odds.shares())[:-1]
    picked: np.ndarray = np.searchsorted(edges, rolls, side="right")
    return picked


def reaction(odds: RequestOdds, roll: float) -> Reaction:
    return Reaction(int(reactions(odds, np.array([roll]))[0]))


def answer_deadline(order: Order, requested_at: datetime, profile: PolicyProfile) -> tuple[datetime, bool]:
    """When the seller's time to react to a request ends, and whether that end is the seller's answer window
    (else the ship-by date, which comes first while the countdown runs during a request)."""
    window_ends = requested_at + timedelta(hours=profile.seller_answer_hours.value)
    runs = profile.ship_by_runs_during_request.value
    if order.ship_by is None or not runs or window_ends <= order.ship_by:
        return window_ends, True
    return order.ship_by, False
