"""Training: sign in with a name, work scenarios in the simulator, answer and reply, and learn why."""

import streamlit as st

from guide.content import text
from guide.ui.case import case_header, case_panel, case_sandbox, current_attempt, questions_panel
from guide.ui.state import visit
from guide.ui.training import current_trainee, practice_button, progress_panel, scenario_chooser, sign_in_form
from guide.ui.widgets import page_header, plain

here = visit()
case = case_sandbox()  # the open case's own sandbox: its clock and profile
page_header(text("trainee", "title"), (case or here.sandbox).clock)

trainee = current_trainee()
if trainee is None:
    st.write(text("trainee", "intro"))
    sign_in_form()
    st.stop()

st.caption(text("trainee", "hello", name=plain(trainee.name)) + " · " + text("trainee", "resume_help"))
progress_panel(trainee)

attempt = current_attempt(trainee)
if attempt is None or case is None:
    scenario_chooser(trainee)
    practice_button(trainee)
    st.stop()

case_header(trainee, attempt, case)
case_column, answers_column = st.columns([3, 2], gap="large")
with case_column:
    case_panel(attempt, case)
with answers_column:
    questions_panel(trainee, attempt)
