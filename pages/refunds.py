"""Refunds: money back per order, with expected dates by payment method."""

import streamlit as st

from guide.content import text
from guide.ui.orders import needs_sign_in
from guide.ui.refunds import refund_panel, viewed_order
from guide.ui.state import visit
from guide.ui.widgets import page_header

here = visit()
page_header(text("refunds", "title"), here.sandbox.clock)
if needs_sign_in(here, key="refunds_page"):
    st.stop()
viewed = viewed_order(here)
if viewed is not None:
    here.did("viewed_refund", viewed)
refund_panel(here)
