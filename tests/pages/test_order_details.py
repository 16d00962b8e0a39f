"""Order details: the status, the assessment, and the Cancel order / Request cancellation pop-up, end to end."""

from __future__ import annotations

import pytest

from guide.content import cancel_reasons, text
from guide.models import CloseReason, EventKind, Status
from guide.store import Store
from tests.pages.helpers import (
    TITLES,
    button_keys,
    dialog,
    first_order,
    main_alerts,
    no_exception,
    open_page,
    reason_id,
    status_of,
    table_column,
    title,
)

KEY = "details"


def cancel_through_the_dialog(at, order_id: str) -> None:
    """Open the pop-up, pick a reason, Submit, Confirm: as a buyer does."""
    at.button(key=f"{KEY}_open").click().run()
    no_exception(at)
    assert at.session_state[f"{KEY}_dialog"] == order_id
    assert dialog(at) is not None, "the pop-up renders from the session-state flag"
    at.radio(key=f"{KEY}_reason").set_value(reason_id())
    at.button(key=f"{KEY}_submit").click().run()
    no_exception(at)
    assert dialog(at) is not None
    at.button(key=f"{KEY}_confirm").click().run()
    no_exception(at)


def test_a_new_visitor_is_asked_to_sign_in(store: Store, new_sandbox: str):
    wanted = first_order(store, new_sandbox, Status.AWAITING_PAYMENT)
    at = open_page("order_details", new_sandbox, order=wanted.id)
    no_exception(at)
    assert title(at) == TITLES["order_details"]
    assert text("app", "sign_in_first") in main_alerts(at, "info")
    assert f"{KEY}_open" not in button_keys(at)
    assert "opened_order" not in store.facts(new_sandbox)


def test_without_an_order_it_points_to_my_orders(store: Store, sandbox: str):
    at = open_page("order_details", sandbox)
    no_exception(at)
    assert main_alerts(at, "warning") == [text("app", "pick_order_first")]
    at.button(key="details_back").click().run()
    assert title(at) == TITLES["my_orders"]


@pytest.mark.parametrize(
    "order",
    ["8100000000000000", "abc", "<script>alert(1)</script>", "' OR 1=1 --", "1" * 5_000, "../../etc/passwd"],
    ids=["well_formed", "letters", "script", "sql", "long", "path"],
)
def test_an_unknown_order_gets_a_friendly_message(store: Store, sandbox: str, order: str):
    before = store.export_orders(sandbox)
    at = open_page("order_details", sandbox, order=order)
    no_exception(at)
    assert main_alerts(at, "warning") == [text("app", "order_unknown")]
    assert "opened_order" not in store.facts(sandbox)
    assert store.export_orders(sandbox) == before
    at.button(key="details_back").click().run()
    no_exception(at)
    assert title(at) == TITLES["my_orders"]


def test_the_order_page_shows_the_stores_order(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_SHIPMENT)
    at = open_page("order_details", sandbox, order=wanted.id)
    no_exception(at)
    assert next(s.value for s in at.subheader) == f"{text('orders', 'order_id')}: {wanted.id}"
    assert table_column(at, text("details", "items")) == [item.title for item in wanted.items]
    assert store.facts(sandbox)["opened_order"] == wanted.id
    placed = table_column(at, text("details", "timeline_what"))
    assert placed[-1] == text("event", "placed"), "the timeline is newest first and starts with the order placed"


def test_what_the_status_means_and_can_i_cancel(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_SHIPMENT, cancel_refused_at=None)
    at = open_page("order_details", sandbox, order=wanted.id)
    meaning = text("status_meaning", Status.AWAITING_SHIPMENT)
    assert not [i for i in main_alerts(at, "info") if meaning in i]
    at.button(key=f"{KEY}_status").click().run()
    assert [i for i in main_alerts(at, "info") if meaning in i]
    assert store.facts(sandbox)["read_status"] == wanted.id
    assert f"**{text('details', 'assessment')}**" not in [m.value for m in at.markdown]
    at.button(key=f"{KEY}_assess").click().run()
    no_exception(at)
    assert store.facts(sandbox)["checked_eligibility"] == wanted.id
    assert f"**{text('details', 'assessment')}**" in [m.value for m in at.markdown]


def test_cancel_an_awaiting_payment_order(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_PAYMENT)
    at = open_page("order_details", sandbox, order=wanted.id)
    assert at.button(key=f"{KEY}_open").label == text("details", "cancel_order")
    assert dialog(at) is None, "the pop-up is closed until asked for"

    at.button(key=f"{KEY}_open").click().run()
    opened = dialog(at)
    assert opened is not None
    assert opened.proto.dialog.title == text("dialog", "title_cancel")
    assert at.radio(key=f"{KEY}_reason").value is None, "no reason is chosen for the buyer"
    at.radio(key=f"{KEY}_reason").set_value(reason_id())
    at.button(key=f"{KEY}_submit").click().run()
    assert text("dialog", "confirm_question", order_id=wanted.id) in [m.value for m in at.markdown]
    assert status_of(store, sandbox, wanted.id) is Status.AWAITING_PAYMENT, "nothing happens before Confirm"
    assert store.facts(sandbox)["picked_reason"] == wanted.id

    at.button(key=f"{KEY}_confirm").click().run()
    no_exception(at)
    state = store.get_order(sandbox, wanted.id)
    assert state.order.status is Status.CLOSED
    assert state.order.close_reason is CloseReason.CANCELLED_BY_BUYER
    assert state.events[-1].kind is EventKind.CANCELLED
    assert state.events[-1].data["reason"] == reason_id()
    assert store.facts(sandbox)["submitted"] == wanted.id
    assert dialog(at) is None, "the pop-up closes"
    assert f"{KEY}_open" not in button_keys(at), "no cancel button on a closed order"
    assert any(s.startswith(text("details", "cancelled_now")) for s in main_alerts(at, "success"))
    reason_label = cancel_reasons()[reason_id()].label
    assert table_column(at, text("details", "timeline_what"))[0] == f"{text('event', 'cancelled')}: {reason_label}"


def test_submit_without_a_reason_asks_for_one(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_PAYMENT)
    at = open_page("order_details", sandbox, order=wanted.id)
    at.button(key=f"{KEY}_open").click().run()
    at.button(key=f"{KEY}_submit").click().run()
    no_exception(at)
    opened = dialog(at)
    assert opened is not None
    assert [w.value for w in opened.warning] == [text("dialog", "pick_reason")]
    assert f"{KEY}_confirm" not in button_keys(at)
    assert "picked_reason" not in store.facts(sandbox)
    assert status_of(store, sandbox, wanted.id) is Status.AWAITING_PAYMENT


def test_back_in_the_pop_up_returns_to_the_reasons(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_PAYMENT)
    at = open_page("order_details", sandbox, order=wanted.id)
    at.button(key=f"{KEY}_open").click().run()
    at.radio(key=f"{KEY}_reason").set_value(reason_id())
    at.button(key=f"{KEY}_submit").click().run()
    at.button(key=f"{KEY}_back_to_reasons").click().run()
    no_exception(at)
    assert f"{KEY}_submit" in button_keys(at)
    assert f"{KEY}_confirm" not in button_keys(at)
    assert status_of(store, sandbox, wanted.id) is Status.AWAITING_PAYMENT


def test_request_cancellation_of_an_awaiting_shipment_order(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_SHIPMENT, cancel_refused_at=None)
    at = open_page("order_details", sandbox, order=wanted.id)
    assert at.button(key=f"{KEY}_open").label == text("details", "request_cancellation")
    at.button(key=f"{KEY}_open").click().run()
    opened = dialog(at)
    assert opened is not None
    assert opened.proto.dialog.title == text("dialog", "title_request")
    at.radio(key=f"{KEY}_reason").set_value(reason_id())
    at.button(key=f"{KEY}_submit").click().run()
    assert text("dialog", "confirm_question_request", order_id=wanted.id) in [m.value for m in at.markdown]
    at.button(key=f"{KEY}_confirm").click().run()
    no_exception(at)
    state = store.get_order(sandbox, wanted.id)
    assert state.order.status is Status.AWAITING_CANCELLATION
    assert state.events[-1].kind is EventKind.CANCEL_REQUESTED
    assert any(s.startswith(text("details", "requested_now")) for s in main_alerts(at, "success"))
    assert any(f"**{text('details', 'what_next')}:**" in s for s in main_alerts(at, "success"))
    assert f"{KEY}_open" not in button_keys(at), "a request cannot be sent twice"


def test_cancel_while_the_payment_is_verified_starts_a_refund(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.PAYMENT_VERIFICATION)
    at = open_page("order_details", sandbox, order=wanted.id)
    cancel_through_the_dialog(at, wanted.id)
    assert status_of(store, sandbox, wanted.id) is Status.REFUND_IN_PROGRESS, "paid, so the money comes back"


@pytest.mark.parametrize("status", [Status.AWAITING_DELIVERY, Status.PARTIAL_SHIPMENT, Status.COMPLETED, Status.FROZEN])
def test_no_cancel_button_once_shipped_or_later(store: Store, sandbox: str, status: Status):
    wanted = first_order(store, sandbox, status)
    before = store.export_orders(sandbox)
    at = open_page("order_details", sandbox, order=wanted.id)
    no_exception(at)
    assert f"{KEY}_open" not in button_keys(at)
    assert text("details", "no_cancel_button", status=text("status", status)) in main_alerts(at, "info")
    assert store.export_orders(sandbox) == before


def test_no_cancel_button_after_the_seller_refused_once(store: Store, sandbox: str):
    refused = [o for o in store.list_orders(sandbox, statuses=[Status.AWAITING_SHIPMENT]) if o.cancel_refused_at]
    assert refused, "the demo set has an order whose request was refused"
    at = open_page("order_details", sandbox, order=refused[0].id)
    assert f"{KEY}_open" not in button_keys(at)
    status = text("status", Status.AWAITING_SHIPMENT)
    assert text("details", "no_cancel_button", status=status) in main_alerts(at, "info")


def test_contact_seller_and_refund_tracker_buttons(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_DELIVERY)
    at = open_page("order_details", sandbox, order=wanted.id)
    at.button(key="details_contact").click().run()
    no_exception(at)
    assert title(at) == TITLES["contact_seller"]
    assert at.query_params["order"] == wanted.id
    assert at.selectbox(key="contact_order").value == wanted.id

    at = open_page("order_details", sandbox, order=wanted.id)
    at.button(key="details_refund").click().run()
    no_exception(at)
    assert title(at) == TITLES["refunds"]
    assert store.facts(sandbox)["viewed_refund"] == wanted.id
