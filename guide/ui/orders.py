"""Sign-in and My Orders: the demo buyer, the tabs, the search bar and the order cards."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from guide.content import item_title, text, ui_settings
from guide.content.formats import day, money
from guide.models import Order, Status
from guide.ui import a11y
from guide.ui.state import Visit, demo_buyers
from guide.ui.widgets import plain, status_badge

PAGE_SIZE = 10


def sign_in_panel(visit: Visit, key: str) -> None:
    """Pick a demo buyer and sign in. There is never a password field."""
    st.info(text("app", "never_password"), icon=":material/lock:")
    if visit.buyer is not None:
        with st.container(key=f"{key}_signed_in"):
            st.success(text("sign_in", "signed_in", name=visit.buyer.name), icon=":material/check_circle:")
        return
    buyers = demo_buyers()
    st.selectbox(
        text("sign_in", "buyer"),
        list(buyers),
        format_func=lambda b: f"{buyers[b].name} · {buyers[b].email}",
        key=f"{key}_buyer",
    )
    st.button(
        text("sign_in", "submit"),
        type="primary",
        key=f"{key}_submit",
        on_click=_sign_in,
        args=(visit, key),
    )


def _sign_in(visit: Visit, key: str) -> None:
    """Sign in the buyer chosen when Sign in was clicked (read now: the run that drew the button may be stale)."""
    buyer_id = st.session_state.get(f"{key}_buyer")
    if buyer_id in demo_buyers():
        visit.did("signed_in", buyer_id)
        a11y.focus(f"{key}_signed_in", "alert")  # "Signed in as …", where the eyes go


def needs_sign_in(visit: Visit, key: str) -> bool:
    """True (after telling the visitor) when nobody is signed in yet."""
    if visit.buyer is not None:
        return False
    st.info(text("app", "sign_in_first"), icon=":material/login:")
    sign_in_panel(visit, key=f"{key}_sign_in")
    return True


def _tab_statuses() -> dict[str, list[Status]]:
    return {tab.id: [Status(s) for s in tab.statuses] for tab in ui_settings().tabs}


@st.fragment
def my_orders_panel(visit: Visit, key: str, on_details: Callable[[str], None]) -> None:
    """The order list: tabs, a search bar and cards. `on_details(order_id)` runs when Details is clicked.

    A fragment: a tab, a search or "Show more" reruns only the list, since nothing else on the page
    depends on them (Details reruns the whole app).
    """
    tabs = _tab_statuses()
    tab = st.segmented_control(
        text("orders", "title"),
        list(tabs),
        format_func=lambda t: text("tabs", t),
        default="all",
        required=True,
        key=f"{key}_tab",
        label_visibility="collapsed",
    )
    query = st.text_input(
        text("orders", "search"),
        placeholder=text("orders", "search_placeholder"),
        help=text("orders", "search_help"),
        key=f"{key}_search",
    )
    a11y.describe(f"{key}_search", text("orders", "search_help"), text("orders", "search"))
    if query.strip():
        visit.did("searched", "yes")
    found = visit.store.list_orders(visit.sandbox.id, statuses=tabs[tab or "all"], query=query)
    if not found:
        st.info(
            text("orders", "no_match") if query.strip() else text("orders", "empty_tab"), icon=":material/search_off:"
        )
        return
    shown = st.session_state.get(f"{key}_shown", PAGE_SIZE)
    st.caption(text("orders", "showing", count=len(found)))
    for order in found[:shown]:
        if order_card(order, key=f"{key}_card_{order.id}"):
            on_details(order.id)
    if len(found) > shown:
        st.button(
            text("orders", "show_more", count=len(found) - shown),
            key=f"{key}_more",
            on_click=lambda: st.session_state.update({f"{key}_shown": shown + PAGE_SIZE}),
        )


def _items_line(order: Order) -> str:
    extra = len(order.items) - 1
    return plain(item_title(order.items[0].title)) + (
        f" · {text('orders', 'more_items', count=extra)}" if extra else ""
    )


def order_card(order: Order, key: str) -> bool:
    """One order in the list, as on the site: date, id, store, total, status and Details. True if clicked."""
    with st.container(border=True, key=key):
        top, action = st.columns([5, 1], vertical_alignment="center")
        with top:
            st.markdown(
                f"**{text('orders', 'order_date')}:** {day(order.placed_at)} · "
                f"**{text('orders', 'order_id')}:** {order.id}  \n"
                f"**{text('orders', 'store')}:** {plain(order.seller.name)} · "
                f"**{text('orders', 'total')}:** {money(order.total, order.currency)}  \n"
                f":gray[{_items_line(order)}]"
            )
            status_badge(order.status)
        with action:
            # Ten buttons called "Details": each names its order for a screen reader.
            a11y.name(f"{key}_details", text("a11y", "details_of", order_id=order.id, seller=order.seller.name))
            return st.button(text("orders", "details"), key=f"{key}_details", help=text("orders", "details_help"))
