"""The rules table of a policy profile, and switching a sandbox's profile."""

from __future__ import annotations

import streamlit as st

from guide.content import text
from guide.policy import PolicyProfile, Span
from guide.policy.profile import RefundTime
from guide.ui.state import Visit


def rule_value(value: object) -> str:
    """A rule's value in words: yes/no, a range, a number, or refund times by payment method."""
    if isinstance(value, bool):
        return text("rule_value", "yes" if value else "no")
    if isinstance(value, Span):
        return f"{value.low:g}–{value.high:g}"
    if isinstance(value, dict):
        return "; ".join(_refund(method, time) for method, time in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _refund(method: str, time: RefundTime) -> str:
    days = text("rule_value", "business_days", low=f"{time.business_days.low:g}", high=f"{time.business_days.high:g}")
    unverified = "" if time.verified else f" ({text('rule_value', 'unverified')})"
    return f"{text('payment_method', method)}: {days}, {time.destination}{unverified}"


def rule_rows(profile: PolicyProfile) -> list[dict[str, str]]:
    return [
        {
            text("rules", "rule"): text("rule_name", name),
            text("rules", "value"): rule_value(rule.value),
            text("rules", "sources"): "; ".join(rule.sources),
            text("rules", "note"): rule.note,
        }
        for name, rule in profile.rules()
    ]


def switch_profile(visit: Visit) -> None:
    chosen = st.session_state.get("rules_profile")
    if chosen and chosen != visit.sandbox.profile_id:
        visit.store.set_profile(visit.sandbox.id, chosen)
