"""The rules table of a policy profile, switching a sandbox's profile, and the DOMAIN.md rules training cites."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from guide.citations import CitedRule, all_cited, cited
from guide.content import text
from guide.content.language import current
from guide.navigation import pages
from guide.profile import ByCountry, PolicyProfile, RefundTime, Span
from guide.ui.language import LANG
from guide.ui.state import SANDBOX, Visit
from guide.ui.widgets import plain

RULES_PAGE = "rules"  # its name in pages.json, which is also its URL path


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


def cited_rules_section() -> None:
    """Every rule training cites, each under a heading whose anchor a citation's link opens."""
    st.header(text("cited_rules", "heading"), anchor=False)
    st.write(text("cited_rules", "intro"))
    for rule in all_cited():
        st.subheader(text("cited_rule_title", rule.key), anchor=rule.id)
        st.write(text("cited_rule_text", rule.key))


def rule_url(rule: CitedRule) -> str:
    """The Rules & sources page scrolled to the rule, in the visitor's sandbox: an absolute path (under any
    server.baseUrlPath), so the link works from every page."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    path = "/" + "/".join(part for part in (base, pages()[RULES_PAGE].name) if part)
    sandbox = st.session_state.get(SANDBOX)
    query = urlencode({**({SANDBOX: sandbox} if sandbox else {}), LANG: current()})
    return f"{path}?{query}#{rule.id}"


def rule_links(citation: str) -> str:
    """Markdown links to the rules a citation names (KeyError if it names an unknown one). Streamlit opens a
    markdown link that is not a bare #anchor in a new tab (target="_blank"), so a trainee's case stays open."""
    return ", ".join(
        f"[{plain(text('cited_rules', 'link', title=text('cited_rule_title', rule.key)))}]({rule_url(rule)})"
        for rule in cited(citation)
    )
