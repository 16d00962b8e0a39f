"""The order lifecycle as a Mermaid flowchart, with the current status highlighted."""

from __future__ import annotations

import streamlit as st

from guide.content import load, text
from guide.models import Status


def lifecycle_mermaid(current: Status | None = None) -> str:
    """Mermaid source: one node a status (content labels), one arrow an event."""
    lines = ["flowchart TD"]
    for status in Status:
        label = text("status", status).replace('"', "'")
        lines.append(f'    {status.value}["{label}"]')
    for source, event, target in load("lifecycle_diagram.json")["edges"]:
        label = text("event", event).replace('"', "'").replace("|", "/")
        lines.append(f'    {source} -->|"{label}"| {target}')
    if current is not None:
        colours = load("ui.json")["diagram_colour"]
        lines.append(
            f"    style {current.value} fill:{colours['current']},color:{colours['current_text']},stroke-width:3px"
        )
    return "\n".join(lines)


def lifecycle_diagram(current: Status | None = None) -> None:
    alt = text("details", "lifecycle_alt", status=text("status", current) if current else "-")
    st.mermaid_chart(lifecycle_mermaid(current), alt=alt)
