"""Buyer actions beyond cancelling: pay, open a dispute, confirm receipt, extend processing time.

Each button appears only when `lifecycle.allowed` accepts the action now, and does its work in an
on_click callback; a refusal (someone else acted first) is shown in plain words and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from guide.content import text
from guide.lifecycle import Action, DomainError, OrderState, allowed
from guide.profile import PolicyProfile
from guide.store import ConcurrentChange
from guide.ui import a11y
from guide.ui.state import Visit
from guide.ui.widgets import flash, show_flash

# The actions shown as a row of buttons under an order, in this order (cancelling has its own panel).
BUTTONS = (
    Action.PAY,
    Action.CONFIRM_ORDER,
    Action.EXTEND_PROCESSING,
    Action.CONFIRM_RECEIPT,
    Action.REFUSE_DELIVERY,
    Action.OPEN_DISPUTE,
)


def available_actions(state: OrderState, at: datetime, profile: PolicyProfile) -> list[Action]:
    """The buttons this order shows at `at`: those the lifecycle allows now."""
    can = allowed(state, at, profile)
    return [action for action in BUTTONS if can[action] is None]


def buyer_actions(visit: Visit, state: OrderState, key: str) -> None:
    order = state.order
    show_flash(f"{key}_action")
    for action in available_actions(state, visit.sandbox.clock, visit.sandbox.profile):
        a11y.describe(f"{key}_action_{action.value}", text("action_help", action))  # the tooltip, read aloud
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
        flash(f"{key}_action", "error", str(refused))
        return
    status = state.order.status
    flash(f"{key}_action", "ok", f"{text('status', status)}: {text('status_meaning', status)}")
