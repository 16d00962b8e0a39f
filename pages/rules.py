"""Rules & sources: the active policy profile, rule by rule with its sources, and the lifecycle."""

import pandas as pd
import streamlit as st

from guide.content import text
from guide.profile import load_profiles
from guide.ui.a11y import region
from guide.ui.diagram import lifecycle_diagram
from guide.ui.rules import cited_rules_section, rule_rows, switch_profile
from guide.ui.state import visit
from guide.ui.widgets import page_header

here = visit()
page_header(text("rules", "title"), here.sandbox.clock)
st.write(text("rules", "intro"))

profiles = load_profiles()
st.selectbox(
    text("rules", "profile"),
    list(profiles),
    index=list(profiles).index(here.sandbox.profile_id),
    format_func=lambda pid: profiles[pid].name,
    help=text("rules", "profile_help"),
    key="rules_profile",
    on_change=switch_profile,
    args=(here,),
)
profile = here.sandbox.profile
st.caption(profile.summary)
with st.container(key="rules_table"):
    st.table(pd.DataFrame(rule_rows(profile)), hide_index=True)
    region("rules_table", text("a11y", "rules_table", profile=profile.name))

st.subheader(text("rules", "lifecycle"), anchor=False)
lifecycle_diagram()

cited_rules_section()
