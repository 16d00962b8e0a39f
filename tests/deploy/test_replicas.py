"""Two replicas behind HAProxy on one PostgreSQL, started by `deploy/serve.sh` as a person would start them.

Sessions speak Streamlit's websocket protocol (tests/support/streamlit_wire.py) through the front door and
choose their replica with the affinity cookie HAProxy sets (`cc_replica=r1` / `r2`), as a browser holding that
cookie would. Checked: a sandbox changed through one replica is seen through the other; the trainer passcode's
growing wait holds across both; a replica killed mid-session loses no acknowledged write, and the visitor's
next page load (the same cookie, now redispatched to the other replica) resumes the sandbox from the URL;
Ctrl-C stops everything serve.sh started.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from guide.content import text
from guide.passcode_guard import WrongGuesses, delay_after
from guide.store import Store
from tests.journeys.helpers import REPO, TRAINER_PASSCODE, free_port, shown_clock
from tests.support.streamlit_wire import Session, View

PG_URL = os.environ.get("CANCEL_COACH_TEST_PG_URL")
READY = re.compile(r"served on http://127\.0\.0\.1:(\d+) by (\d+) replicas")
PLUS_HOUR, UNLOCK, PASSCODE = text("sidebar", "plus_hour"), text("trainer", "unlock"), text("trainer", "passcode")

pytestmark = pytest.mark.postgres


@dataclass
class Served:
    """What serve.sh started: the front door's port, its run folder (pids, logs) and the script itself."""

    port: int
    run_dir: Path
    script: subprocess.Popen[str]

    def pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())

    def session(self, replica: str) -> Session:
        """A visitor whose browser holds the affinity cookie of `replica` ("r1", "r2")."""
        return Session(self.port, cookie=f"cc_replica={replica}", timeout=30)


def missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what}: CI installs it, so a skip would hide the replica test")
    pytest.skip(what)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not PG_URL:
        missing("CANCEL_COACH_TEST_PG_URL is not set (.ci/run starts PostgreSQL)")
    if shutil.which("haproxy") is None:
        missing("haproxy is missing (apt-get install haproxy)")
    run_dir = tmp_path_factory.mktemp("serve")
    port, first = free_port(), free_port()
    command = ["bash", "deploy/serve.sh", "--replicas", "2", "--port", str(port), "--first-port", str(first)]
    command += ["--db-url", str(PG_URL), "--run-dir", str(run_dir)]
    env = {**os.environ, "CANCEL_COACH_TRAINER_PASSCODE": TRAINER_PASSCODE}
    script = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert script.stdout is not None
    lines = []
    for line in script.stdout:  # serve.sh prints its ready line once HAProxy and both replicas answer
        lines.append(line)
        if READY.search(line):
            break
    else:
        pytest.fail("serve.sh ended before serving:\n" + "".join(lines))
    served = Served(port, run_dir, script)
    try:
        yield served
    finally:
        if script.poll() is None:
            script.send_signal(signal.SIGINT)
            script.wait(timeout=30)


async def visit(session: Session, url_path: str = "", query: str = "") -> View:
    await session.connect()
    try:
        return await session.open_url(url_path, query)
    except BaseException:
        await session.close()
        raise


def minute(moment: datetime) -> datetime:
    """A clock as the sidebar shows it (to the minute); a new visitor's sandbox starts at now, seconds and all."""
    return moment.replace(second=0, microsecond=0)


def sandbox_of(session: Session) -> str:
    return parse_qs(session.query)["sandbox"][0]


def test_a_change_through_one_replica_is_seen_through_the_other(served: Served) -> None:
    async def journey() -> tuple[str, View, View, View]:
        first, second = served.session("r1"), served.session("r2")
        try:
            before = await visit(first)  # a new visitor: the app makes a sandbox and puts it in the URL
            clicked = await first.click(PLUS_HOUR)
            seen = await visit(second, "my_orders", f"sandbox={sandbox_of(first)}")
            return sandbox_of(first), before, clicked, seen
        finally:
            await first.close()
            await second.close()

    sandbox_id, before, clicked, seen = asyncio.run(journey())
    store = Store(PG_URL)
    try:
        stored = minute(store.get_sandbox(sandbox_id).clock)
    finally:
        store.dispose()
    assert not clicked.exceptions and not seen.exceptions
    start = shown_clock(before)
    assert start is not None and stored == start + timedelta(hours=1)
    assert shown_clock(clicked) == stored  # the click's run on r1 showed what it committed
    assert shown_clock(seen) == stored  # and r2, asked for the same sandbox, shows the same clock


def test_the_passcode_wait_grows_across_replicas(served: Served) -> None:
    async def guess(replica: str) -> float:
        session = served.session(replica)
        try:
            await visit(session, "trainer")
            view = await session.click(UNLOCK, values={PASSCODE: "not the passcode"})
            assert text("trainer", "wrong") in view.alerts.get("error", []), view.alerts
            return session.elapsed_ms / 1000
        finally:
            await session.close()

    store = Store(PG_URL)
    try:
        WrongGuesses(store).clear()
        waits = [asyncio.run(guess(replica)) for replica in ("r1", "r1", "r2", "r2")]
        assert WrongGuesses(store).count == 4  # one count, in the database
    finally:
        store.dispose()
    # A wait can only be longer than asked (it is a sleep), never shorter: the third and fourth guesses,
    # on the other replica, wait as long as the third and fourth in a row must.
    for n, seconds in enumerate(waits, start=1):
        assert seconds >= delay_after(n), waits


def test_a_killed_replica_loses_no_acknowledged_write_and_the_visitor_resumes(served: Served) -> None:
    async def before_the_kill() -> tuple[str, View]:
        session = served.session("r1")
        try:
            await visit(session)
            await session.click(PLUS_HOUR)
            return sandbox_of(session), await session.click(PLUS_HOUR)  # acknowledged: its run showed the clock
        finally:
            await session.close()

    sandbox_id, acknowledged = asyncio.run(before_the_kill())
    assert shown_clock(acknowledged) is not None and not acknowledged.exceptions
    os.kill(served.pid("replica-1"), signal.SIGKILL)

    async def after_the_kill() -> View:
        # The browser still holds cc_replica=r1; HAProxy cannot reach r1 and redispatches to r2. The page
        # reloads from its URL, which names the sandbox.
        session = served.session("r1")
        try:
            return await visit(session, "my_orders", f"sandbox={sandbox_id}")
        finally:
            await session.close()

    resumed = asyncio.run(after_the_kill())
    store = Store(PG_URL)
    try:
        clock = minute(store.get_sandbox(sandbox_id).clock)
    finally:
        store.dispose()
    assert not resumed.exceptions
    assert clock == shown_clock(acknowledged)  # the acknowledged clock steps are all in the database
    assert shown_clock(resumed) == clock  # and the other replica shows that same sandbox


def test_ctrl_c_stops_everything_serve_started(served: Served) -> None:
    pids = [served.pid("replica-2"), served.pid("haproxy")]
    served.script.send_signal(signal.SIGINT)
    served.script.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in pids if alive(pid)]
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{served.port}/_stcore/health", timeout=2)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
