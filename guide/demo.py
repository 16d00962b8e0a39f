"""A sandbox's demo orders: built from the recipes in content/demo_orders.json with a seeded RNG.

Every order is made as an Order JSON v1 snapshot, turned into an event log, and kept only if its
next timer lies after the sandbox clock, so a new sandbox shows every status at once.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from guide.content import load
from guide.lifecycle import OrderState, events_from_snapshot, next_timer, replay
from guide.models import Order
from guide.profile import PolicyProfile

ATTEMPTS = 40
PAYMENT_METHODS = ("card", "card", "card", "card", "paypal", "balance", "klarna", "bank_transfer")
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW"})


def _price(usd: str, rate: str, currency: str) -> str:
    step = Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return format((Decimal(usd) * Decimal(rate)).quantize(step, rounding=ROUND_HALF_UP), "f")


def _order_id(rng: random.Random) -> str:
    return "81" + "".join(str(rng.randrange(10)) for _ in range(14))


def _snapshot(recipe: dict[str, Any], rng: random.Random, clock: datetime) -> dict[str, Any]:
    catalogue = load("demo_catalogue.json")
    market = rng.choice(catalogue["markets"])
    plain = [p for p in catalogue["products"] if not p["made_to_order"]]
    low, high = recipe.get("items", [1, 2])
    products = rng.sample(plain, rng.randint(low, high))
    if recipe.get("made_to_order"):
        products[0] = rng.choice([p for p in catalogue["products"] if p["made_to_order"]])
    items = [
        {
            "title": p["title"],
            "quantity": rng.choice((1, 1, 1, 2, 3)),
            "unit_price": _price(p["unit_price_usd"], market["usd_rate"], market["currency"]),
            "made_to_order": p["made_to_order"],
        }
        for p in products
    ]
    gaps = [(name, rng.uniform(lo, hi)) for name, lo, hi in recipe["steps"]]
    gap = rng.uniform(*recipe["gap_hours"])
    placed = (clock - timedelta(hours=sum(h for _, h in gaps) + gap)).replace(microsecond=0)
    order: dict[str, Any] = {
        "id": _order_id(rng),
        "status": recipe["status"],
        "placed_at": placed,
        "seller": rng.choice(catalogue["sellers"]),
        "items": items,
        "payment_method": recipe.get("payment_method") or rng.choice(PAYMENT_METHODS),
        "currency": market["currency"],
        "country": market["country"],
    }
    at = placed
    for name, hours in gaps:
        at = (at + timedelta(hours=hours)).replace(microsecond=0)
        order[name] = at
    if "ship_by_days" in recipe:
        start = order.get("verified_at") or placed
        order["ship_by"] = start + timedelta(days=rng.randint(*recipe["ship_by_days"]))
    if "close_reason" in recipe:
        order["close_reason"] = recipe["close_reason"]
    return order


def demo_orders(seed: int, clock: datetime, profile: PolicyProfile) -> list[OrderState]:
    """About forty orders covering every status, the same for the same seed, clock and profile."""
    rng = random.Random(seed)
    states = []
    for recipe in load("demo_orders.json")["recipes"]:
        for _ in range(recipe["count"]):
            states.append(_one(recipe, rng, seed, clock, profile))
    return states


def _one(recipe: dict[str, Any], rng: random.Random, seed: int, clock: datetime, profile: PolicyProfile) -> OrderState:
    for _ in range(ATTEMPTS):
        order = Order.model_validate(_snapshot(recipe, rng, clock))
        # A cash-on-delivery recipe may leave the order waiting for the buyer's confirmation.
        state = replay(events_from_snapshot(order, profile, assume_confirmed=recipe.get("confirmed", True)))
        due = next_timer(state, seed, profile)
        if due is None or due.at > clock:
            return state
    raise RuntimeError(f"no {recipe['status']} demo order stays put at {clock.isoformat()}; widen its recipe")
