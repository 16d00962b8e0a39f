"""Training widgets: the trainee's sign-in, progress and certificate, and choosing a scenario (the case itself is
guide/ui/case.py)."""

from __future__ import annotations

import streamlit as st

from guide.certificates import eligible
from guide.content import text
from guide.training import (
    Mode,
    certificate_rule,
    level_progress,
    next_scenario,
    scenarios,
)
from guide.training_records import TOKEN, Trainee, TrainingInputError, UnknownTrainee
from guide.ui.case import TRAINEE, start
from guide.ui.certificates import certificate_offer, held_certificate
from guide.ui.state import SANDBOX, get_training, go
from guide.ui.widgets import flash, plain, show_flash


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
            group = get_training().get_class(class_id)
            if group.archived:  # its link takes no new trainees: say so, and train outside it
                st.warning(text("training_errors", "class_archived"))
                class_id = None
            else:
                st.info(text("trainee", "class_joined", name=plain(group.name)))
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
    """Scores by level and, once the trainee's set is passed, the certificate (issued on request)."""
    training = get_training()
    best = training.best_scores(trainee.id)
    scenario_set = training.scenario_set(trainee)
    progress = level_progress(scenario_set, best)
    for column, (level, done) in zip(st.columns(len(progress)), progress.items(), strict=True):
        if done.score is not None:
            shown = text("trainee", "level_value", value=done.score)
        else:  # a level the trainee's set does not have asks for nothing
            shown = text("trainee", "level_pending", count=done.to_go) if done.to_go else text("trainee", "level_none")
        column.metric(text("difficulty", level), shown)
    held = held_certificate(trainee)
    if held is None and not eligible(best, scenario_set, trainee.class_id is not None):
        rule = certificate_rule()
        if trainee.class_id:
            st.caption(text("certificate_issue", "class_rule", mark=rule.pass_mark, count=len(scenario_set)))
        else:
            st.caption(text("trainee", "certificate_rule", mark=rule.pass_mark, count=rule.min_scenarios_per_level))
        return
    certificate_offer(trainee, held)


def next_scenario_id(trainee: Trainee) -> str | None:
    """The first scenario not yet passed, easiest first."""
    training = get_training()
    return next_scenario(training.scenario_set(trainee), training.best_scores(trainee.id))


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
    neutral = training.class_mode(trainee) is Mode.ASSESSMENT  # a title would give the answer away
    chosen = st.selectbox(
        text("trainee", "pick"),
        [s.id for s in training.scenario_set(trainee)],
        format_func=lambda sid: _scenario_label(sid, best, neutral),
        key="trainee_pick",
    )
    st.button(text("trainee", "open"), key="trainee_open", on_click=start, args=(trainee.id, chosen))


def _scenario_label(scenario_id: str, best: dict[str, float], neutral: bool) -> str:
    scenario = scenarios()[scenario_id]
    tried = text("trainee", "best", value=best[scenario_id]) if scenario_id in best else text("trainee", "untried")
    title = text("trainee", "neutral_title", customer=scenario.customer) if neutral else scenario.title
    return f"{text('difficulty', scenario.difficulty)} · {title} · {tried}"


def practice_button(trainee: Trainee) -> None:
    """A free-practice sandbox with the demo orders and the class's own orders, opened in My Orders."""
    if st.button(text("trainee", "practice"), key="trainee_practice", help=text("trainee", "practice_help")):
        sandbox_id = get_training().practice_sandbox(trainee)
        st.session_state[SANDBOX] = sandbox_id  # go() puts it in the URL
        go("my_orders")
