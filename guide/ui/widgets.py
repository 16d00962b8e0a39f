"""Small reusable widgets: the page header with the simulated time, badges, money and times."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import streamlit as st

from guide.content import load, text
from guide.models import Status, Verdict

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=^&])")


def plain(value: str) -> str:
    """User or content text made safe inside markdown: shown as typed, never as markup or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


def day(moment: datetime) -> str:
    return moment.strftime("%d %b %Y")


def money(amount: Decimal, currency: str) -> str:
    """An amount with the currency's own number of decimals (JPY none, KWD three)."""
    decimals = load("ui.json")["currency_decimals"].get(currency, 2)
    return f"{amount:,.{decimals}f} {currency}"


def page_header(title: str, clock: datetime) -> None:
    """Every page starts with its title and the simulated time (the sidebar is hidden on phones)."""
    st.set_page_config(page_title=f"{title} · {text('app', 'title')}")  # each tab names its page
    st.title(title, anchor=False)
    st.caption(text("app", "simulated_time", when=when(clock)), help=text("sidebar", "clock_help"))


def status_badge(status: Status) -> None:
    colour = load("ui.json")["status_colour"][status.value]
    st.badge(text("status", status), color=colour, help=text("status_meaning", status))


def verdict_badge(verdict: Verdict) -> None:
    st.badge(text("verdict", verdict), color=load("ui.json")["verdict_colour"][verdict.value])
