"""Sending statements to a learning record store: a small LRS stand-in on loopback checks the xAPI version
header and Basic auth, keeps the statements, and fails on demand (503s, a 400, a redirect)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from guide import lrs
from guide.attempt_export import statement_id, xapi_statements
from guide.content import text
from guide.lrs import LrsConfig, LrsConfigError, SendSummary, lrs_config, queue_size, queued, retry_queue, send_pending
from guide.store import Store
from guide.training import Mode
from guide.training_store import TrainingStore
from tests.guide.test_attempt_export import EASY, add_attempt

BASE = "https://coach.example.org"
KEY, SECRET = "coach-key", "coach-secret"


class FakeLrs:
    """An LRS stand-in: POST {url}/statements with version 1.0.3 and Basic auth, else 400/401/404."""

    def __init__(self, key: str = KEY, secret: str = SECRET) -> None:
        self.auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.statements: dict[str, dict[str, Any]] = {}
        self.requests = 0
        self.fail_times, self.fail_status, self.retry_after = 0, 503, ""
        self.answer: int | None = None  # answer every request with this status (400, 302...) until cleared
        self.delay = 0.0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xapi"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def config(self, **changes: Any) -> LrsConfig:
        return LrsConfig(self.url, KEY, SECRET, **{"timeout": 5.0, **changes})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def reply(self, status: int, body: object, **headers: str) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(fake.delay)
                with fake.lock:
                    fake.requests += 1
                    self.answer_post(body)

            def answer_post(self, body: bytes) -> None:
                if self.path != "/xapi/statements":
                    return self.reply(404, {"error": "no such resource"})
                if self.headers.get("X-Experience-API-Version") != "1.0.3":
                    return self.reply(400, {"error": "X-Experience-API-Version header missing"})
                if self.headers.get("Authorization") != fake.auth:
                    return self.reply(401, {"error": "unauthorised"})
                if self.headers.get("Content-Type") != "application/json":
                    return self.reply(400, {"error": "not JSON"})
                if fake.fail_times:
                    fake.fail_times -= 1
                    extra = {"Retry-After": fake.retry_after} if fake.retry_after else {}
                    return self.reply(fake.fail_status, {"error": "busy"}, **extra)
                if fake.answer is not None:
                    return self.reply(fake.answer, {"error": "statement refused"}, Location="http://127.0.0.1:1/")
                batch = json.loads(body)
                if any(s["id"] in fake.statements and fake.statements[s["id"]] != s for s in batch):
                    return self.reply(409, {"error": "a different statement has this id"})
                fake.statements.update({s["id"]: s for s in batch})
                return self.reply(200, [s["id"] for s in batch])

        return Handler


@pytest.fixture
def fake_lrs() -> Iterator[FakeLrs]:
    server = FakeLrs()
    yield server
    server.close()


@pytest.fixture
def attempts_made(store: Store) -> list[str]:
    """Five scored attempts of one trainee in a class; their statement ids."""
    training = TrainingStore(store)
    group = training.create_class("Cohort A", mode=Mode.PRACTICE)
    trainee = training.create_trainee("Ada", group.id)
    for n in range(5):
        add_attempt(store, trainee, EASY, n / 4, minutes=n)
    return [statement_id(BASE, trainee.id, a.id) for a in training.attempts_of(trainee.id)]


class Waits(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def statements(store: Store) -> Iterator[dict[str, Any]]:
    return xapi_statements(store, None, BASE)


# --- sending ---------------------------------------------------------------------------------------------


def test_statements_are_sent_in_batches(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    waits = Waits()
    summary = send_pending(store, fake_lrs.config(batch_size=2), statements(store), sleep=waits)
    assert summary == SendSummary(sent=5, failed=0)
    assert fake_lrs.requests == 3 and not waits
    assert list(fake_lrs.statements) == attempts_made
    first, *_ = statements(store)
    assert fake_lrs.statements[attempts_made[0]] == first
    assert queue_size(store) == 0 and queued(store) == []


def test_busy_answers_are_tried_again_with_growing_waits(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    fake_lrs.fail_times = 2
    waits = Waits()
    summary = send_pending(store, fake_lrs.config(backoff=0.5), statements(store), sleep=waits)
    assert summary == SendSummary(sent=5, failed=0)
    assert waits == [0.5, 1.0] and fake_lrs.requests == 3
    assert set(fake_lrs.statements) == set(attempts_made) and queue_size(store) == 0


def test_a_429_waits_as_long_as_the_lrs_asks(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    fake_lrs.fail_times, fake_lrs.fail_status, fake_lrs.retry_after = 1, 429, "3"
    waits = Waits()
    assert send_pending(store, fake_lrs.config(), statements(store), sleep=waits).sent == 5
    assert waits == [3.0]


def test_an_lrs_that_stays_down_queues_everything_after_a_bounded_number_of_tries(
    store: Store, fake_lrs: FakeLrs, attempts_made: list[str]
):
    fake_lrs.fail_times = 100
    waits = Waits()
    summary = send_pending(store, fake_lrs.config(batch_size=2, tries=3), statements(store), sleep=waits)
    assert (summary.sent, summary.failed) == (0, 5)
    assert fake_lrs.requests == 3 and len(waits) == 2  # the first batch only: the rest are not tried
    assert "503" in summary.error
    rows = {q.statement_id: q for q in queued(store)}
    assert set(rows) == set(attempts_made)
    assert [rows[i].tries for i in attempts_made] == [1, 1, 0, 0, 0]
    assert rows[attempts_made[0]].last_error == summary.error
    assert rows[attempts_made[4]].last_error == text("export_lrs", "error_not_tried", error=summary.error)


def test_a_refused_statement_is_not_retried_and_waits_in_the_queue(
    store: Store, fake_lrs: FakeLrs, attempts_made: list[str]
):
    fake_lrs.answer = 400
    waits = Waits()
    summary = send_pending(store, fake_lrs.config(batch_size=2), statements(store), sleep=waits)
    assert (summary.sent, summary.failed) == (0, 5)
    assert fake_lrs.requests == 3 and not waits  # every batch tried once (the next one may be fine), none again
    assert summary.error == text("export_lrs", "error_http", code=400, detail='{"error": "statement refused"}')
    assert {q.statement_id: q.last_error for q in queued(store)} == dict.fromkeys(attempts_made, summary.error)
    fake_lrs.answer = None  # the LRS is fixed
    assert retry_queue(store, fake_lrs.config(batch_size=2), sleep=waits) == SendSummary(sent=5, failed=0)
    assert set(fake_lrs.statements) == set(attempts_made) and queue_size(store) == 0
    assert retry_queue(store, fake_lrs.config(), sleep=waits) == SendSummary(sent=0, failed=0)


def test_a_retry_that_fails_again_counts_the_try(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    fake_lrs.answer = 400
    send_pending(store, fake_lrs.config(), statements(store), sleep=Waits())
    retry_queue(store, fake_lrs.config(), sleep=Waits())
    assert {q.tries for q in queued(store)} == {2}
    fake_lrs.answer = None
    assert retry_queue(store, fake_lrs.config(), sleep=Waits()).sent == 5


def test_a_redirect_is_not_taken_for_a_delivery(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    fake_lrs.answer = 302
    summary = send_pending(store, fake_lrs.config(), statements(store), sleep=Waits())
    assert (summary.sent, summary.failed) == (0, 5) and "302" in summary.error


def test_wrong_credentials_stop_at_the_first_batch(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    config = LrsConfig(fake_lrs.url, KEY, "wrong secret", batch_size=2)
    summary = send_pending(store, config, statements(store), sleep=Waits())
    assert (summary.sent, summary.failed) == (0, 5) and "401" in summary.error
    assert fake_lrs.requests == 1 and not fake_lrs.statements
    assert SECRET not in summary.error and "wrong secret" not in summary.error


def test_an_unreachable_lrs_queues_everything(store: Store, attempts_made: list[str]):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    waits = Waits()
    config = LrsConfig(f"http://127.0.0.1:{port}", KEY, SECRET, batch_size=2, tries=3, timeout=2)
    summary = send_pending(store, config, statements(store), sleep=waits)
    assert (summary.sent, summary.failed) == (0, 5)
    assert summary.error.startswith(text("export_lrs", "error_unreachable", reason="")) and len(waits) == 2
    assert {q.statement_id for q in queued(store)} == set(attempts_made)


def test_a_timeout_is_tried_again(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    fake_lrs.delay = 0.5
    waits = Waits()
    summary = send_pending(store, fake_lrs.config(timeout=0.1, tries=2), statements(store), sleep=waits)
    assert (summary.sent, summary.failed) == (0, 5) and len(waits) == 1
    assert summary.error.startswith(text("export_lrs", "error_unreachable", reason=""))


def test_sending_the_same_attempts_again_keeps_their_ids(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    config = fake_lrs.config(batch_size=2)
    assert send_pending(store, config, statements(store), sleep=Waits()).sent == 5
    assert send_pending(store, config, statements(store), sleep=Waits()) == SendSummary(sent=5, failed=0)  # no 409
    assert list(fake_lrs.statements) == attempts_made


def test_a_statement_sent_later_leaves_the_queue(store: Store, fake_lrs: FakeLrs, attempts_made: list[str]):
    fake_lrs.answer = 400
    send_pending(store, fake_lrs.config(), statements(store), sleep=Waits())
    fake_lrs.answer = None
    assert send_pending(store, fake_lrs.config(), statements(store), sleep=Waits()).sent == 5
    assert queue_size(store) == 0


def test_the_queue_table_is_made_on_first_use(store: Store):
    lrs.lrs_queue.drop(store.engine)  # as on a database made before this module was imported
    assert queue_size(store) == 0
    with store.reading() as conn:
        assert conn.execute(select(lrs.lrs_queue)).all() == []


# --- configuration and words -----------------------------------------------------------------------------


def test_the_lrs_is_configured_from_the_environment_or_the_secrets():
    assert lrs_config({}) is None
    env = {"CANCEL_COACH_LRS_URL": "https://lrs.example.org/xapi/", "CANCEL_COACH_LRS_KEY": "k"}
    config = lrs_config(env | {"CANCEL_COACH_LRS_SECRET": "s"})
    assert config == LrsConfig("https://lrs.example.org/xapi", "k", "s")
    assert config.statements_url == "https://lrs.example.org/xapi/statements"
    secrets = {"lrs_url": "http://lrs.local:8080", "lrs_key": "a", "lrs_secret": "b"}
    assert lrs_config({}, secrets) == LrsConfig("http://lrs.local:8080", "a", "b")
    assert lrs_config({"CANCEL_COACH_LRS_URL": "https://env.example.org"}, secrets) == LrsConfig(
        "https://env.example.org", "a", "b"
    )
    assert lrs_config({"CANCEL_COACH_LRS_URL": "https://open.example.org"}) == LrsConfig("https://open.example.org")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CANCEL_COACH_LRS_URL": "lrs.example.org"}, text("export_lrs", "url_bad", value="lrs.example.org")),
        ({"CANCEL_COACH_LRS_URL": "file:///etc/passwd"}, text("export_lrs", "url_bad", value="file:///etc/passwd")),
        ({"CANCEL_COACH_LRS_URL": "https://x.org/?a=1"}, text("export_lrs", "url_bad", value="https://x.org/?a=1")),
        (
            {"CANCEL_COACH_LRS_URL": "https://x.org", "CANCEL_COACH_LRS_KEY": "k"},
            text("export_lrs", "credentials_half"),
        ),
        (
            {"CANCEL_COACH_LRS_URL": "https://x.org", "CANCEL_COACH_LRS_SECRET": "s"},
            text("export_lrs", "credentials_half"),
        ),
        (
            {"CANCEL_COACH_LRS_URL": "https://x.org", "CANCEL_COACH_LRS_KEY": "a:b", "CANCEL_COACH_LRS_SECRET": "s"},
            text("export_lrs", "key_colon"),
        ),
    ],
)
def test_a_setting_that_cannot_work_is_refused_in_words(env: dict[str, str], message: str):
    with pytest.raises(LrsConfigError) as refused:
        lrs_config(env)
    assert str(refused.value) == message


def test_the_summary_reads_as_words():
    assert lrs.summary_text(SendSummary(3, 0)) == text("export_lrs", "sent_all", sent=3)
    assert lrs.summary_text(SendSummary(0, 0)) == text("export_lrs", "sent_none")
    assert lrs.summary_text(SendSummary(1, 2, "x")) == text("export_lrs", "sent_some", sent=1, failed=2, error="x")
    assert lrs.summary_text(SendSummary(0, 2, "x")) == text("export_lrs", "sent_failed", failed=2, error="x")
