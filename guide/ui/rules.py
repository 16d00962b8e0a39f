"""The rules table of a policy profile, and switching a sandbox's profile."""

from __future__ import annotations

import streamlit as st

from guide.content import text
from guide.profile import ByCountry, PolicyProfile, RefundTime, Span
from guide.ui.state import Visit


def rule_value(value: object) -> str:
    """A rule's value in words: yes/no, a range, a number, days by country, or refund times by payment method."""
    if isinstance(value, ByCountry):
        countries = "; ".join(
            text("rule_value", "country_days", days=f"{days:g}", country=country)
            for country, days in value.by_country.items()
        )
        return text("rule_value", "by_country", default=f"{value.default:g}", countries=countries)
    if isinstance(value, bool):
        return text("rule_value", "yes" if value else "no")
    if isinstance(value, Span):
        return f"{value.low:g}–{value.high:g}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _refund(method: str, time: RefundTime) -> str:
    days = text("rule_value", "business_days", low=f"{time.business_days.low:g}", high=f"{time.business_days.high:g}")
    unverified = "" if time.verified else f" ({text('rule_value', 'unverified')})"
    return f"{text('payment_method', method)}: {days}, {time.destination}{unverified}"


def rule_rows(profile: PolicyProfile) -> list[dict[str, str]]:
    """One row a rule; refund times get one row a payment method."""
    rows = []
    for name, rule in profile.rules():
        values = rule.value.items() if isinstance(rule.value, dict) else [(None, rule.value)]
        for method, value in values:
            label = text("rule_name", name)
            shown = _refund(method, value) if method is not None else rule_value(value)
            if not rule.verified:  # no source confirms it: the simulator's assumption
                shown = f"{shown} ({text('rule_value', 'unverified')})"
            rows.append(
                {
                    text("rules", "rule"): label,
                    text("rules", "value"): shown,
                    text("rules", "sources"): "; ".join(rule.sources),
                    text("rules", "note"): rule.note,
                }
            )
    return rows


def switch_profile(visit: Visit) -> None:
    chosen = st.session_state.get("rules_profile")
    if chosen and chosen != visit.sandbox.profile_id:
        visit.store.set_profile(visit.sandbox.id, chosen)
