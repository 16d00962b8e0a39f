"""Which statuses and transitions the lifecycle diagram shows, decided once for the picture and its words.

The Mermaid chart and the list beside it (guide/ui/diagram.py) both draw a `LifecycleMap`, so a reader who
cannot see the chart, or sees it at 3 px on a phone, reads the same arrows in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from guide.content import diagram_edges
from guide.models import EventKind, Status


class Edge(NamedTuple):
    """One arrow: an event of `event` moves an order from `source` to `target` (lifecycle_diagram.json)."""

    source: Status
    event: EventKind
    target: Status


@dataclass(frozen=True)
class Ways:
    """Where one status can go next and how it can be reached, among the edges shown."""

    status: Status
    out: tuple[Edge, ...]
    into: tuple[Edge, ...]

    @property
    def final(self) -> bool:
        """No shown arrow leaves it: the order stays there (Closed)."""
        return not self.out

    @property
    def destinations(self) -> tuple[Status, ...]:
        """The statuses it can go to, each once (two events can lead to the same one), in content order."""
        return tuple(dict.fromkeys(edge.target for edge in self.out))


@dataclass(frozen=True)
class LifecycleMap:
    """The statuses (in Status order) and the edges (in content order) a diagram shows, and its current status."""

    current: Status | None
    focused: bool  # only the current status and its neighbours (an order's page), not the whole lifecycle
    statuses: tuple[Status, ...]
    edges: tuple[Edge, ...]

    def ways(self, status: Status) -> Ways:
        """The shown edges leaving and reaching `status`."""
        out = tuple(edge for edge in self.edges if edge.source is status)
        into = tuple(edge for edge in self.edges if edge.target is status and edge.source is not status)
        return Ways(status, out, into)


def all_edges() -> tuple[Edge, ...]:
    """Every arrow of lifecycle_diagram.json, typed, in the file's order."""
    return tuple(Edge(Status(source), EventKind(event), Status(target)) for source, event, target in diagram_edges())


def lifecycle_map(current: Status | None = None, around_current: bool = False) -> LifecycleMap:
    """The whole lifecycle, or with `around_current` and a current status only the arrows into and out of it:
    the whole chart is too small to read on an order's page (and on a phone)."""
    focused = around_current and current is not None
    edges = all_edges()
    if focused:
        edges = tuple(edge for edge in edges if current in (edge.source, edge.target))
        touched = {current, *(edge.source for edge in edges), *(edge.target for edge in edges)}
        statuses = tuple(status for status in Status if status in touched)
    else:
        statuses = tuple(Status)
    return LifecycleMap(current, focused, statuses, edges)
