"""The likelihood by hours left before ship-by, as docs/DOMAIN-NOTES.md shows it (issue 11's measurement).

    .venv/bin/python -m bench.likelihood_table

An order awaiting shipment, paid and verified, ship-by seven days after payment; for each profile and
seller: assess()'s likelihood of asking now and, beside it, the chance if the buyer waits a day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from guide.models import Order
from guide.policy import assess
from guide.profile import load_profiles

HOURS_LEFT = (166, 96, 48, 24, 12, 1)
SELLERS: tuple[tuple[str, dict[str, float]], ...] = (
    ("default", {}),
    ("0.90 / 0.30", {"response_rate": 0.9, "ships_anyway_rate": 0.3}),
    ("1.00 / 1.00", {"response_rate": 1.0, "ships_anyway_rate": 1.0}),
)
PAID = datetime(2026, 8, 13, 9, 41, tzinfo=UTC)


def order(rates: dict[str, float]) -> Order:
    return Order.model_validate(
        {
            "id": "8178120654493306",
            "status": "awaiting_shipment",
            "placed_at": (PAID - timedelta(minutes=1)).isoformat(),
            "paid_at": PAID.isoformat(),
            "verified_at": (PAID + timedelta(minutes=19)).isoformat(),
            "ship_by": (PAID + timedelta(days=7)).isoformat(),
            "seller": {"name": "Bench Store", **rates},
            "items": [{"title": "Keyboard", "quantity": 1, "unit_price": "58.50"}],
            "payment_method": "card",
            "currency": "EUR",
        }
    )


def table() -> str:
    """Markdown: one row a profile and seller, each cell 'now / if you wait a day'."""
    lines = [
        "| profile | seller (response / ships anyway) | " + " | ".join(f"{h} h" for h in HOURS_LEFT) + " |",
        "|---|---|" + "---|" * len(HOURS_LEFT),
    ]
    for profile in load_profiles().values():
        for name, rates in SELLERS:
            the_order = order(rates)
            cells = []
            for hours in HOURS_LEFT:
                result = assess(the_order, PAID + timedelta(days=7) - timedelta(hours=hours), profile)
                later = f"{result.waiting.likelihood:.2f}" if result.waiting else "-"
                cells.append(f"{result.likelihood:.2f} / {later}")
            lines.append(f"| {profile.id} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
