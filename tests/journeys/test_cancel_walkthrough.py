"""Journeys (a) and (e): a newcomer follows the walkthrough from sign-in to a cancelled order,
once with the mouse and once with the keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from guide.models import CloseReason, Status
from guide.store import Store
from tests.journeys.helpers import (
    NEUTRAL_REASON,
    App,
    card_order_id,
    main_area,
    open_app,
    order_cards,
    query,
    sidebar,
    steps_done,
    wait_idle,
)
from tests.journeys.keyboard import Keyboard

pytestmark = pytest.mark.browser


def at_step(main: Locator, number: int) -> None:
    expect(main.get_by_text(f"Step {number} of 9", exact=True)).to_be_visible()


def expect_done(main: Locator) -> None:
    """The step card says the step is checked off."""
    expect(main.get_by_text("Done", exact=True)).to_be_visible()


def expect_more_done(main: Locator, before: tuple[int, int]) -> tuple[int, int]:
    """The progress line counts more steps done than `before`; the new count."""
    progress = main.get_by_text(re.compile(r"^\d+ of \d+ steps done$"))
    expect(progress).not_to_have_text(f"{before[0]} of {before[1]} steps done")
    now = steps_done(main)
    assert now[0] > before[0], f"steps done went from {before} to {now}"
    return now


def awaiting_payment_card(main: Locator) -> Locator:
    cards = order_cards(main, "walk_orders").filter(has=main.page.get_by_text("Awaiting payment", exact=True))
    expect(cards.first).to_be_visible()
    return cards.first


def check_cancelled(page: Page, store: Store, sandbox_id: str, order_id: str) -> None:
    main = main_area(page)
    expect(main.get_by_text("Closed", exact=True).first).to_be_visible()
    expect(main.get_by_text(re.compile(r"^The order is cancelled\."))).to_be_visible()
    order = store.get_order(sandbox_id, order_id).order
    assert order.status is Status.CLOSED
    assert order.close_reason is CloseReason.CANCELLED_BY_BUYER


def test_newcomer_cancels_an_unpaid_order_by_following_the_walkthrough(app: App, store: Store, page: Page) -> None:
    open_app(page, app.link())
    main = main_area(page)
    at_step(main, 1)
    sandbox_id = query(page)["sandbox"]
    done = steps_done(main)
    assert done[0] == 0

    # 1. Log in: the demo buyer Maria is preselected.
    expect(main.get_by_role("combobox", name="Demo buyer")).to_have_value(re.compile("Maria Lopez"))
    main.get_by_role("button", name="Sign in").click()
    expect(main.get_by_text("Signed in as Maria Lopez.", exact=True)).to_be_visible()
    expect(sidebar(page).get_by_text("Signed in as Maria Lopez (demo)")).to_be_visible()
    expect_done(main)
    done = expect_more_done(main, done)

    # 2. Open My Orders.
    main.get_by_role("button", name="Next").click()
    at_step(main, 2)
    main.get_by_role("button", name="My Orders").click()
    expect(main.get_by_role("radio", name="View all")).to_be_checked()
    expect_done(main)
    done = expect_more_done(main, done)

    # 3. Find an unpaid order in "To pay" and open its details.
    main.get_by_role("button", name="Next").click()
    at_step(main, 3)
    main.get_by_role("radio", name="To pay").click()
    expect(main.get_by_role("radio", name="To pay")).to_be_checked()
    expect(order_cards(main, "walk_orders").filter(has_text="Awaiting shipment")).to_have_count(0)
    card = awaiting_payment_card(main)
    order_id = card_order_id(card)
    card.get_by_role("button", name="Details").click()
    expect(page).to_have_url(re.compile(rf"[?&]order={order_id}(&|$)"))
    expect_done(main)
    done = expect_more_done(main, done)

    # 4. Check the status.
    main.get_by_role("button", name="Next").click()
    at_step(main, 4)
    expect(main.get_by_role("heading", name=f"Order ID: {order_id}")).to_be_visible()
    main.get_by_role("button", name="What does this status mean?").click()
    expect(main.get_by_text(re.compile(r"^Awaiting payment: The order is placed but not paid"))).to_be_visible()
    expect_done(main)
    done = expect_more_done(main, done)

    # 5. Judge: a verdict.
    main.get_by_role("button", name="Next").click()
    at_step(main, 5)
    main.get_by_role("button", name="Can I cancel?").click()
    expect(main.get_by_text("Can cancelling still work?", exact=True)).to_be_visible()
    expect(main.get_by_text("Certain", exact=True)).to_be_visible()
    expect(main.get_by_test_id("stMetric").filter(has_text="Chance now")).to_contain_text("100%")
    expect_done(main)
    done = expect_more_done(main, done)

    # 6-7. Cancel order -> reason -> Submit -> Confirm.
    main.get_by_role("button", name="Next").click()
    at_step(main, 6)
    main.get_by_role("button", name="Cancel order").click()
    dialog = page.get_by_role("dialog", name="Cancel order")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("radio")).to_have_count(6)
    dialog.get_by_text(NEUTRAL_REASON, exact=True).click()  # the radio input itself is visually hidden
    expect(dialog.get_by_role("radio", name=NEUTRAL_REASON)).to_be_checked()
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_text(f"Cancel order {order_id}? This cannot be undone.")).to_be_visible()
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()
    check_cancelled(page, store, sandbox_id, order_id)
    expect_done(main)
    done = expect_more_done(main, done)

    main.get_by_role("button", name="Next").click()
    at_step(main, 7)
    expect_done(main)
    assert steps_done(main) == done
    assert done[0] == done[1] - 1, f"only the refund step should be left, got {done}"


# --- (e) the same journey with the keyboard only ------------------------------------------------

WALKTHROUGH_BUDGET = 65  # Tab presses, sign-in to a cancelled order (about 86 before issue 14)


def test_newcomer_cancels_with_the_keyboard_only(app: App, store: Store, page: Page) -> None:
    open_app(page, app.link())
    main = main_area(page)
    at_step(main, 1)
    sandbox_id = query(page)["sandbox"]
    keys = Keyboard(page)
    step_title = main.locator(".st-key-walk_step h3")
    step_done = main.locator(".st-key-walk_step [data-testid=stAlert]").filter(has_text="Done")

    # The first Tab offers a skip link past the sidebar; it takes the focus to the main area.
    keys.press(page.get_by_role("link", name="Skip to main content"), "the skip link")
    keys.press(main.get_by_role("button", name="Sign in"), "Sign in")
    keys.lands_on(main.get_by_test_id("stAlert").filter(has_text="Signed in as Maria Lopez."), "Sign in")
    done = steps_done(main)

    keys.press(main.get_by_role("button", name="Next"), "Next", backwards=True)
    at_step(main, 2)
    keys.lands_on(step_title, "Next")
    keys.press(main.get_by_role("button", name="My Orders"), "My Orders")
    tabs = main.get_by_role("radiogroup", name="My Orders")
    keys.lands_on(tabs.get_by_role("radio", name="View all"), "My Orders")
    done = expect_more_done(main, done)

    keys.press(main.get_by_role("button", name="Next"), "Next", backwards=True)
    at_step(main, 3)
    keys.lands_on(step_title, "Next")
    # The tabs are one radio group: Tab lands on the checked tab, an arrow moves, Space picks.
    keys.press(tabs.get_by_role("radio", name="View all"), "the order tabs", key="ArrowRight")
    expect(tabs.get_by_role("radio", name="To pay")).to_be_focused()
    keys.key("Space")
    expect(tabs.get_by_role("radio", name="To pay")).to_be_checked()
    wait_idle(page)  # the To pay list replaces View all's: read a card only once it has
    card = awaiting_payment_card(main)
    order_id = card_order_id(card)
    keys.press(card.get_by_role("button", name=re.compile(rf"^Details of order {order_id}")), f"Details of {order_id}")
    expect(page).to_have_url(re.compile(rf"[?&]order={order_id}(&|$)"))
    keys.lands_on(step_done, "Details")
    done = expect_more_done(main, done)

    keys.press(main.get_by_role("button", name="Next"), "Next")
    at_step(main, 4)
    keys.lands_on(step_title, "Next")
    keys.press(main.get_by_role("button", name="What does this status mean?"), "What does this status mean?")
    keys.lands_on(main.locator(".st-key-walk_status_shown"), "What does this status mean?")
    expect(main.get_by_text(re.compile(r"^Awaiting payment: The order is placed but not paid"))).to_be_visible()
    done = expect_more_done(main, done)

    keys.press(main.get_by_role("button", name="Next"), "Next", backwards=True)
    at_step(main, 5)
    keys.lands_on(step_title, "Next")
    keys.press(main.get_by_role("button", name="Can I cancel?"), "Can I cancel?")
    keys.lands_on(main.locator(".st-key-walk_assess_shown"), "Can I cancel?")
    expect(main.get_by_text("Certain", exact=True)).to_be_visible()
    done = expect_more_done(main, done)

    keys.press(main.get_by_role("button", name="Next"), "Next", backwards=True)
    at_step(main, 6)
    keys.lands_on(step_title, "Next")
    keys.press(main.get_by_role("button", name="Cancel order"), "Cancel order")
    dialog = page.get_by_role("dialog", name="Cancel order")
    expect(dialog.get_by_role("radio")).to_have_count(6)
    keys.press(dialog.get_by_role("radio", name=NEUTRAL_REASON), "the reasons", key="Space")
    expect(dialog.get_by_role("radio", name=NEUTRAL_REASON)).to_be_checked()
    keys.press(dialog.get_by_role("button", name="Submit"), "Submit")
    expect(dialog.get_by_text(f"Cancel order {order_id}? This cannot be undone.")).to_be_visible()
    keys.press(dialog.get_by_role("button", name="Confirm"), "Confirm")
    expect(dialog).to_be_hidden()
    keys.lands_on(main.get_by_test_id("stAlert").filter(has_text="The order is cancelled."), "Confirm")
    check_cancelled(page, store, sandbox_id, order_id)
    expect_more_done(main, done)
    print(keys.report())
    assert keys.presses <= WALKTHROUGH_BUDGET, keys.report()
