"""Refunds: money coming back per order, including an order the visitor just cancelled after paying."""

from __future__ import annotations

from guide.content import text
from guide.content.formats import money
from guide.models import Status
from guide.store import Store
from tests.pages.helpers import (
    TITLES,
    first_order,
    main_alerts,
    no_exception,
    open_page,
    reason_id,
    status_of,
    table_column,
    title,
)

ORDER = text("refunds", "order")


def cancel_on_the_details_page(sandbox: str, order_id: str):
    at = open_page("order_details", sandbox, order=order_id)
    at.button(key="details_open").click().run()
    at.radio(key="details_reason").set_value(reason_id())
    at.button(key="details_submit").click().run()
    at.button(key="details_confirm").click().run()
    no_exception(at)
    return at


def test_a_new_visitor_is_asked_to_sign_in(store: Store, new_sandbox: str):
    at = open_page("refunds", new_sandbox)
    no_exception(at)
    assert title(at) == TITLES["refunds"]
    assert text("app", "sign_in_first") in main_alerts(at, "info")
    assert table_column(at, ORDER) == []


def test_the_demo_refunds_are_listed_and_unpaid_orders_are_not(store: Store, sandbox: str):
    at = open_page("refunds", sandbox)
    no_exception(at)
    listed = table_column(at, ORDER)
    in_progress = [o.id for o in store.list_orders(sandbox, statuses=[Status.REFUND_IN_PROGRESS])]
    assert in_progress and set(in_progress) <= set(listed)
    unpaid = {o.id for o in store.list_orders(sandbox, statuses=[Status.AWAITING_PAYMENT])}
    assert not unpaid & set(listed)
    assert text("refunds", "in_progress") in table_column(at, text("refunds", "status"))


def test_an_order_cancelled_after_payment_appears_in_the_refunds(store: Store, sandbox: str):
    paid = first_order(store, sandbox, Status.PAYMENT_VERIFICATION)
    assert paid.id not in table_column(open_page("refunds", sandbox), ORDER)

    at = cancel_on_the_details_page(sandbox, paid.id)
    assert status_of(store, sandbox, paid.id) is Status.REFUND_IN_PROGRESS
    at.button(key="details_refund").click().run()
    no_exception(at)
    assert title(at) == TITLES["refunds"]
    listed = table_column(at, ORDER)
    assert paid.id in listed
    row = listed.index(paid.id)
    assert table_column(at, text("refunds", "amount"))[row] == money(paid.total, paid.currency)
    assert table_column(at, text("refunds", "method"))[row] == text("payment_method", paid.payment_method)
    assert table_column(at, text("refunds", "status"))[row] == text("refunds", "in_progress")
    assert store.facts(sandbox)["viewed_refund"] == paid.id


def test_an_unpaid_cancellation_has_no_refund(store: Store, sandbox: str):
    unpaid = first_order(store, sandbox, Status.AWAITING_PAYMENT)
    cancel_on_the_details_page(sandbox, unpaid.id)
    assert status_of(store, sandbox, unpaid.id) is Status.CLOSED
    at = open_page("refunds", sandbox)
    no_exception(at)
    assert unpaid.id not in table_column(at, ORDER)
