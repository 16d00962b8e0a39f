"""Trainer dashboard: behind the operator's passcode, every trainee's progress, answers, charts and export."""

import streamlit as st

from guide.content import text
from guide.ui.passcode import gate
from guide.ui.state import get_training, visit
from guide.ui.trainer import attempts_frame, attempts_table, charts, classes_panel, export_button, progress_table
from guide.ui.widgets import page_header

here = visit()
page_header(text("trainer", "title"), here.sandbox.clock)
if not gate():
    st.stop()

training = get_training()
groups = {g.id: g.name for g in training.list_classes()}
class_id = st.selectbox(
    text("trainer", "class_filter"),
    [None, *groups],
    format_func=lambda cid: text("trainer", "all_classes") if cid is None else groups[cid],
    key="trainer_class",
)
frame = attempts_frame(class_id, training.attempt_count())
if frame.empty:
    st.info(text("trainer", "no_data"))
else:
    st.subheader(text("trainer", "progress"), anchor=False)
    progress_table(frame)
    charts(frame)
    st.subheader(text("trainer", "attempts"), anchor=False)
    attempts_table(frame)
    export_button(frame)

st.subheader(text("trainer", "classes"), anchor=False)
classes_panel()
