"""Journey (b): request the cancellation of a paid order, let the seller's window pass on the
simulated clock, and follow the refund until the order closes.

The sandbox has a fixed seed and clock, and the order is chosen by simulating the same story with
guide.lifecycle first, so the seller's answer and the refund date are known before the browser starts.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from guide.content import text
from guide.models import Status
from guide.store import Store
from tests.journeys.helpers import (
    NEUTRAL_REASON,
    App,
    badge,
    cancellation_story,
    clock_label,
    expect_badge,
    fixed_sandbox,
    main_area,
    open_app,
    order_cards,
    sidebar,
    wait_idle,
)
from tests.world import START as CLOCK

pytestmark = pytest.mark.browser
EXPECTED_RANGE = re.compile(r"\d{2} [A-Z][a-z]{2} \d{4} – \d{2} [A-Z][a-z]{2} \d{4}")


def refund_row(main: Locator, order_id: str) -> Locator:
    """The order's row in the refunds table (st.dataframe keeps an accessible table beside its canvas)."""
    return main.locator("[data-testid=stDataFrame] [role=row]").filter(has_text=order_id)


def no_cancel_buttons(main: Locator) -> None:
    expect(main.get_by_role("button", name="Request cancellation")).to_have_count(0)
    expect(main.get_by_role("button", name="Cancel order")).to_have_count(0)


def test_request_cancellation_then_refund_as_the_clock_moves(app: App, store: Store, page: Page) -> None:
    sandbox = fixed_sandbox(store)
    story = cancellation_story(store, sandbox)
    order_id = story.order.id

    # My Orders -> To ship -> search the order -> Details.
    open_app(page, app.link("my_orders", sandbox=sandbox.id))
    main = main_area(page)
    main.get_by_role("radio", name="To ship").click()
    expect(main.get_by_role("radio", name="To ship")).to_be_checked()
    search = main.get_by_role("textbox", name="Search orders")
    search.fill(order_id[-6:])
    search.press("Enter")
    cards = order_cards(main, "my_orders_page")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(order_id)
    cards.first.get_by_role("button", name="Details").click()
    expect(page).to_have_url(re.compile(rf"/order_details\?.*order={order_id}"))
    expect(main.get_by_role("heading", name=f"Order ID: {order_id}")).to_be_visible()
    expect_badge(page, "Awaiting shipment")

    # Request cancellation -> reason -> Submit -> Confirm.
    main.get_by_role("button", name="Request cancellation").click()
    dialog = page.get_by_role("dialog", name="Request cancellation")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Submit").click()  # no reason yet: the pop-up asks for one
    expect(dialog.get_by_text("Pick a reason first.")).to_be_visible()
    dialog.get_by_text(NEUTRAL_REASON, exact=True).click()
    expect(dialog.get_by_role("radio", name=NEUTRAL_REASON)).to_be_checked()
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_text(f"Send a cancellation request for order {order_id} to the seller?")).to_be_visible()
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()
    expect_badge(page, "Awaiting cancellation")
    expect(main.get_by_text(re.compile(r"^Your cancellation request was sent to the seller\."))).to_be_visible()
    no_cancel_buttons(main)
    assert store.get_order(sandbox.id, order_id).order.status is Status.AWAITING_CANCELLATION

    # Move the clock a day at a time: the page follows the simulated story.
    clock = sidebar(page).locator("code")
    expect(clock).to_have_text(clock_label(CLOCK))
    refund_day = story.first_day(Status.REFUND_IN_PROGRESS)
    assert refund_day <= 3, "the seller's window is 48 hours: three days are enough"
    for day in range(1, refund_day + 1):
        sidebar(page).get_by_role("button", name="+1 day").click()
        expect(clock).to_have_text(clock_label(CLOCK + timedelta(days=day)))
        wait_idle(page)
        expect_badge(page, text("status", story.statuses_by_day[day - 1]))
    expect_badge(page, "Refund in progress")
    expect(main.get_by_text(re.compile(r"What happens next: Refund in progress\."))).to_be_visible()
    no_cancel_buttons(main)

    # The refund tracker has a row for the order, with an expected date range.
    main.get_by_role("button", name="Refund tracker").click()
    expect(page).to_have_url(re.compile(rf"/refunds\?.*order={order_id}"))
    row = refund_row(main, order_id)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text(EXPECTED_RANGE)

    # Back to the order, and on until the refund lands and the order closes (bounded by the story).
    open_app(page, app.link("order_details", sandbox=sandbox.id, order=order_id))
    expect_badge(page, "Refund in progress")
    closed = badge(main, "Closed")
    for _ in range(len(story.statuses_by_day) - refund_day + 2):
        if closed.count():
            break
        before = clock.inner_text()
        sidebar(page).get_by_role("button", name="+1 day").click()
        expect(clock).not_to_have_text(before)
        wait_idle(page)
    expect(closed).to_be_visible()
    no_cancel_buttons(main)
    final = store.get_order(sandbox.id, order_id).order
    assert final.status is Status.CLOSED
    assert final.close_reason is story.close_reason
    assert final.refund_amount == final.total

    open_app(page, app.link("refunds", sandbox=sandbox.id, order=order_id))
    expect(refund_row(main, order_id)).to_contain_text(re.compile(r"Refunded on \d{2} [A-Z][a-z]{2} \d{4}"))
