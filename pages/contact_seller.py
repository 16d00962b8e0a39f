"""Contact seller: a conversation an order, with templates; replies arrive as the clock moves."""

import streamlit as st

from guide.content import text
from guide.ui.conversation import conversation_panel
from guide.ui.links import linked_order
from guide.ui.orders import needs_sign_in
from guide.ui.state import visit
from guide.ui.widgets import page_header, status_badge, tab_title

here = visit()
page_header(text("contact", "title"), here.sandbox.clock)
if needs_sign_in(here, key="contact_page"):
    st.stop()

orders = {o.id: o for o in here.store.list_orders(here.sandbox.id)}
linked = linked_order(here, back_key="contact_back")
wanted = linked.order.id if linked else None
order_id = st.selectbox(
    text("contact", "order"),
    list(orders),
    index=list(orders).index(wanted) if wanted else 0,
    format_func=lambda oid: f"{oid} · {orders[oid].seller.name} · {text('status', orders[oid].status)}",
    key="contact_order",
)
st.query_params["order"] = order_id
tab_title(text("a11y", "order_tab", order_id=order_id), text("contact", "title"))
status_badge(orders[order_id].status)
conversation_panel(here, orders[order_id], key=f"contact_{order_id}")
