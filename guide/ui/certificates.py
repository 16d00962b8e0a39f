"""Certificate widgets: the trainee's certificate, the public check page, and the trainer's list with revoking
(the rule and the records are guide/certificates.py; the PDF is guide/certificate.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from guide.certificate import certificate_pdf
from guide.certificates import (
    REASON_MAX,
    VERIFY_PAGE,
    CertificateRecord,
    CertificateStore,
    Status,
    clean_reason,
    is_certificate_id,
    organisation_name,
    table_rows,
    verify_link,
)
from guide.content import text
from guide.content.formats import day
from guide.training_records import Trainee, TrainingInputError
from guide.ui.state import get_store, get_training
from guide.ui.widgets import flash, plain, show_flash

ISSUE, ADMIN = "certificate_issue", "certificate_admin"  # flash keys, as the text sections
PENDING = "certificate_revoke_pending"  # (id, reason) awaiting the trainer's confirmation


@st.cache_resource
def get_certificates() -> CertificateStore:
    """The certificate records, on the app's one store."""
    return CertificateStore(get_store())


def configured_org_secret() -> str | None:
    """`org_name` in st.secrets, if any (the environment variable wins: guide.certificates.organisation_name)."""
    try:
        value = st.secrets.get("org_name")
    except Exception:  # no secrets file at all
        return None
    return str(value) if value else None


# --- the trainee's certificate ---


def held_certificate(trainee: Trainee) -> CertificateRecord | None:
    return get_certificates().held(trainee)


def certificate_offer(trainee: Trainee, held: CertificateRecord | None) -> None:
    """A revoked certificate says so; otherwise the button that issues it, or its download and verify link."""
    show_flash(ISSUE)
    if held is not None and held.revoked_at is not None:
        when = day(held.revoked_at)
        st.warning(text(ISSUE, "revoked", id=held.id, date=when, reason=plain(held.revoke_reason or "")))
        return
    certified = text(ISSUE, "certified_class") if trainee.class_id else text("trainee", "certified")
    st.success(certified, icon=":material/workspace_premium:")
    if held is None:
        st.button(
            text(ISSUE, "issue"),
            key="trainee_certificate_issue",
            type="primary",
            help=text(ISSUE, "issue_help"),
            icon=":material/workspace_premium:",
            on_click=_issue,
            args=(trainee.id,),
        )
        return
    st.download_button(
        text("trainee", "certificate"),
        lambda: certificate_pdf(held),  # written only when clicked
        file_name=text("certificate", "file", id=held.id),
        mime="application/pdf",
        type="primary",
        icon=":material/download:",
        key="trainee_certificate_download",
    )
    st.caption(text(ISSUE, "link"))
    st.code(verify_link(held.id), language=None)


def _issue(trainee_id: str) -> None:
    training = get_training()
    try:
        record = get_certificates().issue(
            training, training.get_trainee(trainee_id), organisation_name(configured_org_secret())
        )
    except TrainingInputError as refused:
        flash(ISSUE, "error", str(refused))
        return
    flash(ISSUE, "ok", text(ISSUE, "ready", id=record.id))


# --- the check page ---


def verify_header() -> None:
    """The page's title and tab name; no simulated time: a certificate is checked in real time."""
    title = text("certificate_verify", "title")
    st.set_page_config(page_title=f"{title} · {text('app', 'title')}")
    st.title(title, anchor=False)
    st.write(text("certificate_verify", "intro"))


def requested_id() -> str | None:
    return st.query_params.get(VERIFY_PAGE)


def verification_panel(raw: str | None) -> None:
    """Valid, revoked or unknown, in plain words; a missing or malformed id says so."""
    if not raw:
        st.info(text("certificate_verify", "missing"))
        return
    if not is_certificate_id(raw):
        st.warning(text("certificate_verify", "malformed"))
        return
    found = get_certificates().verify(raw)
    record = found.record
    if record is None:
        st.warning(text("certificate_verify", "unknown"))
        return
    if found.status is Status.VALID:
        st.success(text("certificate_verify", "valid"), icon=":material/verified:")
    elif record.revoked_at is not None:
        st.error(text("certificate_verify", "revoked", date=day(record.revoked_at)), icon=":material/block:")
        st.markdown(text("certificate_verify", "reason", reason=plain(record.revoke_reason or "")))
    _details(record)


def _details(record: CertificateRecord) -> None:
    fields = [
        ("organisation", record.organisation),
        ("name", record.trainee_name),
        *([("class", record.class_name)] if record.class_name else []),
        ("issued", day(record.issued_at)),
        ("scores", ", ".join(record.level_lines)),
        ("id", record.id),
    ]
    st.markdown("  \n".join(text("certificate_verify", key, value=plain(value)) for key, value in fields))
    st.markdown(text("certificate_verify", "scenarios", count=len(record.scenario_ids)))
    st.markdown("\n".join(f"- {plain(title)}" for title in record.scenario_titles))


# --- the trainer's tab ---


def certificates_panel(class_id: str | None) -> None:
    """Every certificate of the class (or all), and revoking one with a reason after a confirmation."""
    st.subheader(text(ADMIN, "title"), anchor=False)
    records = get_certificates().list(class_id)
    if not records:
        st.info(text(ADMIN, "none"))
        return
    valid = [r for r in records if r.status is Status.VALID]
    st.caption(text(ADMIN, "summary", count=len(records), valid=len(valid), revoked=len(records) - len(valid)))
    st.dataframe(pd.DataFrame(table_rows(records)), hide_index=True, width="stretch")
    st.subheader(text(ADMIN, "revoke_title"), anchor=False)
    show_flash(ADMIN)  # beside the form it answers
    if not valid:
        st.caption(text(ADMIN, "none_valid"))
        return
    by_id = {r.id: r for r in valid}
    pending = st.session_state.get(PENDING)
    if isinstance(pending, tuple) and pending[0] in by_id:
        _confirm(by_id[pending[0]], pending[1])
        return
    st.selectbox(
        text(ADMIN, "revoke_pick"),
        list(by_id),
        index=None,
        placeholder=text(ADMIN, "revoke_placeholder"),
        format_func=lambda cid: _label(by_id[cid]),
        key="certificate_revoke_pick",
    )
    st.text_input(
        text(ADMIN, "revoke_reason"),
        key="certificate_revoke_reason",
        max_chars=REASON_MAX,
        help=text(ADMIN, "revoke_reason_help"),
    )
    st.button(text(ADMIN, "revoke"), key="certificate_revoke", on_click=_ask, args=(list(by_id),))


def _label(record: CertificateRecord) -> str:
    group = record.class_name or text(ADMIN, "no_class")
    return text(ADMIN, "pick_label", name=record.trainee_name, group=group, id=record.id)


def _ask(offered: list[str]) -> None:
    """The first step: a certificate picked and a fair reason, else a refusal and nothing asked."""
    picked = st.session_state.get("certificate_revoke_pick")
    if picked not in offered:
        flash(ADMIN, "error", text("certificate_errors", "pick"))
        return
    try:
        reason = clean_reason(st.session_state.get("certificate_revoke_reason", ""))
    except TrainingInputError as refused:
        flash(ADMIN, "error", str(refused))
        return
    st.session_state[PENDING] = (picked, reason)


def _confirm(record: CertificateRecord, reason: str) -> None:
    st.warning(text(ADMIN, "confirm", id=record.id, name=plain(record.trainee_name)))
    st.markdown(text("certificate_verify", "reason", reason=plain(reason)))
    buttons = st.container(horizontal=True)
    buttons.button(
        text(ADMIN, "confirm_yes"),
        key="certificate_revoke_yes",
        type="primary",
        on_click=_revoke,
        args=(record.id, reason),
    )
    buttons.button(
        text(ADMIN, "confirm_no"), key="certificate_revoke_no", on_click=st.session_state.pop, args=(PENDING, None)
    )


def _revoke(certificate_id: str, reason: str) -> None:
    st.session_state.pop(PENDING, None)
    try:
        record = get_certificates().revoke(certificate_id, reason)
    except TrainingInputError as refused:
        flash(ADMIN, "error", str(refused))
        return
    st.session_state["certificate_revoke_reason"] = ""
    flash(ADMIN, "ok", text(ADMIN, "revoked", id=record.id, name=plain(record.trainee_name)))
