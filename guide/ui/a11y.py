"""What screen-reader and keyboard users need that Streamlit's widgets cannot be told from Python: a control's
name and description, and where the focus goes after an action. Python writes hidden markers; a small script
(assets/a11y.js, installed on every page) applies them in the browser."""

from __future__ import annotations

import html
import secrets
from functools import cache
from pathlib import Path
from typing import Literal

import streamlit as st

from guide.content import text
from guide.content.language import current

ASSETS = Path(__file__).parent / "assets"
FOCUS = "a11y_focus"  # the focus asked for by this run's callbacks, in session_state
LAST_PAGE = "a11y_page"
FocusKind = Literal["alert", "heading", "control", "box", "any"]


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text("utf-8")


def install(page: str) -> None:
    """Every run: the styles, the script, and the focus this run moves (a new page's heading, or what an
    action asked for). The first page of a visit keeps the browser's own start, so Tab finds the skip link."""
    st.html(f"<style>{_asset('a11y.css')}</style>")
    previous = st.session_state.get(LAST_PAGE)
    st.session_state[LAST_PAGE] = page
    if previous not in (None, "") and previous != page and FOCUS not in st.session_state:  # "": the root redirect
        focus("heading", "heading")
    wanted = st.session_state.pop(FOCUS, None)
    marker = ""
    if wanted is not None:
        where, kind, nonce = wanted
        focus_at = f'data-cc-focus="{where}" data-cc-focus-kind="{kind}" data-cc-nonce="{nonce}"'
        marker = f"<span hidden data-cc-marker {focus_at}></span>"
    speaking = f'data-cc-lang="{html.escape(current())}"'  # the <html lang> the script sets
    script = f"<span hidden data-cc-marker {speaking}></span>{marker}<script>{_asset('a11y.js')}</script>"
    st.html(script, unsafe_allow_javascript=True)


def focus(where: str, kind: FocusKind = "any") -> None:
    """Once this run is drawn, move the focus into the element with key `where` ("heading": the page's title):
    to its message, heading or first control as `kind` says ("box": the element itself, read as a whole). Call it
    from the callback of the action."""
    # a random nonce, not a counter: after a replica dies the next one must not hand out a nonce the page has seen
    st.session_state[FOCUS] = (where, kind, secrets.token_hex(6))


def name(key: str, label: str, description: str | None = None) -> None:
    """Give the control with key `key` the accessible name `label`, and optionally a description."""
    _marker(key, label, description)


def describe(key: str, description: str, label: str | None = None) -> None:
    """Tie a help text to the control with key `key`, so it is read with the control (Streamlit's tooltip is
    not), and name its Help button after the control's `label`, so no two are just "Help"."""
    help_name = text("a11y", "help_for", label=label) if label else None
    _marker(key, None, description, help_name)


def region(key: str, label: str) -> None:
    """Make the scroll box inside the element with key `key` (a wide table on a phone) reachable by keyboard,
    named `label`, so its hidden columns can be scrolled to without a mouse."""
    where = f'data-cc-for="{html.escape(key)}" data-cc-region="{html.escape(label)}"'
    st.html(f"<span hidden data-cc-marker {where}></span>")


def _marker(key: str, label: str | None, description: str | None, help_name: str | None = None) -> None:
    attributes = [f'data-cc-for="{html.escape(key)}"']
    if label:
        attributes.append(f'data-cc-name="{html.escape(label)}"')
    if help_name:
        attributes.append(f'data-cc-help-name="{html.escape(help_name)}"')
    if description is not None:
        attributes.append("data-cc-describe")
    body = html.escape(description or "")
    st.html(f"<span hidden data-cc-marker {' '.join(attributes)}>{body}</span>")
