"""Cancel Coach: the entry point. Sets up the visit and the sidebar, then runs the chosen page."""

import streamlit as st

from guide.content import text
from guide.ui.sidebar import sidebar
from guide.ui.state import PAGES, hand_over, home, visit

st.set_page_config(page_icon=":material/remove_shopping_cart:", layout="wide")  # each page names its own tab


def page(name: str, icon: str) -> st.Page:
    return st.Page(PAGES[name], title=text("nav", name), icon=icon, url_path=name)


navigation = st.navigation(
    {
        text("nav", "guide"): [
            st.Page(home, title=text("app", "title"), default=True, visibility="hidden"),
            page("walkthrough", ":material/route:"),
        ],
        text("nav", "simulator"): [
            page("sign_in", ":material/login:"),
            page("my_orders", ":material/receipt_long:"),
            page("order_details", ":material/description:"),
            page("contact_seller", ":material/chat:"),
            page("refunds", ":material/payments:"),
        ],
        text("nav", "training"): [page("training", ":material/school:"), page("trainer", ":material/monitoring:")],
        text("nav", "reference"): [page("rules", ":material/gavel:")],
    }
)
here = visit(fresh=True)
sidebar(here, clock=navigation.url_path not in ("training", "trainer"))  # a case keeps its own clock
hand_over(here)
navigation.run()
