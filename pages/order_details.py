"""Order details: status, assessment, Cancel order / Request cancellation, timeline and lifecycle."""

import streamlit as st

from guide.content import text
from guide.ui.diagram import lifecycle_diagram
from guide.ui.links import linked_order
from guide.ui.order import assessment_section, cancel_section, order_header, status_section, timeline
from guide.ui.orders import needs_sign_in
from guide.ui.state import go, visit
from guide.ui.widgets import page_header, tab_title

here = visit()
page_header(text("details", "title"), here.sandbox.clock)
if needs_sign_in(here, key="details_page"):
    st.stop()

state = linked_order(here, back_key="details_back", unnamed="pick_order_first")
order = state.order
here.did("opened_order", order.id)
tab_title(text("a11y", "order_tab", order_id=order.id), text("details", "title"))

left, right = st.columns([3, 2], gap="large")
with left:
    order_header(order)
with right, st.container(border=True):
    status_section(here, order, key="details")
    assessment_section(here, order, key="details")
    cancel_section(here, state, key="details")
    if st.button(text("details", "contact_seller"), key="details_contact", icon=":material/chat:"):
        go("contact_seller", order=order.id)
    if st.button(text("details", "refund_tracker"), key="details_refund", icon=":material/payments:"):
        go("refunds", order=order.id)

st.subheader(text("details", "timeline"), anchor=False)
timeline(state)
st.subheader(text("details", "lifecycle"), anchor=False)
lifecycle_diagram(order.status, around_current=True)
