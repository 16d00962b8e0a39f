"""The walkthrough's widgets: the step card, the step list, and the simulator beside each step.

The step number and the order live in the URL (`?step=&order=`), so a reload or a shared link
resumes the same place; the app owns the step index, as a product tour does.
"""

from __future__ import annotations

import re

import streamlit as st

from guide.content import text
from guide.lifecycle import OrderState
from guide.models import Order
from guide.policy import Assessment
from guide.ui import a11y
from guide.ui.conversation import conversation_panel
from guide.ui.order import assessment_section, cancel_section, order_header, status_section
from guide.ui.orders import my_orders_panel, needs_sign_in, sign_in_panel
from guide.ui.refunds import refund_panel
from guide.ui.state import Visit
from guide.ui.widgets import fact_button, plain, quoted, shown_key, status_badge
from guide.walkthrough import Step, StepState, can_self_cancel, steps, tally

KEY = "walk"
ICONS = {
    StepState.DONE: ":material/check_circle:",
    StepState.TO_DO: ":material/radio_button_unchecked:",
    StepState.SKIPPED: ":material/remove_circle_outline:",
}


def step_from_url(states: list[StepState], resume: int) -> int:
    """The 1-based step in the URL, or where to resume. A step that does not exist says so."""
    raw = st.query_params.get("step")
    if raw is None:
        return resume
    if re.fullmatch(r"[0-9]{1,3}", raw) and 1 <= int(raw) <= len(states):  # not isdigit(): "²" or 5,000 digits
        return int(raw)
    st.warning(text("walkthrough", "step_unknown", step=quoted(raw)))  # one line as typed, never as markdown
    return 1


STEP_CARD = f"{KEY}_step"


def go_to_step(number: int) -> None:
    st.query_params["step"] = str(number)
    a11y.focus(STEP_CARD, "heading")  # the new step's title, where the eyes go


def neighbour(states: list[StepState], number: int, direction: int) -> int | None:
    """The next (or previous) step that is not skipped."""
    candidate = number + direction
    while 1 <= candidate <= len(states):
        if states[candidate - 1] is not StepState.SKIPPED:
            return candidate
        candidate += direction
    return None


def step_card(step: Step, number: int, state: StepState) -> None:
    total = len(steps())
    with st.container(border=True, key=STEP_CARD):
        st.caption(text("walkthrough", "progress", number=number, total=total))
        st.subheader(step.title, anchor=False)
        st.write(step.instruction)
        st.markdown(f"**{text('walkthrough', 'why')}:** {step.why}")
        st.markdown(f"**{text('walkthrough', 'watch_for')}:** {step.watch_for}")
        if state is StepState.DONE:
            st.success(text("walkthrough", "done"), icon=":material/check_circle:")
        elif state is StepState.SKIPPED:
            st.info(text("walkthrough", "skipped"), icon=":material/remove_circle_outline:")
        else:
            st.caption(text("walkthrough", "to_do"))


def progress_bar(states: list[StepState]) -> bool:
    """The share of steps done; True once every step that counts is."""
    done, counted = tally(states)
    st.progress(done / counted, text=text("walkthrough", "done_count", done=done, total=counted))
    return done == counted


def branch_note(visit: Visit, order: Order | None, assessment: Assessment | None) -> None:
    """Why this order takes the contact-seller branch, when the buyer cannot cancel it alone."""
    if order is None or assessment is None or can_self_cancel(visit.facts, order, assessment.path):
        return
    reason = assessment.why[0] if assessment.why else text("path", assessment.path)
    st.warning(text("walkthrough", "branch_contact", reason=reason), icon=":material/fork_right:")


def step_buttons(states: list[StepState], number: int) -> None:
    back, forward = st.columns(2)
    previous, following = neighbour(states, number, -1), neighbour(states, number, +1)
    back.button(
        text("walkthrough", "back"),
        key=f"{KEY}_back",
        disabled=previous is None,
        icon=":material/arrow_back:",
        on_click=go_to_step,
        args=(previous or number,),
    )
    forward.button(
        text("walkthrough", "next"),
        key=f"{KEY}_next",
        type="primary",
        disabled=following is None,
        icon=":material/arrow_forward:",
        on_click=go_to_step,
        args=(following or number,),
    )


def step_list(states: list[StepState], current: int) -> None:
    with st.expander(text("walkthrough", "steps"), expanded=False):
        for number, (step, state) in enumerate(zip(steps(), states, strict=True), start=1):
            label = f"{number}. {step.title}" + (
                f" ({text('walkthrough', 'skipped').lower()})" if state is StepState.SKIPPED else ""
            )
            st.button(
                label,
                key=f"{KEY}_goto_{number}",
                icon=ICONS[state],
                type="tertiary",
                disabled=number == current,
                on_click=go_to_step,
                args=(number,),
            )


def _choose(visit: Visit, order_id: str) -> None:
    visit.did("opened_order", order_id)
    st.query_params["order"] = order_id
    a11y.focus(STEP_CARD, "alert")  # the step is done: its card says so, just above Next
    st.rerun()


def _open_orders(visit: Visit) -> None:
    visit.did("opened_my_orders", "yes")
    a11y.focus(f"{KEY}_orders_tab", "control")  # the list that opened starts with its tabs


def order_line(order: Order) -> None:
    """The order the step works on, in one line, with its status."""
    st.markdown(f"**{order.id}** · {plain(order.seller.name)}")
    status_badge(order.status)


def simulator_panel(step: Step, visit: Visit, state: OrderState | None) -> None:
    """The part of the simulator this step is about, working on the walkthrough's order."""
    if step.panel == "sign_in":
        sign_in_panel(visit, key=f"{KEY}_sign_in")
        return
    if needs_sign_in(visit, key=KEY):
        return
    if step.panel == "my_orders" and "opened_my_orders" not in visit.facts:
        st.button(
            text("orders", "open"),
            key=f"{KEY}_open_orders",
            type="primary",
            icon=":material/receipt_long:",
            on_click=_open_orders,
            args=(visit,),
        )
        return
    if step.panel in ("my_orders", "find_order") or state is None:
        if state is None and step.panel not in ("my_orders", "find_order"):
            st.info(text("walkthrough", "choose_order"))
        my_orders_panel(visit, key=f"{KEY}_orders", on_details=lambda order_id: _choose(visit, order_id))
        return
    order = state.order
    match step.panel:
        case "order_status":
            order_header(order)
            status_section(visit, order, key=KEY)
        case "assessment":
            order_line(order)
            assessment_section(visit, order, key=KEY)
        case "cancel":
            order_line(order)
            cancel_section(visit, state, key=KEY)
        case "contact_seller":
            conversation_panel(visit, order, key=f"{KEY}_contact_{order.id}")
        case "refund":
            label = text("details", "refund_tracker")
            if fact_button(visit, "viewed_refund", order.id, label, f"{KEY}_refunds", ":material/payments:"):
                with st.container(key=shown_key(f"{KEY}_refunds")):
                    refund_panel(visit, only=order.id)
