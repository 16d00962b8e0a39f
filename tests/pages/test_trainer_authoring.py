"""The trainer's Scenarios tab: a case is checked against the rules, refused with the reason, saved and listed;
a bad import file is refused naming every bad field."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from guide.authoring import OrderChoice, preview
from guide.citations import PREFIX
from guide.content import text
from guide.store import Store
from guide.training import Question, builtin_scenarios, option_label, options, register_authored
from guide.training_store import TrainingStore
from guide.ui import passcode as passcode_ui
from tests.guide.test_authoring import REPLIES, blank
from tests.pages.helpers import main_alerts, make_sandbox, no_exception, open_page
from tests.pages.test_trainer import PASSCODE, unlock


@pytest.fixture(autouse=True)
def unlocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    monkeypatch.setattr(passcode_ui, "slow_down", lambda seconds: None)
    yield
    register_authored(None)  # the app's store stays the authored source otherwise


def scenarios_tab(sandbox: str) -> AppTest:
    at = open_page("trainer", sandbox=sandbox, trainer_tab=text("trainer", "tab_authoring"))
    opened: AppTest = unlock(at, PASSCODE)
    return opened


def usable_choice(store: Store, sandbox: str) -> tuple[OrderChoice, dict[Question, str]]:
    """A demo order of the sandbox whose path and refund a built-in model reply fits, and what the rules say."""
    for choice in TrainingStore(store).authored.order_choices(None, sandbox):
        rules = preview(blank(choice)).rules
        if rules is not None and (rules[Question.PATH], rules[Question.REFUND]) in REPLIES:
            return choice, rules
    raise AssertionError("no demo order fits a built-in model reply")


def fill(at: AppTest, choice: OrderChoice, answers: dict[Question, str], reply: str) -> AppTest:
    at.selectbox(key="authoring_order").set_value(choice.key)
    at.text_input(key="authoring_title").input("A case written on the page")
    at.text_input(key="authoring_customer").input("Ines")
    at.text_area(key="authoring_message").input("Hello, can I still cancel this order? I changed my mind.")
    for question in Question:
        at.radio(key=f"authoring_{question.value}_answer").set_value(answers[question])
        at.text_input(key=f"authoring_{question.value}_why").input("Because the rules say so here.")
    at.text_area(key="authoring_model_reply").input(reply)
    return at.run()


def markdown(at: AppTest) -> str:
    """Every markdown of the page as read (user and content text is escaped in it)."""
    return " ".join(re.sub(r"\\(.)", r"\1", str(m.value)) for m in at.markdown)


def click(at: AppTest, key: str) -> AppTest:
    return at.button(key=key).click().run()


def test_a_case_is_checked_refused_saved_and_listed(store: Store):
    sandbox = make_sandbox(store)
    choice, rules = usable_choice(store, sandbox)
    wrong = next(p for p in options(Question.PATH) if p != rules[Question.PATH])
    reply = REPLIES[(rules[Question.PATH], rules[Question.REFUND])]
    at = fill(scenarios_tab(sandbox), choice, rules | {Question.PATH: wrong}, reply)
    no_exception(at)
    at = click(at, "authoring_check")
    said = text(
        "authoring",
        "rule_disagrees",
        question=text("question", Question.PATH),
        rules=option_label(Question.PATH, rules[Question.PATH]),
        given=option_label(Question.PATH, wrong),
    )
    assert said in markdown(at)
    assert main_alerts(at, "error")
    at = click(at, "authoring_save")
    no_exception(at)
    assert main_alerts(at, "error") and TrainingStore(store).authored.list(None) == []
    at = at.radio(key="authoring_path_answer").set_value(rules[Question.PATH]).run()
    at = click(at, "authoring_check")
    assert text("authoring", "check_ok") in main_alerts(at, "success")
    at = click(at, "authoring_save")
    no_exception(at)
    [saved] = TrainingStore(store).authored.list(None)
    assert text("authoring", "saved", title="A case written on the page") in main_alerts(at, "success")
    assert (saved.customer, saved.order.id, saved.answers[Question.PATH].answer) == (
        "Ines",
        choice.order.id,
        rules[Question.PATH],
    )
    assert f"authoring_delete_{saved.id}" in {b.key for b in at.button}
    assert any(text("authoring", "export") in str(d.proto.label) for d in at.get("download_button"))
    at = click(at, f"authoring_delete_{saved.id}")
    assert TrainingStore(store).authored.list(None) == []
    assert text("authoring", "deleted", title="A case written on the page") in main_alerts(at, "success")


def test_what_applies_is_shown_for_the_order_picked(store: Store):
    sandbox = make_sandbox(store)
    at = scenarios_tab(sandbox)
    no_exception(at)
    shipped = next(c for c in TrainingStore(store).authored.order_choices(None, sandbox) if c.order.shipped_at)
    at = at.selectbox(key="authoring_order").set_value(shipped.key).run()
    title = text("critical", "cancel_shipped")
    assert text("authoring_applies", "cancel_shipped_yes", title=title) in markdown(at)


def test_a_bad_import_file_is_refused_naming_every_field(store: Store):
    sandbox = make_sandbox(store)
    scenario = builtin_scenarios()["e01-unpaid-wrong-size"].model_dump(mode="json", exclude={"id"})
    scenario |= {"customer": "", "profile": "nope"}
    scenario["answers"]["path"]["rule"] = PREFIX + "Nowhere"
    payload = json.dumps({"format": "cancel-coach-scenarios", "version": 1, "scenarios": [scenario]}).encode()
    at = scenarios_tab(sandbox)
    at.file_uploader(key="authoring_upload").set_value(("cases.json", payload, "application/json"))
    at = click(at.run(), "authoring_import")
    no_exception(at)
    assert text("authoring_errors", "import_refused", count=3) in main_alerts(at, "error")
    listed = markdown(at)
    for field in ("customer", "profile"):
        assert text("authoring_field", field) in listed
    assert "Nowhere" in listed and TrainingStore(store).authored.list(None) == []
    good = builtin_scenarios()["e01-unpaid-wrong-size"].model_dump(mode="json", exclude={"id"})
    payload = json.dumps({"format": "cancel-coach-scenarios", "version": 1, "scenarios": [good]}).encode()
    at.file_uploader(key="authoring_upload").set_value(("cases.json", payload, "application/json"))
    at = click(at.run(), "authoring_import")
    assert text("authoring", "imported", count=1) in main_alerts(at, "success")
    assert [s.title for s in TrainingStore(store).authored.list(None)] == [good["title"]]
