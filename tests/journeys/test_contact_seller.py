"""Journey (c): a shipped order has no cancel button; the buyer writes to the seller instead, and what
they type is shown exactly as typed, never as markup."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from guide.content import messages
from guide.models import EventKind, Status
from guide.store import Store
from tests.journeys.helpers import App, expect_badge, fixed_sandbox, main_area, open_app, orders_in, wait_idle

pytestmark = pytest.mark.browser
MARKUP = "<b>bold</b> **not bold**"


def template_text(label: str) -> str:
    return next(t.text for t in messages().buyer_templates if t.label == label)


def conversation(main: Locator) -> Locator:
    return main.locator("[data-testid=stChatMessage]")


def send(page: Page, main: Locator) -> None:
    main.get_by_role("button", name="Send").click()
    expect(main.get_by_text(re.compile(r"^Message sent\."))).to_be_visible()
    wait_idle(page)


def test_shipped_order_has_no_cancel_button_and_the_seller_gets_a_message(app: App, store: Store, page: Page) -> None:
    sandbox = fixed_sandbox(store)
    order = orders_in(store, sandbox, Status.AWAITING_DELIVERY)[0]

    open_app(page, app.link("order_details", sandbox=sandbox.id, order=order.id))
    main = main_area(page)
    expect(main.get_by_role("heading", name=f"Order ID: {order.id}")).to_be_visible()
    expect_badge(page, "Awaiting delivery")
    expect(main.get_by_text('There is no cancel button for an order that is "Awaiting delivery".')).to_be_visible()
    expect(main.get_by_role("button", name="Cancel order")).to_have_count(0)
    expect(main.get_by_role("button", name="Request cancellation")).to_have_count(0)

    main.get_by_role("button", name="Contact seller").click()
    expect(page).to_have_url(re.compile(rf"/contact_seller\?.*order={order.id}"))
    expect(main.get_by_role("heading", name="Contact seller", level=1)).to_be_visible()
    expect(main.get_by_role("combobox", name="Order")).to_have_value(re.compile(order.id))
    expect(main.get_by_text(re.compile(r"^No messages yet\."))).to_be_visible()
    expect(conversation(main)).to_have_count(0)

    # A template fills the message box; Send puts it in the conversation, word for word.
    main.get_by_role("combobox", name="Message template").click()
    page.get_by_role("option", name="Please cancel", exact=True).click()
    wanted = template_text("Please cancel")
    message_box = main.get_by_role("textbox", name="Your message")
    expect(message_box).to_have_value(wanted)
    send(page, main)
    expect(conversation(main)).to_have_count(1)
    expect(conversation(main).first.get_by_text(wanted, exact=True)).to_be_visible()
    expect(conversation(main).first).to_contain_text("You ·")
    expect(message_box).to_have_value("")
    expect(main.get_by_role("combobox", name="Message template")).to_have_value("Write my own")

    # Markup is shown literally: no <b> element, no bold from the asterisks.
    message_box.fill(MARKUP)
    send(page, main)
    expect(conversation(main)).to_have_count(2)
    mine = conversation(main).nth(1)
    expect(mine.get_by_text(MARKUP, exact=True)).to_be_visible()
    expect(mine.locator("b")).to_have_count(0)
    expect(mine.locator("strong").filter(has_text="not bold")).to_have_count(0)
    expect(main.locator("b").filter(has_text=re.compile(r"^bold$"))).to_have_count(0)

    sent = [e.data["text"] for e in store.messages(sandbox.id, order.id) if e.kind is EventKind.MESSAGE_SENT]
    assert sent == [wanted, MARKUP]
