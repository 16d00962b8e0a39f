"""The lifecycle in words beside its picture: Order details lists where the order can go from its status (and
where it can come from), Rules lists every status with its ways out, and the picture's alt text says the same."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from guide.content import diagram_edges, text
from guide.models import Status
from guide.store import Store
from guide.ui.widgets import plain
from tests.pages.helpers import first_order, no_exception, open_page, shown

ALT = "%% stAlt: "  # st.mermaid_chart writes its alt text into the chart's source as this comment


def diagram_alt(at: AppTest) -> str:
    """The alt text of the page's one Mermaid chart."""
    (chart,) = [m.value for m in at.markdown if "mermaid\n" in m.value]
    return next(line.removeprefix(ALT) for line in chart.splitlines() if line.startswith(ALT))


def bullets(at: AppTest) -> list[str]:
    return [line.strip() for m in at.markdown for line in m.value.splitlines() if line.strip().startswith("- ")]


def way(status: str, event: str) -> str:
    """One bullet as the page writes it (labels escaped for markdown)."""
    return "- " + text("lifecycle_text", "way", status=plain(text("status", status)), event=plain(text("event", event)))


def order_details_of(store: Store, sandbox: str, status: Status) -> tuple[AppTest, str]:
    """Order details of the first order in `status`, drawn without an error; the page and the status's name."""
    at = open_page("order_details", sandbox, order=first_order(store, sandbox, status).id)
    no_exception(at)
    return at, text("status", status)


def test_order_details_lists_where_an_awaiting_shipment_order_can_go_and_come_from(store: Store, sandbox: str):
    at, name = order_details_of(store, sandbox, Status.AWAITING_SHIPMENT)
    assert shown(at, text("lifecycle_text", "goes_to", status=name))
    assert shown(at, text("lifecycle_text", "came_from", status=name))
    listed = bullets(at)
    edges = [e for e in diagram_edges() if Status.AWAITING_SHIPMENT.value in (e[0], e[2])]
    for source, event, target in edges:
        other = target if source == Status.AWAITING_SHIPMENT.value else source
        assert way(other, event) in listed, (source, event, target)
    assert way("awaiting_delivery", "shipped") in listed
    assert text("lifecycle_text", "whole_title") not in [e.label for e in at.expander], "the short list, unfolded"

    targets = dict.fromkeys(text("status", t) for s, _, t in edges if s == Status.AWAITING_SHIPMENT.value)
    assert diagram_alt(at) == text("lifecycle_text", "alt_now", status=name, targets=", ".join(targets))
    assert diagram_alt(at).startswith("The order lifecycle")


def test_order_details_says_a_closed_order_goes_nowhere(store: Store, sandbox: str):
    at, name = order_details_of(store, sandbox, Status.CLOSED)
    assert shown(at, text("lifecycle_text", "final", status=name))
    assert not shown(at, text("lifecycle_text", "goes_to", status=name))
    assert way("refund_in_progress", "refunded") in bullets(at), "where it came from"
    assert diagram_alt(at) == text("lifecycle_text", "alt_final", status=name)


def test_rules_lists_every_status_and_its_ways_out_in_an_expander(sandbox: str):
    at = open_page("rules", sandbox)
    no_exception(at)
    (folded,) = [e for e in at.expander if e.label == text("lifecycle_text", "whole_title")]
    words = "\n".join(m.value for m in folded.markdown)
    for status in Status:
        assert f"**{text('status', status)}**" in words, status
    assert text("lifecycle_text", "final", status=text("status", Status.CLOSED)) in words
    listed = [line.strip() for line in words.splitlines() if line.startswith("    - ")]
    assert listed == [way(target, event) for source in Status for s, event, target in diagram_edges() if s == source]
    alt = diagram_alt(at)
    assert alt == text("lifecycle_text", "alt_whole", title=text("lifecycle_text", "whole_title"))
    assert alt.startswith("The order lifecycle")
