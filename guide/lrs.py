"""Sending xAPI statements to a learning record store (LRS), and a queue of what it did not take.

Statements go in batches to `{url}/statements` (stdlib urllib, HTTP Basic). Connection errors, 429 and
5xx are tried again with a growing wait, a bounded number of times; any other answer is final. What failed
waits in the `lrs_queue` table, with the LRS's last answer, until `retry_queue` sends it. A statement's id
is fixed by its attempt (guide.attempt_export), so sending one twice is harmless.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Column, Integer, String, Table, Text, delete, func, insert, select, update

from guide.content import text
from guide.db import UTCDateTime, metadata
from guide.store import Store

VARIABLES = {"url": "CANCEL_COACH_LRS_URL", "key": "CANCEL_COACH_LRS_KEY", "secret": "CANCEL_COACH_LRS_SECRET"}
SECRETS = {"url": "lrs_url", "key": "lrs_key", "secret": "lrs_secret"}  # the same, in st.secrets
XAPI_VERSION = "1.0.3"
BATCH, TIMEOUT_SECONDS, TRIES, BACKOFF_SECONDS, MAX_WAIT_SECONDS = 50, 10.0, 4, 0.5, 30.0
DETAIL_MAX, ERROR_MAX = 200, 500  # characters of the LRS's answer kept with a failure
# Answers that say the LRS (not this batch) is wrong: the next batches would get the same, so stop there.
STOP_STATUSES = frozenset({401, 403, 404, 405})
Sleep = Callable[[float], None]

lrs_queue = Table(
    "lrs_queue",
    metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("statement", Text, nullable=False),  # the statement as sent, JSON
    Column("tries", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("last_tried_at", UTCDateTime, nullable=False),
)


class LrsConfigError(ValueError):
    """An LRS setting that cannot work, in plain words. Nothing was sent."""


@dataclass(frozen=True)
class LrsConfig:
    url: str  # the LRS endpoint's base; statements go to {url}/statements
    key: str = ""
    secret: str = ""
    timeout: float = TIMEOUT_SECONDS
    batch_size: int = BATCH
    tries: int = TRIES
    backoff: float = BACKOFF_SECONDS

    @property
    def statements_url(self) -> str:
        return f"{self.url}/statements"


@dataclass(frozen=True)
class SendSummary:
    sent: int
    failed: int
    error: str = ""  # the last failure's reason, in words


@dataclass(frozen=True)
class Queued:
    statement_id: str
    tries: int
    last_error: str
    last_tried_at: datetime


def lrs_config(env: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None) -> LrsConfig | None:
    """The LRS from the environment (each value), else from `secrets` (st.secrets' lrs_url, lrs_key,
    lrs_secret); None when no URL is set. A URL or credentials that cannot work are an LrsConfigError."""
    env = os.environ if env is None else env
    secrets = secrets or {}
    found = {name: str(env.get(VARIABLES[name]) or secrets.get(SECRETS[name]) or "").strip() for name in VARIABLES}
    if not found["url"]:
        return None
    url = found["url"].rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise LrsConfigError(text("export_lrs", "url_bad", value=found["url"][:80]))
    if bool(found["key"]) != bool(found["secret"]):
        raise LrsConfigError(text("export_lrs", "credentials_half"))
    if ":" in found["key"]:
        raise LrsConfigError(text("export_lrs", "key_colon"))
    return LrsConfig(url, found["key"], found["secret"])


# --- HTTP ----------------------------------------------------------------------------------------------


class _Failure(Exception):
    """A batch the LRS did not take: why, whether trying again may help, and whether to stop sending."""

    def __init__(self, error: str, again: bool, stop: bool = False, wait: float | None = None) -> None:
        super().__init__(error)
        self.error, self.again, self.stop, self.wait = error, again, stop, wait


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: urllib would turn the POST into a GET and report success."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _one_line(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


def _post_once(config: LrsConfig, body: bytes) -> None:
    headers = {"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"}
    if config.key:
        token = base64.b64encode(f"{config.key}:{config.secret}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(config.statements_url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=config.timeout) as response:
            response.read()
    except urllib.error.HTTPError as answer:
        detail = _one_line(answer.read(DETAIL_MAX * 4).decode("utf-8", "replace"), DETAIL_MAX)
        error = text("export_lrs", "error_http", code=answer.code, detail=detail or answer.reason)
        again = answer.code == 429 or answer.code >= 500
        retry_after = answer.headers.get("Retry-After", "") if answer.headers else ""
        wait = float(retry_after) if retry_after.isdigit() else None
        raise _Failure(error[:ERROR_MAX], again, stop=answer.code in STOP_STATUSES, wait=wait) from None
    except (OSError, http.client.HTTPException) as lost:  # refused, reset, timed out, not HTTP at all
        reason = getattr(lost, "reason", None) or lost
        raise _Failure(
            text("export_lrs", "error_unreachable", reason=_one_line(str(reason), DETAIL_MAX)), True
        ) from None


def _post(config: LrsConfig, statements: list[str], sleep: Sleep) -> None:
    """POST one batch, tried again on connection errors, 429 and 5xx; the last _Failure when it never went."""
    body = ("[" + ",".join(statements) + "]").encode("utf-8")
    for attempt in range(config.tries):
        try:
            _post_once(config, body)
            return
        except _Failure as failure:
            if not failure.again or attempt == config.tries - 1:
                # Still failing after every try: the LRS is down or unreachable, the next batch would fare the same.
                failure.stop = failure.stop or failure.again
                raise
            sleep(min(failure.wait if failure.wait is not None else config.backoff * 2**attempt, MAX_WAIT_SECONDS))


# --- the queue -----------------------------------------------------------------------------------------


def _ensure_queue(store: Store) -> None:
    """The queue table (create_all made it with the store if this module was imported first)."""
    lrs_queue.create(store.engine, checkfirst=True)


def _remember(store: Store, batch: Mapping[str, str], error: str, tried: bool) -> None:
    """Queue (or update) each failed statement; `tried` is false for those not sent because an earlier batch
    showed the LRS would not take them."""
    now = datetime.now(UTC)
    with store.writing() as conn:
        known: set[str] = set(
            conn.execute(select(lrs_queue.c.statement_id).where(lrs_queue.c.statement_id.in_(list(batch)))).scalars()
        )
        for statement_id in known:
            conn.execute(
                update(lrs_queue)
                .where(lrs_queue.c.statement_id == statement_id)
                .values(tries=lrs_queue.c.tries + int(tried), last_error=error, last_tried_at=now)
            )
        new = [
            {"statement_id": i, "statement": raw, "tries": int(tried), "last_error": error, "last_tried_at": now}
            for i, raw in batch.items()
            if i not in known
        ]
        if new:
            conn.execute(insert(lrs_queue), new)


def _forget(store: Store, statement_ids: Iterable[str]) -> None:
    with store.writing() as conn:
        conn.execute(delete(lrs_queue).where(lrs_queue.c.statement_id.in_(list(statement_ids))))


def queue_size(store: Store) -> int:
    _ensure_queue(store)
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(lrs_queue)).scalar_one())


def queued(store: Store, limit: int | None = None) -> list[Queued]:
    """The statements waiting to be sent again, longest waiting first."""
    _ensure_queue(store)
    query = select(lrs_queue.c.statement_id, lrs_queue.c.tries, lrs_queue.c.last_error, lrs_queue.c.last_tried_at)
    query = query.order_by(lrs_queue.c.last_tried_at, lrs_queue.c.statement_id).limit(limit)
    with store.reading() as conn:
        rows = conn.execute(query).all()
    return [Queued(str(r[0]), int(r[1]), str(r[2]), r[3]) for r in rows]


# --- sending -------------------------------------------------------------------------------------------


def _batches(items: Iterable[tuple[str, str]], size: int) -> Iterator[dict[str, str]]:
    batch: dict[str, str] = {}
    for statement_id, raw in items:
        batch[statement_id] = raw
        if len(batch) == size:
            yield batch
            batch = {}
    if batch:
        yield batch


def _deliver(store: Store, config: LrsConfig, batches: Iterable[dict[str, str]], sleep: Sleep) -> SendSummary:
    """Send each batch; drop what went from the queue, queue what did not. Once the LRS is down or refuses
    us, the remaining batches are queued without being tried."""
    sent = failed = 0
    error, stopped, had_queue = "", False, queue_size(store) > 0
    for batch in batches:
        if stopped:
            _remember(store, batch, text("export_lrs", "error_not_tried", error=error)[:ERROR_MAX], tried=False)
            failed += len(batch)
            continue
        try:
            _post(config, list(batch.values()), sleep)
        except _Failure as failure:
            error, stopped = failure.error, failure.stop
            _remember(store, batch, failure.error, tried=True)
            failed += len(batch)
            continue
        sent += len(batch)
        if had_queue:
            _forget(store, batch)
    return SendSummary(sent, failed, error)


def send_pending(
    store: Store, config: LrsConfig, statements: Iterable[Mapping[str, Any]], sleep: Sleep = time.sleep
) -> SendSummary:
    """Send the statements (any iterable: a generator streams), `config.batch_size` a request."""
    _ensure_queue(store)
    serialised = ((str(s["id"]), json.dumps(s, ensure_ascii=False, separators=(",", ":"))) for s in statements)
    return _deliver(store, config, _batches(serialised, config.batch_size), sleep)


def retry_queue(store: Store, config: LrsConfig, sleep: Sleep = time.sleep) -> SendSummary:
    """Send the queued statements again, longest waiting first."""
    ids = [q.statement_id for q in queued(store)]

    def stored() -> Iterator[dict[str, str]]:
        for start in range(0, len(ids), config.batch_size):
            chosen = ids[start : start + config.batch_size]
            with store.reading() as conn:
                rows = conn.execute(
                    select(lrs_queue.c.statement_id, lrs_queue.c.statement).where(lrs_queue.c.statement_id.in_(chosen))
                )
                found = {row.statement_id: row.statement for row in rows}
            if found:
                yield {i: found[i] for i in chosen if i in found}

    return _deliver(store, config, stored(), sleep)


def summary_text(summary: SendSummary) -> str:
    """What a send did, in words."""
    if summary.failed and not summary.sent:
        return text("export_lrs", "sent_failed", failed=summary.failed, error=summary.error)
    if summary.failed:
        return text("export_lrs", "sent_some", sent=summary.sent, failed=summary.failed, error=summary.error)
    if summary.sent:
        return text("export_lrs", "sent_all", sent=summary.sent)
    return text("export_lrs", "sent_none")
