"""Keyboard-only journeys with a budget of Tab presses, checking after every action that the focus is where a
sighted user's eyes go: the new page's heading, or the message that reports the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from guide.content import text
from guide.models import CloseReason, Status
from guide.store import Store
from guide.training import Question, option_label, options, scenarios
from tests.guide.replies import GOOD_REPLIES
from tests.journeys.helpers import NEUTRAL_REASON, App, card_order_id, main_area, open_app, order_cards, query, sidebar
from tests.journeys.keyboard import Keyboard

pytestmark = pytest.mark.browser
CANCEL_BUDGET = 30  # Tab presses from the home page to a confirmed cancellation (58 in the audit of issue 14)


def test_a_shopper_cancels_an_order_with_the_keyboard_only(app: App, store: Store, page: Page) -> None:
    open_app(page, app.link())
    keys = Keyboard(page)
    main = main_area(page)
    sandbox_id = query(page)["sandbox"]

    keys.press(sidebar(page).get_by_role("link", name="My Orders"), "the menu's My Orders")
    keys.lands_on(main.get_by_role("heading", name="My Orders", level=1), "a menu link")
    keys.press(main.get_by_role("button", name="Sign in"), "Sign in")
    keys.lands_on(main.get_by_role("heading", name="My Orders", level=1), "signing in")

    tabs = main.get_by_role("radiogroup", name="My Orders")
    keys.press(tabs.get_by_role("radio", name="View all"), "the order tabs", key="ArrowRight")
    expect(tabs.get_by_role("radio", name="To pay")).to_be_focused()
    keys.key("Space")
    expect(tabs.get_by_role("radio", name="To pay")).to_be_checked()
    card = order_cards(main, "my_orders_page").filter(has=page.get_by_text("Awaiting payment", exact=True)).first
    expect(card).to_be_visible()
    order_id = card_order_id(card)
    details = card.get_by_role("button", name=re.compile(rf"^Details of order {order_id} from "))
    keys.press(details, f"Details of {order_id}")
    keys.lands_on(main.get_by_role("heading", name="Order details", level=1), "Details")
    expect(page).to_have_title(re.compile(rf"Order {order_id}"))

    keys.press(main.get_by_role("button", name="Cancel order"), "Cancel order")
    dialog = page.get_by_role("dialog", name="Cancel order")
    reasons = dialog.get_by_role("radiogroup", name="Why do you want to cancel?")
    keys.press(reasons.get_by_role("radio", name=NEUTRAL_REASON), "the reasons", key="Space")
    expect(dialog.get_by_role("radio", name=NEUTRAL_REASON)).to_be_checked()
    keys.press(dialog.get_by_role("button", name="Submit"), "Submit")
    keys.press(dialog.get_by_role("button", name="Confirm"), "Confirm")
    expect(dialog).to_be_hidden()
    result = main.locator("[data-testid=stAlert]").filter(has_text=re.compile(r"The order is cancelled"))
    keys.lands_on(result, "Confirm")

    order = store.get_order(sandbox_id, order_id).order
    assert order.status is Status.CLOSED and order.close_reason is CloseReason.CANCELLED_BY_BUYER
    print(keys.report())
    assert keys.presses <= CANCEL_BUDGET, keys.report()


CASE_BUDGET = 50  # Tab presses from the home page through a whole training case to its score


def test_a_trainee_works_a_case_with_the_keyboard_only(app: App, page: Page) -> None:
    open_app(page, app.link())
    keys = Keyboard(page)
    main = main_area(page)
    scenario = scenarios()["e01-unpaid-wrong-size"]  # the first "Next scenario" of a new trainee

    keys.press(sidebar(page).get_by_role("link", name="Training"), "the menu's Training")
    keys.lands_on(main.get_by_role("heading", name="Training", level=1), "a menu link")
    keys.press(main.get_by_role("textbox", name="Your name"), "Your name", key="K")
    page.keyboard.type("eyboard Kim")
    keys.press(main.get_by_role("button", name="Start training"), "Start training")
    keys.lands_on(main.get_by_role("heading", name="Training", level=1), "Start training")

    keys.press(main.get_by_role("button", name="Next scenario"), "Next scenario")
    keys.lands_on(main.get_by_role("heading", name=scenario.title), "Next scenario")
    expect(page).to_have_title(re.compile(re.escape(scenario.title)))
    keys.press(main.get_by_role("button", name="Open the order's details"), "Open the order's details")
    keys.lands_on(main.locator(".st-key-train_" + query(page)["attempt"] + "_details_shown"), "the order's details")

    keys.press(main.get_by_role("button", name="What does this status mean?"), "What does this status mean?")
    keys.lands_on(main.locator(f".st-key-train_{query(page)['attempt']}_status_shown"), "the status")
    keys.press(main.get_by_role("button", name="Cancel order"), "Cancel order")
    dialog = page.get_by_role("dialog", name="Cancel order")
    keys.press(dialog.get_by_role("radio", name=NEUTRAL_REASON), "the reasons", key="Space")
    keys.press(dialog.get_by_role("button", name="Submit"), "Submit")
    keys.press(dialog.get_by_role("button", name="Confirm"), "Confirm")
    expect(dialog).to_be_hidden()
    keys.lands_on(main.get_by_test_id("stAlert").filter(has_text="The order is cancelled."), "Confirm")

    for question in Question:
        group = main.get_by_role("radiogroup", name=text("question", question))
        wanted = options(question).index(scenario.answers[question].answer)
        keys.press(group.get_by_role("radio").first, text("question", question), key="Space")
        for _ in range(wanted):
            keys.key("ArrowDown")
        right = option_label(question, scenario.answers[question].answer)
        expect(group.get_by_role("radio", name=right)).to_be_checked()
    keys.press(main.get_by_role("textbox", name="Your reply to the customer"), "the reply", key="End")
    page.keyboard.type(GOOD_REPLIES[scenario.id])
    keys.press(main.get_by_role("button", name="Submit answers"), "Submit answers")
    keys.lands_on(main.locator(".st-key-case_score"), "Submit answers")
    expect(main.locator(".st-key-case_score [data-testid=stMetricValue]")).to_have_text("100%")
    print(keys.report())
    assert keys.presses <= CASE_BUDGET, keys.report()
