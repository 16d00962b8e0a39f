"""The order a link names (`?order=`), or a friendly message when the sandbox has no such order."""

from __future__ import annotations

from typing import overload

import streamlit as st

from guide.content import text
from guide.lifecycle import OrderState
from guide.store import UnknownOrder
from guide.ui.state import Visit, go

ORDER = "order"


@overload
def linked_order(visit: Visit, *, remembered: str | None = None, back_key: str, unnamed: str) -> OrderState: ...


@overload
def linked_order(
    visit: Visit, *, remembered: str | None = None, back_key: str | None = None, unnamed: str | None = None
) -> OrderState | None: ...


def linked_order(
    visit: Visit, *, remembered: str | None = None, back_key: str | None = None, unnamed: str | None = None
) -> OrderState | None:
    """The order in the URL, else `remembered` (for example the last order opened), or None.

    An order the sandbox does not have says so and is dropped from the URL; with `back_key`, it stays,
    a "back to orders" button (that key) shows, and the page stops there. `unnamed`, a text of the
    "app" section, is what to say when no order is named at all (by default nothing: None)."""
    wanted = st.query_params.get(ORDER) or remembered
    if not wanted:
        if unnamed is not None:
            _not_found(text("app", unnamed), back_key)
        return None
    try:
        return visit.store.get_order(visit.sandbox.id, wanted)
    except UnknownOrder:
        _not_found(text("app", "order_unknown"), back_key)
        return None


def _not_found(message: str, back_key: str | None) -> None:
    st.warning(message)
    if back_key is None:
        st.query_params.pop(ORDER, None)
        return
    if st.button(text("app", "back_to_orders"), key=back_key):
        go("my_orders")
    st.stop()
