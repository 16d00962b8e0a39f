"""A first look at the domain core: a new sandbox's demo orders with their assessment."""

import pandas as pd
import streamlit as st

from guide.content import text
from guide.policy import assess
from guide.store import Store


@st.cache_resource
def store() -> Store:
    return Store()


st.title("Cancel Coach")
st.caption("A simulator for cancelling an AliExpress order. The full walkthrough is on its way.")

if "sandbox_id" not in st.session_state:
    st.session_state.sandbox_id = store().create_sandbox().id
sandbox = store().get_sandbox(st.session_state.sandbox_id)
st.write(f"Simulated clock: **{sandbox.clock:%d %b %Y, %H:%M} UTC** · policy: **{sandbox.profile.name}**")

rows = []
for order in store().list_orders(sandbox.id):
    verdict = assess(order, sandbox.clock, sandbox.profile)
    rows.append(
        {
            "Order": order.id,
            "Placed": order.placed_at.strftime("%d %b %Y"),
            "Store": order.seller.name,
            "Total": f"{order.total} {order.currency}",
            "Status": text("status", order.status),
            "What to do": text("path", verdict.path),
            "Can cancelling work?": text("verdict", verdict.verdict),
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
