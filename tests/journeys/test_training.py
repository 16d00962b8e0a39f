"""Journey (f): a trainee works two scenarios in the simulator, one right and one wrong (with a reply that
promises a date), and learns why from the feedback; then the trainer, in another browser, unlocks the dashboard
(after a wrong passcode), reads the roster, opens the wrong attempt in detail and downloads the CSV.

The answer keys, the reasons and the rules come from the scenarios' own files, so the test follows the
content; the words of the buttons and messages are written here as a trainee reads them.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from guide.attempt_export import csv_headers
from guide.citations import cited
from guide.content import text
from guide.training import Question, Scenario, option_label, scenarios
from tests.guide.replies import GOOD_REPLIES
from tests.journeys.helpers import (
    DESKTOP,
    NEUTRAL_REASON,
    TRAINER_PASSCODE,
    App,
    badge,
    main_area,
    open_app,
    query,
    shoot,
    wait_idle,
)

pytestmark = pytest.mark.browser

TRAINEE = "Ana Ferreira"
RIGHT = scenarios()["e01-unpaid-wrong-size"]  # the first "Next scenario": answered right, cancelled in the pop-up
WRONG = scenarios()["e02-earbuds-gift-duplicate"]  # picked from the list: the wrong path, nothing done
WRONG_PATH = "cancel_now"  # "Cancel order" at once, for a paid order that needs a request
ROW_PX = 35  # st.dataframe's row height
CARELESS_REPLY = "You will get your refund by Friday, guaranteed."


# --- the trainee's page -------------------------------------------------------------------------


def question_group(main: Locator, question: Question) -> Locator:
    return main.get_by_role("radiogroup", name=text("question", question))


def answer(main: Locator, question: Question, value: str) -> None:
    """Pick an answer by its label (the radio input itself is visually hidden: click the label)."""
    label = option_label(question, value)
    group = question_group(main, question)
    group.get_by_text(label, exact=True).click()
    expect(group.get_by_role("radio", name=label)).to_be_checked()


def score_value(main: Locator) -> Locator:
    label = main.page.get_by_test_id("stMetricLabel").filter(has_text=re.compile(r"^Score$"))
    score = main.get_by_test_id("stMetric").filter(has=label)
    return score.get_by_test_id("stMetricValue")


def feedback_box(main: Locator, label: str) -> Locator:
    """The feedback box (st.success or st.error) that starts with this question's or check's label."""
    title = main.page.locator("strong", has_text=re.compile(rf"^{re.escape(label)}$"))
    return main.get_by_test_id("stAlert").filter(has=title)


def expect_feedback(main: Locator, label: str, right: bool, says: str, rule: str) -> None:
    """The mark's box: right or wrong, what it says, and its rule as a link to Rules & sources at the rule."""
    box = feedback_box(main, label)
    expect(box).to_have_count(1)
    expect(box.get_by_test_id("stAlertContentSuccess" if right else "stAlertContentError")).to_be_visible()
    expect(box).to_contain_text(says)
    first = cited(rule)[0]
    link = box.get_by_role("link", name=text("cited_rules", "link", title=text("cited_rule_title", first.key)))
    expect(link).to_have_attribute("href", re.compile(rf"/rules\?sandbox=[^#]+#{first.id}$"))
    expect(link).to_have_attribute("target", "_blank")


def expect_question_feedback(main: Locator, scenario: Scenario, question: Question, right: bool) -> None:
    key = scenario.answers[question]
    verdict = "Right." if right else "Not quite."
    expect_feedback(main, text("question", question), right, f"{verdict} {key.why}", key.rule)


def expect_case(page: Page, scenario: Scenario) -> None:
    """The scenario is open: its title, the customer's message, the order and the unanswered questions."""
    main = main_area(page)
    expect(page).to_have_url(re.compile(r"[?&]attempt=\d+(&|$)"))
    expect(main.get_by_role("heading", name=scenario.title)).to_be_visible()
    message = main.get_by_test_id("stChatMessage")
    expect(message).to_contain_text(scenario.customer)
    expect(message).to_contain_text(scenario.message)
    expect(main.get_by_role("heading", name=f"Order ID: {scenario.order.id}")).to_have_count(0)
    main.get_by_role("button", name="Open the order's details").click()  # a step the trainee is scored on
    expect(main.get_by_role("heading", name=f"Order ID: {scenario.order.id}")).to_be_visible()
    for question in Question:
        group = question_group(main, question)
        expect(group).to_be_visible()
        expect(group.get_by_role("radio", checked=True)).to_have_count(0)
    wait_idle(page)


def submit(page: Page) -> None:
    main = main_area(page)
    main.get_by_role("button", name="Submit answers").click()
    expect(score_value(main)).to_be_visible()
    expect(main.get_by_role("button", name="Submit answers")).to_have_count(0)
    wait_idle(page)


def work_the_right_scenario(page: Page) -> str:
    """e01, unpaid: check the status, cancel at once with a neutral reason, answer all three right."""
    main = main_area(page)
    main.get_by_role("button", name="Next scenario").click()
    expect_case(page, RIGHT)
    attempt = query(page)["attempt"]
    order_id = RIGHT.order.id
    expect(badge(main, "Awaiting payment")).to_be_visible()

    main.get_by_role("button", name="What does this status mean?").click()
    meaning = main.get_by_test_id("stAlertContentInfo")  # the answer's radio says the same: not that one
    expect(meaning).to_have_text(re.compile(r"^Awaiting payment: The order is placed but not paid"))
    wait_idle(page)

    main.get_by_role("button", name="Cancel order").click()
    dialog = page.get_by_role("dialog", name="Cancel order")
    expect(dialog).to_be_visible()
    dialog.get_by_text(NEUTRAL_REASON, exact=True).click()
    expect(dialog.get_by_role("radio", name=NEUTRAL_REASON)).to_be_checked()
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_text(f"Cancel order {order_id}? This cannot be undone.")).to_be_visible()
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()
    expect(main.get_by_text(re.compile(r"^The order is cancelled\."))).to_be_visible()
    expect(badge(main, "Closed")).to_be_visible()
    expect(main.get_by_role("button", name="Cancel order")).to_have_count(0)
    wait_idle(page)

    for question in Question:
        answer(main, question, RIGHT.answers[question].answer)
    main.get_by_role("textbox", name="Your reply to the customer").fill(GOOD_REPLIES[RIGHT.id])
    submit(page)

    expect(score_value(main)).to_have_text("100%")
    for question in Question:
        expect_question_feedback(main, RIGHT, question, right=True)
    expect_feedback(
        main,
        "Checked what the status means",
        True,
        "You checked what the status means.",
        "DOMAIN.md: The seed guide's path / 4. check the status",
    )
    expect_feedback(
        main,
        "Took the right path in the simulator",
        True,
        "You took the right path: Cancel now.",
        "DOMAIN.md: Cancellation rules by status",
    )
    expect_feedback(
        main,
        "Did not blame a seller who did nothing wrong",
        True,
        "Your cancellation reason did not blame the seller unfairly.",
        "DOMAIN.md: Cancellation reasons",
    )
    expect(main.get_by_text("Found:").first).to_be_visible()  # the reply's points show the words they found
    expect(main.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(main.get_by_role("button", name="Try again")).to_be_visible()
    return attempt


def work_the_wrong_scenario(page: Page) -> str:
    """e02, paid: picked from the list; the wrong path ("Cancel order" at once) and nothing done."""
    main = main_area(page)
    main.get_by_role("combobox", name="Or pick a scenario").click()
    page.get_by_role("option", name=f"Easy · {WRONG.title} · not tried", exact=True).click()
    expect(main.get_by_role("combobox", name="Or pick a scenario")).to_have_value(re.compile(re.escape(WRONG.title)))
    wait_idle(page)
    # Found by its key: the scenario selectbox has a toggle button of its own.
    main.locator(".st-key-trainee_open").get_by_role("button", name="Open scenario", exact=True).click()
    expect_case(page, WRONG)
    attempt = query(page)["attempt"]
    expect(badge(main, "Awaiting shipment")).to_be_visible()
    expect(main.get_by_role("button", name="Request cancellation")).to_be_visible()

    # The seller can be written to from the case, in an expander.
    main.get_by_text("Contact seller", exact=True).click()
    expect(main.get_by_role("textbox", name="Your message")).to_be_visible()

    answer(main, Question.STATUS, WRONG.answers[Question.STATUS].answer)
    answer(main, Question.PATH, WRONG_PATH)
    answer(main, Question.REFUND, WRONG.answers[Question.REFUND].answer)
    main.get_by_role("textbox", name="Your reply to the customer").fill(CARELESS_REPLY)
    submit(page)

    # Of 24 weighted points: status and refund right (2 + 2), the details opened (1), and of the reply's 8 only
    # "no claim to have cancelled" and "no credentials" (1 + 1): 7 / 24. The decision (6), the path in the
    # simulator (3), the status check (1), a fair reason (1, none was picked), naming the next step and the money
    # (2 + 2) and the two promises (1 + 1) are missed, and the promise is a critical error (at most 50%).
    expect(score_value(main)).to_have_text("29%")
    expect(main.get_by_text(re.compile(r"^A critical error fails this attempt"))).to_be_visible()
    promise = feedback_box(main, "Critical error: Promised the customer a date or an outcome")
    expect(promise).to_have_count(1)
    expect(feedback_box(main, "Promises no date")).to_contain_text("Found: “by friday”")
    path_box = feedback_box(main, "What should the customer do now?")
    expect(path_box).to_contain_text(f"Your answer: {option_label(Question.PATH, WRONG_PATH)}")
    expect(path_box).to_contain_text(f"Expected: {option_label(Question.PATH, WRONG.answers[Question.PATH].answer)}")
    expect_question_feedback(main, WRONG, Question.STATUS, right=True)
    expect_question_feedback(main, WRONG, Question.PATH, right=False)
    expect_question_feedback(main, WRONG, Question.REFUND, right=True)
    expect_feedback(
        main,
        "Took the right path in the simulator",
        False,
        "Expected: Request cancellation",
        "DOMAIN.md: Cancellation rules by status",
    )
    expect_feedback(
        main,
        "Checked what the status means",
        False,
        'Check what the status means ("What does this status mean?") before deciding.',
        "DOMAIN.md: The seed guide's path / 4. check the status",
    )
    expect_feedback(
        main,
        "Did not blame a seller who did nothing wrong",
        False,
        "No cancellation reason was picked, so there is no fair reason to credit",
        "DOMAIN.md: Cancellation reasons",
    )
    expect(main.get_by_test_id("stAlertContentError")).to_have_count(9)
    return attempt


# --- the trainer's page -------------------------------------------------------------------------


def unlock(page: Page, passcode: str) -> None:
    main = main_area(page)
    main.get_by_role("textbox", name="Trainer passcode").fill(passcode)
    main.get_by_role("button", name="Unlock").click()


def no_trainee_data(page: Page) -> None:
    main = main_area(page)
    expect(main.get_by_text(TRAINEE)).to_have_count(0)
    expect(main.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(main.get_by_role("tab")).to_have_count(0)
    expect(main.get_by_role("heading", name="Roster")).to_have_count(0)


def grid(main: Locator, header: str) -> Locator:
    """The st.dataframe whose header row has this column. st.dataframe draws on a canvas and keeps an accessible
    table inside it, which the accessibility tree leaves out (so CSS here, not roles), holding only the rows and
    columns in view."""
    column = main.page.locator("[role=columnheader]", has_text=re.compile(rf"^{re.escape(header)}$"))
    tables = main.get_by_test_id("stDataFrame").filter(has=column)
    expect(tables).to_have_count(1)
    return tables


def cell(table: Locator, row: Locator, column: str) -> Locator:
    """The cell of `row` under the header `column` (which must be in view)."""
    header = table.locator("[role=columnheader]", has_text=re.compile(rf"^{re.escape(column)}$"))
    expect(header).to_have_count(1)
    return row.locator(f"[role=gridcell][aria-colindex='{header.get_attribute('aria-colindex')}']")


def open_tab(page: Page, name: str) -> Locator:
    main = main_area(page)
    main.get_by_role("tab", name=name).click()
    expect(main.get_by_role("tab", name=name, selected=True)).to_be_visible()
    wait_idle(page)
    return main


def expect_roster(page: Page) -> None:
    """The roster: the trainee, two scenarios done of the 28 set, in progress."""
    main = main_area(page)
    table = grid(main, "Scenarios done")
    row = table.locator("[role=row]").filter(has_text=TRAINEE)
    expect(row).to_have_count(1)
    expect(cell(table, row, "Scenarios done")).to_have_text("2 of 28")
    expect(cell(table, row, "Progress")).to_have_text("in progress")
    # The table's gist in words (other journeys' trainees share this server, so only its form is checked).
    expect(main.get_by_text(re.compile(r"^Trainees: \d+\. Not started: \d+; in progress: \d+;"))).to_be_visible()


def expect_attempts_and_detail(page: Page) -> None:
    """Both attempts, newest first; the wrong one opened in detail shows why it lost marks."""
    main = open_tab(page, "Attempts")
    main.get_by_role("textbox", name="Find a trainee or scenario").fill(TRAINEE)  # other journeys share the server
    main.get_by_role("textbox", name="Find a trainee or scenario").press("Enter")
    wait_idle(page)
    header = page.locator("[role=columnheader]", has_text=re.compile(r"^Critical error$"))
    table = main.get_by_test_id("stDataFrame").filter(has=header)
    expect(table).to_have_count(1)
    rows = table.locator("[role=row]").filter(has_text=TRAINEE)
    expect(rows).to_have_count(2)
    scenario = text("trainer", "col_scenario")
    expect(cell(table, rows.nth(0), scenario)).to_have_text(WRONG.title)
    expect(cell(table, rows.nth(1), scenario)).to_have_text(RIGHT.title)
    expect(cell(table, rows.nth(0), "Critical error")).to_have_text("yes")
    # Select the wrong attempt by its row's selection box: the grid is drawn on a canvas, so the click goes to
    # the box's place (first column; rows of ROW_PX under the header row).
    index = int(rows.nth(0).get_attribute("aria-rowindex") or "0")  # the header row is 1
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 14, box["y"] + (index - 1) * ROW_PX + ROW_PX / 2)
    expect(page).to_have_url(re.compile(r"[?&]attempt_detail=\d+"))
    wait_idle(page)
    expect(main.get_by_text(re.compile(rf"^{TRAINEE} on \"{re.escape(WRONG.title)}\": 29%"))).to_be_visible()
    marks = grid(main, "Trainee's answer")
    path = marks.locator("[role=row]").filter(has_text="What should the customer do now?")
    expect(cell(marks, path, "Result")).to_have_text("wrong")
    expect(main.get_by_text(CARELESS_REPLY, exact=True)).to_be_visible()
    expect(main.get_by_text("No reason was picked.")).to_be_visible()


def open_dashboard(page: Page, app: App) -> None:
    open_app(page, app.link("trainer"))
    main = main_area(page)
    expect(main.get_by_role("heading", name="Trainer dashboard", level=1)).to_be_visible()
    expect(main.get_by_role("textbox", name="Trainer passcode")).to_be_visible()


def expect_dashboard(page: Page) -> None:
    main = main_area(page)
    expect(main.get_by_role("button", name="Lock the dashboard")).to_be_visible()
    expect(main.get_by_role("heading", name="Roster")).to_be_visible()
    wait_idle(page)


def settle(page: Page) -> None:
    """Tables and charts draw after the run: wait for them before a screenshot."""
    wait_idle(page)
    main = main_area(page)
    for table in main.get_by_test_id("stDataFrame").all():
        if table.is_visible():  # a table in a closed expander (the case's timeline) is not drawn
            expect(table.locator("canvas").first).to_be_attached()
    for chart in main.get_by_test_id("stVegaLiteChart").all():
        expect(chart.locator("canvas, svg").first).to_be_visible()


def shoot_whole(page: Page, name: str) -> None:
    """docs/screenshots/<name>-<width>.png of the whole main area: the viewport is made as tall as the page
    for the shot (Streamlit scrolls inside the main area, so a full-page screenshot would show one screen)."""
    size = page.viewport_size or DESKTOP
    page.mouse.move(0, 0)  # no hover toolbar or tooltip on a table or chart
    settle(page)
    height = int(page.get_by_test_id("stMain").evaluate("e => e.scrollHeight"))
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    try:
        settle(page)
        shoot(page, name)
    finally:
        page.set_viewport_size(size)


# --- the journey --------------------------------------------------------------------------------


def test_trainee_works_two_scenarios_and_the_trainer_sees_and_exports_them(
    app: App, page: Page, new_context: BrowserContext, phone: Page
) -> None:
    # The trainee signs in with a name only.
    open_app(page, app.link("training"))
    main = main_area(page)
    expect(main.get_by_role("heading", name="Training", level=1)).to_be_visible()
    main.get_by_role("textbox", name="Your name").fill(TRAINEE)
    main.get_by_role("button", name="Start training").click()
    expect(main.get_by_text(re.compile(rf"^Training as {TRAINEE} · "))).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]trainee=[\w-]+"))
    trainee_id = query(page)["trainee"]
    expect(main.get_by_role("button", name="Next scenario")).to_be_visible()
    wait_idle(page)

    # One scenario right, with the simulator's actions; the page is captured with its case and feedback.
    right_attempt = work_the_right_scenario(page)
    shoot_whole(page, "training")
    phone.goto(page.url)  # the link resumes the training on another device
    expect(main_area(phone).get_by_role("heading", name=RIGHT.title)).to_be_visible()
    expect(score_value(main_area(phone))).to_have_text("100%")
    shoot_whole(phone, "training")

    main.get_by_role("button", name="All scenarios").click()
    expect(page).not_to_have_url(re.compile(r"[?&]attempt="))
    expect(main.get_by_role("button", name="Next scenario")).to_be_visible()
    wait_idle(page)

    # One scenario wrong.
    wrong_attempt = work_the_wrong_scenario(page)
    assert right_attempt != wrong_attempt
    main.get_by_role("button", name="All scenarios").click()
    expect(main.get_by_role("combobox", name="Or pick a scenario")).to_be_visible()
    wait_idle(page)

    # The trainer, in another browser: a wrong passcode says so plainly and shows nothing.
    trainer = new_context.new_page()
    open_dashboard(trainer, app)
    board = main_area(trainer)
    no_trainee_data(trainer)
    unlock(trainer, "not-the-passcode")
    expect(board.get_by_text("That passcode is not right. Wait a moment before trying again.")).to_be_visible()
    wait_idle(trainer)
    no_trainee_data(trainer)

    # The right passcode: the roster, then both attempts and why the wrong one lost marks.
    unlock(trainer, TRAINER_PASSCODE)
    expect_dashboard(trainer)
    expect(board.get_by_text("That passcode is not right.")).to_have_count(0)
    expect_roster(trainer)
    shoot_whole(trainer, "trainer-roster")
    expect_attempts_and_detail(trainer)
    shoot_whole(trainer, "trainer")

    # The CSV export, on the Export tab: one row per attempt. The button is clicked once the page is idle: a
    # deferred download's file belongs to the script run that drew the button.
    open_tab(trainer, "Export")
    with trainer.expect_download() as download_info:
        board.get_by_role("button", name="Download attempts with every mark (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "cancel-coach-attempts.csv"
    content = download.path().read_text("utf-8")
    reader = csv.DictReader(io.StringIO(content))
    assert reader.fieldnames == csv_headers()
    mine = [row for row in reader if row["Trainee"] == TRAINEE]
    assert len(mine) == 2, content
    by_scenario = {row["Scenario id"]: row for row in mine}
    assert set(by_scenario) == {RIGHT.id, WRONG.id}
    assert all(row["Trainee id"].lstrip("'") == trainee_id for row in mine)  # an id starting "-" is guarded
    right, wrong = by_scenario[RIGHT.id], by_scenario[WRONG.id]
    assert (right["Scenario"], right["Attempt"], right["Score (%)"], right["Passed"]) == (
        RIGHT.title,
        "1",
        "100.0",
        "yes",
    )
    assert (wrong["Attempt"], wrong["Score (%)"], wrong["Passed"], wrong["Critical errors"]) == (
        "1",
        "29.2",
        "no",
        "promise",
    )
    path = text("question", Question.PATH)
    assert (right[f"{path} (right or wrong)"], wrong[f"{path} (right or wrong)"]) == ("right", "wrong")
    for row in mine:  # ISO 8601 with the zone
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00", row["Submitted"]), row["Submitted"]

    # The dashboard on a phone, in its own browser (its own unlock).
    open_dashboard(phone, app)
    unlock(phone, TRAINER_PASSCODE)
    expect_dashboard(phone)
    expect_roster(phone)
    shoot_whole(phone, "trainer-roster")
    open_tab(phone, "Attempts")
    main_area(phone).get_by_role("textbox", name="Find a trainee or scenario").fill(TRAINEE)
    main_area(phone).get_by_role("textbox", name="Find a trainee or scenario").press("Enter")
    wait_idle(phone)
    # At 390 px only the first columns are in view: the attempts table is the one with a Scenario column and the name.
    header = phone.locator("[role=columnheader]", has_text=re.compile(r"^Scenario$"))
    attempts_grid = main_area(phone).get_by_test_id("stDataFrame").filter(has=header).filter(has_text=TRAINEE)
    expect(attempts_grid.locator("[role=row]").filter(has_text=TRAINEE)).to_have_count(2)
    shoot_whole(phone, "trainer")
