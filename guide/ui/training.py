"""Training widgets: the trainee's sign-in and progress, a scenario with its questions, and feedback."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import streamlit as st

from guide.certificate import certificate_pdf
from guide.content import text
from guide.scoring import Mark, critical_cap
from guide.store import UnknownOrder
from guide.training import (
    Question,
    attempt_in_link,
    certificate_rule,
    certified,
    level_progress,
    next_scenario,
    option_label,
    options,
    practised_profiles,
    scenarios,
)
from guide.training_store import TOKEN, Attempt, Trainee, TrainingInputError, TrainingStore, UnknownTrainee
from guide.ui.actions import buyer_actions
from guide.ui.conversation import conversation_panel
from guide.ui.order import cancel_section, order_header, status_section
from guide.ui.state import SANDBOX, Visit, get_store, go
from guide.ui.widgets import fact_button, flash, plain, show_flash

TRAINEE = "trainee"
ATTEMPT = "attempt"


@st.cache_resource
def get_training() -> TrainingStore:
    return TrainingStore(get_store())


def current_trainee() -> Trainee | None:
    """The trainee named in the URL (or this session), or None; a bad link says so plainly."""
    wanted = st.query_params.get(TRAINEE) or st.session_state.get(TRAINEE)
    if not wanted:
        return None
    try:
        trainee = get_training().get_trainee(wanted)
    except UnknownTrainee:
        st.warning(text("trainee", "unknown"))
        st.query_params.pop(TRAINEE, None)
        st.session_state.pop(TRAINEE, None)
        return None
    st.session_state[TRAINEE] = trainee.id
    st.query_params[TRAINEE] = trainee.id
    return trainee


def sign_in_form() -> None:
    """A display name only; `?class=` in the link puts the trainee in that class."""
    class_id = st.query_params.get("class")
    if class_id:
        try:
            if not TOKEN.fullmatch(class_id):  # refused before any SQL (PostgreSQL errors on a NUL byte)
                raise LookupError(class_id)
            st.info(text("trainee", "class_joined", name=plain(get_training().get_class(class_id).name)))
        except LookupError:
            st.warning(text("trainee", "class_unknown"))
            class_id = None
    with st.form("trainee_sign_in"):
        st.text_input(text("trainee", "name"), key="trainee_name", help=text("trainee", "name_help"), max_chars=60)
        st.form_submit_button(text("trainee", "start"), type="primary", on_click=_start, args=(class_id,))
    show_flash("trainee")


def _start(class_id: str | None) -> None:
    try:
        trainee = get_training().create_trainee(st.session_state.get("trainee_name", ""), class_id)
    except TrainingInputError as refused:
        flash("trainee", "error", str(refused))
        return
    st.session_state[TRAINEE] = trainee.id
    st.query_params[TRAINEE] = trainee.id
    st.query_params.pop("class", None)


def progress_panel(trainee: Trainee) -> None:
    """Scores by level and, once every level passes, the certificate."""
    training = get_training()
    best = training.best_scores(trainee.id)
    progress = level_progress(training.scenario_set(trainee), best)
    for column, (level, done) in zip(st.columns(len(progress)), progress.items(), strict=True):
        shown = (
            text("trainee", "level_value", value=done.score)
            if done.score is not None
            else text("trainee", "level_pending", count=done.to_go)
        )
        column.metric(text("difficulty", level), shown)
    if not certified(best):
        rule = certificate_rule()
        st.caption(text("trainee", "certificate_rule", mark=rule.pass_mark, count=rule.min_scenarios_per_level))
        return
    st.success(text("trainee", "certified"), icon=":material/workspace_premium:")
    pdf = certificate_pdf(
        trainee.name,
        datetime.now(UTC).date(),
        {level: (done.score or 0.0, done.tried) for level, done in progress.items()},
        ", ".join(practised_profiles(best)),
    )
    st.download_button(
        text("trainee", "certificate"),
        pdf,
        file_name=text("certificate", "file"),
        mime="application/pdf",
        type="primary",
        icon=":material/download:",
    )


def next_scenario_id(trainee: Trainee) -> str | None:
    """The first scenario not yet passed, easiest first."""
    training = get_training()
    return next_scenario(training.scenario_set(trainee), training.best_scores(trainee.id))


def start(trainee_id: str, scenario_id: str) -> None:
    """Open a scenario in a fresh sandbox (a new attempt)."""
    attempt = get_training().start_attempt(trainee_id, scenario_id)
    st.query_params[ATTEMPT] = str(attempt.id)


def scenario_chooser(trainee: Trainee) -> None:
    training = get_training()
    best = training.best_scores(trainee.id)
    upcoming = next_scenario_id(trainee)
    if upcoming is None:
        st.success(text("trainee", "all_done"))
    else:
        st.button(
            text("trainee", "next"),
            type="primary",
            key="trainee_next",
            help=text("trainee", "next_help"),
            on_click=start,
            args=(trainee.id, upcoming),
        )
    chosen = st.selectbox(
        text("trainee", "pick"),
        [s.id for s in training.scenario_set(trainee)],
        format_func=lambda sid: _scenario_label(sid, best),
        key="trainee_pick",
    )
    st.button(text("trainee", "open"), key="trainee_open", on_click=start, args=(trainee.id, chosen))


def _scenario_label(scenario_id: str, best: dict[str, float]) -> str:
    scenario = scenarios()[scenario_id]
    tried = text("trainee", "best", value=best[scenario_id]) if scenario_id in best else text("trainee", "untried")
    return f"{text('difficulty', scenario.difficulty)} · {scenario.title} · {tried}"


def practice_button(trainee: Trainee) -> None:
    """A free-practice sandbox with the demo orders and the class's own orders, opened in My Orders."""
    if st.button(text("trainee", "practice"), key="trainee_practice", help=text("trainee", "practice_help")):
        sandbox_id = get_training().practice_sandbox(trainee)
        st.session_state[SANDBOX] = sandbox_id  # go() puts it in the URL
        go("my_orders")


def case_clock() -> datetime | None:
    """The simulated time of the case in the URL, if the link is valid (said nothing otherwise)."""
    trainee_id, attempt_id = st.query_params.get(TRAINEE), attempt_in_link(st.query_params.get(ATTEMPT))
    if not trainee_id or attempt_id is None:
        return None
    try:
        attempt = get_training().get_attempt(trainee_id, attempt_id)
        return get_store().get_sandbox(attempt.sandbox_id).clock
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


def case_panel(attempt: Attempt) -> None:
    """The customer's message, then the order in the simulator where the trainee acts."""
    scenario = attempt.scenario
    st.subheader(scenario.title, anchor=False)
    st.badge(text("difficulty", scenario.difficulty), color="violet")
    st.markdown(f"**{text('trainee', 'case')}**")
    with st.chat_message("user", avatar=":material/support_agent:"):
        st.caption(scenario.customer)
        st.markdown(plain(scenario.message))
    store = get_store()
    visit = Visit(store, store.get_sandbox(attempt.sandbox_id), store.facts(attempt.sandbox_id))
    try:
        state = store.get_order(attempt.sandbox_id, scenario.order.id)
    except UnknownOrder:
        st.error(text("app", "error_generic"))
        return
    order = state.order
    st.markdown(f"**{text('trainee', 'order')}**", help=text("trainee", "order_help"))
    # Opening the details is a step the trainee takes (and is scored on), not something the case does for them.
    label = text("trainee", "open_details")
    if not fact_button(visit, "opened_order", order.id, label, f"train_{attempt.id}_details", ":material/description:"):
        return
    with st.container(border=True):
        order_header(order)
        status_section(visit, order, key=f"train_{attempt.id}")
        cancel_section(visit, state, key=f"train_{attempt.id}")
        buyer_actions(visit, state, key=f"train_{attempt.id}")
        with st.expander(text("trainee", "contact")):
            conversation_panel(visit, order, key=f"train_{attempt.id}_contact")


def questions_panel(trainee: Trainee, attempt: Attempt) -> None:
    """The three questions; once submitted, the score and feedback with the rule for each mark."""
    st.markdown(f"**{text('trainee', 'questions')}**")
    if attempt.result is None:
        with st.form(f"answers_{attempt.id}"):
            for question in Question:
                st.radio(
                    text("question", question),
                    options(question),
                    index=None,
                    format_func=partial(option_label, question),
                    key=f"answer_{attempt.id}_{question.value}",
                )
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
    try:
        get_training().submit(trainee_id, attempt_id, {q: a for q, a in answers.items() if a})
    except TrainingInputError as refused:
        flash("answers", "error", str(refused))


def _leave() -> None:
    st.query_params.pop(ATTEMPT, None)


def feedback(attempt: Attempt) -> None:
    assert attempt.result is not None
    st.metric(text("trainee", "score_label"), f"{attempt.result.score:.0%}")
    if any(mark.critical for mark in attempt.result.marks):
        st.warning(text("training", "critical_capped", cap=critical_cap()), icon=":material/error:")
    for mark in attempt.result.marks:
        box = st.success if mark.correct else st.error
        box(f"**{_mark_label(mark)}**  \n{mark.feedback}  \n_{text('trainee', 'rule')}: {mark.rule}_")


def _mark_label(mark: Mark) -> str:
    if mark.critical:
        return f"{text('training', 'critical_label')}: {text('critical', mark.item)}"
    return text("question", mark.item) if mark.item in {q.value for q in Question} else text("check", mark.item)
