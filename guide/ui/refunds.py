"""The refund tracker: money back per order, with expected dates by payment method."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from guide.content import text
from guide.content.formats import day, money
from guide.models import Order, Status
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
    """Orders whose money is coming back or came back."""
    candidates = visit.store.list_orders(visit.sandbox.id, statuses=[Status.REFUND_IN_PROGRESS, Status.CLOSED])
    return [o for o in candidates if o.status is Status.REFUND_IN_PROGRESS or o.refund_amount is not None]


def refund_row(order: Order, visit: Visit) -> dict[str, str]:
    profile = visit.sandbox.profile
    refund_time = profile.refund_times.value[order.payment_method]
    if order.status is Status.CLOSED and order.closed_at is not None:
        status, expected = text("refunds", "done", when=day(order.closed_at)), ""
    else:
        status = text("refunds", "in_progress")
        expected = ""
        back = visit.assess(order).money_back
        if back is not None:
            clock = visit.sandbox.clock
            expected = text(
                "refunds",
                "expected_value",
                low=day(clock + timedelta(days=back.low)),
                high=day(clock + timedelta(days=back.high)),
            )
        if not refund_time.verified:
            expected = f"{expected} ({text('refunds', 'unverified')})"
    amount = order.refund_amount if order.refund_amount is not None else order.total
    return {
        text("refunds", "order"): order.id,
        text("refunds", "status"): status,
        text("refunds", "expected"): expected,
        text("refunds", "amount"): money(amount, order.currency),
        text("refunds", "method"): text("payment_method", order.payment_method),
        text("refunds", "to"): refund_time.destination,
    }


def refund_panel(visit: Visit, only: str | None = None) -> None:
    """Every refund of the sandbox (or of one order), newest first."""
    orders = [o for o in refund_orders(visit) if only is None or o.id == only]
    if not orders:
        st.info(text("refunds", "none"), icon=":material/payments:")
        return
    st.dataframe(pd.DataFrame([refund_row(o, visit) for o in orders]), hide_index=True, width="stretch")
    st.caption(text("refunds", "note"))
