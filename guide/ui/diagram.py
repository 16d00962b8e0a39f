"""The order lifecycle as a Mermaid flowchart, with the current status highlighted, and the same arrows in words.

The chart's labels shrink to a few pixels on a phone and say nothing to a screen reader, so a list of the
same statuses and transitions (guide.lifecycle_map decides which) follows it.
"""

from __future__ import annotations

from functools import cache

import streamlit as st

from guide.content import language, text, ui_settings
from guide.lifecycle_map import Edge, LifecycleMap, lifecycle_map
from guide.models import Status
from guide.ui.widgets import plain


def lifecycle_mermaid(current: Status | None = None, around_current: bool = False) -> str:
    """Mermaid source: one node a status (content labels), one arrow an event."""
    return _mermaid(lifecycle_map(current, around_current))


def _mermaid(shown: LifecycleMap) -> str:
    lines = ["flowchart LR" if shown.focused else "flowchart TD"]
    for status in shown.statuses:
        label = text("status", status).replace('"', "'")
        lines.append(f'    {status.value}["{label}"]')
    for source, event, target in shown.edges:
        label = text("event", event).replace('"', "'").replace("|", "/")
        lines.append(f'    {source.value} -->|"{label}"| {target.value}')
    if shown.current is not None:
        colours = ui_settings().diagram_colour
        lines.append(
            f"    style {shown.current.value} fill:{colours.current},color:{colours.current_text},stroke-width:3px"
        )
    return "\n".join(lines)


def lifecycle_alt(shown: LifecycleMap) -> str:
    """The chart's alternative text: where the order is now and where it can go, or what the whole chart shows."""
    if shown.current is None:
        return text("lifecycle_text", "alt_whole", title=text("lifecycle_text", "whole_title"))
    ways = shown.ways(shown.current)
    status = text("status", shown.current)
    if ways.final:
        return text("lifecycle_text", "alt_final", status=status)
    targets = text("lifecycle_text", "separator").join(text("status", s) for s in ways.destinations)
    return text("lifecycle_text", "alt_now", status=status, targets=targets)


def _way(status: Status, edge: Edge) -> str:
    """One bullet: the status at the other end of the arrow, and the event that moves the order."""
    other, event = plain(text("status", status)), plain(text("event", edge.event))
    return "- " + text("lifecycle_text", "way", status=other, event=event)


def around_markdown(shown: LifecycleMap, current: Status) -> str:
    """Where the order can go from `current` (or that it is final), then where it can come from."""
    ways = shown.ways(current)
    name = plain(text("status", current))
    if ways.final:
        parts = [text("lifecycle_text", "final", status=name)]
    else:
        parts = [text("lifecycle_text", "goes_to", status=name), "\n".join(_way(e.target, e) for e in ways.out)]
    if ways.into:
        parts += [text("lifecycle_text", "came_from", status=name), "\n".join(_way(e.source, e) for e in ways.into)]
    return "\n\n".join(parts)


def whole_markdown(shown: LifecycleMap) -> str:
    """Every status, one bullet each, with its transitions nested under it; a final status says so."""
    lines = []
    for status in shown.statuses:
        ways, name = shown.ways(status), plain(text("status", status))
        if ways.final:
            lines.append("- " + text("lifecycle_text", "final", status=name))
            continue
        lines.append("- " + text("lifecycle_text", "whole_status", status=name))
        lines += [f"    {_way(edge.target, edge)}" for edge in ways.out]
    return "\n".join(lines)


def lifecycle_diagram(current: Status | None = None, around_current: bool = False) -> None:
    """The chart, then its words: around the current status as a short list, the whole lifecycle folded away."""
    chart, alt, around, whole = _drawn(current, around_current, language.current())
    st.mermaid_chart(chart, alt=alt)
    if around is not None:
        st.markdown(around)
    else:
        with st.expander(text("lifecycle_text", "whole_title"), icon=":material/list:"):
            st.markdown(whole)


@cache
def _drawn(current: Status | None, around_current: bool, words_in: str) -> tuple[str, str, str | None, str]:
    """The chart's source, its alternative text, and its words (around the status, or the whole lifecycle): built
    from content files only, so once a process for each status and language rather than on every run."""
    shown = lifecycle_map(current, around_current)
    if shown.focused and shown.current is not None:
        return _mermaid(shown), lifecycle_alt(shown), around_markdown(shown, shown.current), ""
    return _mermaid(shown), lifecycle_alt(shown), None, whole_markdown(shown)
