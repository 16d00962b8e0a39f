"""Journeys in the shopper's and the trainee's language, on a phone (390 px): a Spanish shopper whose browser
speaks Spanish follows the walkthrough to a confirmed cancellation, and a Russian trainee, from a ?lang=ru link,
works a training case to a full score. Every label is read from the language's own texts; each state is
screenshotted, checked by axe-core, and checked for text that is clipped or runs off the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from guide.content import cancel_reasons, text
from guide.content.language import speaking
from guide.models import CloseReason, Status
from guide.store import Store
from guide.training import Question, builtin_scenarios, option_label
from tests.journeys.helpers import (
    PHONE,
    TIMEOUT_MS,
    App,
    badge,
    card_order_id,
    main_area,
    open_app,
    order_cards,
    query,
    shoot,
    wait_idle,
)

pytestmark = pytest.mark.browser

OVERFLOW = """() => {
  // Text that is cut off (a box narrower than its words, with overflow hidden) or that runs off the screen.
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + 1) found.push(`the page scrolls sideways`);
  const scrolls = '[data-testid=stDataFrame], [data-testid=stTable], [role=tablist], pre, [data-testid=stCode]';
  for (const el of document.querySelectorAll('button, label, p, h1, h2, h3, li, [data-testid=stMetricValue]')) {
    if (!el.offsetParent || el.closest(scrolls) || el.closest('[data-testid=stSidebar][aria-expanded=false]')) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !(el.innerText || '').trim()) continue;
    const clips = getComputedStyle(el).overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1;
    if (clips || box.right > width + 1) found.push(`${el.tagName} "${el.innerText.trim().slice(0, 60)}"`);
  }
  return found;
}"""


def fits(page: Page, name: str) -> None:
    """The state's screenshot (and axe check), and no clipped or overflowing text in it."""
    shoot(page, name)
    assert page.evaluate(OVERFLOW) == [], name


@pytest.fixture
def spanish_phone(browser: Browser) -> Iterator[Page]:
    """A phone whose browser speaks Spanish (Accept-Language and navigator.language es-ES)."""
    made = browser.new_context(viewport=PHONE, locale="es-ES", timezone_id="UTC")
    made.set_default_timeout(TIMEOUT_MS)
    yield made.new_page()
    made.close()


def es(section: str, key: str, **values: str) -> str:
    return text(section, key, "es", **values)


def at_step(main: Locator, number: int) -> None:
    expect(main.get_by_text(es("walkthrough", "progress", number=str(number), total="9"), exact=True)).to_be_visible()


def next_step(page: Page, number: int) -> None:
    main = main_area(page)
    main.get_by_role("button", name=es("walkthrough", "next"), exact=True).click()
    at_step(main, number)
    wait_idle(page)


def expect_done(main: Locator) -> None:
    expect(main.get_by_text(es("walkthrough", "done"), exact=True)).to_be_visible()


def test_a_spanish_shopper_cancels_an_order_on_a_phone(app: App, store: Store, spanish_phone: Page) -> None:
    page = spanish_phone
    open_app(page, app.link())  # no ?lang=: the browser's language decides
    main = main_area(page)
    expect(page).to_have_url(re.compile(r"[?&]lang=es(&|$)"))  # the address names the language the browser chose
    expect(page.locator("html")).to_have_attribute("lang", "es")  # set by a11y.js once the run's marker lands
    at_step(main, 1)
    sandbox_id = query(page)["sandbox"]
    fits(page, "lang-es-step-1")

    main.get_by_role("button", name=es("sign_in", "submit"), exact=True).click()
    expect(main.get_by_text(es("sign_in", "signed_in", name="Maria Lopez"), exact=True)).to_be_visible()
    expect_done(main)

    next_step(page, 2)
    main.get_by_role("button", name=es("orders", "open"), exact=True).click()
    expect(main.get_by_role("radio", name=es("tabs", "all"))).to_be_checked()
    expect_done(main)
    fits(page, "lang-es-step-2")

    next_step(page, 3)
    main.get_by_role("radio", name=es("tabs", "to_pay")).click()
    expect(main.get_by_role("radio", name=es("tabs", "to_pay"))).to_be_checked()
    # The list has re-run for the tab (no order awaiting shipment left) before a card is picked.
    expect(order_cards(main, "walk_orders").filter(has_text=es("status", "awaiting_shipment"))).to_have_count(0)
    cards = order_cards(main, "walk_orders").filter(has=page.get_by_text(es("status", "awaiting_payment"), exact=True))
    expect(cards.first).to_be_visible()
    order_id = card_order_id(cards.first)
    card = main.locator(f"[data-testid=stVerticalBlock].st-key-walk_orders_card_{order_id}")  # this card, not "first"
    fits(page, "lang-es-step-3")
    card.get_by_role("button", name=re.compile(rf"^{re.escape(es('orders', 'details'))}")).click()
    expect(page).to_have_url(re.compile(rf"[?&]order={order_id}(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]lang=es(&|$)"))
    expect_done(main)

    next_step(page, 4)
    main.get_by_role("button", name=es("details", "what_status_means"), exact=True).click()
    with speaking("es"):
        meaning = text("status_meaning", "awaiting_payment")
    expect(main.get_by_text(meaning, exact=False).first).to_be_visible()
    expect_done(main)
    fits(page, "lang-es-step-4")

    next_step(page, 5)
    main.get_by_role("button", name=es("details", "can_i_cancel"), exact=True).click()
    expect(badge(main, es("verdict", "certain")).first).to_be_visible()
    expect_done(main)
    fits(page, "lang-es-step-5")

    next_step(page, 6)
    main.get_by_role("button", name=es("details", "cancel_order"), exact=True).click()
    dialog = page.get_by_role("dialog", name=es("dialog", "title_cancel"))
    expect(dialog).to_be_visible()
    with speaking("es"):
        neutral = cancel_reasons()["no_longer_needed"].label
    dialog.get_by_text(neutral, exact=True).click()
    expect(dialog.get_by_role("radio", name=neutral)).to_be_checked()
    fits(page, "lang-es-dialog")
    dialog.get_by_role("button", name=es("dialog", "submit"), exact=True).click()
    expect(dialog.get_by_text(es("dialog", "confirm_question", order_id=order_id))).to_be_visible()
    dialog.get_by_role("button", name=es("dialog", "confirm"), exact=True).click()
    expect(dialog).to_be_hidden()
    expect(main.get_by_text(re.compile(rf"^{re.escape(es('details', 'cancelled_now'))}"))).to_be_visible()
    expect_done(main)
    fits(page, "lang-es-cancelled")
    order = store.get_order(sandbox_id, order_id).order
    assert (order.status, order.close_reason) == (Status.CLOSED, CloseReason.CANCELLED_BY_BUYER)

    page.reload()  # the language survives a reload
    wait_idle(page)
    at_step(main_area(page), 6)
    assert query(page)["lang"] == "es"


def ru(section: str, key: str, **values: str) -> str:
    return text(section, key, "ru", **values)


def test_a_russian_trainee_works_a_case_on_a_phone(app: App, phone: Page) -> None:
    page = phone
    scenario = builtin_scenarios("ru")["e01-unpaid-wrong-size"]
    open_app(page, f"{app.url}/training?lang=ru")
    main = main_area(page)
    expect(page.locator("html")).to_have_attribute("lang", "ru")  # a screen reader reads it as Russian
    main.get_by_role("textbox", name=ru("trainee", "name")).fill("Ольга Смирнова")
    main.get_by_role("button", name=ru("trainee", "start"), exact=True).click()
    wait_idle(page)
    fits(page, "lang-ru-training")

    main.get_by_role("button", name=ru("trainee", "next"), exact=True).click()
    expect(main.get_by_role("heading", name=scenario.title)).to_be_visible()
    expect(main.get_by_test_id("stChatMessage")).to_contain_text(scenario.message)
    main.get_by_role("button", name=ru("trainee", "open_details"), exact=True).click()
    expect(main.get_by_role("button", name=ru("details", "what_status_means"), exact=True)).to_be_visible()
    wait_idle(page)
    fits(page, "lang-ru-case")

    main.get_by_role("button", name=ru("details", "what_status_means"), exact=True).click()
    wait_idle(page)
    main.get_by_role("button", name=ru("details", "cancel_order"), exact=True).click()
    dialog = page.get_by_role("dialog", name=ru("dialog", "title_cancel"))
    with speaking("ru"):
        neutral = cancel_reasons()["no_longer_needed"].label
        labels = {q: option_label(q, scenario.answers[q].answer) for q in Question}
        groups = {q: text("question", q) for q in Question}
    dialog.get_by_text(neutral, exact=True).click()
    dialog.get_by_role("button", name=ru("dialog", "submit"), exact=True).click()
    dialog.get_by_role("button", name=ru("dialog", "confirm"), exact=True).click()
    expect(dialog).to_be_hidden()
    expect(badge(main, ru("status", "closed")).first).to_be_visible()
    wait_idle(page)

    for question in Question:
        group = main.get_by_role("radiogroup", name=groups[question])
        group.get_by_text(labels[question], exact=True).click()
        expect(group.get_by_role("radio", name=labels[question])).to_be_checked()
    main.get_by_role("textbox", name=ru("trainee", "reply")).fill(scenario.model_reply)
    main.get_by_role("button", name=ru("trainee", "submit"), exact=True).click()
    score = main.get_by_test_id("stMetric").filter(has_text=ru("trainee", "score_label"))
    expect(score.get_by_test_id("stMetricValue")).to_have_text("100%")
    fits(page, "lang-ru-feedback")
