"""The bare reference app, of the app's shape: st.navigation over as many pages, each the bare page.

The browser and load benchmarks serve it beside the app, so their figures are ratios to what
Streamlit itself costs on this machine in the same run.
"""

import streamlit as st
from page import bare_page  # Streamlit puts this script's folder on sys.path

NAMES = ("walkthrough", "sign_in", "my_orders", "order_details", "contact_seller", "refunds", "rules", "training")

st.set_page_config(page_title="Bare", layout="wide")
pages = [st.Page(bare_page, title=name, url_path=name, default=n == 0) for n, name in enumerate(NAMES)]
st.navigation(pages).run()
