"""The trainer dashboard's widgets: the passcode gate, progress tables, charts, export and classes."""

from __future__ import annotations

import hmac
import json
import os
import threading
import time
from dataclasses import dataclass, field

import altair as alt
import pandas as pd
import streamlit as st

from guide.content import text
from guide.store import ImportRejected
from guide.training import Question, scenarios
from guide.training_store import TrainingInputError
from guide.ui.training import get_training
from guide.ui.widgets import displayable, plain

UNLOCKED = "trainer_unlocked"
FAILURES = "trainer_failures"
MAX_DELAY_SECONDS = 5.0


def configured_passcode() -> str | None:
    """The operator's passcode: CANCEL_COACH_TRAINER_PASSCODE, else trainer_passcode in st.secrets."""
    from_env = os.environ.get("CANCEL_COACH_TRAINER_PASSCODE")
    if from_env:
        return from_env
    try:
        value = st.secrets.get("trainer_passcode")
    except Exception:
        return None
    return str(value) if value else None


def gate() -> bool:
    """True when the dashboard may show data; otherwise it explains what to do and shows none."""
    passcode = configured_passcode()
    if passcode is None:
        st.info(text("trainer", "not_configured"), icon=":material/lock:")
        st.caption(text("trainer", "how_to"))
        return False
    if st.session_state.get(UNLOCKED):
        st.button(text("trainer", "lock"), key="trainer_lock", on_click=lambda: st.session_state.pop(UNLOCKED, None))
        return True
    with st.form("trainer_gate", clear_on_submit=True):
        st.text_input(text("trainer", "passcode"), type="password", key="trainer_passcode_input")
        st.form_submit_button(text("trainer", "unlock"), type="primary", on_click=_try, args=(passcode,))
    if st.session_state.get(FAILURES):
        st.error(text("trainer", "wrong"))
    return False


@dataclass
class WrongGuesses:
    """Wrong passcodes in a row, counted for the whole server process."""

    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource
def wrong_guesses() -> WrongGuesses:
    """One count for every session: a guesser who opens a new session (a new tab, a new websocket) for each
    guess must not start again from the shortest wait."""
    return WrongGuesses()


def _try(passcode: str) -> None:
    """Constant-time comparison; each wrong attempt in a row, from any session, waits longer (up to a few
    seconds)."""
    given = st.session_state.pop("trainer_passcode_input", "") or ""
    guesses = wrong_guesses()
    if hmac.compare_digest(given.encode("utf-8"), passcode.encode("utf-8")):
        st.session_state[UNLOCKED] = True
        st.session_state.pop(FAILURES, None)
        with guesses.lock:
            guesses.count = 0
        return
    st.session_state[FAILURES] = True
    with guesses.lock:
        guesses.count += 1
        failures = guesses.count
    slow_down(min(0.5 * 2 ** (failures - 1), MAX_DELAY_SECONDS))


def slow_down(seconds: float) -> None:
    """Wait before answering a wrong passcode, so guessing is slow (a module function tests can replace)."""
    time.sleep(seconds)


@st.cache_data(show_spinner=False, max_entries=16)
def attempts_frame(class_id: str | None, version: int) -> pd.DataFrame:
    """Every scored attempt, one row each with its answers; `version` (the attempt count) refreshes it."""
    del version
    rows = get_training().submitted_rows(class_id)
    titles = {s.id: s.title for s in scenarios().values()}
    trainee, scenario, attempt, score, when = (
        text("trainer", c) for c in ("col_trainee", "col_scenario", "col_attempt", "col_score", "col_when")
    )
    # Looked up once, not once per row: with tens of thousands of attempts these lookups were a large part of
    # building the frame.
    questions = [(q.value, text("question", q), f"{q.value}_correct", q) for q in Question]
    labels: dict[tuple[Question, str], str] = {}
    records = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        pair = (row["trainee_id"], row["scenario_id"])
        seen[pair] = seen.get(pair, 0) + 1
        answers = json.loads(row["answers"] or "{}")
        marks = {m["item"]: m for m in json.loads(row["marks"] or "[]")}
        record = {
            "trainee_id": row["trainee_id"],
            trainee: row["name"],
            scenario: titles.get(row["scenario_id"], row["scenario_id"]),
            "scenario_id": row["scenario_id"],
            attempt: seen[pair],
            score: round(float(row["score"] or 0.0), 3),
            when: row["submitted_at"].strftime("%Y-%m-%d %H:%M"),
        }
        for value, column, correct, question in questions:
            given = answers.get(value, "")
            if given and (question, given) not in labels:
                labels[question, given] = answer_label(question, given)
            record[column] = labels[question, given] if given else ""
            record[correct] = bool(marks.get(value, {}).get("correct"))
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return frame
    # Names, titles and answers repeat over thousands of rows: as categories, the attempts table sent to the
    # browser on every rerun is several times smaller and quicker to serialise (the text shown and exported is
    # the same; the categories sort as the text does).
    repeated = ["trainee_id", "scenario_id", trainee, scenario, *(column for _, column, _, _ in questions)]
    return frame.astype(dict.fromkeys(repeated, "category"))


def answer_label(question: Question, value: str) -> str:
    """A short label for an answer: the status or path name, or the refund answer's first words."""
    if question is Question.STATUS:
        return text("status", value)
    if question is Question.PATH:
        return text("path", value)
    return text("refund_answer", value).split(",")[0].split(";")[0]


def progress_table(frame: pd.DataFrame) -> None:
    trainee, scenario, score = (text("trainer", c) for c in ("col_trainee", "col_scenario", "col_score"))
    best = frame.pivot_table(index="trainee_id", columns=scenario, values=score, aggfunc="max", observed=True)
    names = frame.drop_duplicates("trainee_id").set_index("trainee_id")[trainee].astype(str)
    twice = set(names[names.duplicated(keep=False)])  # two trainees with one name stay two rows
    labels = [f"{names[t]} (…{str(t)[-4:]})" if names[t] in twice else names[t] for t in best.index.astype(str)]
    best = best.set_axis(labels, axis=0).set_axis(best.columns.astype(str), axis=1)  # plain strings, not categories
    best.index.name = trainee
    # Percentages through column_config, not a pandas Styler: styling each cell of a few hundred trainees times
    # the scenarios cost most of a rerun. The same text: "67%", and "–" for a scenario not tried yet.
    percent = st.column_config.NumberColumn(format="%.0f%%")
    st.dataframe(best * 100, column_config=dict.fromkeys(best.columns, percent), placeholder="–", width="stretch")


def attempts_table(frame: pd.DataFrame) -> None:
    hidden = ["trainee_id", "scenario_id", *(f"{q.value}_correct" for q in Question)]
    score = text("trainer", "col_score")
    column_config = {score: st.column_config.NumberColumn(format="percent")}
    st.dataframe(frame.drop(columns=hidden), hide_index=True, width="stretch", column_config=column_config)


def charts(frame: pd.DataFrame) -> None:
    scenario, score = text("trainer", "col_scenario"), text("trainer", "col_score")
    by_scenario = frame.groupby(scenario, as_index=False, observed=True)[score].mean()
    by_scenario[scenario] = by_scenario[scenario].astype(str)  # the chart gets plain text, not categories
    st.altair_chart(
        alt.Chart(by_scenario, title=text("trainer", "by_scenario"))
        .mark_bar()
        .encode(
            x=alt.X(f"{score}:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y(f"{scenario}:N", sort="-x", axis=alt.Axis(labelLimit=320)),
        ),
        width="stretch",
    )
    wrong = []
    for question in Question:
        misses = frame.loc[~frame[f"{question.value}_correct"], [scenario, text("question", question)]]
        for (title, given), count in misses.groupby(list(misses.columns), observed=True).size().items():
            wrong.append(
                {
                    scenario: title,
                    text("trainer", "col_question"): text("question", question),
                    text("trainer", "col_answer"): given or "–",
                    text("trainer", "col_count"): int(count),
                }
            )
    if wrong:
        top = pd.DataFrame(wrong).sort_values(text("trainer", "col_count"), ascending=False).head(15)
        st.altair_chart(
            alt.Chart(top, title=text("trainer", "wrong_answers"))
            .mark_bar()
            .encode(
                x=alt.X(f"{text('trainer', 'col_count')}:Q", axis=alt.Axis(tickMinStep=1, format="d")),
                y=alt.Y(f"{text('trainer', 'col_answer')}:N", sort="-x", axis=alt.Axis(labelLimit=320)),
                color=alt.Color(
                    f"{text('trainer', 'col_question')}:N", legend=alt.Legend(orient="bottom", labelLimit=400)
                ),
                tooltip=[alt.Tooltip(column) for column in top.columns],  # as strings, Altair takes far longer
            ),
            width="stretch",
        )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell that a spreadsheet would run as a formula (a trainee named
    "=HYPERLINK(...)") prefixed with an apostrophe, as OWASP advises for CSV exports; it still reads as typed."""

    def safe(value: object) -> object:
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value

    return frame.astype(object).map(safe)


def export_button(frame: pd.DataFrame) -> None:
    """Every attempt as CSV, written only when the trainer clicks (a deferred download): writing tens of
    thousands of rows on every rerun would cost most of the page's time."""
    st.download_button(
        text("trainer", "export"),
        lambda: spreadsheet_safe(frame).to_csv(index=False).encode("utf-8"),
        file_name="cancel-coach-attempts.csv",
        mime="text/csv",
        icon=":material/download:",
    )


def classes_panel() -> None:
    training = get_training()
    flash = st.session_state.pop("trainer_flash", None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(flash[1])
    with st.form("new_class", clear_on_submit=True):
        st.text_input(text("trainer", "new_class"), key="new_class_name", max_chars=80)
        st.multiselect(
            text("trainer", "class_scenarios"),
            list(scenarios()),
            format_func=lambda sid: scenarios()[sid].title,
            key="new_class_scenarios",
            help=text("trainer", "class_scenarios_help"),
        )
        st.form_submit_button(text("trainer", "create_class"), on_click=_create_class)
    for group in training.list_classes():
        with st.expander(plain(group.name)):
            st.text_input(
                text("trainer", "class_link"), f"?class={group.id}", key=f"class_link_{group.id}", disabled=True
            )
            st.caption(", ".join(scenarios()[s].title for s in group.scenario_ids if s in scenarios()) or "–")
            upload = st.file_uploader(
                text("trainer", "load_orders"),
                type=["json"],
                key=f"class_orders_{group.id}",
                help=text("trainer", "load_orders_help"),
            )
            if upload is not None and st.button(text("trainer", "load_orders"), key=f"class_load_{group.id}"):
                _load_orders(group.id, upload.getvalue())


def _create_class() -> None:
    try:
        group = get_training().create_class(
            st.session_state.get("new_class_name", ""), st.session_state.get("new_class_scenarios", [])
        )
    except TrainingInputError as refused:
        st.session_state["trainer_flash"] = ("error", str(refused))
        return
    st.session_state["trainer_flash"] = ("ok", text("trainer", "created", name=plain(group.name)))


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
