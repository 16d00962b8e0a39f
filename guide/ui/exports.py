"""The trainer's Export tab: the attempts as CSV and as xAPI statements (built only when downloaded), and
sending them to a learning record store when one is set up (guide/attempt_export.py, guide/lrs.py)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from guide import attempt_export, lrs
from guide.content import text
from guide.content.formats import stamp
from guide.ui.state import get_store
from guide.ui.widgets import plain

QUEUE_SHOWN = 200  # rows of the failed-statements table; the caption gives the whole count
RESULT = "export_lrs_result"


def export_panel(class_id: str | None) -> None:
    """Downloads, then the LRS: send, the result in words, and what failed with a Retry button."""
    st.subheader(text("export", "heading"), anchor=False)
    st.caption(text("export", "intro"))
    try:
        base_url: str | None = attempt_export.public_url()
    except attempt_export.ExportConfigError as refused:
        st.error(str(refused))
        base_url = None
    _downloads(class_id, base_url)
    if base_url is not None:
        _lrs_section(class_id, base_url)


def _downloads(class_id: str | None, base_url: str | None) -> None:
    store = get_store()
    left, right = st.columns(2)
    with left:
        st.download_button(
            text("export", "csv"),
            lambda: attempt_export.attempts_csv(store, class_id),
            file_name="cancel-coach-attempts.csv",
            mime="text/csv",
            key="export_csv",
            help=text("export", "csv_help"),
            on_click="ignore",
            icon=":material/download:",
        )
    with right:
        st.download_button(
            text("export", "xapi"),
            (lambda: attempt_export.xapi_file(store, class_id, base_url)) if base_url else b"",
            file_name="cancel-coach-xapi-statements.json",
            mime="application/json",
            key="export_xapi",
            help=text("export", "xapi_help"),
            on_click="ignore",
            icon=":material/download:",
            disabled=base_url is None,
        )


def _lrs_settings() -> dict[str, Any]:
    """lrs_url, lrs_key and lrs_secret from .streamlit/secrets.toml, if there is one."""
    try:
        return {name: st.secrets.get(name) for name in lrs.SECRETS.values()}
    except Exception:  # no secrets file at all: Streamlit raises rather than returning nothing
        return {}


def _lrs_section(class_id: str | None, base_url: str) -> None:
    st.subheader(text("export", "lrs_heading"), anchor=False)
    try:
        config = lrs.lrs_config(secrets=_lrs_settings())
    except lrs.LrsConfigError as refused:
        st.error(str(refused))
        return
    if config is None:
        st.info(text("export", "lrs_not_configured"), icon=":material/info:")
        return
    store = get_store()
    st.caption(text("export", "lrs_target", url=plain(config.statements_url)))
    if st.button(text("export", "send"), key="export_lrs_send", help=text("export", "send_help"), type="primary"):
        with st.spinner(text("export", "sending")):
            st.session_state[RESULT] = lrs.send_pending(
                store, config, attempt_export.xapi_statements(store, class_id, base_url)
            )
    _result()
    waiting = lrs.queue_size(store)
    if not waiting:
        st.caption(text("export", "queue_empty"))
        return
    st.markdown(f"**{text('export', 'queue_heading')}**")
    rows = lrs.queued(store, limit=QUEUE_SHOWN)
    st.caption(text("export", "queue_caption", count=waiting, shown=len(rows)))
    st.dataframe(_queue_frame(rows), hide_index=True, width="stretch")
    if st.button(text("export", "retry"), key="export_lrs_retry", icon=":material/refresh:"):
        with st.spinner(text("export", "retrying")):
            st.session_state[RESULT] = lrs.retry_queue(store, config)
        st.rerun()  # the result above and the table drawn again from the queue as it is now


def _result() -> None:
    summary: lrs.SendSummary | None = st.session_state.get(RESULT)
    if summary is None:
        return
    shown = st.warning if summary.failed else st.success
    shown(plain(lrs.summary_text(summary)))


def _queue_frame(rows: list[lrs.Queued]) -> pd.DataFrame:
    """The LRS's answer first: on a phone the first columns are the ones in view."""
    columns = [text("export", c) for c in ("col_error", "col_tries", "col_tried", "col_statement")]
    return pd.DataFrame(
        [(q.last_error, q.tries, stamp(q.last_tried_at), q.statement_id) for q in rows],
        columns=columns,
    )
