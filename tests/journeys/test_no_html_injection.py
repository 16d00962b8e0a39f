"""Journey: hostile text typed into every text box of the app runs nothing and reads as typed.

Three payloads go into each box: an <img> whose onerror runs script, a <script> element and a markdown
link to a javascript: URL, each setting window.__pwned. The boxes: My Orders' search, the message to the
seller (sent, so the conversation shows it), the trainee's name (signed in with, so the training page
greets it and the trainer dashboard lists it), the trainer's passcode and a new class's name.

"Nothing runs" is checked three ways in the real browser: window.__pwned stays undefined, no dialog
opens, and a MutationObserver (installed before the app's own scripts) sees no element made from the
text: no <img src=x>, no <script> or on* attribute mentioning __pwned, no javascript: link. "Reads
as typed" means the page shows the payload's exact characters where it repeats the text, and the
trainer's CSV export holds it as text.

Spreadsheet formulas in the export are a separate test: a name starting with = + - @ is data, but a
spreadsheet opening the CSV runs it as a formula unless the cell is neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, expect

from guide.content import text
from guide.models import Status
from guide.store import Store
from guide.training import scenarios
from guide.training_store import TrainingStore
from tests.journeys.helpers import (
    TRAINER_PASSCODE,
    App,
    fixed_sandbox,
    main_area,
    open_app,
    orders_in,
    query,
    wait_idle,
)

pytestmark = pytest.mark.browser

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
LINK = "[x](javascript:window.__pwned=1)"
HOSTILE = [IMG, SCRIPT, LINK]
# Names a spreadsheet reads as formulas (OWASP "CSV injection"): = + - @ at the start of a cell.
FORMULAS = ['=HYPERLINK("http://evil.example","open")', "+1+1", "-1+1", "@SUM(1,1)"]
SCENARIO = "e01-unpaid-wrong-size"

# Runs in every page of the context before the app's own scripts: records any element built from the
# payloads, even one that appears and goes again between two checks.
WATCH = """
(() => {
  const seen = [];
  window.__hostileNodes = seen;
  const selector = 'img, script, a[href], iframe, object, embed, [onerror], [onload], [onclick], [onmouseover]';
  const bad = (el) =>
    (el.tagName === 'IMG' && el.getAttribute('src') === 'x') ||
    (el.tagName === 'SCRIPT' && (el.textContent || '').includes('__pwned')) ||
    (el.tagName === 'A' && /^\\s*javascript:/i.test(el.getAttribute('href') || '')) ||
    [...el.attributes].some((a) => a.name.startsWith('on') && a.value.includes('__pwned'));
  const look = (node) => {
    if (node.nodeType !== 1) return;
    for (const el of [node, ...node.querySelectorAll(selector)]) {
      if (bad(el)) seen.push(el.outerHTML.slice(0, 160));
    }
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') look(r.target);
      else r.addedNodes.forEach(look);
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
})();
"""


@pytest.fixture
def watched(context: BrowserContext) -> Iterator[tuple[BrowserContext, list[str]]]:
    """The test's browser with the watch installed; the dialogs any of its pages opened."""
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.add_init_script(WATCH)
    context.on("page", lambda page: page.on("dialog", on_dialog))
    yield context, dialogs
    assert not dialogs, dialogs


def nothing_ran(page: Page, dialogs: list[str], where: str) -> None:
    wait_idle(page)
    pwned, nodes = page.evaluate("() => [window.__pwned, window.__hostileNodes]")
    assert pwned is None, f"{where}: window.__pwned was set to {pwned!r}"
    assert nodes == [], f"{where}: elements made from user text: {nodes}"
    assert page.locator('img[src="x"]').count() == 0, where
    assert not dialogs, f"{where}: dialogs opened: {dialogs}"


def exactly(value: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(value)}\s*$")


def scored_trainee(training: TrainingStore, trainee_id: str) -> None:
    """One submitted attempt, so the trainee is on the dashboard and in the export."""
    attempt = training.start_attempt(trainee_id, SCENARIO)
    training.submit(trainee_id, attempt.id, {q: k.answer for q, k in scenarios()[SCENARIO].answers.items()})


def unlock(page: Page, passcode: str) -> None:
    main = main_area(page)
    main.get_by_role("textbox", name=text("trainer", "passcode")).fill(passcode)
    main.get_by_role("button", name=text("trainer", "unlock")).click()


def open_dashboard(page: Page, app: App) -> None:
    open_app(page, app.link("trainer"))
    unlock(page, TRAINER_PASSCODE)
    expect(main_area(page).get_by_role("button", name=text("trainer", "lock"))).to_be_visible()
    wait_idle(page)


def grid_cell(main: Locator, value: str) -> Locator:
    """A cell of an st.dataframe holding exactly `value` (the grid keeps an accessible table of the rows in view)."""
    return main.locator("[role=gridcell], [role=rowheader]").filter(has_text=exactly(value))


def open_tab(page: Page, name: str) -> None:
    main = main_area(page)
    main.get_by_role("tab", name=text("trainer", f"tab_{name}")).click()
    expect(main.get_by_role("tab", name=text("trainer", f"tab_{name}"), selected=True)).to_be_visible()
    wait_idle(page)


def export(page: Page) -> list[dict[str, str]]:
    """The attempts CSV from the Export tab."""
    open_tab(page, "export")  # a deferred download's file belongs to the script run that drew the button
    with page.expect_download() as download_info:
        main_area(page).get_by_role("button", name=text("export", "csv")).click()
    return list(csv.DictReader(io.StringIO(download_info.value.path().read_text("utf-8"))))


def test_the_watch_sees_a_payload_that_does_run(watched: tuple[BrowserContext, list[str]]) -> None:
    """The checks can fail: the same payloads put into a page as HTML are caught."""
    context, dialogs = watched
    page = context.new_page()
    page.set_content(f"<div>{IMG}</div><a href='javascript:window.__pwned=2'>x</a><p onclick='window.__pwned=3'>y</p>")
    expect(page.locator('img[src="x"]')).to_have_count(1)
    page.wait_for_function("() => window.__pwned === 1")
    assert len(set(page.evaluate("() => window.__hostileNodes"))) == 3  # each seen, maybe more than once
    page.evaluate("() => alert('a dialog')")
    assert dialogs == ["alert: a dialog"]
    dialogs.clear()


# --- the simulator ------------------------------------------------------------------------------


def test_hostile_text_in_the_search_and_the_message_to_the_seller_runs_nothing(
    app: App, store: Store, watched: tuple[BrowserContext, list[str]]
) -> None:
    context, dialogs = watched
    page = context.new_page()
    sandbox = fixed_sandbox(store)
    order = orders_in(store, sandbox, Status.AWAITING_DELIVERY)[0]

    open_app(page, app.link("my_orders", sandbox=sandbox.id))
    main = main_area(page)
    search = main.get_by_role("textbox", name=text("orders", "search"))
    for payload in HOSTILE:
        search.fill(payload)
        search.press("Enter")
        expect(main.get_by_text(text("orders", "no_match"))).to_be_visible()
        expect(search).to_have_value(payload)
        nothing_ran(page, dialogs, f"My Orders search {payload!r}")

    open_app(page, app.link("contact_seller", sandbox=sandbox.id, order=order.id))
    box = main.get_by_role("textbox", name=text("contact", "message"))
    conversation = main.get_by_test_id("stChatMessage")
    for n, payload in enumerate(HOSTILE, start=1):
        box.fill(payload)
        main.get_by_role("button", name=text("contact", "send")).click()
        expect(main.get_by_text(re.compile(r"^Message sent\."))).to_be_visible()
        expect(conversation).to_have_count(n)
        expect(conversation.nth(n - 1).get_by_text(payload, exact=True)).to_be_visible()
        nothing_ran(page, dialogs, f"message to the seller {payload!r}")
    expect(conversation.locator("a")).to_have_count(0)
    page.reload()  # the stored messages, drawn afresh
    expect(conversation).to_have_count(len(HOSTILE))
    for n, payload in enumerate(HOSTILE):
        expect(conversation.nth(n).get_by_text(payload, exact=True)).to_be_visible()
    nothing_ran(page, dialogs, "the conversation reloaded")


# --- training -----------------------------------------------------------------------------------


def test_hostile_trainee_and_class_names_run_nothing_and_read_as_typed_up_to_the_export(
    app: App, store: Store, watched: tuple[BrowserContext, list[str]]
) -> None:
    context, dialogs = watched
    training = TrainingStore(store)
    page = context.new_page()
    main = main_area(page)

    # Each name signs in on the training page (a fresh session each) and is greeted as typed.
    for name in HOSTILE:
        open_app(page, app.link("training"))
        main.get_by_role("textbox", name=text("trainee", "name")).fill(name)
        main.get_by_role("button", name=text("trainee", "start")).click()
        expect(main.get_by_text(re.compile(rf"^Training as {re.escape(name)} · "))).to_be_visible()
        nothing_ran(page, dialogs, f"trainee name {name!r}")
        scored_trainee(training, query(page)["trainee"])

    # The passcode box: each payload is a wrong passcode, refused plainly and never shown.
    open_app(page, app.link("trainer"))
    for payload in HOSTILE:
        unlock(page, payload)
        expect(main.get_by_text(text("trainer", "wrong"))).to_be_visible()
        wait_idle(page)
        expect(main.get_by_role("textbox", name=text("trainer", "passcode"))).to_have_value("")
        expect(main.get_by_text(payload)).to_have_count(0)
        nothing_ran(page, dialogs, f"trainer passcode {payload!r}")
    unlock(page, TRAINER_PASSCODE)
    expect(main.get_by_role("button", name=text("trainer", "lock"))).to_be_visible()
    wait_idle(page)

    # New classes with hostile names: the confirmation and the class list show them as typed.
    open_tab(page, "classes")
    for name in HOSTILE:
        main.get_by_role("textbox", name=text("trainer", "new_class")).fill(name)
        main.get_by_role("button", name=text("trainer", "create_class")).click()
        expect(main.get_by_text(text("trainer", "created", name=name), exact=True)).to_be_visible()
        expect(main.get_by_test_id("stExpander").get_by_text(name, exact=True)).to_be_visible()
        nothing_ran(page, dialogs, f"class name {name!r}")
    class_filter = main.get_by_role("combobox", name=text("trainer", "class_filter"))
    class_filter.click()
    if not page.get_by_role("option").count():
        class_filter.press("ArrowDown")  # the click can land while the list is still closing from the last run
    for name in HOSTILE:
        expect(page.get_by_role("option", name=name, exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    nothing_ran(page, dialogs, "the class filter's options")

    # The roster lists the trainees by their names as typed, and the export keeps them as text.
    open_tab(page, "roster")
    expect(main.get_by_role("heading", name=text("trainer", "roster"))).to_be_visible()
    for name in HOSTILE:
        expect(grid_cell(main, name).first).to_be_attached()
    nothing_ran(page, dialogs, "the trainer dashboard")
    rows = export(page)
    exported = {row[text("export_csv", "trainee")] for row in rows}
    assert set(HOSTILE) <= exported, exported
    nothing_ran(page, dialogs, "the export")


def test_the_export_neutralises_names_a_spreadsheet_would_run_as_formulas(
    app: App, store: Store, watched: tuple[BrowserContext, list[str]]
) -> None:
    """A trainee name is free text: in the CSV a cell starting with = + - @ must not reach a spreadsheet as a
    formula (OWASP: prefix such a cell with ' ), while still reading as the name."""
    context, _ = watched
    training = TrainingStore(store)
    for name in FORMULAS:
        scored_trainee(training, training.create_trainee(name).id)
    page = context.new_page()
    open_dashboard(page, app)
    for name in FORMULAS:
        expect(grid_cell(main_area(page), name).first).to_be_attached()  # on screen, as typed
    names = [row[text("export_csv", "trainee")] for row in export(page)]
    cells = {name: [cell for cell in names if name in cell] for name in FORMULAS}
    assert all(cells.values()), f"every formula name is in the export: {cells}"
    live = {name: found for name, found in cells.items() if any(cell[:1] in "=+-@\t\r" for cell in found)}
    assert not live, f"these cells would start a spreadsheet formula: {live}"
    assert all(cell == f"'{name}" for name, found in cells.items() for cell in found), cells
