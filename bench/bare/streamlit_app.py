"""The bare reference app, of the app's shape: st.navigation over as many pages, each the bare page.

The browser and load benchmarks serve it beside the app, so their figures are ratios to what
Streamlit itself costs on this machine in the same run.
"""

import streamlit as st

# Streamlit puts this script's folder on sys.path, so the sibling bench/bare/page.py is imported by that
# path, however the app is started; mypy checks from the repository root and cannot see it there.
from page import bare_page  # type: ignore[import-not-found]  # see above: found by script path at run time

NAMES = ("walkthrough", "sign_in", "my_orders", "order_details", "contact_seller", "refunds", "rules", "training")

st.set_page_config(page_title="Bare", layout="wide")
pages = [st.Page(bare_page, title=name, url_path=name, default=n == 0) for n, name in enumerate(NAMES)]
st.navigation(pages).run()
