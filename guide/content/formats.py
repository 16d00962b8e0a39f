"""Dates, times, money and numbers as people read them in the current language (Babel's CLDR data).

The date patterns are the "format" text section's, per language; money takes the locale's own pattern
(where the symbol goes, the separators) with the currency's ISO 4217 minor units from ui.json.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import NumberPattern, format_decimal

from guide.content import text, ui_settings
from guide.content.language import current, languages


def _locale(language: str | None) -> str:
    return languages()[language or current()].locale


def _dated(moment: datetime, key: str, language: str | None) -> str:
    return format_datetime(moment, text("format", key, language), tzinfo=UTC, locale=_locale(language))


def when(moment: datetime, language: str | None = None) -> str:
    """A moment to the minute, e.g. 3 Mar 2025, 09:00 UTC (every moment in the simulator is UTC)."""
    return _dated(moment, "when", language)


def day(moment: datetime, language: str | None = None) -> str:
    """A calendar day, e.g. 3 Mar 2025."""
    return _dated(moment, "day", language)


def stamp(moment: datetime, language: str | None = None) -> str:
    """A moment in a table column, sortable as text, e.g. 2025-03-03 09:00."""
    return _dated(moment, "stamp", language)


@cache
def _money_pattern(locale: str, decimals: int) -> NumberPattern:
    pattern: NumberPattern = copy.copy(Locale.parse(locale).currency_formats["standard"])
    pattern.frac_prec = (decimals, decimals)
    return pattern


def money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """An amount as the language writes it, with the currency's own number of decimals (JPY none, KWD three):
    "€1,234.56", "1.234,56 €", "R$ 1.234,56", "1 234,56 ₽"."""
    locale = _locale(language)
    pattern = _money_pattern(locale, ui_settings().decimals(currency))
    return str(pattern.apply(amount, Locale.parse(locale), currency=currency, currency_digits=False))


def number(value: float, language: str | None = None) -> str:
    """A number with the language's separators ("1,234.5", "1 234,5")."""
    return format_decimal(value, locale=_locale(language))
