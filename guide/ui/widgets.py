"""Small reusable widgets: the page header with the simulated time, badges, money and times, messages kept
for the next run (flash), and buttons that record what the visitor did."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Literal

import streamlit as st

from guide.content import text, ui_settings
from guide.content.formats import when
from guide.models import Status, Verdict
from guide.ui import a11y
from guide.ui.state import Visit

FlashKind = Literal["ok", "info", "error"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=^&])")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE = re.compile(r"\s")


def plain(value: str) -> str:
    """User or content text made safe inside markdown: shown as typed, never as markup or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def quoted(value: str, limit: int = 40) -> str:
    """A bad value (from a link) quoted back in a message: its first `limit` characters on one line, escaped.
    Line breaks become spaces and control and bidi characters are dropped: they would split the message into
    paragraphs or turn the rest of it right to left."""
    one_line = _SPACE.sub(" ", value)
    return plain("".join(ch for ch in one_line if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))[:limit])


def displayable(value: object) -> object:
    """A value any element can send to the browser: a string's lone surrogates (a JSON \\ud800 escape in an
    uploaded file) become U+FFFD, which UTF-8 can carry; anything else as it is."""
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def page_header(title: str, clock: datetime) -> None:
    """Every page starts with its title and the simulated time (the sidebar is hidden on phones)."""
    _name_tab(title)  # each tab names its page
    st.title(title, anchor=False)
    with st.container(key="page_time"):
        st.caption(text("app", "simulated_time", when=when(clock)), help=text("sidebar", "clock_help"))
        a11y.describe("page_time", text("sidebar", "clock_help"), text("sidebar", "clock"))


def tab_title(subject: str, title: str) -> None:
    """Name what is open (an order, a case) in the browser tab too, ahead of the page's title."""
    _name_tab(f"{subject} · {title}")


def _name_tab(name: str) -> None:
    st.set_page_config(page_title=f"{name} · {text('app', 'title')}")


def status_badge(status: Status) -> None:
    colour = ui_settings().status_colour[status.value]
    st.badge(text("status", status), color=colour, help=text("status_meaning", status))


def verdict_badge(verdict: Verdict) -> None:
    st.badge(text("verdict", verdict), color=ui_settings().verdict_colour[verdict.value])


def flash(key: str, kind: FlashKind, message: str) -> None:
    """Keep a message for the next run of the panel `key`: a callback runs before the page does, so what it
    has to say is shown by `show_flash` when the panel is drawn."""
    st.session_state[f"{key}_flash"] = (kind, message)
    a11y.focus(f"{key}_flash_box", "alert")  # the eyes go to what the action reports


def show_flash(key: str) -> None:
    """The panel's kept message, once: a success box for "ok", a plain note for "info", an error box otherwise."""
    kept = st.session_state.pop(f"{key}_flash", None)
    if kept is not None:
        kind, message = kept
        with st.container(key=f"{key}_flash_box"):
            {"ok": st.success, "info": st.info}.get(kind, st.error)(message)


def fact_button(visit: Visit, fact: str, value: str, label: str, key: str, icon: str) -> bool:
    """A button that records `fact` = `value` (in a callback, so it is known before the page runs) and
    True once it is known: the panel the button opens then shows, now and on every later run. The caller draws
    that panel in `st.container(key=shown_key(key))`, where the focus goes after the click."""
    st.button(label, key=key, icon=icon, on_click=_record, args=(visit, fact, value, key))
    return visit.facts.get(fact) == value


def shown_key(key: str) -> str:
    """The key of what a fact button opens."""
    return f"{key}_shown"


def _record(visit: Visit, fact: str, value: str, key: str) -> None:
    visit.did(fact, value)
    a11y.focus(shown_key(key), "box")
