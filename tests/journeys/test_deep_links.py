"""Journey (d): a walkthrough link resumes the same step and order after a reload and on another device."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from guide.models import Status
from guide.store import Store
from tests.journeys.helpers import App, expect_badge, fixed_sandbox, main_area, open_app, orders_in, query

pytestmark = pytest.mark.browser


def shows_step_five(page: Page, sandbox_id: str, order_id: str) -> None:
    main = main_area(page)
    expect(main.get_by_text("Step 5 of 9", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Judge whether cancelling will work")).to_be_visible()
    expect(main.get_by_text(order_id, exact=True)).to_be_visible()
    expect(main.get_by_role("button", name="Can I cancel?")).to_be_visible()
    expect_badge(page, "Awaiting shipment")
    expect(page).to_have_url(re.compile(r"/walkthrough\?"))
    # The address names the language it opened in (English: the link had none and the browser is en-GB).
    assert query(page) == {"sandbox": sandbox_id, "step": "5", "order": order_id, "lang": "en"}


def test_walkthrough_link_survives_reload_and_sharing(
    app: App, store: Store, page: Page, new_context: BrowserContext
) -> None:
    sandbox = fixed_sandbox(store)
    order = orders_in(store, sandbox, Status.AWAITING_SHIPMENT)[0]
    link = app.link("walkthrough", sandbox=sandbox.id, step=5, order=order.id)

    open_app(page, link)
    shows_step_five(page, sandbox.id, order.id)

    page.reload()
    expect(page.locator("[data-testid=stApp]")).to_be_visible()
    shows_step_five(page, sandbox.id, order.id)

    other = new_context.new_page()
    open_app(other, link)
    shows_step_five(other, sandbox.id, order.id)
    expect(other.locator("[data-testid=stSidebar]").get_by_text("Signed in as Maria Lopez (demo)")).to_be_visible()

    # The bare address with the same query opens the same place.
    open_app(other, app.link("", sandbox=sandbox.id, step=5, order=order.id))
    shows_step_five(other, sandbox.id, order.id)
