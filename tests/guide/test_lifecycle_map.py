"""Which statuses and arrows the lifecycle diagram shows, decided once (guide.lifecycle_map): the whole lifecycle
has every edge of lifecycle_diagram.json, an order's page only those around its status, and the picture and its
words draw the same edges."""

from __future__ import annotations

import pytest

from guide.content import diagram_edges, text
from guide.lifecycle_map import Edge, all_edges, lifecycle_map
from guide.models import EventKind, Status
from guide.ui.diagram import around_markdown, lifecycle_alt, lifecycle_mermaid, whole_markdown
from guide.ui.widgets import plain

SOURCES = {source for source, _, _ in diagram_edges()}


def test_the_whole_lifecycle_has_every_status_and_every_edge_in_the_files_order():
    whole = lifecycle_map()
    assert not whole.focused and whole.current is None
    assert whole.statuses == tuple(Status)
    assert [(e.source.value, e.event.value, e.target.value) for e in whole.edges] == list(diagram_edges())


def test_each_edge_leaves_its_source_and_reaches_its_target_once():
    whole = lifecycle_map()
    outs = [edge for status in whole.statuses for edge in whole.ways(status).out]
    assert outs == sorted(whole.edges, key=lambda e: list(Status).index(e.source)), "grouped by source, file order"
    for edge in whole.edges:
        assert whole.ways(edge.target).into.count(edge) == 1


def test_a_status_no_edge_leaves_is_final_and_the_others_are_not():
    whole = lifecycle_map()
    finals = {status for status in Status if whole.ways(status).final}
    assert finals == {status for status in Status if status.value not in SOURCES}
    assert Status.CLOSED in finals
    assert not whole.ways(Status.COMPLETED).final, "a completed order can still be disputed"


def test_destinations_name_each_status_once_in_the_files_order():
    ways = lifecycle_map().ways(Status.AWAITING_PAYMENT)
    assert [e.event for e in ways.out] == [EventKind.PAID, EventKind.CANCELLED, EventKind.UNPAID_TIMEOUT]
    assert ways.destinations == (Status.PAYMENT_VERIFICATION, Status.CLOSED)


@pytest.mark.parametrize("current", list(Status))
def test_around_the_current_status_only_its_edges_and_their_ends(current: Status):
    around, whole = lifecycle_map(current, around_current=True), lifecycle_map(current)
    assert around.focused and around.current is current
    assert around.edges == tuple(e for e in all_edges() if current in (e.source, e.target))
    ends = {current, *(e.source for e in around.edges), *(e.target for e in around.edges)}
    assert around.statuses == tuple(s for s in Status if s in ends), "in Status order"
    assert around.ways(current) == whole.ways(current), "nothing into or out of it is left out"


def test_around_current_without_a_current_status_is_the_whole_lifecycle():
    assert lifecycle_map(None, around_current=True) == lifecycle_map()


def mermaid_arrows(source: str) -> list[tuple[str, str]]:
    return [(line.split()[0], line.split()[-1]) for line in source.splitlines() if "-->" in line]


@pytest.mark.parametrize(("current", "around"), [(None, False), *((s, True) for s in Status)])
def test_the_picture_draws_the_maps_statuses_and_edges(current: Status | None, around: bool):
    shown, source = lifecycle_map(current, around), lifecycle_mermaid(current, around)
    assert mermaid_arrows(source) == [(e.source.value, e.target.value) for e in shown.edges]
    nodes = [line.split("[")[0].strip() for line in source.splitlines() if line.endswith('"]')]
    assert nodes == [s.value for s in shown.statuses]


def bullets(markdown: str) -> list[str]:
    return [line.strip() for line in markdown.splitlines() if line.strip().startswith("- ")]


@pytest.mark.parametrize("current", list(Status))
def test_the_words_around_a_status_have_a_bullet_an_arrow(current: Status):
    shown = lifecycle_map(current, around_current=True)
    ways = shown.ways(current)
    markdown = around_markdown(shown, current)
    assert len(bullets(markdown)) == len(ways.out) + len(ways.into)
    name = text("status", current)
    assert (text("lifecycle_text", "final", status=name) in markdown) is ways.final
    assert (text("lifecycle_text", "goes_to", status=name) in markdown) is not ways.final


def test_the_words_say_where_an_awaiting_shipment_order_goes_and_when():
    shown = lifecycle_map(Status.AWAITING_SHIPMENT, around_current=True)
    first = Edge(Status.AWAITING_SHIPMENT, EventKind.CANCEL_REQUESTED, Status.AWAITING_CANCELLATION)
    assert shown.ways(Status.AWAITING_SHIPMENT).out[0] == first
    way = text("lifecycle_text", "way", status=text("status", first.target), event=text("event", first.event))
    assert bullets(around_markdown(shown, Status.AWAITING_SHIPMENT))[0] == f"- {way}"


def test_the_whole_list_has_a_bullet_a_status_and_one_an_edge_nested_under_it():
    shown = lifecycle_map()
    lines = whole_markdown(shown).splitlines()
    assert [line for line in lines if not line.startswith(" ")] == [
        "- " + text("lifecycle_text", "final" if shown.ways(s).final else "whole_status", status=text("status", s))
        for s in Status
    ]
    assert len([line for line in lines if line.startswith("    - ")]) == len(diagram_edges())


def test_event_labels_are_escaped_in_the_words():
    shown = lifecycle_map(Status.AWAITING_SHIPMENT, around_current=True)
    label = text("event", EventKind.SHIP_BY_MISSED)
    assert ":" in label and label not in around_markdown(shown, Status.AWAITING_SHIPMENT)
    assert plain(label) in around_markdown(shown, Status.AWAITING_SHIPMENT)


def test_the_alt_text_names_the_status_now_and_where_it_can_go():
    alt = lifecycle_alt(lifecycle_map(Status.AWAITING_PAYMENT, around_current=True))
    targets = f"{text('status', Status.PAYMENT_VERIFICATION)}, {text('status', Status.CLOSED)}"
    assert alt == text("lifecycle_text", "alt_now", status=text("status", Status.AWAITING_PAYMENT), targets=targets)
    assert alt.startswith("The order lifecycle")  # tests/journeys/test_screens.py finds the picture by it


def test_the_alt_text_of_a_final_status_and_of_the_whole_lifecycle():
    final = lifecycle_alt(lifecycle_map(Status.CLOSED, around_current=True))
    assert final == text("lifecycle_text", "alt_final", status=text("status", Status.CLOSED))
    whole = lifecycle_alt(lifecycle_map())
    assert text("lifecycle_text", "whole_title") in whole
    assert final.startswith("The order lifecycle") and whole.startswith("The order lifecycle")
