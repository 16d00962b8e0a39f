"""The certificate check page (valid, revoked, unknown, junk), the trainee's certificate, and the trainer's
Certificates tab: the list and revoking with a reason after a confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from guide.certificates import REASON_MAX, CertificateRecord, CertificateStore, Status, verify_link
from guide.content import text
from guide.content.formats import day
from guide.navigation import pages
from guide.store import Store
from guide.training_records import Trainee
from guide.training_store import TrainingStore
from guide.ui.widgets import plain
from tests.guide.test_certificates import PAIR, work
from tests.pages.helpers import (
    TITLES,
    button_keys,
    main_alerts,
    new_app,
    no_exception,
    open_page,
    shown,
    table_column,
    title,
)

PASSCODE = "trainer-pass-123"
NAME = "**Zoë** <b>Trainee</b>"  # markup in a name is shown as typed
CHECK, ADMIN, ISSUE = "certificate_verify", "certificate_admin", "certificate_issue"


@pytest.fixture
def training(store: Store) -> TrainingStore:
    return TrainingStore(store)


@pytest.fixture
def passed(store: Store, training: TrainingStore) -> Trainee:
    trainee = training.create_trainee(NAME, training.create_class("Night shift", PAIR).id)
    for scenario_id in PAIR:
        work(store, training, trainee, scenario_id)
    return trainee


@pytest.fixture
def issued(store: Store, training: TrainingStore, passed: Trainee) -> CertificateRecord:
    return CertificateStore(store).issue(training, passed, "Acme Support")


def markdown(at: Any) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def check(certificate: str | None) -> Any:
    at = open_page("certificate", **({} if certificate is None else {"certificate": certificate}))
    no_exception(at)
    assert title(at) == TITLES["certificate"] == text(CHECK, "title")
    return at


# --- the check page ---


def test_the_check_page_is_in_the_registry_but_not_the_menu():
    page = pages()["certificate"]
    assert page.hidden and not any(p.hidden for name, p in pages().items() if name != "certificate")
    assert page.label == page.title  # a hidden page needs no menu label


def test_a_valid_certificate_shows_who_what_and_when(issued: CertificateRecord):
    at = check(issued.id)
    assert main_alerts(at, "success") == [text(CHECK, "valid")]
    body = markdown(at)
    assert "Acme Support" in body and "Night shift" in body and plain(issued.id) in body
    assert "\\*\\*Zoë\\*\\* \\<b\\>Trainee\\</b\\>" in body  # escaped, so shown as typed
    assert all(plain(title_) in body for title_ in issued.scenario_titles)
    assert not main_alerts(at, "error") and not main_alerts(at, "warning")


def test_a_revoked_certificate_says_when_and_why(store: Store, issued: CertificateRecord):
    revoked = CertificateStore(store).revoke(issued.id, "Answers shared with a colleague")
    assert revoked.revoked_at is not None
    at = check(issued.id)
    [error] = main_alerts(at, "error")
    assert error == text(CHECK, "revoked", date=day(revoked.revoked_at))
    assert "Answers shared with a colleague" in markdown(at)
    assert not main_alerts(at, "success")


def test_an_id_never_issued_is_unknown(issued: CertificateRecord):
    at = check("AbCdEfGhIjKlMnOp")
    assert main_alerts(at, "warning") == [text(CHECK, "unknown")]
    assert not main_alerts(at, "success") and issued.id not in markdown(at)


@pytest.mark.parametrize("junk", ["short", "A" * 17, "' OR 1=1 --xxxxxx", "AbCdEfGhIjKlMn\x00P", "<script>x</script>"])
def test_a_malformed_id_is_said_to_be_no_certificate_id(junk: str):
    at = check(junk)
    assert main_alerts(at, "warning") == [text(CHECK, "malformed")]


def test_a_link_without_an_id_says_what_to_open():
    at = check(None)
    assert main_alerts(at, "info") == [text(CHECK, "missing")]


# --- the trainee's side ---


def test_a_trainee_who_passed_the_class_set_gets_the_certificate_on_request(store: Store, passed: Trainee):
    at = open_page("training", trainee=passed.id)
    no_exception(at)
    assert text(ISSUE, "certified_class") in main_alerts(at, "success")
    assert not at.get("download_button") and CertificateStore(store).list() == []  # nothing issued until asked
    at.button(key="trainee_certificate_issue").click().run()
    no_exception(at)
    [record] = CertificateStore(store).list()
    assert text(ISSUE, "ready", id=record.id) in main_alerts(at, "success")
    [download] = at.get("download_button")
    assert text("trainee", "certificate") in str(download.proto.label)
    assert [c.value for c in at.code] == [verify_link(record.id)]
    at = open_page("training", trainee=passed.id)  # later visits fetch the same certificate
    assert "trainee_certificate_issue" not in button_keys(at) and [c.value for c in at.code] == [verify_link(record.id)]


def test_a_trainee_short_of_the_set_sees_the_class_rule(store: Store, training: TrainingStore):
    trainee = training.create_trainee("Ana", training.create_class("Day shift", PAIR).id)
    work(store, training, trainee, PAIR[0])
    at = open_page("training", trainee=trainee.id)
    no_exception(at)
    assert "trainee_certificate_issue" not in button_keys(at)
    assert shown(at, text(ISSUE, "class_rule", mark=0.8, count=2))


def test_a_revoked_certificate_is_not_offered_again(store: Store, issued: CertificateRecord, passed: Trainee):
    CertificateStore(store).revoke(issued.id, "Answers shared")
    at = open_page("training", trainee=passed.id)
    no_exception(at)
    [warning] = main_alerts(at, "warning")
    assert issued.id in warning and "Answers shared" in warning
    assert "trainee_certificate_issue" not in button_keys(at) and not at.get("download_button")


# --- the trainer's Certificates tab ---


def certificates_tab(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    at = open_page("trainer", trainer_tab=text("trainer", "tab_certificates"))
    at.text_input(key="trainer_passcode_input").set_value(PASSCODE)
    [unlock] = [b for b in at.button if b.label == text("trainer", "unlock")]
    unlock.click().run()
    no_exception(at)
    return at


def ask_to_revoke(at: Any, certificate_id: str | None, reason: str) -> Any:
    if certificate_id is not None:
        at.selectbox(key="certificate_revoke_pick").set_value(certificate_id)
    at.text_input(key="certificate_revoke_reason").set_value(reason)
    at.button(key="certificate_revoke").click().run()
    no_exception(at)
    return at


def test_the_tab_lists_every_certificate(monkeypatch: pytest.MonkeyPatch, issued: CertificateRecord):
    at = certificates_tab(monkeypatch)
    assert table_column(at, text(ADMIN, "col_id")) == [issued.id]
    assert table_column(at, text(ADMIN, "col_trainee")) == [NAME]
    assert table_column(at, text(ADMIN, "col_status")) == [text("certificate_status", "valid")]
    assert shown(at, text(ADMIN, "summary", count=1, valid=1, revoked=0))
    assert at.text_input(key="certificate_revoke_reason").proto.max_chars == REASON_MAX  # longer cannot be typed


def test_the_tab_says_when_there_is_none(monkeypatch: pytest.MonkeyPatch):
    at = certificates_tab(monkeypatch)
    assert text(ADMIN, "none") in main_alerts(at, "info")


def test_revoking_asks_for_confirmation_then_revokes_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, store: Store, issued: CertificateRecord
):
    at = ask_to_revoke(certificates_tab(monkeypatch), issued.id, "  Answers shared with a colleague ")
    assert CertificateStore(store).get(issued.id).status is Status.VALID  # not yet: a confirmation first
    assert any(issued.id in w for w in main_alerts(at, "warning"))
    at.button(key="certificate_revoke_yes").click().run()
    no_exception(at)
    revoked = CertificateStore(store).get(issued.id)
    assert revoked.status is Status.REVOKED and revoked.revoke_reason == "Answers shared with a colleague"
    assert any(issued.id in s for s in main_alerts(at, "success"))
    assert table_column(at, text(ADMIN, "col_status")) == [text("certificate_status", "revoked")]
    assert shown(at, text(ADMIN, "none_valid"))


def test_keep_it_cancels_the_revoke(monkeypatch: pytest.MonkeyPatch, store: Store, issued: CertificateRecord):
    at = ask_to_revoke(certificates_tab(monkeypatch), issued.id, "A reason")
    at.button(key="certificate_revoke_no").click().run()
    no_exception(at)
    assert CertificateStore(store).get(issued.id).status is Status.VALID
    assert "certificate_revoke" in button_keys(at)


@pytest.mark.parametrize(
    ("pick", "reason", "refusal"),
    [
        (True, "", text("certificate_errors", "reason_empty")),
        (True, " \n ", text("certificate_errors", "reason_empty")),
        (False, "A fair reason", text("certificate_errors", "pick")),
    ],
)
def test_a_revoke_without_a_pick_or_a_fair_reason_is_refused_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, store: Store, issued: CertificateRecord, pick: bool, reason: str, refusal: str
):
    at = ask_to_revoke(certificates_tab(monkeypatch), issued.id if pick else None, reason)
    assert main_alerts(at, "error") == [refusal]
    assert "certificate_revoke_yes" not in button_keys(at)
    assert CertificateStore(store).get(issued.id).status is Status.VALID


def test_a_revoke_confirmed_twice_is_refused_plainly(
    monkeypatch: pytest.MonkeyPatch, store: Store, issued: CertificateRecord
):
    at = ask_to_revoke(certificates_tab(monkeypatch), issued.id, "A reason")
    CertificateStore(store).revoke(issued.id, "Revoked in another tab")  # meanwhile
    at.button(key="certificate_revoke_yes").click().run()
    no_exception(at)
    assert main_alerts(at, "error") == [text("certificate_errors", "already_revoked")]
    assert CertificateStore(store).get(issued.id).revoke_reason == "Revoked in another tab"


class TestColdServer:
    """A certificate's link is often a cold server's first request: Streamlit's legacy `pages/` mode would run
    the page file alone (guide/ui/legacy_pages.py), without the entry point's layout and sidebar."""

    @pytest.fixture(autouse=True)
    def warm_server(self) -> Iterator[None]:  # replaces the conftest's warm-up: every run starts cold
        yield

    def test_a_certificate_link_runs_the_entry_point(self, issued: CertificateRecord):
        at = new_app()
        at.query_params["certificate"] = issued.id
        at.switch_page(pages()["certificate"].file).run()
        no_exception(at)
        assert title(at) == TITLES["certificate"]
        assert main_alerts(at, "success") == [text(CHECK, "valid")]
        assert "sidebar_reset" in button_keys(at), "the entry point's sidebar ran"
