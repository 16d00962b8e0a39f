"""The sidebar on every page: the language, the demo account, the simulated clock, and resetting the sandbox."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from guide.content import text
from guide.content.formats import when
from guide.ui import a11y
from guide.ui.case import case_sandbox
from guide.ui.clock import move_clock
from guide.ui.language import language_picker
from guide.ui.state import Visit

FLASH = "sidebar_flash"
STEPS = {"plus_hour": timedelta(hours=1), "plus_day": timedelta(days=1)}


def sidebar(visit: Visit, clock: bool = True) -> None:
    with st.sidebar:
        language_picker()
        st.markdown(f"**{text('sidebar', 'account')}**")
        if visit.buyer is None:
            st.caption(text("sidebar", "not_signed_in"))
        else:
            st.caption(text("sidebar", "signed_in_as", name=visit.buyer.name))
            st.button(text("sidebar", "sign_out"), key="sidebar_sign_out", on_click=_sign_out, args=(visit,))
        if clock:
            clock_controls(visit)
        # A training case runs under its own sandbox's profile: name that one, as the case header does.
        shown = visit.sandbox if clock else (case_sandbox() or visit.sandbox)
        st.caption(text("sidebar", "policy", name=shown.profile.name))
        _reset(visit)


def clock_controls(visit: Visit) -> None:
    with st.container(key="sidebar_clock"):
        st.markdown(f"**{text('sidebar', 'clock')}**", help=text("sidebar", "clock_help"))
        a11y.describe("sidebar_clock", text("sidebar", "clock_help"), text("sidebar", "clock"))
    st.markdown(f"`{when(visit.sandbox.clock)}`")
    hour, day_ = st.columns(2)
    hour.button(
        text("sidebar", "plus_hour"), key="clock_hour", on_click=_advance, args=(visit, "plus_hour"), width="stretch"
    )
    day_.button(
        text("sidebar", "plus_day"), key="clock_day", on_click=_advance, args=(visit, "plus_day"), width="stretch"
    )
    a11y.describe("clock_next", text("sidebar", "next_event_help"))
    st.button(
        text("sidebar", "next_event"),
        key="clock_next",
        icon=":material/skip_next:",
        width="stretch",
        help=text("sidebar", "next_event_help"),
        on_click=_advance,
        args=(visit, "next_event"),
    )
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.info(flash, icon=":material/schedule:")


def _advance(visit: Visit, step: str) -> None:
    st.session_state[FLASH] = move_clock(visit.store, visit.sandbox.id, visit.sandbox.clock, STEPS.get(step))


def _sign_out(visit: Visit) -> None:
    visit.store.forget(visit.sandbox.id, "signed_in")


def _reset(visit: Visit) -> None:
    with st.popover(text("sidebar", "reset"), help=text("sidebar", "reset_help"), icon=":material/restart_alt:"):
        st.warning(text("sidebar", "reset_warning"))
        st.button(
            text("sidebar", "reset_confirm"), key="sidebar_reset", type="primary", on_click=_do_reset, args=(visit,)
        )


def _do_reset(visit: Visit) -> None:
    visit.store.reset_sandbox(visit.sandbox.id)
    for key in [k for k in st.session_state if k != "sandbox"]:
        del st.session_state[key]
    st.session_state[FLASH] = text("sidebar", "reset_done")
