"""Buyer actions beyond cancelling: pay, open a dispute, confirm receipt, extend processing time.

Each button appears only when the lifecycle allows the action now, and does its work in an
on_click callback; a refusal is shown in plain words and changes nothing.
"""

from __future__ import annotations

import streamlit as st

from guide.content import text
from guide.lifecycle import Action, DomainError, dispute_window
from guide.models import Order, Status
from guide.store import ConcurrentChange
from guide.ui.state import Visit


def available_actions(order: Order, visit: Visit) -> list[Action]:
    """The extra buttons this order shows at the sandbox's current time."""
    found = []
    if order.status is Status.AWAITING_PAYMENT and not order.is_cash_on_delivery:
        found.append(Action.PAY)
    if order.status in (Status.AWAITING_SHIPMENT, Status.AWAITING_CANCELLATION):
        found.append(Action.EXTEND_PROCESSING)
    if order.status is Status.AWAITING_DELIVERY:
        found.append(Action.CONFIRM_RECEIPT)
    window = dispute_window(order, visit.sandbox.profile)
    clock = visit.sandbox.clock
    if window and order.dispute_opened_at is None and order.has_paid and window[0] <= clock <= window[1]:
        found.append(Action.OPEN_DISPUTE)
    return found


def buyer_actions(visit: Visit, order: Order, key: str) -> None:
    flash = st.session_state.pop(f"{key}_action_flash", None)
    if flash is not None:
        kind, message = flash
        (st.success if kind == "ok" else st.error)(message)
    for action in available_actions(order, visit):
        st.button(
            text("action", action),
            key=f"{key}_action_{action.value}",
            help=text("action_help", action),
            on_click=_do,
            args=(visit, order.id, action, key),
        )


def _do(visit: Visit, order_id: str, action: Action, key: str) -> None:
    try:
        state = visit.store.act(visit.sandbox.id, order_id, action)
    except (DomainError, ConcurrentChange) as refused:
        st.session_state[f"{key}_action_flash"] = ("error", str(refused))
        return
    status = state.order.status
    st.session_state[f"{key}_action_flash"] = ("ok", f"{text('status', status)}: {text('status_meaning', status)}")
