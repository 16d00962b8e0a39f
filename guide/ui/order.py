"""One order: its header, status, assessment, the Cancel order pop-up, and its timeline.

The pop-up is opened from a session-state flag and does its work in on_click callbacks, so it
behaves the same in a browser and under AppTest (which does not run a dialog body on click).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
import streamlit as st

from guide.content import cancel_reasons, item_title, text
from guide.content.formats import money, when
from guide.lifecycle import Action, DomainError, OrderState, allowed
from guide.models import Event, Order, Status
from guide.policy import Assessment
from guide.profile import PolicyProfile
from guide.store import ConcurrentChange
from guide.ui import a11y
from guide.ui.state import Visit
from guide.ui.widgets import fact_button, flash, plain, show_flash, shown_key, status_badge, verdict_badge

CANCEL_BUTTONS = (Action.CANCEL, Action.REQUEST_CANCELLATION)


def order_header(order: Order) -> None:
    """Order number, status and the facts a buyer checks before cancelling."""
    st.subheader(f"{text('orders', 'order_id')}: {order.id}", anchor=False)
    status_badge(order.status)
    left, right = st.columns(2)
    left.markdown(
        f"**{text('details', 'placed')}:** {when(order.placed_at)}  \n"
        f"**{text('details', 'seller')}:** {plain(order.seller.name)}  \n"
        f"**{text('details', 'payment')}:** {text('payment_method', order.payment_method)}"
    )
    right.markdown(f"**{text('orders', 'total')}:** {money(order.total, order.currency)}")
    if order.shipped_at is not None:
        right.markdown(f"**{text('details', 'shipped_on')}:** {when(order.shipped_at)}")
    if order.ship_by is not None and order.status in (Status.AWAITING_SHIPMENT, Status.AWAITING_CANCELLATION):
        right.markdown(f"**{text('details', 'ship_by')}:** {when(order.ship_by)}", help=text("details", "ship_by_help"))
    items = pd.DataFrame(
        [
            {
                text("details", "quantity"): item.quantity,
                text("orders", "total"): money(item.subtotal, order.currency),
                text("details", "items"): item_title(item.title),
            }
            for item in order.items
        ]
    )
    st.dataframe(items, hide_index=True, width="stretch")


def status_section(visit: Visit, order: Order, key: str, hints: bool = True) -> None:
    """The status and, once asked, what it means (the walkthrough's "check the status"). Without hints (a training
    assessment, where the meaning is a question) the check is still recorded, but the meaning is not given."""
    label = text("details", "what_status_means")
    if not fact_button(visit, "read_status", order.id, label, f"{key}_status", ":material/help:"):
        return
    with st.container(key=shown_key(f"{key}_status")):
        if not hints:
            st.info(f"**{text('status', order.status)}**  \n{text('details', 'status_meaning_hidden')}")
            return
        meaning = text("status_meaning", order.status)
        word = _seed_word(order.status)
        st.info(f"**{text('status', order.status)}**: {meaning}" + (f"  \n{word}" if word else ""))


def _seed_word(status: Status) -> str:
    try:
        return text("details", "seed_word", word=text("seed_word", status))
    except KeyError:
        return ""


def assessment_section(visit: Visit, order: Order, key: str) -> Assessment | None:
    """Verdict, the chance now (beside the chance if the buyer waits), the reasons and the next best action."""
    label = text("details", "can_i_cancel")
    if not fact_button(visit, "checked_eligibility", order.id, label, f"{key}_assess", ":material/fact_check:"):
        return None
    result = visit.assess(order)
    with st.container(border=True, key=shown_key(f"{key}_assess")):
        st.markdown(f"**{text('details', 'assessment')}**")
        verdict_badge(result.verdict)
        _chances(visit, result)
        st.markdown(f"**{text('details', 'why')}**")
        st.markdown("\n".join(f"- {plain(reason)}" for reason in result.why))
        st.markdown(f"**{text('details', 'next')}:** {plain(result.next_action)}")
    return result


def _chances(visit: Visit, result: Assessment) -> None:
    """The chance now, and beside it what waiting costs where the assessment weighed a wait."""
    now, later = st.columns(2) if result.waiting else (st.container(), None)
    now.metric(
        text("details", "likelihood"),
        text("details", "likelihood_value", value=result.likelihood),
        help=text("details", "likelihood_help", samples=result.samples, profile=visit.sandbox.profile.name),
    )
    if later is not None and result.waiting is not None:
        later.metric(
            text("details", "likelihood_if_waiting"),
            text("details", "likelihood_value", value=result.waiting.likelihood),
            delta=text("details", "likelihood_change", points=100 * (result.waiting.likelihood - result.likelihood)),
            help=text("details", "likelihood_if_waiting_help"),
        )
        later.caption(text("details", "likelihood_waiting_until", when=when(result.waiting.until)))


# --- Cancel order / Request cancellation -------------------------------------------------------


def cancel_action(state: OrderState, at: datetime, profile: PolicyProfile) -> Action | None:
    """Which button the order shows at `at`: Cancel order, Request cancellation (whichever the lifecycle allows
    now; never both), or none."""
    can = allowed(state, at, profile)
    return next((action for action in CANCEL_BUTTONS if can[action] is None), None)


def cancel_section(visit: Visit, state: OrderState, key: str, hints: bool = True) -> None:
    """The cancel button for this order's status, or a plain note that there is none. Without hints, the
    pop-up's reasons carry no note of whom they blame."""
    order = state.order
    show_flash(key)
    action = cancel_action(state, visit.sandbox.clock, visit.sandbox.profile)
    if action is None and visit.facts.get("submitted") == order.id:
        with st.container(key=f"{key}_result"):
            what_next(visit, order)
        return
    if action is None:
        st.info(text("details", "no_cancel_button", status=text("status", order.status)), icon=":material/block:")
        return
    label = text("details", "cancel_order" if action is Action.CANCEL else "request_cancellation")
    st.button(
        label,
        key=f"{key}_open",
        type="primary",
        icon=":material/cancel:",
        help=None if action is Action.CANCEL else text("details", "request_cancellation_help"),
        on_click=_open_dialog,
        args=(visit, order.id, key),
    )
    if st.session_state.get(f"{key}_dialog") == order.id:
        _cancel_dialog(visit, order, action, key, hints)


def what_next(visit: Visit, order: Order) -> None:
    """After a cancellation or a request: what was done, the new status, and what to do now."""
    result = visit.assess(order)
    status = order.status
    done = text("details", "requested_now" if status is Status.AWAITING_CANCELLATION else "cancelled_now")
    st.success(
        f"{done}  \n**{text('details', 'what_next')}:** {text('status', status)}. {text('status_meaning', status)}"
        f"  \n{plain(result.next_action)}",
        icon=":material/task_alt:",
    )


def _open_dialog(visit: Visit, order_id: str, key: str) -> None:
    st.session_state[f"{key}_dialog"] = order_id
    st.session_state[f"{key}_stage"] = "reason"
    visit.did("opened_cancel", order_id)


def _close_dialog(key: str) -> None:
    st.session_state.pop(f"{key}_dialog", None)
    st.session_state.pop(f"{key}_stage", None)


def _cancel_dialog(visit: Visit, order: Order, action: Action, key: str, hints: bool) -> None:
    title = text("dialog", "title_cancel" if action is Action.CANCEL else "title_request")

    @st.dialog(title, on_dismiss=lambda: _close_dialog(key))
    def body() -> None:
        if st.session_state.get(f"{key}_dialog") != order.id:
            st.rerun()  # a click inside the pop-up reruns only the pop-up: rerun the page to close it
        reasons = cancel_reasons()
        if st.session_state.get(f"{key}_stage") == "confirm":
            reason = reasons[st.session_state[f"{key}_chosen"]]
            question = "confirm_question" if action is Action.CANCEL else "confirm_question_request"
            st.write(text("dialog", question, order_id=order.id))
            st.caption(text("dialog", "reason_chosen", reason=reason.label))
            confirm, back = st.columns(2)
            confirm.button(
                text("dialog", "confirm"),
                type="primary",
                key=f"{key}_confirm",
                on_click=_submit,
                args=(visit, order.id, action, reason.id, key),
            )
            back.button(  # not f"{key}_back": the walkthrough's own Back button is "walk_back"
                text("dialog", "back"), key=f"{key}_back_to_reasons", on_click=_back_to_reasons, args=(key,)
            )
            return
        st.radio(
            text("dialog", "reason"),
            list(reasons),
            index=None,
            format_func=lambda r: reasons[r].label,
            captions=[
                f"{text('dialog', 'blames_seller' if reasons[r].blames_seller else 'neutral')}: {reasons[r].note}"
                for r in reasons
            ]
            if hints
            else None,
            key=f"{key}_reason",
        )
        if hints:
            st.caption(text("dialog", "blame_note"))
        if st.session_state.pop(f"{key}_need_reason", False):
            st.warning(text("dialog", "pick_reason"))
        st.button(
            text("dialog", "submit"),
            type="primary",
            key=f"{key}_submit",
            on_click=_pick_reason,
            args=(visit, order.id, key),
        )

    body()


def _pick_reason(visit: Visit, order_id: str, key: str) -> None:
    if st.session_state.get(f"{key}_reason") not in cancel_reasons():
        st.session_state[f"{key}_need_reason"] = True
        return
    visit.did("picked_reason", order_id)
    st.session_state[f"{key}_chosen"] = st.session_state[f"{key}_reason"]
    st.session_state[f"{key}_stage"] = "confirm"


def _back_to_reasons(key: str) -> None:
    st.session_state[f"{key}_stage"] = "reason"


def _submit(visit: Visit, order_id: str, action: Action, reason: str, key: str) -> None:
    """Apply the cancellation in one transaction; whatever happens, say it plainly and close the pop-up."""
    try:
        visit.store.act(visit.sandbox.id, order_id, action, reason=reason)
    except (DomainError, ConcurrentChange) as refused:
        flash(key, "error", str(refused))
    else:
        visit.did("submitted", order_id)  # the page then shows what happens next
        a11y.focus(f"{key}_result", "alert")
    _close_dialog(key)


# --- the log ------------------------------------------------------------------------------------


def event_summary(event: Event, currency: str) -> str:
    """One line for the timeline: the event's label and, where it has one, its reason or message."""
    label = text("event", event.kind)
    reason = event.data.get("reason")
    if reason in cancel_reasons():
        return f"{label}: {cancel_reasons()[reason].label}"
    if "text" in event.data:
        return f"{label}: {event.data['text']}"
    if "amount" in event.data:
        return f"{label}: {money(Decimal(str(event.data['amount'])), currency)}"
    return label


def timeline(state: OrderState) -> None:
    """The event log, newest first. User text goes in a table cell, never through markdown or HTML."""
    rows = [
        {
            text("details", "timeline_when"): when(e.at),
            text("details", "timeline_who"): text("actor", e.actor),
            text("details", "timeline_what"): event_summary(e, state.order.currency),
        }
        for e in reversed(state.events)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
