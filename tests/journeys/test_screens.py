"""Every main page at desktop and phone width, in a sandbox set up to show something on each:
a screenshot of each goes to docs/screenshots/<page>-<width>.png (overwritten every run).

Also checks what a screenshot cannot: the browser tab title, and that no page scrolls sideways (wide tables
may scroll inside their own box).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from guide.lifecycle import Action, apply_action, next_timer
from guide.models import EventKind, Status
from guide.store import Sandbox, Store
from tests.journeys.accessibility import settled, violations
from tests.journeys.helpers import (
    DESKTOP,
    PHONE,
    App,
    expect_badge,
    fixed_sandbox,
    main_area,
    open_app,
    orders_in,
    shoot,
    wait_idle,
)

pytestmark = pytest.mark.browser
SIDEWAYS_SCROLL = """() => {
  // The page may hold wide tables in their own scroll boxes, but must never scroll sideways itself.
  const boxes = [
    document.scrollingElement,
    ...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]'),
  ];
  return boxes.filter(b => b && b.scrollWidth > b.clientWidth + 1 && getComputedStyle(b).overflowX !== 'hidden')
    .map(b => `${b.getAttribute('data-testid') || b.tagName}: ${b.scrollWidth}px in ${b.clientWidth}px`);
}"""


def with_a_reply(store: Store, sandbox: Sandbox) -> tuple[str, Sandbox]:
    """A shipped order whose seller answers a "Please cancel" message: send it and move the clock to the reply."""
    for order in orders_in(store, sandbox, Status.AWAITING_DELIVERY):
        state = store.get_order(sandbox.id, order.id)
        asked = apply_action(
            state, Action.SEND_MESSAGE, sandbox.clock, sandbox.profile, text="x", template="please_cancel"
        )
        reply = next_timer(asked, sandbox.seed, sandbox.profile)
        if reply is not None and reply.kind is EventKind.MESSAGE_RECEIVED:
            store.act(
                sandbox.id,
                order.id,
                Action.SEND_MESSAGE,
                text="Hello, I would like to cancel this order, please. I no longer need it. Thank you!",
                template="please_cancel",
            )
            store.advance_clock(sandbox.id, reply.at + timedelta(minutes=1))
            return order.id, store.get_sandbox(sandbox.id)
    raise AssertionError(f"seed {sandbox.seed}: no shipped order whose seller replies")


def settle(page: Page) -> None:
    """Tables and the lifecycle diagram draw after the run: wait for them before a screenshot."""
    wait_idle(page)
    main = main_area(page)
    for table in main.locator("[data-testid=stDataFrame]").all():
        expect(table.locator("canvas").first).to_be_attached()


LIFECYCLE = re.compile(r"^The order lifecycle")


def diagram_drawn(page: Page) -> None:
    """The lifecycle diagram (st.mermaid_chart) is drawn late, as an image with an alt text."""
    expect(main_area(page).get_by_role("img", name=LIFECYCLE)).to_be_visible()


def fits(page: Page, name: str) -> None:
    sideways = page.evaluate(SIDEWAYS_SCROLL)
    assert not sideways, f"{name} scrolls sideways: {sideways}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_main_pages_render_and_are_captured(
    app: App, store: Store, request: pytest.FixtureRequest, viewport: dict[str, int]
) -> None:
    sandbox = fixed_sandbox(store)
    talking, sandbox = with_a_reply(store, sandbox)
    unpaid = orders_in(store, sandbox, Status.AWAITING_PAYMENT)[0]
    to_ship = next(o for o in orders_in(store, sandbox, Status.AWAITING_SHIPMENT) if o.paid_at and o.ship_by)
    store.record(sandbox.id, "opened_my_orders", "yes")
    for fact in ("opened_order", "read_status", "checked_eligibility"):
        store.record(sandbox.id, fact, unpaid.id)

    page: Page = request.getfixturevalue("phone" if viewport == PHONE else "page")
    assert page.viewport_size == viewport
    main: Locator = main_area(page)
    open_app(page, app.link("walkthrough", sandbox=sandbox.id, step=5, order=unpaid.id))
    expect(main.get_by_text("Certain", exact=True)).to_be_visible()
    expect(page).to_have_title(re.compile("Cancel Coach"))
    settle(page)
    fits(page, "walkthrough")
    shoot(page, "walkthrough")

    open_app(page, app.link("my_orders", sandbox=sandbox.id))
    expect(main.get_by_role("radio", name="View all")).to_be_checked()
    expect(main.get_by_role("button", name="Details").first).to_be_visible()
    settle(page)
    fits(page, "my orders")
    shoot(page, "my-orders")

    open_app(page, app.link("order_details", sandbox=sandbox.id, order=to_ship.id))
    expect(main.get_by_role("heading", name=f"Order ID: {to_ship.id}")).to_be_visible()
    expect_badge(page, "Awaiting shipment")
    diagram_drawn(page)
    settle(page)
    fits(page, "order details")
    shoot(page, "order-details")

    main.get_by_role("button", name="Request cancellation").click()
    dialog = page.get_by_role("dialog", name="Request cancellation")
    expect(dialog.get_by_role("button", name="Submit")).to_be_visible()
    expect(dialog.get_by_role("radio")).to_have_count(6)
    shoot(page, "cancel-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    open_app(page, app.link("contact_seller", sandbox=sandbox.id, order=talking))
    expect(main.locator("[data-testid=stChatMessage]")).to_have_count(2)
    settle(page)
    fits(page, "contact seller")
    shoot(page, "contact-seller")

    open_app(page, app.link("refunds", sandbox=sandbox.id))
    expect(main.get_by_role("heading", name="Refunds", level=1)).to_be_visible()
    expect(main.locator("[data-testid=stDataFrame]")).to_be_visible()
    settle(page)
    fits(page, "refunds")
    shoot(page, "refunds")

    open_app(page, app.link("rules", sandbox=sandbox.id))
    expect(main.get_by_role("heading", name="Rules & sources", level=1)).to_be_visible()
    expect(main.get_by_role("combobox", name="Policy profile")).to_be_visible()
    diagram_drawn(page)
    settle(page)
    fits(page, "rules")
    shoot(page, "rules")


def test_the_axe_check_fails_on_a_violation(app: App, page: Page) -> None:
    """The check every screenshot runs can fail: text of 1.5:1 put on the page is reported."""
    open_app(page, app.link("sign_in"))
    settled(page)
    assert violations(page) == []
    page.evaluate(
        "() => { const p = document.createElement('p'); p.textContent = 'faint'; p.style.color = '#dddddd';"
        " document.querySelector('[data-testid=stMain] h1').after(p); }"
    )
    found = violations(page)
    assert any(line.startswith("color-contrast (serious)") for line in found), found
