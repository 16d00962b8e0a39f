"""The trainer dashboard's widgets: progress tables, charts, export and classes (the passcode gate is
guide/ui/passcode.py; the tables are worked out in guide/training_report.py)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from guide import training_report
from guide.content import text
from guide.importing import ImportRejected
from guide.training import Mode, scenarios
from guide.training_store import TrainingInputError
from guide.ui.state import get_training
from guide.ui.widgets import displayable, flash, plain, show_flash

TABS = ("roster", "attempts", "classes", "authoring", "certificates", "export")


def trainer_tabs() -> list[Any]:
    """The dashboard's tabs, the open one kept in the URL (`?trainer_tab=`); only the open tab's body runs."""
    labels = [text("trainer", f"tab_{tab}") for tab in TABS]
    return list(st.tabs(labels, key="trainer_tab", on_change="rerun", bind="query-params"))


def class_filter() -> str | None:
    """Which class the dashboard shows (None: every trainee)."""
    groups = {g.id: g.name for g in get_training().list_classes()}
    chosen: str | None = st.selectbox(
        text("trainer", "class_filter"),
        [None, *groups],
        format_func=lambda cid: text("trainer", "all_classes") if cid is None else groups[cid],
        key="trainer_class",
    )
    return chosen


def roster_panel(class_id: str | None) -> None:
    del class_id


def attempts_panel(class_id: str | None) -> None:
    """Best scores, the charts and every attempt."""
    training = get_training()
    frame = attempts_frame(class_id, training.attempt_count())
    if frame.empty:
        st.info(text("trainer", "no_data"))
        return
    st.subheader(text("trainer", "progress"), anchor=False)
    progress_table(frame)
    charts(frame)
    st.subheader(text("trainer", "attempts"), anchor=False)
    attempts_table(frame)
    export_button(frame)


@st.cache_data(show_spinner=False, max_entries=16)
def attempts_frame(class_id: str | None, version: int) -> pd.DataFrame:
    """Every scored attempt, one row each with its answers; `version` (the attempt count) refreshes it."""
    del version
    return training_report.attempts_frame(get_training().submitted_rows(class_id))


def progress_table(frame: pd.DataFrame) -> None:
    best = training_report.best_by_trainee(frame)
    # Percentages through column_config, not a pandas Styler: styling each cell of a few hundred trainees times
    # the scenarios cost most of a rerun. The same text: "67%", and "–" for a scenario not tried yet.
    percent = st.column_config.NumberColumn(format="%.0f%%")
    st.dataframe(best * 100, column_config=dict.fromkeys(best.columns, percent), placeholder="–", width="stretch")


def attempts_table(frame: pd.DataFrame) -> None:
    score = text("trainer", "col_score")
    column_config = {score: st.column_config.NumberColumn(format="percent")}
    st.dataframe(
        frame.drop(columns=training_report.hidden_columns()),
        hide_index=True,
        width="stretch",
        column_config=column_config,
    )


def charts(frame: pd.DataFrame) -> None:
    scenario, score = text("trainer", "col_scenario"), text("trainer", "col_score")
    st.altair_chart(
        alt.Chart(training_report.mean_by_scenario(frame), title=text("trainer", "by_scenario"))
        .mark_bar()
        .encode(
            x=alt.X(f"{score}:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y(f"{scenario}:N", sort="-x", axis=alt.Axis(labelLimit=320)),
        ),
        width="stretch",
    )
    top = training_report.wrong_answers(frame)
    if top.empty:
        return
    question, answer, count = (text("trainer", c) for c in ("col_question", "col_answer", "col_count"))
    st.altair_chart(
        alt.Chart(top, title=text("trainer", "wrong_answers"))
        .mark_bar()
        .encode(
            x=alt.X(f"{count}:Q", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(f"{answer}:N", sort="-x", axis=alt.Axis(labelLimit=320)),
            color=alt.Color(f"{question}:N", legend=alt.Legend(orient="bottom", labelLimit=400)),
            tooltip=[alt.Tooltip(column) for column in top.columns],  # as strings, Altair takes far longer
        ),
        width="stretch",
    )


def export_button(frame: pd.DataFrame) -> None:
    """Every attempt as CSV, written only when the trainer clicks (a deferred download): writing tens of
    thousands of rows on every rerun would cost most of the page's time."""
    st.download_button(
        text("trainer", "export"),
        lambda: training_report.attempts_csv(frame),
        file_name="cancel-coach-attempts.csv",
        mime="text/csv",
        icon=":material/download:",
    )


def classes_panel() -> None:
    training = get_training()
    st.subheader(text("trainer", "classes"), anchor=False)
    show_flash("trainer")
    with st.form("new_class", clear_on_submit=True):
        st.text_input(text("trainer", "new_class"), key="new_class_name", max_chars=80)
        st.multiselect(
            text("trainer", "class_scenarios"),
            list(scenarios()),
            format_func=lambda sid: scenarios()[sid].title,
            key="new_class_scenarios",
            help=text("trainer", "class_scenarios_help"),
        )
        _mode_picker("new_class_mode")
        st.form_submit_button(text("trainer", "create_class"), on_click=_create_class)
    for group in training.list_classes():
        with st.expander(plain(group.name)):
            st.text_input(
                text("trainer", "class_link"), f"?class={group.id}", key=f"class_link_{group.id}", disabled=True
            )
            st.caption(", ".join(scenarios()[s].title for s in group.scenario_ids if s in scenarios()) or "–")
            _mode_picker(f"class_mode_{group.id}", group.mode, on_change=_set_mode, args=(group.id,))
            upload = st.file_uploader(
                text("trainer", "load_orders"),
                type=["json"],
                key=f"class_orders_{group.id}",
                help=text("trainer", "load_orders_help"),
            )
            if upload is not None and st.button(text("trainer", "load_orders"), key=f"class_load_{group.id}"):
                _load_orders(group.id, upload.getvalue())


def _mode_picker(key: str, mode: Mode = Mode.PRACTICE, **change: Any) -> None:
    """Practice (hints, best attempt counts) or assessment (no hints, first attempt counts)."""
    modes = list(Mode)
    st.radio(
        text("trainer", "class_mode"),
        modes,
        index=modes.index(mode),
        format_func=lambda m: text("trainer", f"mode_{m.value}"),
        key=key,
        horizontal=True,
        help=text("trainer", "class_mode_help"),
        **change,
    )


def _set_mode(class_id: str) -> None:
    chosen = st.session_state.get(f"class_mode_{class_id}")
    try:
        group = get_training().set_class_mode(class_id, str(chosen))
    except TrainingInputError as refused:
        flash("trainer", "error", str(refused))
        return
    flash(
        "trainer",
        "ok",
        text("trainer", "mode_saved", name=plain(group.name), mode=text("trainer", f"mode_{group.mode.value}")),
    )


def _create_class() -> None:
    try:
        group = get_training().create_class(
            st.session_state.get("new_class_name", ""),
            st.session_state.get("new_class_scenarios", []),
            st.session_state.get("new_class_mode", Mode.PRACTICE),
        )
    except TrainingInputError as refused:
        flash("trainer", "error", str(refused))
        return
    flash("trainer", "ok", text("trainer", "created", name=plain(group.name)))


def _load_orders(class_id: str, payload: bytes) -> None:
    try:
        loaded = get_training().load_class_orders(class_id, payload)
    except ImportRejected as refused:
        st.error(str(refused))
        if refused.errors:
            rows = [{name: displayable(value) for name, value in e.__dict__.items()} for e in refused.errors]
            st.dataframe(pd.DataFrame(rows), hide_index=True)
        return
    st.success(text("trainer", "loaded", count=len(loaded)))
