"""The seller-behaviour model: one place for the odds that the lifecycle and the Monte Carlo share."""

from __future__ import annotations

from dataclasses import dataclass

from guide.models import Order
from guide.profile import PolicyProfile


@dataclass(frozen=True)
class SellerOdds:
    """What a seller does with a cancellation request, as probabilities that sum to one."""

    silent: float  # no answer within the window: the order closes and refunds
    ships_anyway: float  # ships instead of answering: counts as a refusal
    refuses: float
    approves: float


def seller_odds(order: Order, profile: PolicyProfile) -> SellerOdds:
    """Odds for this order's seller: its own rates where the order has them, else the profile's."""
    respond = order.seller.response_rate
    if respond is None:
        respond = profile.default_response_rate.value
    ship_anyway = order.seller.ships_anyway_rate
    if ship_anyway is None:
        ship_anyway = profile.default_ships_anyway_rate.value
    refuse_share = profile.made_to_order_refuse_share.value if order.made_to_order else profile.refuse_share.value
    ships = respond * ship_anyway
    refuses = respond * (1 - ship_anyway) * refuse_share
    return SellerOdds(
        silent=1 - respond,
        ships_anyway=ships,
        refuses=refuses,
        approves=respond - ships - refuses,
    )


def reply_rate(order: Order, profile: PolicyProfile) -> float:
    """How likely the seller is to answer a message at all."""
    rate = order.seller.response_rate
    return profile.default_response_rate.value if rate is None else rate
