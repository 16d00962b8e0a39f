"""Trainer dashboard: behind the operator's passcode, the class's roster, every attempt and why it lost marks,
classes, authored scenarios, certificates and exports for a learning system."""

import streamlit as st

from guide.content import text
from guide.ui.authoring import authoring_panel
from guide.ui.certificates import certificates_panel
from guide.ui.classes import classes_panel
from guide.ui.exports import export_panel
from guide.ui.passcode import gate
from guide.ui.state import visit
from guide.ui.trainer import attempts_panel, class_filter, roster_panel, trainer_tabs
from guide.ui.widgets import page_header

here = visit()
page_header(text("trainer", "title"), here.sandbox.clock)
if not gate():
    st.stop()

class_id = class_filter()
roster, attempts, classes, authoring, certificates, export = trainer_tabs()  # only the open tab's body runs
if roster.open:
    with roster:
        roster_panel(class_id)
if attempts.open:
    with attempts:
        attempts_panel(class_id)
if classes.open:
    with classes:
        classes_panel()
if authoring.open:
    with authoring:
        authoring_panel(class_id)
if certificates.open:
    with certificates:
        certificates_panel(class_id)
if export.open:
    with export:
        export_panel(class_id)
