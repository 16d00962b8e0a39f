"""A training case: the customer's message, the order in the simulator on the case's own clock, the questions
and the reply, and the feedback once it is submitted.

In an assessment attempt the hints are off: a neutral title, the answers shuffled by the attempt's id, statuses
by their meaning only, no blame captions in the cancel pop-up, and what a status means left for the trainee.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import streamlit as st

from guide import lifecycle
from guide.content import text, training_rules
from guide.content.formats import when
from guide.scoring import Mark, answer_shown, critical_cap, feedback_in, mark_title
from guide.store import Sandbox, UnknownOrder
from guide.training import Mode, Question, attempt_in_link, option_label, options
from guide.training_records import Attempt, Trainee, TrainingInputError
from guide.training_store import REPLY_MAX
from guide.ui import a11y
from guide.ui.actions import buyer_actions
from guide.ui.clock import move_clock
from guide.ui.conversation import conversation_panel
from guide.ui.order import cancel_section, order_header, status_section, timeline
from guide.ui.rules import rule_links
from guide.ui.state import Visit, get_store, get_training
from guide.ui.widgets import fact_button, flash, plain, show_flash, shown_key, tab_title

TRAINEE = "trainee"
ATTEMPT = "attempt"


def start(trainee_id: str, scenario_id: str) -> None:
    """Open a scenario in a fresh sandbox (a new attempt)."""
    attempt = get_training().start_attempt(trainee_id, scenario_id)
    st.query_params[ATTEMPT] = str(attempt.id)
    a11y.focus(CASE_HEADER, "heading")  # the case that opened, where the eyes go


def case_sandbox() -> Sandbox | None:
    """The sandbox of the case in the URL (its own clock and profile), if the link is valid (says nothing
    otherwise: the page itself reports a bad link)."""
    trainee_id, attempt_id = st.query_params.get(TRAINEE), attempt_in_link(st.query_params.get(ATTEMPT))
    if not trainee_id or attempt_id is None:
        return None
    try:
        attempt = get_training().get_attempt(trainee_id, attempt_id)
        return get_store().get_sandbox(attempt.sandbox_id)
    except LookupError:
        return None


def current_attempt(trainee: Trainee) -> Attempt | None:
    """The attempt in the URL, if it is this trainee's; anything else says so and is dropped."""
    raw = st.query_params.get(ATTEMPT)
    if raw is None:
        return None
    try:
        attempt_id = attempt_in_link(raw)
        if attempt_id is None:
            raise LookupError(raw)
        return get_training().get_attempt(trainee.id, attempt_id)
    except LookupError:
        st.warning(text("trainee", "attempt_unknown"))
        st.query_params.pop(ATTEMPT, None)
        return None


def hints_on(attempt: Attempt) -> bool:
    return attempt.mode is Mode.PRACTICE


CASE_HEADER = "case_header"
SCORE = "case_score"


def case_title(attempt: Attempt) -> str:
    """The case's title; in an assessment a neutral one, that gives nothing away."""
    scenario = attempt.scenario
    return scenario.title if hints_on(attempt) else text("trainee", "neutral_title", customer=scenario.customer)


def case_header(trainee: Trainee, attempt: Attempt, sandbox: Sandbox) -> None:
    """The case's title, level and the rules it runs under (`sandbox`, the case's own); in an assessment class,
    whether it counts."""
    scenario, hints = attempt.scenario, hints_on(attempt)
    tab_title(case_title(attempt), text("trainee", "title"))  # the browser tab names the case
    with st.container(key=CASE_HEADER):
        st.subheader(case_title(attempt), anchor=False)
    st.badge(text("difficulty", scenario.difficulty), color="violet")
    st.badge(text("trainee", "runs_under", profile=sandbox.profile.name), icon=":material/gavel:", color="gray")
    if not hints:
        st.info(text("trainee", "assessment"), icon=":material/assignment:")
    elif get_training().class_mode(trainee) is Mode.ASSESSMENT:
        st.caption(text("trainee", "practice_retry"))


def case_panel(attempt: Attempt, sandbox: Sandbox) -> None:
    """The customer's message, then the order in the simulator (the case's `sandbox`) where the trainee acts, and
    the case's clock."""
    scenario, store = attempt.scenario, get_store()
    visit = Visit(store, sandbox, store.facts(sandbox.id))
    st.markdown(f"**{text('trainee', 'case')}**")
    with st.chat_message("user", avatar=":material/support_agent:"):
        st.caption(scenario.customer)
        st.markdown(plain(scenario.message))
    try:
        state = store.get_order(attempt.sandbox_id, scenario.order.id)
    except UnknownOrder:
        st.error(text("app", "error_generic"))
        return
    # Once the attempt is closed the key is shown, so the simulator's hints may be too.
    order, key, hints = state.order, f"train_{attempt.id}", hints_on(attempt) or attempt.result is not None
    st.markdown(f"**{text('trainee', 'order')}**", help=text("trainee", "order_help"))
    # Opening the details is a step the trainee takes (and is scored on), not something the case does for them.
    label = text("trainee", "open_details")
    if not fact_button(visit, "opened_order", order.id, label, f"{key}_details", ":material/description:"):
        return
    with st.container(border=True, key=shown_key(f"{key}_details")):
        order_header(order)
        then = lifecycle.replay(state.events[: attempt.start_seq]).order.status
        if then is not order.status:  # the questions ask about the status when the customer wrote: keep it in view
            st.caption(text("trainee", "status_then", customer=scenario.customer, status=text("status", then)))
        status_section(visit, order, key=key, hints=hints)
        cancel_section(visit, state, key=key, hints=hints)
        buyer_actions(visit, state, key=key)
        with st.expander(text("trainee", "contact"), expanded=True):
            conversation_panel(visit, order, key=f"{key}_contact", sent_note=("contact_training", "sent"), state=state)
        with st.expander(text("trainee", "timeline")):
            timeline(state)
    time_controls(visit, key)


def time_controls(visit: Visit, key: str) -> None:
    """Let time pass on the case's own clock: a few hours at a time, or to the next thing that happens."""
    st.markdown(f"**{text('trainee', 'time')}**", help=text("trainee", "time_help"))
    st.caption(text("trainee", "time_now", when=when(visit.sandbox.clock)))
    steps: list[int | None] = [*training_rules().case_time_steps_hours, None]
    for column, hours in zip(st.columns(len(steps)), steps, strict=True):
        column.button(
            text("trainee", "time_next") if hours is None else text("trainee", "time_hours", hours=hours),
            key=f"{key}_time_{hours or 'next'}",
            icon=":material/skip_next:" if hours is None else ":material/schedule:",
            width="stretch",
            on_click=_let_time_pass,
            args=(visit, key, hours),
        )
    show_flash(f"{key}_time")


def _let_time_pass(visit: Visit, key: str, hours: int | None) -> None:
    step = None if hours is None else timedelta(hours=hours)
    flash(f"{key}_time", "info", move_clock(visit.store, visit.sandbox.id, visit.sandbox.clock, step))


def questions_panel(trainee: Trainee, attempt: Attempt) -> None:
    """The three questions and the reply; once submitted, the score and feedback with the rule for each mark."""
    st.markdown(f"**{text('trainee', 'questions')}**")
    if attempt.result is None:
        hints = hints_on(attempt)
        with st.form(f"answers_{attempt.id}"):
            for question in Question:
                st.radio(
                    text("question", question),
                    options(question, shuffle_seed=None if hints else attempt.id),
                    index=None,
                    format_func=partial(option_label, question, hints=hints),
                    key=f"answer_{attempt.id}_{question.value}",
                )
            st.text_area(
                text("trainee", "reply"),
                key=f"answer_{attempt.id}_reply",
                help=text("trainee", "reply_help"),
                max_chars=REPLY_MAX,
                height=140,
            )
            a11y.describe(f"answer_{attempt.id}_reply", text("trainee", "reply_help"), text("trainee", "reply"))
            st.form_submit_button(
                text("trainee", "submit"), type="primary", on_click=_submit, args=(trainee.id, attempt.id)
            )
        show_flash("answers")
        return
    feedback(attempt)
    left, right = st.columns(2)
    left.button(
        text("trainee", "try_again"), key="trainee_retry", on_click=start, args=(trainee.id, attempt.scenario_id)
    )
    right.button(text("trainee", "back"), key="trainee_back", on_click=_leave)


def _submit(trainee_id: str, attempt_id: int) -> None:
    answers = {q: st.session_state.get(f"answer_{attempt_id}_{q.value}") for q in Question}
    reply = st.session_state.get(f"answer_{attempt_id}_reply") or ""
    try:
        get_training().submit(trainee_id, attempt_id, {q: a for q, a in answers.items() if a}, reply)
    except TrainingInputError as refused:
        flash("answers", "error", str(refused))
    else:
        a11y.focus(SCORE)  # the score, then each mark with its reason


def _leave() -> None:
    st.query_params.pop(ATTEMPT, None)


def feedback(attempt: Attempt) -> None:
    assert attempt.result is not None
    with st.container(key=SCORE):
        st.metric(text("trainee", "score_label"), f"{attempt.result.score:.0%}")
    if any(mark.critical for mark in attempt.result.marks):
        st.warning(text("training", "critical_capped", cap=critical_cap()), icon=":material/error:")
    for mark in attempt.result.marks:
        box = st.success if mark.correct else st.error
        answer, rules = _answer_line(mark), rule_links(mark.rule)
        said = feedback_in(mark, attempt.scenario)
        box(text("training", "mark", title=mark_title(mark), answer=answer, feedback=said, rules=rules))
    with st.expander(text("trainee", "model_reply")):  # the attempt is closed: a careful agent's reply
        st.markdown(plain(attempt.scenario.model_reply))


def _answer_line(mark: Mark) -> str:
    """What the trainee answered against what was expected (on a red mark), or the words a text was judged by."""
    if mark.matched:
        return text("training", "found", words=", ".join(f"“{plain(word)}”" for word in mark.matched)) + "  \n"
    if mark.correct or mark.critical or not mark.expected:
        return ""
    given, expected = answer_shown(mark, mark.given), answer_shown(mark, mark.expected)
    return text("training", "your_answer", given=plain(given), expected=plain(expected)) + "  \n"
