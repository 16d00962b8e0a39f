"""The refund tracker: money back per order, with expected dates by payment method."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from guide.content import text
from guide.content.formats import day, money
from guide.models import Order, Status
from guide.refunds import STATUSES, has_refund, refund
from guide.ui.links import ORDER, linked_order
from guide.ui.state import Visit


def viewed_order(visit: Visit) -> str | None:
    """The order the URL names ("" for none), which the walkthrough's last step counts as viewed; None, after
    saying so, when the sandbox has no such order (so nothing is recorded from a bad link)."""
    if not st.query_params.get(ORDER):
        return ""
    linked = linked_order(visit)
    return None if linked is None else linked.order.id


def refund_orders(visit: Visit) -> list[Order]:
    """Orders whose money is coming back or came back, newest first."""
    return [o for o in visit.store.list_orders(visit.sandbox.id, statuses=list(STATUSES)) if has_refund(o)]


def refund_row(order: Order, visit: Visit) -> dict[str, str]:
    """One line of the tracker, in words."""
    back = None if order.status is Status.CLOSED else visit.assess(order).money_back
    found = refund(order, back, visit.sandbox.clock, visit.sandbox.profile)
    if found.done_at is not None:
        status, expected = text("refunds", "done", when=day(found.done_at)), ""
    else:
        status = text("refunds", "in_progress")
        expected = ""
        if found.expected is not None:
            low, high = found.expected
            expected = text("refunds", "expected_value", low=day(low), high=day(high))
        if not found.verified:
            expected = f"{expected} ({text('refunds', 'unverified')})"
    return {
        text("refunds", "order"): order.id,
        text("refunds", "status"): status,
        text("refunds", "expected"): expected,
        text("refunds", "amount"): money(found.amount, order.currency),
        text("refunds", "method"): text("payment_method", found.method),
        text("refunds", "to"): found.destination,
    }


def refund_panel(visit: Visit, only: str | None = None) -> None:
    """Every refund of the sandbox (or of one order), newest first."""
    orders = [o for o in refund_orders(visit) if only is None or o.id == only]
    if not orders:
        st.info(text("refunds", "none"), icon=":material/payments:")
        return
    st.dataframe(pd.DataFrame([refund_row(o, visit) for o in orders]), hide_index=True, width="stretch")
    st.caption(text("refunds", "note"))
