"""Certificates that can be checked: who may have one, the record kept of each, and its verify link.

A certificate is issued only when the trainee's assigned set is passed (`eligible`), is kept as a row with an
unguessable id, and can be revoked with a reason; anyone holding the id can verify it. The PDF is
guide/certificate.py.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from guide.content import text
from guide.content.formats import stamp
from guide.db import UTCDateTime, metadata
from guide.store import Store
from guide.training import Difficulty, Scenario, certificate_rule, certified, scenarios
from guide.training_records import NAME_MAX, Trainee, TrainingInputError, is_token
from guide.training_store import TrainingStore

CERTIFICATE_ID = re.compile(r"[A-Za-z0-9_-]{16}")  # secrets.token_urlsafe(12); always fullmatch
ORG_MAX = 80
REASON_MAX = 200
ORG_ENV = "CANCEL_COACH_ORG_NAME"
PUBLIC_URL_ENV = "CANCEL_COACH_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501"
VERIFY_PAGE = "certificate"  # the page registry's name of the verify page, and its query parameter
CLASS_NAME_MAX = 80

certificates = Table(
    "certificates",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("trainee_id", String(64), ForeignKey("trainees.id"), nullable=False),
    Column("trainee_name", String(NAME_MAX), nullable=False),  # as it was at issue
    Column("class_id", String(64), ForeignKey("classes.id"), nullable=True),
    Column("class_name", String(CLASS_NAME_MAX), nullable=True),
    Column("organisation", String(ORG_MAX), nullable=False),
    Column("scenario_ids", Text, nullable=False),  # JSON list of the scenarios covered
    Column("level_scores", Text, nullable=False),  # JSON {difficulty: mean counted score}
    Column("issued_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("revoke_reason", String(REASON_MAX), nullable=True),
    Index("ix_certificates_class", "class_id"),
)
# One valid certificate per trainee and class, even when two clicks race (NULL class: no class).
Index(
    "ux_certificates_valid",
    certificates.c.trainee_id,
    func.coalesce(certificates.c.class_id, ""),
    unique=True,
    sqlite_where=certificates.c.revoked_at.is_(None),
    postgresql_where=certificates.c.revoked_at.is_(None),
)


class CertificateInputError(TrainingInputError):
    """A certificate request the app refuses, with a plain message. Nothing was saved."""


class UnknownCertificate(LookupError):
    pass


class Status(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CertificateRecord:
    id: str
    trainee_id: str
    trainee_name: str
    class_id: str | None
    class_name: str | None
    organisation: str
    scenario_ids: list[str]
    level_scores: dict[str, float]  # by Difficulty value, easiest first
    issued_at: datetime
    revoked_at: datetime | None = None
    revoke_reason: str | None = None

    @property
    def status(self) -> Status:
        return Status.VALID if self.revoked_at is None else Status.REVOKED

    @property
    def scenario_titles(self) -> list[str]:
        """The covered scenarios' titles (a scenario since removed from the content keeps its id)."""
        return [scenarios()[sid].title if sid in scenarios() else sid for sid in self.scenario_ids]

    @property
    def level_lines(self) -> list[str]:
        """Each level's score in words, with how many covered scenarios it is over."""
        counts = {level: 0 for level in Difficulty}
        for sid in self.scenario_ids:
            if sid in scenarios():
                counts[scenarios()[sid].difficulty] += 1
        return [
            text(
                "certificate",
                "level_line",
                level=text("difficulty", level),
                value=value,
                count=counts[Difficulty(level)],
            )
            for level, value in self.level_scores.items()
        ]


@dataclass(frozen=True)
class Verification:
    status: Status
    record: CertificateRecord | None


# --- the rule (pure) ---


def _passes(value: float) -> bool:
    return round(value, 9) >= certificate_rule().pass_mark  # a mean's float noise is the pass mark all the same


def eligible(best: Mapping[str, float], scenario_set: Sequence[Scenario], in_class: bool) -> bool:
    """May this trainee have a certificate? In a class: every scenario of its set at the pass mark or above,
    by the counted score. Without a class: the pass mark on every level, each over enough scenarios."""
    if not in_class:
        return certified(dict(best))
    return bool(scenario_set) and all(_passes(best.get(s.id, 0.0)) for s in scenario_set)


def covered(best: Mapping[str, float], scenario_set: Sequence[Scenario]) -> list[str]:
    """The scenarios a certificate covers: those of the trainee's set with a counted score."""
    return [s.id for s in scenario_set if s.id in best]


def level_means(best: Mapping[str, float], scenario_ids: Sequence[str]) -> dict[str, float]:
    """Each level's mean counted score over the covered scenarios, easiest first; a level with none is left out."""
    by_level: dict[Difficulty, list[float]] = {level: [] for level in Difficulty}
    for sid in scenario_ids:
        if sid in scenarios() and sid in best:
            by_level[scenarios()[sid].difficulty].append(best[sid])
    return {level.value: sum(v) / len(v) for level, v in by_level.items() if v}


# --- configuration and input ---


def _one_line(value: str, limit: int) -> str:
    """Whitespace runs as one space, control and format characters dropped, cut to `limit`."""
    kept = "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs") or ch.isspace())
    return " ".join(kept.split())[:limit]


def organisation_name(secret: object = None) -> str:
    """The issuing organisation: CANCEL_COACH_ORG_NAME, else the app's secret `org_name` (read by the UI),
    else the content's default."""
    for candidate in (os.environ.get(ORG_ENV), secret):
        if isinstance(candidate, str) and _one_line(candidate, ORG_MAX):
            return _one_line(candidate, ORG_MAX)
    return text("certificate", "org_default")


def verify_link(certificate_id: str) -> str:
    """Where anyone can check the certificate: the app's public address, or this machine's."""
    base = (os.environ.get(PUBLIC_URL_ENV) or "").strip().rstrip("/") or DEFAULT_PUBLIC_URL
    return f"{base}/{VERIFY_PAGE}?{VERIFY_PAGE}={certificate_id}"


def is_certificate_id(value: object) -> bool:
    """Whether a value (from a link) could be a certificate's id. Anything else is refused before any SQL: a
    NUL byte would reach PostgreSQL as a DataError, and junk needs no round trip to be unknown."""
    return isinstance(value, str) and CERTIFICATE_ID.fullmatch(value) is not None


def clean_reason(raw: object) -> str:
    """A revoke reason on one line; refused when empty or too long."""
    reason = _one_line(raw, REASON_MAX + 1) if isinstance(raw, str) else ""
    if not reason:
        raise CertificateInputError(text("certificate_errors", "reason_empty"))
    if len(reason) > REASON_MAX:
        raise CertificateInputError(text("certificate_errors", "reason_too_long", limit=REASON_MAX))
    return reason


def table_rows(records: Sequence[CertificateRecord]) -> builtins.list[dict[str, str]]:
    """The trainer's table: one row per certificate, columns named from content."""
    column = {key: text("certificate_admin", f"col_{key}") for key in ("trainee", "class", "issued", "status", "id")}
    return [
        {
            column["trainee"]: r.trainee_name,
            column["class"]: r.class_name or text("certificate_admin", "no_class"),
            column["issued"]: stamp(r.issued_at),
            column["status"]: text("certificate_status", r.status),
            column["id"]: r.id,
        }
        for r in records
    ]


def _from_row(row: Any) -> CertificateRecord:
    return CertificateRecord(
        id=row["id"],
        trainee_id=row["trainee_id"],
        trainee_name=row["trainee_name"],
        class_id=row["class_id"],
        class_name=row["class_name"],
        organisation=row["organisation"],
        scenario_ids=json.loads(row["scenario_ids"]),
        level_scores=json.loads(row["level_scores"]),
        issued_at=row["issued_at"],
        revoked_at=row["revoked_at"],
        revoke_reason=row["revoke_reason"],
    )


class CertificateStore:
    """The certificate records, on the order store's engine and transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store
        metadata.create_all(store.engine)

    def held(self, trainee: Trainee) -> CertificateRecord | None:
        """The trainee's newest certificate for their class (valid or revoked), or None."""
        same_class = (
            certificates.c.class_id.is_(None)
            if trainee.class_id is None
            else certificates.c.class_id == trainee.class_id
        )
        query = (
            select(certificates)
            .where(certificates.c.trainee_id == trainee.id, same_class)
            .order_by(certificates.c.revoked_at.is_not(None), certificates.c.issued_at.desc())
        )
        with self.store.reading() as conn:
            row = conn.execute(query).mappings().first()
        return _from_row(row) if row is not None else None

    def issue(self, training: TrainingStore, trainee: Trainee, organisation: str | None = None) -> CertificateRecord:
        """The trainee's certificate: the one already held, or a new one when the assigned set is passed.
        `organisation` is organisation_name() as the UI resolved it. A revoked certificate is not replaced: a
        trainee could otherwise undo the trainer's revocation with one click."""
        known = self.held(trainee)
        if known is not None and known.status is Status.REVOKED:
            raise CertificateInputError(text("certificate_errors", "revoked"))
        if known is not None:
            return known
        best = training.best_scores(trainee.id)
        scenario_set = training.scenario_set(trainee)
        if not eligible(best, scenario_set, trainee.class_id is not None):
            raise CertificateInputError(text("certificate_errors", "not_eligible"))
        ids = covered(best, scenario_set)
        record = CertificateRecord(
            id=secrets.token_urlsafe(12),
            trainee_id=trainee.id,
            trainee_name=trainee.name,
            class_id=trainee.class_id,
            class_name=training.get_class(trainee.class_id).name if trainee.class_id else None,
            organisation=_one_line(organisation or "", ORG_MAX) or organisation_name(),
            scenario_ids=ids,
            level_scores=level_means(best, ids),
            issued_at=datetime.now(UTC),
        )
        try:
            self._insert(record)
        except IntegrityError:  # another click issued it a moment ago: that one is the trainee's
            raced = self.held(trainee)
            if raced is None:
                raise
            return raced
        return record

    def _insert(self, record: CertificateRecord) -> None:
        values = dict(record.__dict__, scenario_ids=json.dumps(record.scenario_ids))
        values["level_scores"] = json.dumps(record.level_scores)
        with self.store.writing() as conn:
            conn.execute(insert(certificates).values(**values))

    def get(self, certificate_id: str) -> CertificateRecord:
        if not is_certificate_id(certificate_id):
            raise UnknownCertificate(certificate_id)
        with self.store.reading() as conn:
            row = conn.execute(select(certificates).where(certificates.c.id == certificate_id)).mappings().first()
        if row is None:
            raise UnknownCertificate(certificate_id)
        return _from_row(row)

    def verify(self, certificate_id: object) -> Verification:
        """Valid or revoked, with the record; unknown (no record) for an id never issued or not an id at all."""
        if not isinstance(certificate_id, str):
            return Verification(Status.UNKNOWN, None)
        try:
            record = self.get(certificate_id)
        except UnknownCertificate:
            return Verification(Status.UNKNOWN, None)
        return Verification(record.status, record)

    def revoke(self, certificate_id: str, reason: str) -> CertificateRecord:
        """Revoke a valid certificate with a reason; an unknown or already revoked one is refused."""
        cleaned = clean_reason(reason)
        try:
            self.get(certificate_id)
        except UnknownCertificate:
            raise CertificateInputError(text("certificate_errors", "unknown")) from None
        with self.store.writing() as conn:
            done = conn.execute(
                update(certificates)
                .where(certificates.c.id == certificate_id, certificates.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC), revoke_reason=cleaned)
            )
        if done.rowcount != 1:
            raise CertificateInputError(text("certificate_errors", "already_revoked"))
        return self.get(certificate_id)

    def list(self, class_id: str | None = None) -> builtins.list[CertificateRecord]:
        """Every certificate, newest first, or those of one class (a junk class id has none)."""
        query = select(certificates).order_by(certificates.c.issued_at.desc(), certificates.c.id)
        if class_id is not None:
            if not is_token(class_id):
                return []
            query = query.where(certificates.c.class_id == class_id)
        with self.store.reading() as conn:
            return [_from_row(r) for r in conn.execute(query).mappings().all()]
