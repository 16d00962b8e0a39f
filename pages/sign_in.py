"""Sign in: pick a demo buyer. The simulator never asks for a password."""

import streamlit as st

from guide.content import text
from guide.ui.orders import sign_in_panel
from guide.ui.state import go, visit
from guide.ui.widgets import page_header

here = visit()
page_header(text("sign_in", "title"), here.sandbox.clock)
sign_in_panel(here, key="sign_in_page")
if here.buyer is not None and st.button(text("sign_in", "continue"), type="primary", key="sign_in_continue"):
    go("my_orders")
