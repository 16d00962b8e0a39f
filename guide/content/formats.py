"""Dates, times and money as people read them: one formatter, its patterns in the "format" text section.

The patterns are strftime today; the language switch (Babel) replaces them per language in one place.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from guide.content import LANGUAGE, text, ui_settings


def when(moment: datetime, language: str = LANGUAGE) -> str:
    """A moment to the minute, e.g. 03 Mar 2025, 09:00 UTC (every moment in the simulator is UTC)."""
    return moment.strftime(text("format", "when", language))


def day(moment: datetime, language: str = LANGUAGE) -> str:
    """A calendar day, e.g. 03 Mar 2025."""
    return moment.strftime(text("format", "day", language))


def stamp(moment: datetime, language: str = LANGUAGE) -> str:
    """A moment in a table column, sortable as text, e.g. 2025-03-03 09:00."""
    return moment.strftime(text("format", "stamp", language))


def money(amount: Decimal, currency: str, language: str = LANGUAGE) -> str:
    """An amount with the currency's own number of decimals (JPY none, KWD three)."""
    decimals = ui_settings().decimals(currency)
    return text("format", "money", language, amount=f"{amount:,.{decimals}f}", currency=currency)
