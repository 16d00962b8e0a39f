"""Walkthrough: the seed guide's nine steps, each beside the part of the simulator where you do it."""

import streamlit as st

from guide.content import text
from guide.ui.links import linked_order
from guide.ui.state import visit
from guide.ui.walkthrough import (
    branch_note,
    progress_bar,
    simulator_panel,
    step_buttons,
    step_card,
    step_from_url,
    step_list,
)
from guide.ui.widgets import page_header
from guide.walkthrough import progress, resume_at, steps

here = visit()
page_header(text("walkthrough", "title"), here.sandbox.clock)

chosen = linked_order(here, remembered=here.facts.get("opened_order"))  # else the last order opened
order = chosen.order if chosen else None
assessment = here.assess(order) if order else None
states = progress(here.facts, order, assessment.path if assessment else None)
number = step_from_url(states, resume_at(states))
st.query_params["step"] = str(number)
if order is not None:
    st.query_params["order"] = order.id
step = steps()[number - 1]

finished = progress_bar(states)

guide_column, simulator_column = st.columns([2, 3], gap="large")
with guide_column:
    step_card(step, number, states[number - 1])
    branch_note(here, order, assessment)
    step_buttons(states, number)
    if finished:
        st.success(text("walkthrough", "finished"), icon=":material/celebration:")
    step_list(states, number)
with simulator_column:
    st.subheader(text("walkthrough", "simulator"), anchor=False)
    simulator_panel(step, here, chosen)
