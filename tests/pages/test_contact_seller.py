"""Contact seller: templates, Send, messages stored exactly as typed, the plain refusals, the seller's reply."""

from __future__ import annotations

import re

import pytest

from guide.content import messages, text
from guide.lifecycle import MESSAGE_MAX_CHARS
from guide.models import EventKind, Status
from guide.store import Store
from guide.ui.conversation import OWN_WORDS
from guide.ui.widgets import plain
from tests.pages.helpers import (
    TITLES,
    first_order,
    main_alerts,
    no_exception,
    open_page,
    title,
)

HOSTILE_MESSAGES = {
    "sql": "' OR 1=1 --; DROP TABLE events; --",
    "html": "<img src=x onerror=alert(1)>",
    "script": "<script>alert(document.cookie)</script>",
    "markdown": "**bold** [link](https://evil.example) `code` # heading",
    "emoji": "Please cancel 🙏🦄",
    "control": "before\x00middle\x1bafter",
    "rtl": "\u200fשלום\u202e abc",
    "newlines": "line one\nline two\n\nline four",
    "latex": "$x^2$ and \\(y\\)",
    "at_limit": "é" * MESSAGE_MAX_CHARS,
}


MARKUP = re.compile(r"[<>\[\]()*_`#$&]")


def shown_lines(body: str) -> list[str]:
    """The lines of a chat message's markdown, without the two-space hard breaks."""
    return [line.removesuffix("  ") for line in body.split("\n")]


def keys_for(order_id: str) -> tuple[str, str, str]:
    key = f"contact_{order_id}"
    return f"{key}_template", f"{key}_text", f"{key}_send"


def sent_texts(store: Store, sandbox: str, order_id: str) -> list[str]:
    return [e.data["text"] for e in store.messages(sandbox, order_id) if e.kind is EventKind.MESSAGE_SENT]


def chat_bodies(at) -> list[str]:
    """The markdown of every chat message on the page, oldest first."""
    return [m.value for message in at.chat_message for m in message.markdown]


def test_a_new_visitor_is_asked_to_sign_in(store: Store, new_sandbox: str):
    at = open_page("contact_seller", new_sandbox)
    no_exception(at)
    assert title(at) == TITLES["contact_seller"]
    assert text("app", "sign_in_first") in main_alerts(at, "info")
    assert not at.text_area


def test_without_an_order_the_newest_one_is_chosen(store: Store, sandbox: str):
    newest = store.list_orders(sandbox)[0]
    at = open_page("contact_seller", sandbox)
    no_exception(at)
    assert at.selectbox(key="contact_order").value == newest.id
    assert at.query_params["order"] == newest.id
    assert text("contact", "empty") in [c.value for c in at.caption]


@pytest.mark.parametrize("order", ["8100000000000000", "<b>x</b>", "1" * 5_000])
def test_an_unknown_order_gets_a_friendly_message(store: Store, sandbox: str, order: str):
    at = open_page("contact_seller", sandbox, order=order)
    no_exception(at)
    assert main_alerts(at, "warning") == [text("app", "order_unknown")]
    assert not at.text_area
    at.button(key="contact_back").click().run()
    assert title(at) == TITLES["my_orders"]


def test_send_a_template(store: Store, sandbox: str):
    order = first_order(store, sandbox, Status.AWAITING_SHIPMENT, cancel_refused_at=None)
    template, box, send = keys_for(order.id)
    at = open_page("contact_seller", sandbox, order=order.id)
    assert at.selectbox(key=template).value == OWN_WORDS
    at.selectbox(key=template).select("please_cancel").run()
    wording = next(t.text for t in messages().buyer_templates if t.id == "please_cancel")
    assert at.text_area(key=box).value == wording, "the template fills the message box"
    assert sent_texts(store, sandbox, order.id) == [], "choosing a template sends nothing"

    at.button(key=send).click().run()
    no_exception(at)
    [message] = store.messages(sandbox, order.id)
    assert message.kind is EventKind.MESSAGE_SENT
    assert message.data == {"text": wording, "template": "please_cancel"}
    assert store.facts(sandbox)["messaged_seller"] == order.id
    assert text("contact", "sent") in main_alerts(at, "success")
    assert [shown_lines(b) for b in chat_bodies(at)] == [[plain(line) for line in wording.split("\n")]]
    assert at.text_area(key=box).value == "", "the box is emptied for the next message"
    assert at.selectbox(key=template).value == OWN_WORDS


def test_the_seller_replies_when_the_clock_moves_on(store: Store, sandbox: str):
    order = first_order(store, sandbox, Status.AWAITING_SHIPMENT, cancel_refused_at=None)
    _, box, send = keys_for(order.id)
    at = open_page("contact_seller", sandbox, order=order.id)
    at.text_area(key=box).input("Hello, is my parcel ready?")
    at.button(key=send).click().run()
    assert [e.kind for e in store.messages(sandbox, order.id)] == [EventKind.MESSAGE_SENT]
    at.button(key="clock_day").click().run()
    at.button(key="clock_day").click().run()
    no_exception(at)
    kinds = [e.kind for e in store.messages(sandbox, order.id)]
    assert kinds == [EventKind.MESSAGE_SENT, EventKind.MESSAGE_RECEIVED], "a reply within 48 hours"
    assert len(at.chat_message) == 2
    assert at.chat_message[1].avatar == ":material/storefront:"


@pytest.mark.parametrize("message", ["", "   ", "\n\n"], ids=["empty", "spaces", "newlines"])
def test_an_empty_message_is_refused_plainly(store: Store, sandbox: str, message: str):
    order = first_order(store, sandbox, Status.AWAITING_DELIVERY)
    _, box, send = keys_for(order.id)
    before = store.export_orders(sandbox)
    at = open_page("contact_seller", sandbox, order=order.id)
    at.text_area(key=box).input(message)
    at.button(key=send).click().run()
    no_exception(at)
    assert main_alerts(at, "error") == [text("errors", "message_empty")]
    assert store.messages(sandbox, order.id) == []
    assert "messaged_seller" not in store.facts(sandbox)
    assert store.export_orders(sandbox) == before


@pytest.mark.parametrize("message", HOSTILE_MESSAGES.values(), ids=HOSTILE_MESSAGES.keys())
def test_any_text_is_stored_exactly_as_typed(store: Store, sandbox: str, message: str):
    order = first_order(store, sandbox, Status.AWAITING_DELIVERY)
    _, box, send = keys_for(order.id)
    at = open_page("contact_seller", sandbox, order=order.id)
    at.text_area(key=box).input(message)
    at.button(key=send).click().run()
    no_exception(at)
    assert sent_texts(store, sandbox, order.id) == [message]
    assert text("contact", "sent") in main_alerts(at, "success")
    [body] = chat_bodies(at)
    assert shown_lines(body) == [plain(line) for line in message.split("\n")], "every line shown, escaped"
    assert not MARKUP.search(re.sub(r"\\.", "", body)), "no markup character is left unescaped"


def test_a_message_over_the_limit_is_refused_and_kept_in_the_box(store: Store, sandbox: str):
    order = first_order(store, sandbox, Status.AWAITING_DELIVERY)
    _, box, send = keys_for(order.id)
    too_long = "x" * (MESSAGE_MAX_CHARS + 1)
    at = open_page("contact_seller", sandbox, order=order.id)
    at.text_area(key=box).input(too_long)
    at.button(key=send).click().run()
    no_exception(at)
    assert main_alerts(at, "error") == [text("errors", "message_too_long", limit=MESSAGE_MAX_CHARS)]
    assert store.messages(sandbox, order.id) == []
    assert at.text_area(key=box).value == too_long, "nothing typed is lost"


def test_switching_the_order_changes_the_conversation(store: Store, sandbox: str):
    first, second = store.list_orders(sandbox, statuses=[Status.AWAITING_DELIVERY])[:2]
    at = open_page("contact_seller", sandbox, order=first.id)
    at.text_area(key=keys_for(first.id)[1]).input("About the first order")
    at.button(key=keys_for(first.id)[2]).click().run()
    at.selectbox(key="contact_order").select(second.id).run()
    no_exception(at)
    assert at.query_params["order"] == second.id
    assert chat_bodies(at) == []
    assert sent_texts(store, sandbox, first.id) == ["About the first order"]
    assert sent_texts(store, sandbox, second.id) == []
