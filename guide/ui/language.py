"""The visitor's language: from the link (`?lang=`), else the session's choice, else the browser's; the picker.

The choice is kept in the URL beside the sandbox, so a reload or a shared link opens in the same language.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from guide.content import text
from guide.content.language import choose, languages, read_from

LANG = "lang"
PICKER = "language_picker"


def _session_language() -> str | None:
    if get_script_run_ctx(suppress_warning=True) is None:  # outside a visit's run: the domain's own fallback
        return None
    value = st.session_state.get(LANG)
    return value if isinstance(value, str) else None


read_from(_session_language)  # every text() of a run, callbacks included, reads the visitor's language


def settle_language() -> str:
    """The run's language, once at the top of the entry; the URL is made to name it."""
    code = choose(st.query_params.get(LANG), st.session_state.get(LANG), st.context.locale)
    st.session_state[LANG] = code
    if st.query_params.get(LANG) != code:
        st.query_params[LANG] = code
    return code


def language_picker() -> None:
    """The sidebar's language menu, each language named in itself."""
    options = list(languages())
    st.session_state[PICKER] = st.session_state.get(LANG, options[0])
    st.selectbox(
        text("sidebar", "language"),
        options,
        key=PICKER,
        format_func=lambda code: languages()[code].name,
        help=text("sidebar", "language_help"),
        on_change=_picked,
    )


def _picked() -> None:
    st.session_state[LANG] = st.session_state[PICKER]
    st.query_params[LANG] = st.session_state[PICKER]
