"""The trainer dashboard's widgets: the tabs, the class filter, the roster, and the attempts with their charts
and one attempt in detail (the tables are shaped in guide/training_report.py from guide/training_views.py; the
passcode gate is guide/ui/passcode.py; classes are guide/ui/classes.py)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from guide import training_report, training_views
from guide.content import text, ui_settings
from guide.content.language import current
from guide.training import attempt_in_link, scenarios
from guide.training_report import Progress, RosterContext
from guide.ui.certificates import get_certificates
from guide.ui.state import CLASS_LINK, get_store, get_training
from guide.ui.widgets import plain

DETAIL = "attempt_detail"  # the attempt opened in detail, in the URL
TABS = ("roster", "attempts", "classes", "authoring", "certificates", "export")
PERCENT = st.column_config.NumberColumn(format="%.0f%%")
LABEL_PX = 170  # a chart's labels: room for the bars at 390 px too (the whole text is in the tooltip and the table)
LINES = "split(datum.label, '\\n')"  # an axis label of two lines (Vega draws a list of lines)
LINES_STEP = 34  # the band of a two-line label, so the lines of one bar do not touch the next


def trainer_tabs() -> list[Any]:
    """The dashboard's tabs, the open one kept in the URL (`?trainer_tab=`); only the open tab's body runs."""
    labels = [text("trainer", f"tab_{tab}") for tab in TABS]
    return list(st.tabs(labels, key="trainer_tab", on_change="rerun", bind="query-params"))


def class_filter() -> str | None:
    """Which class the dashboard shows (None: every trainee)."""
    groups = {g.id: g.name for g in get_training().list_classes()}
    linked = st.query_params.get(CLASS_LINK)  # a class link opens the dashboard on that class
    if linked in groups and "trainer_class" not in st.session_state:
        st.session_state["trainer_class"] = linked
    chosen: str | None = st.selectbox(
        text("trainer", "class_filter"),
        [None, *groups],
        format_func=lambda cid: text("trainer", "all_classes") if cid is None else groups[cid],
        key="trainer_class",
    )
    return chosen


Version = training_views.Version


def _version() -> Version:
    get_certificates()  # its table exists before the version counts it (a process may not have made it yet)
    return training_views.version(get_store())


def _titles() -> dict[str, str]:
    return {sid: s.title for sid, s in scenarios().items()}


# --- roster ---------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def roster(class_id: str | None, version: Version, language: str) -> pd.DataFrame:
    """The roster of the class in `language`; `version` (attempts and trainees counted) refreshes it."""
    del version, language
    store, training = get_store(), get_training()
    groups = training.list_classes(archived=True)
    context = RosterContext(
        class_names={g.id: g.name for g in groups},
        class_sets={g.id: g.scenario_ids for g in groups},
        scenarios=scenarios(),
        certified=frozenset(c.trainee_id for c in get_certificates().list(class_id) if c.revoked_at is None),
    )
    return training_report.roster_frame(training_views.roster_entries(store, class_id), context)


def roster_panel(class_id: str | None) -> None:
    """Who is where: one row a trainee, searchable, by progress, sortable by any column, and as CSV."""
    frame = roster(class_id, _version(), current())
    st.subheader(text("trainer", "roster"), anchor=False, help=text("trainer", "roster_help"))
    if frame.empty:
        st.info(text("trainer", "no_data"))
        return
    st.write(_roster_summary(frame))  # the table's gist in words, for a screen reader too
    search, which = st.columns([2, 1])
    query = search.text_input(text("trainer", "roster_search"), key="roster_search", max_chars=80)
    progress = which.selectbox(
        text("trainer", "roster_progress"),
        [None, *Progress],
        format_func=lambda p: text("trainer", "roster_any") if p is None else text("progress", p),
        key="roster_progress",
    )
    shown = training_report.filter_roster(frame, query, progress)
    if shown.empty:
        st.info(text("trainer", "roster_empty"))
        return
    levels = [c for c in shown.columns if shown[c].dtype.kind == "f"]
    st.dataframe(shown, hide_index=True, width="stretch", column_config=dict.fromkeys(levels, PERCENT), placeholder="–")
    st.download_button(
        text("trainer", "roster_csv"),
        lambda: training_report.roster_csv(shown),
        file_name="cancel-coach-roster.csv",
        mime="text/csv",
        icon=":material/download:",
        key="roster_csv",
    )


def _roster_summary(frame: pd.DataFrame) -> str:
    progress = frame[text("trainer", "col_progress")].value_counts()
    certified = int((frame[text("trainer", "col_certified")] == text("trainer", "yes")).sum())
    counts = {p: int(progress.get(text("progress", p), 0)) for p in Progress}
    return text(
        "trainer",
        "roster_summary",
        count=len(frame),
        certified=certified,
        not_started=counts[Progress.NOT_STARTED],
        in_progress=counts[Progress.IN_PROGRESS],
        done=counts[Progress.DONE],
    )


# --- attempts -------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def attempts(class_id: str | None, version: Version, language: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The attempts table, the mean by scenario and the most common mistakes of the class, in `language`."""
    del version, language
    store, titles = get_store(), _titles()
    rows = list(training_views.attempt_rows(store, class_id))
    table = training_report.attempts_table(rows, scenarios())
    means = training_report.mean_by_scenario(rows, titles)
    mistakes = training_report.mistakes_frame(training_views.mistake_counts(store, class_id), titles)
    return table, means, mistakes


@st.cache_data(show_spinner=False, max_entries=16)
def best_scores(class_id: str | None, version: Version, language: str) -> pd.DataFrame:
    del version, language
    return training_report.best_by_trainee(training_views.roster_entries(get_store(), class_id), _titles())


def attempts_panel(class_id: str | None) -> None:
    """Best scores, the charts with their gist in words, every attempt, and the one selected in detail."""
    version = _version()
    table, means, mistakes = attempts(class_id, version, current())
    if table.empty:
        st.info(text("trainer", "no_data"))
        return
    st.subheader(text("trainer", "progress"), anchor=False)
    best = best_scores(class_id, version, current())
    st.dataframe(best, column_config=dict.fromkeys(best.columns, PERCENT), placeholder="–", width="stretch")
    by_scenario_chart(means)
    mistakes_chart(mistakes)
    st.subheader(text("trainer", "attempts"), anchor=False, help=text("trainer", "detail_help"))
    query = st.text_input(text("trainer", "attempts_search"), key="attempts_search", max_chars=80)
    table = training_report.filter_attempts(table, query)
    score = text("trainer", "col_score")
    picked = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={score: st.column_config.NumberColumn(format="percent")},
        on_select="rerun",
        selection_mode="single-row",
        key="attempts_table",
    )
    rows = picked.selection.rows if picked is not None else []
    if rows:  # the drill-down is in the URL too, so a link opens it (and a reload keeps it)
        st.query_params[DETAIL] = str(table.index[rows[0]])
    wanted = attempt_in_link(st.query_params.get(DETAIL))
    detail_panel(table, wanted if wanted in table.index else None)


def by_scenario_chart(means: pd.DataFrame) -> None:
    """Where the class scores lowest: one bar a scenario, in ui.json's colour, each bar read as it is shown."""
    scenario, score, count = (text("trainer", c) for c in ("col_scenario", "col_score", "col_attempts"))
    lowest = means.sort_values(score).iloc[0]
    title = text("trainer", "by_scenario")
    summary = text(
        "trainer", "by_scenario_summary", scenario=lowest[scenario], score=lowest[score], count=lowest[count]
    )
    chart = (
        alt.Chart(training_report.scenario_bars(means), title=title)
        .mark_bar(color=ui_settings().chart_colour.bar)
        .encode(
            x=alt.X(f"{score}:Q", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y(f"{scenario}:N", sort="x", axis=alt.Axis(labelLimit=LABEL_PX, title=None)),
            tooltip=[alt.Tooltip(scenario), alt.Tooltip(f"{score}:Q", format=".0%"), alt.Tooltip(count)],
            description=alt.Description(f"{training_report.BAR_WORDS}:N"),
        )
    )
    _chart_with_text(chart, title, summary, training_report.chart_table(means, percent=[score]))


def mistakes_chart(mistakes: pd.DataFrame) -> None:
    """What the class misses most: one bar a mistake, coloured and labelled by its kind (never colour alone)."""
    if mistakes.empty:
        return
    scenario, mistake, kind, count = (
        text("trainer", c) for c in ("col_scenario", "col_mistake", "col_kind", "col_count")
    )
    top = mistakes.iloc[0]
    title = text("trainer", "mistakes")
    summary = text("trainer", "mistakes_summary", mistake=top[mistake], scenario=top[scenario], count=top[count])
    colours = training_report.kind_colours(mistakes[kind])
    chart = (
        alt.Chart(training_report.mistake_bars(mistakes), title=title, height=alt.Step(LINES_STEP))
        .mark_bar()
        .encode(
            x=alt.X(f"{count}:Q", axis=alt.Axis(tickMinStep=1, format="d")),
            # Two lines a label: the mistake, then its kind and scenario (the kind in words, not by colour alone).
            y=alt.Y(
                f"{training_report.BAR_LABEL}:N",
                sort="-x",
                axis=alt.Axis(labelLimit=LABEL_PX, title=None, labelExpr=LINES),
            ),
            # One legend entry a line under the chart: on a phone two columns were cut off at the right.
            color=alt.Color(
                f"{kind}:N",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=LABEL_PX),
            ),
            tooltip=[alt.Tooltip(c) for c in (kind, mistake, scenario, count)],
            description=alt.Description(f"{training_report.BAR_WORDS}:N"),
        )
    )
    _chart_with_text(chart, title, summary, mistakes)


def _chart_with_text(chart: alt.Chart, title: str, summary: str, table: pd.DataFrame) -> None:
    """A chart named by its title and gist (Vega makes the description the chart's aria-label), the gist in one
    line, and its data as a table (what a screen reader reads instead), the toggle naming the chart it is for."""
    name = text("trainer", "chart_name", chart=title, summary=summary)
    words = ui_settings().chart_colour.text
    readable = (
        chart.properties(description=name)
        .configure_axis(labelColor=words, titleColor=words)
        .configure_legend(labelColor=words, titleColor=words)
    )
    st.altair_chart(readable, width="stretch")
    st.caption(plain(summary))
    with st.expander(text("trainer", "chart_table_of", chart=title)):
        st.table(table, hide_index=True, alt=title)


# --- one attempt ----------------------------------------------------------------------------------


def detail_panel(table: pd.DataFrame, attempt_id: int | None) -> None:
    """Why an attempt lost marks: every mark with both answers, the reason, what was written (with the rubric's
    findings in the marks), what was done in the simulator at its simulated time, and the time spent."""
    st.subheader(text("trainer", "detail"), anchor=False)
    attempt = training_views.attempt_by_id(get_store(), attempt_id) if attempt_id is not None else None
    if attempt is None or attempt.result is None:
        st.caption(text("trainer", "detail_none"))
        return
    st.markdown(plain(training_report.detail_head(table.loc[attempt_id].to_dict(), attempt)))
    st.dataframe(training_report.mark_rows(attempt), hide_index=True, width="stretch")
    record = attempt.record
    if record is None:
        st.caption(text("trainer", "detail_legacy"))
        return
    st.markdown(f"**{text('trainer', 'detail_reasons')}**")
    st.write(plain(training_report.reasons_in_words(record)) or text("trainer", "detail_no_reason"))
    st.markdown(f"**{text('trainer', 'detail_messages')}**")
    for message in record.messages or [text("trainer", "detail_no_messages")]:
        st.text(message)
    st.markdown(f"**{text('trainer', 'detail_reply')}**")
    st.text(record.reply or text("trainer", "detail_no_reply"))
    st.markdown(f"**{text('trainer', 'detail_steps')}**")
    steps = training_report.step_rows(attempt)
    if steps.empty:
        st.caption(text("trainer", "detail_no_steps"))
    else:
        st.dataframe(steps, hide_index=True, width="stretch")
    st.caption(text("trainer", "detail_time", minutes=round(record.seconds / 60, 1)))
