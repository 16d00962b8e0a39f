"""Contact seller: one conversation an order, message templates, and replies that come with the clock."""

from __future__ import annotations

import streamlit as st

from guide.content import messages, text
from guide.content.formats import when
from guide.content.schema import BuyerTemplate
from guide.lifecycle import Action, DomainError, OrderState
from guide.models import EventKind, Order
from guide.store import ConcurrentChange
from guide.ui import a11y
from guide.ui.state import Visit
from guide.ui.widgets import flash, plain, show_flash

OWN_WORDS = "own"


def templates() -> dict[str, BuyerTemplate]:
    return {t.id: t for t in messages().buyer_templates}


def conversation_panel(
    visit: Visit,
    order: Order,
    key: str,
    sent_note: tuple[str, str] = ("contact", "sent"),
    state: OrderState | None = None,
) -> None:
    """The messages about `order`, oldest first, and a box to write the next one. `sent_note` (a text's section
    and key) says how to see the reply: the sidebar's clock, or a training case's own."""
    show_flash(key)
    state = state or visit.store.get_order(visit.sandbox.id, order.id)  # a caller that has the log passes it
    messages = [e for e in state.events if e.kind in (EventKind.MESSAGE_SENT, EventKind.MESSAGE_RECEIVED)]
    st.markdown(f"**{text('contact', 'conversation')}**")
    if not messages:
        st.caption(text("contact", "empty"))
    for message in messages:
        mine = message.kind is EventKind.MESSAGE_SENT
        with st.chat_message(
            "user" if mine else "assistant", avatar=":material/person:" if mine else ":material/storefront:"
        ):
            who = text("contact", "you" if mine else "seller")
            st.caption(f"{who} · {when(message.at)}")
            st.markdown(_as_typed(str(message.data.get("text", ""))))
    options = [OWN_WORDS, *templates()]
    st.selectbox(
        text("contact", "template"),
        options,
        format_func=lambda t: text("contact", "no_template") if t == OWN_WORDS else templates()[t].label,
        key=f"{key}_template",
        help=text("contact", "template_help"),
        on_change=_use_template,
        args=(key,),
    )
    st.text_area(text("contact", "message"), key=f"{key}_text", help=text("contact", "message_help"), height=120)
    a11y.describe(f"{key}_template", text("contact", "template_help"), text("contact", "template"))
    a11y.describe(f"{key}_text", text("contact", "message_help"), text("contact", "message"))  # never share...
    st.button(
        text("contact", "send"),
        type="primary",
        key=f"{key}_send",
        icon=":material/send:",
        on_click=_send,
        args=(visit, order.id, key, sent_note),
    )


def _as_typed(value: str) -> str:
    """Markdown that shows `value` exactly: every markup character escaped, line breaks kept."""
    return "  \n".join(plain(line) for line in value.split("\n")) or " "


def _use_template(key: str) -> None:
    chosen = st.session_state.get(f"{key}_template")
    if chosen in templates():
        st.session_state[f"{key}_text"] = templates()[chosen].text


def _send(visit: Visit, order_id: str, key: str, sent_note: tuple[str, str]) -> None:
    message = st.session_state.get(f"{key}_text", "")
    template = st.session_state.get(f"{key}_template")
    try:
        visit.store.act(
            visit.sandbox.id,
            order_id,
            Action.SEND_MESSAGE,
            text=message,
            template=template if template in templates() else None,
        )
    except (DomainError, ConcurrentChange) as refused:
        flash(key, "error", str(refused))
        return
    visit.did("messaged_seller", order_id)
    st.session_state[f"{key}_text"] = ""
    st.session_state[f"{key}_template"] = OWN_WORDS
    flash(key, "ok", text(*sent_note))
