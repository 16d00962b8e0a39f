"""The trainer dashboard's passcode gate: the operator's passcode, the form, and slow wrong guesses."""

from __future__ import annotations

import hmac
import os
import time

import streamlit as st

from guide.content import text
from guide.passcode_guard import WrongGuesses, delay_after
from guide.ui.state import get_store

UNLOCKED = "trainer_unlocked"
FAILURES = "trainer_failures"


def configured_passcode() -> str | None:
    """The operator's passcode: CANCEL_COACH_TRAINER_PASSCODE, else trainer_passcode in st.secrets."""
    from_env = os.environ.get("CANCEL_COACH_TRAINER_PASSCODE")
    if from_env:
        return from_env
    try:
        value = st.secrets.get("trainer_passcode")
    except Exception:
        return None
    return str(value) if value else None


def gate() -> bool:
    """True when the dashboard may show data; otherwise it explains what to do and shows none."""
    passcode = configured_passcode()
    if passcode is None:
        st.info(text("trainer", "not_configured"), icon=":material/lock:")
        st.caption(text("trainer", "how_to"))
        return False
    if st.session_state.get(UNLOCKED):
        st.button(text("trainer", "lock"), key="trainer_lock", on_click=lambda: st.session_state.pop(UNLOCKED, None))
        return True
    with st.form("trainer_gate", clear_on_submit=True):
        st.text_input(text("trainer", "passcode"), type="password", key="trainer_passcode_input")
        st.form_submit_button(text("trainer", "unlock"), type="primary", on_click=_try, args=(passcode,))
    if st.session_state.get(FAILURES):
        st.error(text("trainer", "wrong"))
    return False


@st.cache_resource
def wrong_guesses() -> WrongGuesses:
    """The deployment's one count of wrong passcodes, in the database (guide.passcode_guard)."""
    return WrongGuesses(get_store())


def _try(passcode: str) -> None:
    """Constant-time comparison; each wrong attempt in a row, from any session on any replica, waits longer (up
    to a few seconds)."""
    given = st.session_state.pop("trainer_passcode_input", "") or ""
    guesses = wrong_guesses()
    if hmac.compare_digest(given.encode("utf-8"), passcode.encode("utf-8")):
        st.session_state[UNLOCKED] = True
        st.session_state.pop(FAILURES, None)
        guesses.clear()
        return
    st.session_state[FAILURES] = True
    slow_down(delay_after(guesses.add()))


def slow_down(seconds: float) -> None:
    """Wait before answering a wrong passcode, so guessing is slow (a module function tests can replace)."""
    time.sleep(seconds)
