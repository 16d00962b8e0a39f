"""Sign in: pick a demo buyer, never a password; the choice is stored as the sandbox's fact."""

from __future__ import annotations

from guide.content import text
from guide.store import Store
from tests.pages.helpers import TITLES, button_keys, main_alerts, no_exception, open_page, shown, title


def test_a_new_visitor_sees_the_demo_buyers_and_no_password_field(store: Store):
    at = open_page("sign_in")
    no_exception(at)
    assert title(at) == TITLES["sign_in"]
    assert text("app", "never_password") in main_alerts(at, "info")
    assert at.selectbox(key="sign_in_page_buyer").options == [
        "Maria Lopez · maria.demo@example.com",
        "Tom Becker · tom.demo@example.com",
        "Aiko Tanaka · aiko.demo@example.com",
    ]
    assert not at.text_input, "no text field at all, so no password field"
    assert "sign_in_continue" not in button_keys(at)
    assert "signed_in" not in store.facts(at.query_params["sandbox"])


def test_sign_in_stores_the_chosen_buyer(store: Store, new_sandbox: str):
    at = open_page("sign_in", new_sandbox)
    at.selectbox(key="sign_in_page_buyer").select("tom").run()
    assert "signed_in" not in store.facts(new_sandbox), "choosing is not signing in"
    at.button(key="sign_in_page_submit").click().run()
    no_exception(at)
    assert store.facts(new_sandbox)["signed_in"] == "tom"
    assert text("sign_in", "signed_in", name="Tom Becker") in main_alerts(at, "success")
    assert shown(at, text("sidebar", "signed_in_as", name="Tom Becker"))
    assert not at.main.selectbox, "the buyer list is gone once signed in"


def test_sign_in_uses_the_buyer_chosen_in_the_same_interaction(store: Store, new_sandbox: str):
    """Choose and click before the page redraws (a fast click): the buyer on screen is the one signed in."""
    at = open_page("sign_in", new_sandbox)
    at.selectbox(key="sign_in_page_buyer").select("aiko")
    at.button(key="sign_in_page_submit").click().run()
    no_exception(at)
    assert store.facts(new_sandbox)["signed_in"] == "aiko"


def test_go_to_my_orders_after_signing_in(store: Store, sandbox: str):
    at = open_page("sign_in", sandbox)
    no_exception(at)
    assert text("sign_in", "signed_in", name="Maria Lopez") in main_alerts(at, "success")
    at.button(key="sign_in_continue").click().run()
    no_exception(at)
    assert title(at) == TITLES["my_orders"]
    assert at.query_params["sandbox"] == sandbox
    assert store.facts(sandbox)["opened_my_orders"] == "yes"


def test_sign_out_from_the_sidebar(store: Store, sandbox: str):
    at = open_page("sign_in", sandbox)
    at.button(key="sidebar_sign_out").click().run()
    no_exception(at)
    assert "signed_in" not in store.facts(sandbox)
    assert shown(at, text("sidebar", "not_signed_in"))
    assert at.selectbox(key="sign_in_page_buyer").value == "maria"
    assert "sidebar_sign_out" not in button_keys(at)
