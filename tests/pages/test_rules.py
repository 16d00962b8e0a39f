"""Rules & sources: every rule of the sandbox's profile, and switching the profile from its selectbox."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from guide.citations import all_cited, cited
from guide.content import text
from guide.models import Status
from guide.profile import get_profile, load_profiles
from guide.store import Store
from tests.pages.helpers import (
    TITLES,
    button_keys,
    first_order,
    no_exception,
    open_page,
    sandbox_count,
    shown,
    table_column,
    title,
)

RULE, VALUE = text("rules", "rule"), text("rules", "value")
CURRENT, STRICT = "current-guides", "help-centre-2020"


def rule_values(at) -> dict[str, str]:
    return dict(zip(table_column(at, RULE), table_column(at, VALUE), strict=True))


@pytest.mark.parametrize("profile_id", list(load_profiles()))
def test_every_rule_of_the_profile_is_listed(store: Store, profile_id: str):
    sandbox = store.create_sandbox(profile_id=profile_id).id
    at = open_page("rules", sandbox)
    no_exception(at)
    assert title(at) == TITLES["rules"]
    profile = get_profile(profile_id)
    names = table_column(at, RULE)
    assert list(dict.fromkeys(names)) == [text("rule_name", name) for name, _ in profile.rules()], "each, in order"
    refund_rows = names.count(text("rule_name", "refund_times"))
    assert refund_rows in (1, len(profile.refund_times.value)), "one row, or one row a payment method"
    assert at.selectbox(key="rules_profile").value == profile_id
    assert profile.summary in [c.value for c in at.caption]


def test_a_new_visitor_can_read_the_rules_without_signing_in(store: Store):
    at = open_page("rules")
    no_exception(at)
    assert sandbox_count(store) == 1
    assert set(table_column(at, RULE)) == {text("rule_name", name) for name, _ in get_profile().rules()}
    assert not shown(at, text("app", "sign_in_first"))


def test_switching_the_profile_changes_the_sandbox(store: Store, sandbox: str):
    assert store.get_sandbox(sandbox).profile_id == CURRENT
    verification = text("rule_name", "cancel_during_verification")
    at = open_page("rules", sandbox)
    assert rule_values(at)[verification] == text("rule_value", "yes")

    at.selectbox(key="rules_profile").select(STRICT).run()
    no_exception(at)
    assert store.get_sandbox(sandbox).profile_id == STRICT
    assert rule_values(at)[verification] == text("rule_value", "no")
    assert shown(at, text("sidebar", "policy", name=get_profile(STRICT).name))

    at.selectbox(key="rules_profile").select(CURRENT).run()
    assert store.get_sandbox(sandbox).profile_id == CURRENT


def test_the_new_profile_rules_the_simulator(store: Store, sandbox: str):
    """Under the 2020 help centre, an order whose payment is being verified has no cancel button."""
    verifying = first_order(store, sandbox, Status.PAYMENT_VERIFICATION)
    assert "details_open" in button_keys(open_page("order_details", sandbox, order=verifying.id))
    at = open_page("rules", sandbox)
    at.selectbox(key="rules_profile").select(STRICT).run()
    at = open_page("order_details", sandbox, order=verifying.id)
    no_exception(at)
    assert "details_open" not in button_keys(at)


def test_the_page_states_every_rule_training_cites_under_its_anchor(sandbox: str):
    at = open_page("rules", sandbox)
    no_exception(at)
    cited_headings = [(h.value, h.proto.anchor) for h in at.subheader if h.proto.anchor.startswith("rules-")]
    assert cited_headings == [(text("cited_rule_title", rule.key), rule.id) for rule in all_cited()], "each, in order"
    assert all(shown(at, text("cited_rule_text", rule.key)) for rule in all_cited())
    assert at.header[-1].value == text("cited_rules", "heading")


def _links_app() -> None:
    """Run by AppTest: a page that shows the links of one two-rule citation (kept in session state)."""
    import streamlit as st

    from guide.ui.rules import rule_links

    st.markdown(rule_links(st.session_state["citation"]))


def test_rule_links_open_the_rules_page_at_each_rule_in_the_visitors_sandbox(sandbox: str):
    citation = "DOMAIN.md: Cancellation rules by status / Awaiting shipment (ship = refused); Cancellation reasons"
    at = AppTest.from_function(_links_app)
    at.session_state["sandbox"], at.session_state["citation"] = sandbox, citation
    at.run()
    no_exception(at)
    (links,) = [m.value for m in at.markdown]
    for rule in cited(citation):
        label = text("cited_rules", "link", title=text("cited_rule_title", rule.key))
        assert f"]({rule_url_for(sandbox, rule.id)})" in links and label in links.replace("\\", "")
    assert links.count("](") == 2


def rule_url_for(sandbox: str, anchor: str) -> str:
    return f"/rules?sandbox={sandbox}&lang=en#{anchor}"
