"""Certificates: who may have one, the record kept, idempotent issuing, revoking, verifying, junk ids, the PDF."""

from __future__ import annotations

import re
import threading
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.exc import IntegrityError

from guide.certificate import certificate_pdf
from guide.certificates import (
    ORG_ENV,
    PUBLIC_URL_ENV,
    REASON_MAX,
    CertificateInputError,
    CertificateRecord,
    CertificateStore,
    Status,
    UnknownCertificate,
    certificates,
    clean_reason,
    covered,
    eligible,
    is_certificate_id,
    level_means,
    organisation_name,
    table_rows,
    verify_link,
)
from guide.content import text
from guide.store import Store
from guide.training import Difficulty, Mode, Question, certificate_rule, scenarios
from guide.training_records import Trainee
from guide.training_store import TrainingStore
from tests.guide.replies import GOOD_REPLIES

MARK = certificate_rule().pass_mark
EASY = [s for s in scenarios().values() if s.difficulty is Difficulty.EASY]
MEDIUM = [s for s in scenarios().values() if s.difficulty is Difficulty.MEDIUM]
PAIR = ["e01-unpaid-wrong-size", "e02-earbuds-gift-duplicate"]
RIGHT_ACTION: dict[str, tuple[str, dict[str, str]]] = {
    "cancel_now": ("cancel", {"reason": "no_longer_needed"}),
    "request_cancellation": ("request_cancellation", {"reason": "no_longer_needed"}),
    "contact_seller": ("send_message", {"text": "Please do not ship this order; I no longer need it."}),
    "open_dispute": ("open_dispute", {}),
}
JUNK_IDS: list[Any] = [
    "",
    "short",
    "A" * 15,
    "A" * 17,
    "AbCdEfGhIjKlMnO\n",
    "AbCdEfGhIjKlMn\x00P",
    "' OR 1=1 --xxxxxx",
    "../../etc/passwdx",
    "AbCdEfGhIjKlMnOé",
    None,
    16,
    ["AbCdEfGhIjKlMnOp"],
]


def work(store: Store, training: TrainingStore, trainee: Trainee, scenario_id: str, right: bool = True) -> float:
    """One attempt at the scenario, done as a careful agent would (or with the wrong decision); its score."""
    scenario = scenarios()[scenario_id]
    attempt = training.start_attempt(trainee.id, scenario_id)
    store.record(attempt.sandbox_id, "opened_order", scenario.order.id)
    store.record(attempt.sandbox_id, "read_status", scenario.order.id)
    answers = {q: k.answer for q, k in scenario.answers.items()}
    action = RIGHT_ACTION.get(answers[Question.PATH])
    if right and action is not None:
        store.act(attempt.sandbox_id, scenario.order.id, action[0], **action[1])
    if not right:
        answers[Question.PATH] = "wait" if answers[Question.PATH] != "wait" else "cancel_now"
    done = training.submit(trainee.id, attempt.id, answers, GOOD_REPLIES[scenario_id])
    assert done.result is not None
    return done.result.score


@pytest.fixture
def training(store: Store) -> TrainingStore:
    return TrainingStore(store)


@pytest.fixture
def certs(store: Store) -> CertificateStore:
    return CertificateStore(store)


@pytest.fixture
def passed(store: Store, training: TrainingStore) -> Trainee:
    """A trainee of a practice class of two scenarios who passed both."""
    trainee = training.create_trainee("Zoë Trainee", training.create_class("Night shift", PAIR).id)
    for scenario_id in PAIR:
        assert work(store, training, trainee, scenario_id) >= MARK
    return trainee


def statements(store: Store) -> list[str]:
    """Every SQL statement the store's engine runs from now on."""
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


# --- the rule ---


def test_in_a_class_every_scenario_of_the_set_must_reach_the_pass_mark():
    assert eligible({s.id: MARK for s in EASY[:2]}, EASY[:2], in_class=True)
    assert eligible({s.id: 1.0 for s in EASY}, EASY[:2], in_class=True)  # scores outside the set do not matter
    assert not eligible({EASY[0].id: 1.0, EASY[1].id: MARK - 0.01}, EASY[:2], in_class=True)
    assert not eligible({EASY[0].id: 1.0}, EASY[:2], in_class=True)  # one not tried
    assert not eligible({}, [], in_class=True)  # an empty set certifies nothing
    assert eligible({EASY[0].id: (1.0 + 0.7 + 0.7) / 3}, EASY[:1], in_class=True)  # float noise is the mark


def test_without_a_class_it_is_the_pass_mark_on_every_level():
    needed = certificate_rule().min_scenarios_per_level
    by_level = [[s for s in scenarios().values() if s.difficulty is level] for level in Difficulty]
    every_level = {s.id: MARK for group in by_level for s in group[:needed]}
    assert eligible(every_level, list(scenarios().values()), in_class=False)
    one_short = {s.id: MARK for group in by_level for s in group[: needed - 1]}
    assert not eligible(one_short, list(scenarios().values()), in_class=False)
    assert not eligible({s.id: 1.0 for s in EASY + MEDIUM}, list(scenarios().values()), in_class=False)


def test_the_certificate_covers_the_sets_scenarios_tried_and_their_level_means():
    best = {EASY[0].id: 1.0, EASY[1].id: 0.8, MEDIUM[0].id: 0.9, "gone-scenario": 1.0}
    ids = covered(best, [EASY[0], EASY[1], MEDIUM[0], MEDIUM[1]])
    assert ids == [EASY[0].id, EASY[1].id, MEDIUM[0].id]
    assert level_means(best, ids) == {"easy": pytest.approx(0.9), "medium": pytest.approx(0.9)}


# --- configuration and input ---


def test_the_organisation_is_the_environment_then_the_secret_then_the_content(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(ORG_ENV, raising=False)
    assert organisation_name() == text("certificate", "org_default")
    assert organisation_name("  Acme\tSupport \n") == "Acme Support"
    assert organisation_name("   ") == organisation_name(42) == text("certificate", "org_default")
    monkeypatch.setenv(ORG_ENV, "Globex\u202e Training")
    assert organisation_name("Acme") == "Globex Training"  # the environment wins; a bidi control is dropped
    monkeypatch.setenv(ORG_ENV, "x" * 500)
    assert organisation_name() == "x" * 80


def test_the_verify_link_is_the_public_address_or_this_machine(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    assert verify_link("AbCdEfGhIjKlMnOp") == "http://localhost:8501/certificate?certificate=AbCdEfGhIjKlMnOp"
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://coach.example.org/ ")
    assert verify_link("AbCdEfGhIjKlMnOp") == "https://coach.example.org/certificate?certificate=AbCdEfGhIjKlMnOp"


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", None, 7, "x" * (REASON_MAX + 1)])
def test_a_revoke_reason_is_required_and_limited(bad: object):
    with pytest.raises(CertificateInputError):
        clean_reason(bad)


def test_a_revoke_reason_is_kept_on_one_line():
    assert clean_reason("  Shared\nanswers \u200b with a colleague ") == "Shared answers with a colleague"
    assert clean_reason("x" * REASON_MAX) == "x" * REASON_MAX


@pytest.mark.parametrize("junk", JUNK_IDS)
def test_junk_is_not_a_certificate_id(junk: Any):
    assert not is_certificate_id(junk)


# --- the store ---


def test_a_certificate_is_refused_until_the_set_is_passed_and_nothing_is_saved(
    store: Store, training: TrainingStore, certs: CertificateStore
):
    trainee = training.create_trainee("Ana", training.create_class("Day shift", PAIR).id)
    work(store, training, trainee, PAIR[0])
    with pytest.raises(CertificateInputError, match=re.escape(text("certificate_errors", "not_eligible"))):
        certs.issue(training, trainee)
    assert certs.list() == [] and certs.held(trainee) is None


def test_in_an_assessment_the_first_attempt_counts_so_a_passing_retry_earns_none(
    store: Store, training: TrainingStore, certs: CertificateStore
):
    trainee = training.create_trainee("Ana", training.create_class("Exam", PAIR[:1], Mode.ASSESSMENT).id)
    assert work(store, training, trainee, PAIR[0], right=False) < MARK
    assert work(store, training, trainee, PAIR[0]) >= MARK
    with pytest.raises(CertificateInputError):
        certs.issue(training, trainee)


def test_issuing_keeps_the_record_and_asking_again_gives_the_same_one(
    training: TrainingStore, certs: CertificateStore, passed: Trainee
):
    best = training.best_scores(passed.id)
    first = certs.issue(training, passed, "Acme Support")
    assert is_certificate_id(first.id)
    assert (first.trainee_name, first.class_name, first.organisation) == ("Zoë Trainee", "Night shift", "Acme Support")
    assert (first.class_id, first.scenario_ids, first.status) == (passed.class_id, PAIR, Status.VALID)
    assert first.level_scores == {"easy": pytest.approx(sum(best.values()) / 2)}
    again = certs.issue(training, passed, "Another Org")
    assert again == first == certs.get(first.id)
    assert [r.id for r in certs.list(passed.class_id)] == [first.id] == [r.id for r in certs.list()]
    assert certs.list(training.create_class("Other").id) == []


def test_the_organisation_defaults_to_the_configured_one(
    monkeypatch: pytest.MonkeyPatch, training: TrainingStore, certs: CertificateStore, passed: Trainee
):
    monkeypatch.setenv(ORG_ENV, "Globex Training")
    assert certs.issue(training, passed).organisation == "Globex Training"


def test_two_clicks_at_once_issue_one_certificate(training: TrainingStore, certs: CertificateStore, passed: Trainee):
    start, ids = threading.Barrier(6), []
    errors: list[BaseException] = []

    def click() -> None:
        start.wait()
        try:
            ids.append(certs.issue(training, passed).id)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(ids)) == 1 and len(certs.list()) == 1


def test_the_database_refuses_a_second_valid_certificate_for_a_trainee_and_class(
    store: Store, training: TrainingStore, certs: CertificateStore, passed: Trainee
):
    held = certs.issue(training, passed)
    row = dict(held.__dict__, id="B" * 16, scenario_ids="[]", level_scores="{}")
    with pytest.raises(IntegrityError), store.writing() as conn:
        conn.execute(insert(certificates).values(**row))


def test_revoking_needs_a_reason_then_verify_says_revoked_and_no_new_one_is_issued(
    training: TrainingStore, certs: CertificateStore, passed: Trainee
):
    held = certs.issue(training, passed)
    with pytest.raises(CertificateInputError):
        certs.revoke(held.id, "  ")
    assert certs.verify(held.id).status is Status.VALID  # the refused revoke changed nothing
    revoked = certs.revoke(held.id, "Answers shared with a colleague")
    assert revoked.status is Status.REVOKED and revoked.revoke_reason == "Answers shared with a colleague"
    assert revoked.revoked_at is not None and revoked.revoked_at >= revoked.issued_at
    checked = certs.verify(held.id)
    assert checked.status is Status.REVOKED and checked.record == revoked
    with pytest.raises(CertificateInputError, match=text("certificate_errors", "already_revoked")):
        certs.revoke(held.id, "again")
    with pytest.raises(CertificateInputError, match=text("certificate_errors", "revoked")):
        certs.issue(training, passed)
    assert [r.status for r in certs.list()] == [Status.REVOKED]


def test_verify_says_valid_or_unknown(training: TrainingStore, certs: CertificateStore, passed: Trainee):
    held = certs.issue(training, passed)
    assert certs.verify(held.id).status is Status.VALID and certs.verify(held.id).record == held
    never = certs.verify("AbCdEfGhIjKlMnOp")
    assert never.status is Status.UNKNOWN and never.record is None
    with pytest.raises(CertificateInputError, match=text("certificate_errors", "unknown")):
        certs.revoke("AbCdEfGhIjKlMnOp", "a reason")


@pytest.mark.parametrize("junk", JUNK_IDS)
def test_junk_ids_are_refused_before_any_sql(store: Store, certs: CertificateStore, junk: Any):
    seen = statements(store)
    assert certs.verify(junk) == certs.verify(junk) and certs.verify(junk).status is Status.UNKNOWN
    with pytest.raises(UnknownCertificate):
        certs.get(junk)
    with pytest.raises(CertificateInputError):
        certs.revoke(junk, "a fair reason")
    assert seen == []


@pytest.mark.parametrize("junk", ["", "short", "A" * 65, "A" * 15 + "\x00", "' OR 1=1 --", "class\n" * 4])
def test_a_junk_class_id_lists_no_certificates_without_any_sql(store: Store, certs: CertificateStore, junk: str):
    seen = statements(store)
    assert certs.list(junk) == [] and seen == []


def test_a_database_from_before_certificates_gets_the_table(store: Store, training: TrainingStore, passed: Trainee):
    certificates.drop(store.engine)
    assert CertificateStore(store).issue(training, passed).status is Status.VALID


def test_the_trainers_table_names_its_columns_from_content(
    training: TrainingStore, certs: CertificateStore, passed: Trainee
):
    held = certs.issue(training, passed)
    [row] = table_rows(certs.list())
    assert row[text("certificate_admin", "col_trainee")] == "Zoë Trainee"
    assert row[text("certificate_admin", "col_status")] == text("certificate_status", "valid")
    assert row[text("certificate_admin", "col_id")] == held.id


# --- the PDF ---


def record(name: str, ids: list[str]) -> CertificateRecord:
    return CertificateRecord(
        id="AbCdEfGhIjKlMn_-",
        trainee_id="t" * 22,
        trainee_name=name,
        class_id=None,
        class_name=None,
        organisation="Acme Support",
        scenario_ids=ids,
        level_scores=level_means(dict.fromkeys(ids, 0.9), ids),
        issued_at=datetime(2025, 3, 3, 9, tzinfo=UTC),
    )


def page_text(pdf: bytes) -> str:
    """The text of the content streams (the core font writes it as Latin-1 literals)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    found = []
    for raw in streams:
        try:
            found.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(found)


@pytest.mark.parametrize("name", ["Eve", "Zoë Łukasz", "Иван Ωμέγα", "中文 名字", "\U0001f600 smile"])
@pytest.mark.parametrize("embedded", [True, False])
def test_the_pdf_is_one_page_with_the_verify_link_whatever_the_name(name: str, embedded: bool):
    ids = list(scenarios())  # every scenario: the titles must still fit on the page
    pdf = certificate_pdf(record(name, ids), **({} if embedded else {"font_dir": None}))
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 1
    assert b"(http://localhost:8501/certificate?certificate=AbCdEfGhIjKlMn_-)" in pdf  # the clickable link


def test_the_core_font_pdf_prints_the_id_and_replaces_what_it_cannot_print():
    shown = page_text(certificate_pdf(record("Zoë Łukasz", list(scenarios())[:3]), font_dir=None))
    assert "Certificate id: AbCdEfGhIjKlMn_-" in shown
    assert "Zo\xeb ?ukasz" in shown  # ë is Latin-1; Ł is not, and shows as "?"
    assert "Acme Support" in shown and "3 Mar 2025" in shown
