"""Exporting a sandbox's orders: Order JSON v1 (the import format) and a CSV of one row an order."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from guide.models import Order

# A cell starting with one of these runs as a formula in a spreadsheet (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "id",
    "status",
    "placed_at",
    "seller",
    "items",
    "total",
    "currency",
    "payment_method",
    "country",
    "close_reason",
]


def export_orders(found: Sequence[Order]) -> list[dict[str, Any]]:
    """The orders as Order JSON v1, in the order given."""
    return [o.to_json_dict() for o in found]


def export_json(found: Sequence[Order]) -> str:
    return json.dumps(export_orders(found), indent=2, ensure_ascii=False)


def csv_row(order: Order) -> dict[str, str]:
    """One order as a spreadsheet row: the columns of CSV_COLUMNS."""
    return {
        "id": order.id,
        "status": order.status.value,
        "placed_at": order.placed_at.isoformat(),
        "seller": order.seller.name,
        "items": " | ".join(f"{i.quantity} x {i.title}" for i in order.items),
        "total": format(order.total, "f"),
        "currency": order.currency,
        "payment_method": order.payment_method.value,
        "country": order.country or "",
        "close_reason": order.close_reason.value if order.close_reason else "",
    }


def export_csv(found: Sequence[Order]) -> str:
    """One row an order, for spreadsheets, in the order given, formulas neutralised."""
    frame = spreadsheet_safe(pd.DataFrame([csv_row(o) for o in found], columns=CSV_COLUMNS))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell that a spreadsheet would run as a formula (a trainee named
    "=HYPERLINK(...)") prefixed with an apostrophe, as OWASP advises for CSV exports; it still reads as typed."""

    def safe(value: object) -> object:
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value

    return frame.astype(object).map(safe)
