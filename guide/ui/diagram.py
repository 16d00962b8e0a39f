"""The order lifecycle as a Mermaid flowchart, with the current status highlighted."""

from __future__ import annotations

import streamlit as st

from guide.content import diagram_edges, text, ui_settings
from guide.models import Status


def lifecycle_mermaid(current: Status | None = None, around_current: bool = False) -> str:
    """Mermaid source: one node a status (content labels), one arrow an event.

    With `around_current`, only the current status, where it came from and where it can go: the
    whole chart is too small to read on an order's page (and on a phone).
    """
    edges = list(diagram_edges())
    if around_current and current is not None:
        edges = [e for e in edges if current.value in (e[0], e[2])]
    shown = {current.value} if current is not None else set()
    for source, _, target in edges:
        shown.update((source, target))
    lines = ["flowchart LR" if around_current else "flowchart TD"]
    for status in Status:
        if around_current and status.value not in shown:
            continue
        label = text("status", status).replace('"', "'")
        lines.append(f'    {status.value}["{label}"]')
    for source, event, target in edges:
        label = text("event", event).replace('"', "'").replace("|", "/")
        lines.append(f'    {source} -->|"{label}"| {target}')
    if current is not None:
        colours = ui_settings().diagram_colour
        lines.append(f"    style {current.value} fill:{colours.current},color:{colours.current_text},stroke-width:3px")
    return "\n".join(lines)


def lifecycle_diagram(current: Status | None = None, around_current: bool = False) -> None:
    alt = text("details", "lifecycle_alt", status=text("status", current) if current else "-")
    st.mermaid_chart(lifecycle_mermaid(current, around_current), alt=alt)
