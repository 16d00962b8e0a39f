"""The entry point: the root URL, the sandbox in the URL or the session, unknown sandboxes, every page opening."""

from __future__ import annotations

import pytest

from guide.content import text
from guide.store import Store
from guide.ui.state import PAGES
from tests.pages.helpers import (
    TITLES,
    button_keys,
    no_exception,
    open_page,
    sandbox_count,
    shown,
    title,
)
from tests.world import START

UNKNOWN_SANDBOXES = [
    "nope",
    "../../x",
    "x" * 5_000,
    "A" * 22,  # the shape of a real id, but never created
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]


def assert_friendly_stop(at) -> None:
    no_exception(at)
    assert [h.value for h in at.header] == [text("app", "sandbox_unknown_title")]
    assert shown(at, text("app", "sandbox_unknown_body"))
    assert at.button(key="new_sandbox").label == text("app", "sandbox_new")
    assert not at.title, "no page runs under an unknown sandbox"


def test_root_url_creates_one_sandbox_and_opens_the_walkthrough(store: Store):
    at = open_page(None)
    no_exception(at)
    assert title(at) == text("walkthrough", "title")
    assert sandbox_count(store) == 1
    created = store.get_sandbox(at.query_params["sandbox"])
    assert at.session_state["sandbox"] == created.id
    assert at.query_params["step"] == "1"


def test_root_url_keeps_the_sandbox_of_the_link(store: Store, sandbox: str):
    at = open_page(None, sandbox)
    no_exception(at)
    assert at.query_params["sandbox"] == sandbox
    assert sandbox_count(store) == 1
    assert shown(at, text("app", "simulated_time", when="3 Mar 2025, 09:00 UTC"))


def test_a_url_without_the_sandbox_resumes_the_sessions_sandbox(store: Store, sandbox: str):
    at = open_page("my_orders", sandbox)
    del at.query_params["sandbox"]
    at.run()
    no_exception(at)
    assert at.query_params["sandbox"] == sandbox, "the sandbox goes back into the URL"
    assert sandbox_count(store) == 1


@pytest.mark.parametrize("wanted", UNKNOWN_SANDBOXES, ids=lambda v: v[:20])
def test_an_unknown_sandbox_gets_a_friendly_stop_and_creates_nothing(store: Store, sandbox: str, wanted: str):
    at = open_page(None, wanted)
    assert_friendly_stop(at)
    assert sandbox_count(store) == 1, "only the fixture's sandbox"
    assert "sandbox" not in at.session_state


@pytest.mark.parametrize("page", list(PAGES))
def test_an_unknown_sandbox_stops_every_page(store: Store, page: str):
    at = open_page(page, "nope", order="8100000000000000")
    assert_friendly_stop(at)
    assert sandbox_count(store) == 0


def test_start_a_new_sandbox_from_the_friendly_stop(store: Store):
    at = open_page("my_orders", "../../x")
    assert_friendly_stop(at)
    at.button(key="new_sandbox").click().run()
    no_exception(at)
    assert sandbox_count(store) == 1
    fresh = at.query_params["sandbox"]
    assert store.get_sandbox(fresh).id == fresh
    assert not at.header, "the friendly stop is gone"
    assert title(at) == text("orders", "title")


@pytest.mark.parametrize("page", list(PAGES))  # pages added later (training...) get this smoke test too
@pytest.mark.parametrize("who", ["new_visitor", "signed_in"])
def test_every_page_opens(store: Store, sandbox: str, page: str, who: str):
    at = open_page(page, None if who == "new_visitor" else sandbox)
    no_exception(at)
    assert title(at) == TITLES[page], "exactly one title, the page's own"
    assert "sidebar_reset" in button_keys(at), "the sidebar is there"
    clock = {"clock_hour", "clock_day", "clock_next"}
    if page in ("training", "trainer"):  # a training case runs on its own clock: no sandbox clock buttons
        assert not clock & button_keys(at)
    else:
        assert clock <= button_keys(at)
    signed_in = text("sidebar", "signed_in_as", name="Maria Lopez")
    assert shown(at, signed_in) is (who == "signed_in")
    assert sandbox_count(store) == (2 if who == "new_visitor" else 1)
    if who == "signed_in":
        assert at.query_params["sandbox"] == sandbox
        assert store.get_sandbox(sandbox).clock == START, "opening a page never moves the clock"
