"""Cancel Coach: the entry point only builds the navigation (pages come in the next issue)."""

import streamlit as st

st.set_page_config(page_title="Cancel Coach", page_icon=":material/cancel:", layout="wide")
st.navigation([st.Page("pages/orders.py", title="Demo orders", icon=":material/list_alt:", default=True)]).run()
