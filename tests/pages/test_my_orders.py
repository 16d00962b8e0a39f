"""My Orders: the sign-in gate, the tabs, the search bar (hostile input included), the cards and Details."""

from __future__ import annotations

import pytest

from guide.content import text
from guide.models import Status
from guide.store import Store
from tests.pages.helpers import (
    TITLES,
    first_order,
    main_alerts,
    no_exception,
    open_page,
    order_card_keys,
    title,
)

KEY = "my_orders_page"
HOSTILE_SEARCHES = {
    "sql": "' OR 1=1 --",
    "sql_like": "%' --",
    "html": "<img src=x onerror=alert(1)>",
    "long": "lamp " * 1_000,
    "emoji": "🦄🔥",
    "control": "\x00\x1b",
    "rtl_mark": "\u200f",
    "rtl_override": "\u202eDEL",
    "markdown": "**[x](https://evil.example)**",
    "newlines": "\n\n\n",
}


def test_a_new_visitor_is_asked_to_sign_in_first(store: Store, new_sandbox: str):
    at = open_page("my_orders", new_sandbox)
    no_exception(at)
    assert text("app", "sign_in_first") in main_alerts(at, "info")
    assert order_card_keys(at, KEY) == []
    at.button(key=f"{KEY}_sign_in_submit").click().run()
    no_exception(at)
    assert store.facts(new_sandbox)["signed_in"] == "maria"
    assert order_card_keys(at, KEY) == [o.id for o in store.list_orders(new_sandbox)][:10]


def test_the_cards_are_the_stores_orders_newest_first_ten_at_a_time(store: Store, sandbox: str):
    every = [o.id for o in store.list_orders(sandbox)]
    assert len(every) > 20
    at = open_page("my_orders", sandbox)
    no_exception(at)
    assert title(at) == TITLES["my_orders"]
    assert store.facts(sandbox)["opened_my_orders"] == "yes"
    assert text("orders", "showing", count=len(every)) in [c.value for c in at.caption]
    assert order_card_keys(at, KEY) == every[:10]
    at.button(key=f"{KEY}_more").click().run()
    assert order_card_keys(at, KEY) == every[:20]
    assert at.button(key=f"{KEY}_more").label == text("orders", "show_more", count=len(every) - 20)


@pytest.mark.parametrize(
    ("tab", "statuses"),
    [
        ("to_pay", [Status.AWAITING_PAYMENT]),
        (
            "to_ship",
            [Status.PAYMENT_VERIFICATION, Status.AWAITING_SHIPMENT, Status.AWAITING_CANCELLATION, Status.FROZEN],
        ),
        ("processed", [Status.REFUND_IN_PROGRESS, Status.COMPLETED, Status.CLOSED]),
    ],
)
def test_a_tab_shows_only_its_statuses(store: Store, sandbox: str, tab: str, statuses: list[Status]):
    at = open_page("my_orders", sandbox)
    at.segmented_control(key=f"{KEY}_tab").set_value(tab).run()
    no_exception(at)
    expected = [o.id for o in store.list_orders(sandbox, statuses=statuses)]
    assert expected
    assert order_card_keys(at, KEY) == expected[:10]
    assert text("orders", "showing", count=len(expected)) in [c.value for c in at.caption]


def test_search_by_order_number_finds_that_order(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_DELIVERY)
    at = open_page("my_orders", sandbox)
    at.text_input(key=f"{KEY}_search").input(wanted.id[-6:]).run()
    no_exception(at)
    assert order_card_keys(at, KEY) == [wanted.id]
    assert store.facts(sandbox)["searched"] == "yes"


def test_search_by_store_is_not_case_sensitive(store: Store, sandbox: str):
    seller = store.list_orders(sandbox)[0].seller.name
    expected = [o.id for o in store.list_orders(sandbox) if o.seller.name == seller]
    at = open_page("my_orders", sandbox)
    at.text_input(key=f"{KEY}_search").input(seller.upper()).run()
    assert sorted(order_card_keys(at, KEY)) == sorted(expected[:10])


def test_search_within_a_tab(store: Store, sandbox: str):
    at = open_page("my_orders", sandbox)
    at.segmented_control(key=f"{KEY}_tab").set_value("to_pay")
    at.text_input(key=f"{KEY}_search").input("store").run()
    shown_ids = order_card_keys(at, KEY)
    to_pay = {o.id for o in store.list_orders(sandbox, statuses=[Status.AWAITING_PAYMENT])}
    assert shown_ids and set(shown_ids) <= to_pay


@pytest.mark.parametrize("query", HOSTILE_SEARCHES.values(), ids=HOSTILE_SEARCHES.keys())
def test_hostile_search_text_finds_nothing_and_changes_no_order(store: Store, sandbox: str, query: str):
    before = store.export_orders(sandbox)
    at = open_page("my_orders", sandbox)
    at.text_input(key=f"{KEY}_search").input(query).run()
    no_exception(at)
    if query.strip():
        assert main_alerts(at, "info") == [text("orders", "no_match")]
        assert order_card_keys(at, KEY) == []
    else:  # only whitespace: no search at all
        assert len(order_card_keys(at, KEY)) == 10
    assert store.export_orders(sandbox) == before
    assert not [m for m in at.markdown if "<img" in m.value], "nothing typed reaches the page as HTML"


def test_control_characters_around_a_word_are_ignored(store: Store, sandbox: str):
    at = open_page("my_orders", sandbox)
    at.text_input(key=f"{KEY}_search").input("LED").run()
    plain_word = order_card_keys(at, KEY)
    assert plain_word
    at.text_input(key=f"{KEY}_search").input("\x00LED\x1b").run()
    no_exception(at)
    assert order_card_keys(at, KEY) == plain_word


def test_a_search_with_no_match_then_cleared_shows_every_order_again(store: Store, sandbox: str):
    at = open_page("my_orders", sandbox)
    at.text_input(key=f"{KEY}_search").input("no such thing anywhere").run()
    assert main_alerts(at, "info") == [text("orders", "no_match")]
    at.text_input(key=f"{KEY}_search").input("").run()
    assert order_card_keys(at, KEY) == [o.id for o in store.list_orders(sandbox)][:10]


def test_details_opens_the_order_page(store: Store, sandbox: str):
    wanted = first_order(store, sandbox, Status.AWAITING_SHIPMENT)
    at = open_page("my_orders", sandbox)
    at.text_input(key=f"{KEY}_search").input(wanted.id).run()
    at.button(key=f"{KEY}_card_{wanted.id}_details").click().run()
    no_exception(at)
    assert title(at) == TITLES["order_details"]
    assert at.query_params["order"] == wanted.id
    assert at.query_params["sandbox"] == sandbox
    assert store.facts(sandbox)["opened_order"] == wanted.id
    assert next(s.value for s in at.subheader) == f"{text('orders', 'order_id')}: {wanted.id}"
