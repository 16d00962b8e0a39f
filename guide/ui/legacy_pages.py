"""Streamlit's legacy `pages/` mode, and the one place the app steps out of it.

Why: the project's fixed layout has a top-level `pages/` folder beside the entry point. Streamlit takes
such a folder for its first multipage mode (`PagesManager.uses_pages_directory`) until st.navigation has
run once in the process, and in that mode a deep link (`/my_orders?sandbox=...`) runs the page's file on
its own, skipping the entry point: no menu, no sidebar, no page layout. The app reruns once so the entry
point builds them; after that, st.navigation has turned the mode off for the life of the process.
AppTest turns it back on before every run, so the tests and the bench run scripts as a warmed-up server
does (`as_warm_server`). tests/pages/test_legacy_pages.py fails if a Streamlit upgrade changes this.
Nothing else in the project touches PagesManager.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def leave_legacy_pages_mode() -> None:
    """Rerun through the entry point when Streamlit ran a `pages/` file on its own (a cold server's deep link)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@contextmanager
def as_warm_server() -> Iterator[None]:
    """For AppTest (tests, bench): every run starts outside the legacy mode, as on a server that has served a
    page. Without it each AppTest run reruns once and loses a click that has no callback."""
    cold_init = PagesManager.__init__

    def warm_init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        cold_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = warm_init  # type: ignore[method-assign]  # restored on exit
    try:
        yield
    finally:
        PagesManager.__init__ = cold_init  # type: ignore[method-assign]  # the original, saved above
