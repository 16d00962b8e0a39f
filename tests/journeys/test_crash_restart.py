"""Crash test: SIGKILL the app and a store writer while writes are in flight, restart, and hold the
database to every write that was acknowledged before the kill.

Each round runs, on one SQLite file:
- the app (`streamlit run`), with sessions speaking Streamlit's websocket protocol as a browser does
  (tests/support/streamlit_wire.py): per sandbox one session sends messages to a seller on Contact seller and
  one clicks the sidebar clock's "+1 hour" (which fires timers across the sandbox's orders in one
  transaction), each clicking again as soon as its last run finished. A click is acknowledged when
  its run finished and showed the result: "Message sent." with the message in the conversation, or
  the clock's summary with the new time in the sidebar;
- a store writer process (tests/journeys/store_driver.py) doing the same writes through
  guide.store.Store, printing each one after its commit returned.

At a random moment both are killed with SIGKILL. Then the file must pass `PRAGMA integrity_check`,
hold every acknowledged write (and no write nobody made), and every order must be whole: its row
(status, snapshot, search text, next timer, version) exactly what its event log replays to, the log's
seq contiguous. The app is started again on the same file, must serve the pages, and shows every
acknowledged message; the next round kills it again. CANCEL_COACH_CRASH_SEED replays a run's timings.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from guide import lifecycle
from guide.content import text
from guide.db import events, orders, progress, sandboxes, search_text
from guide.demo import demo_orders
from guide.models import Actor, Event, EventKind, Order
from guide.profile import get_profile
from guide.store import Store
from tests.journeys.helpers import REPO, free_port, shown_clock, start_server, stop_server, tail
from tests.journeys.store_driver import FACT
from tests.support.streamlit_wire import RunFailed, Session
from tests.world import SEED
from tests.world import START as CLOCK

ROUNDS = 5
APP_SANDBOXES = 2  # each with a session sending messages and one clicking "+1 hour"
DRIVER_SANDBOXES = 2  # each with a writer thread in the store driver
KILL_AFTER_S = (0.5, 2.0)  # the kill comes this long (uniform) after every writer is writing
HOUR = timedelta(hours=1)
SEND, MESSAGE, SENT = text("contact", "send"), text("contact", "message"), text("contact", "sent")
PLUS_HOUR, NOTHING_FIRED = text("sidebar", "plus_hour"), text("sidebar", "nothing_fired")
FIRED = re.compile(re.escape(text("sidebar", "fired", count=0, summary="@")).replace("0", r"\d+").replace("@", ".*"))


@dataclass
class Ledger:
    """What was written to one sandbox: acknowledged, attempted, and the hours known to be on its clock."""

    sandbox_id: str
    order_ids: list[str]  # newest first: the app's sessions write to the seller of one a round
    clock0: datetime
    initial_events: dict[str, int]  # order id -> events of the demo order as created
    hours: int = 0  # on the clock at the last check
    acked_hours: int = 0  # this round
    tried_hours: int = 0  # this round
    shown_clock: datetime | None = None  # the latest time the app showed after a click
    acked_messages: dict[str, str] = field(default_factory=dict)  # text -> order id
    tried_messages: set[str] = field(default_factory=set)
    acked_fact: str | None = None
    tried_facts: set[str] = field(default_factory=set)


@dataclass
class Figures:
    rounds: int = 0
    acked: Counter[str] = field(default_factory=Counter)  # by kind of write
    refused: Counter[str] = field(default_factory=Counter)  # runs that finished without the result
    in_flight_at_kill: list[int] = field(default_factory=list)  # app clicks sent and not finished
    orders_checked: int = 0
    unacknowledged_commits: int = 0  # committed, the kill came before the acknowledgement (allowed)
    lost: list[str] = field(default_factory=list)
    torn: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.rounds} kill/restart rounds; acknowledged writes checked: {dict(self.acked)} "
            f"(total {sum(self.acked.values())}); refused {dict(self.refused)}; app clicks in flight at "
            f"each kill {self.in_flight_at_kill}; committed but not yet acknowledged at the kill "
            f"{self.unacknowledged_commits}; order records checked {self.orders_checked}; "
            f"lost {len(self.lost)}; torn {len(self.torn)}"
        )


def new_ledger(store: Store, seed: int) -> Ledger:
    sandbox = store.create_sandbox(seed=seed, clock=CLOCK)
    store.record(sandbox.id, "signed_in", "maria")
    initial = {s.order.id: len(s.events) for s in demo_orders(seed, CLOCK, sandbox.profile)}
    return Ledger(sandbox.id, [o.id for o in store.list_orders(sandbox.id)], CLOCK, initial)


# --- the app's sessions -------------------------------------------------------------------------

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: in a session that started Playwright's sync API, this thread
    already has an event loop running (asyncio.run would refuse)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class Clicker:
    """One app session and whether a click of it is on its way."""

    session: Session
    in_flight: bool = False
    failures: list[str] = field(default_factory=list)


async def send_messages(clicker: Clicker, ledger: Ledger, order_id: str, tag: str, figures: Figures) -> None:
    """Send a message, and another as soon as that run finished, until the server dies."""
    for n in range(1, 1_000_000):
        message = f"crash {tag} n{n}"
        ledger.tried_messages.add(message)
        clicker.in_flight = True
        try:
            view = await clicker.session.click(SEND, {MESSAGE: message})
        except RunFailed:
            return
        clicker.in_flight = False
        clicker.failures.extend(view.exceptions)
        if SENT in view.alerts.get("success", []) and message in view.markdown:
            ledger.acked_messages[message] = order_id
            figures.acked["app message"] += 1
        else:
            figures.refused["app message"] += 1


async def click_hours(clicker: Clicker, ledger: Ledger, figures: Figures) -> None:
    """Click "+1 hour", and again as soon as that run finished, until the server dies."""
    while True:
        ledger.tried_hours += 1
        clicker.in_flight = True
        try:
            view = await clicker.session.click(PLUS_HOUR)
        except RunFailed:
            return
        clicker.in_flight = False
        clicker.failures.extend(view.exceptions)
        flash = view.alerts.get("info", [])
        moment = shown_clock(view)
        if moment is not None and any(f == NOTHING_FIRED or FIRED.fullmatch(f) for f in flash):
            ledger.acked_hours += 1
            ledger.shown_clock = max(moment, ledger.shown_clock or moment)
            figures.acked["app +1 hour"] += 1
        else:
            figures.refused["app +1 hour"] += 1


async def open_contact_page(port: int, sandbox_id: str, order_id: str) -> Session:
    session = Session(port)
    await session.connect()
    view = await session.open_url("contact_seller", f"sandbox={sandbox_id}&order={order_id}")
    assert not view.exceptions, view.exceptions
    assert SEND in view.buttons and PLUS_HOUR in view.buttons and MESSAGE in view.text_boxes, view
    return session


async def drive_round(
    port: int,
    ledgers: list[Ledger],
    round_: int,
    wait_for_driver: Callable[[], None],
    kill: Callable[[], None],
    delay: float,
    figures: Figures,
) -> list[str]:
    """Every app sandbox's two sessions click back to back; after `delay`, `kill`. The exceptions seen."""
    orders = [ledger.order_ids[round_ % len(ledger.order_ids)] for ledger in ledgers]
    clickers = [
        Clicker(await open_contact_page(port, ledger.sandbox_id, order_id))
        for ledger, order_id in zip(ledgers, orders, strict=True)
        for _ in range(2)
    ]
    await asyncio.to_thread(wait_for_driver)
    tasks = []
    for n, (ledger, order_id) in enumerate(zip(ledgers, orders, strict=True)):
        sender, clock = clickers[2 * n], clickers[2 * n + 1]
        tasks.append(asyncio.create_task(send_messages(sender, ledger, order_id, f"r{round_}s{n}", figures)))
        tasks.append(asyncio.create_task(click_hours(clock, ledger, figures)))
    await asyncio.sleep(delay)
    figures.in_flight_at_kill.append(sum(c.in_flight for c in clickers))
    kill()
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    for clicker in clickers:
        await clicker.session.close()
    return [failure for c in clickers for failure in c.failures]


async def check_app_serves(port: int, ledgers: list[Ledger], store: Store) -> None:
    """The restarted app draws Contact seller for every order an app session wrote to, with every
    acknowledged message, and the clock as stored."""
    for ledger in ledgers:
        for order_id in sorted(set(ledger.acked_messages.values())):
            session = await open_contact_page(port, ledger.sandbox_id, order_id)
            try:
                view = session.view
                assert text("contact", "title") in view.headings
                wanted = {m for m, o in ledger.acked_messages.items() if o == order_id}
                missing = wanted - set(view.markdown)
                assert not missing, f"the restarted app does not show acknowledged messages {sorted(missing)}"
                assert shown_clock(view) == store.get_sandbox(ledger.sandbox_id).clock
            finally:
                await session.close()


# --- the store driver ---------------------------------------------------------------------------


def driver_lines(path: Path) -> list[dict[str, str]]:
    """The driver's printed lines; a last line cut by the kill is no promise (never flushed whole)."""
    lines = path.read_text().split("\n")
    return [json.loads(line) for line in lines[:-1]]


def take_driver_acks(path: Path, ledgers: dict[str, Ledger], figures: Figures, tag: str) -> None:
    """What the driver promised, into the ledgers; its possible next write of each thread as tried."""
    for line in driver_lines(path):
        if line["kind"] == "started":
            continue
        ledger = ledgers[line["sandbox"]]
        figures.acked[f"driver {line['kind']}"] += 1
        if line["kind"] == "message":
            ledger.acked_messages[line["text"]] = line["order"]
        elif line["kind"] == "clock":
            ledger.acked_hours += 1
        else:
            ledger.acked_fact = line["value"]
    for ledger in ledgers.values():
        # A thread may have committed one write more than it printed: its next message, hour or fact.
        ours = [m for m in ledger.acked_messages if m.startswith(f"driver {tag} ")]
        sent = max((int(m.rsplit(" n", 1)[1]) for m in ours), default=0)
        ledger.tried_messages.add(f"driver {tag} {ledger.sandbox_id[:6]} n{sent + 1}")
        ledger.tried_hours = ledger.acked_hours + 1
        fact = ledger.acked_fact or ""
        done = int(fact.split(":")[1]) if fact.startswith(f"{tag}:") else 0
        ledger.tried_facts = {fact, f"{tag}:{done + 1}"}


# --- the database -------------------------------------------------------------------------------


def integrity(path: Path) -> list[str]:
    """SQLite's own checks of the file, opened as after a crash (the WAL is recovered on open)."""
    with sqlite3.connect(path) as conn:
        found = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        keys = conn.execute("PRAGMA foreign_key_check").fetchall()
    conn.close()
    return ([] if found == ["ok"] else [f"integrity_check: {found}"]) + [f"foreign_key_check: {k}" for k in keys]


def check_orders(store: Store, ledgers: dict[str, Ledger], figures: Figures) -> None:
    """Every order whole: its row is what its event log replays to, the log's seq contiguous, the version
    within what the log allows (0 exactly when nothing was added to the demo order's log)."""
    with store.engine.connect() as conn:
        boxes = {r["id"]: r for r in conn.execute(select(sandboxes)).mappings()}
        rows = conn.execute(select(orders)).mappings().all()
        logs: dict[tuple[str, str], list[Event]] = {}
        for r in conn.execute(select(events).order_by(events.c.sandbox_id, events.c.order_id, events.c.seq)).mappings():
            logs.setdefault((r["sandbox_id"], r["order_id"]), []).append(
                Event(
                    seq=r["seq"],
                    at=r["at"],
                    kind=EventKind(r["kind"]),
                    actor=Actor(r["actor"]),
                    data=json.loads(r["data"]),
                )
            )
    assert set(logs) == {(r["sandbox_id"], r["order_id"]) for r in rows}, "events without an order, or the reverse"
    for row in rows:
        key = (row["sandbox_id"], row["order_id"])
        name = f"order {row['order_id']} of sandbox {row['sandbox_id'][:6]}"
        log = logs[key]
        figures.orders_checked += 1
        if [e.seq for e in log] != list(range(len(log))):
            figures.torn.append(f"{name}: seq {[e.seq for e in log]}")
            continue
        state = lifecycle.replay(log)
        box = boxes[row["sandbox_id"]]
        due = lifecycle.next_timer(state, box["seed"], get_profile(box["profile_id"]))
        stored = Order.model_validate_json(row["snapshot"])
        if (row["status"], stored, row["search_text"], row["next_timer_at"]) != (
            state.order.status.value,
            state.order,
            search_text(state.order),
            due.at if due else None,
        ):
            figures.torn.append(f"{name}: the row is not what its {len(log)} events replay to")
        ledger = ledgers.get(row["sandbox_id"])
        if ledger is not None:
            added = len(log) - ledger.initial_events[row["order_id"]]
            if not (0 <= row["version"] <= added and (row["version"] == 0) == (added == 0)):
                figures.torn.append(f"{name}: version {row['version']} with {added} events added")


def check_ledgers(store: Store, ledgers: dict[str, Ledger], figures: Figures) -> None:
    """Every acknowledged write is in the database, and nothing that was never tried."""
    for ledger in ledgers.values():
        sandbox = store.get_sandbox(ledger.sandbox_id)
        name = f"sandbox {ledger.sandbox_id[:6]}"
        hours, part = divmod(sandbox.clock - ledger.clock0, HOUR)
        if part or hours < ledger.hours + ledger.acked_hours:
            figures.lost.append(f"{name}: clock +{hours}h, {ledger.hours}h + {ledger.acked_hours} acknowledged")
        if hours > ledger.hours + ledger.tried_hours:
            figures.torn.append(f"{name}: clock +{hours}h, more than {ledger.hours}h + {ledger.tried_hours} tried")
        figures.unacknowledged_commits += max(hours - ledger.hours - ledger.acked_hours, 0)
        if ledger.shown_clock is not None and sandbox.clock < ledger.shown_clock:
            figures.lost.append(f"{name}: clock {sandbox.clock}, the app showed {ledger.shown_clock}")
        with store.engine.connect() as conn:
            version = conn.execute(select(sandboxes.c.version).where(sandboxes.c.id == ledger.sandbox_id)).scalar()
            fact = (
                conn.execute(
                    select(progress.c.value).where(progress.c.sandbox_id == ledger.sandbox_id, progress.c.fact == FACT)
                ).scalar()
                or ""
            )  # "": none recorded yet
        if version != hours:
            figures.torn.append(f"{name}: version {version} after {hours} clock steps")
        ledger.hours, ledger.acked_hours, ledger.tried_hours = hours, 0, 0
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(events.c.order_id, events.c.data).where(
                    events.c.sandbox_id == ledger.sandbox_id, events.c.kind == EventKind.MESSAGE_SENT.value
                )
            ).all()
        stored = [(str(json.loads(row.data).get("text")), row.order_id) for row in rows]
        sent = Counter(m for m, _ in stored if m.startswith(("crash ", "driver ")))
        where = dict(stored)
        for message, order_id in sorted(ledger.acked_messages.items()):
            if where.get(message) != order_id:
                figures.lost.append(f"{name}: acknowledged message {message!r} to {order_id}: {where.get(message)}")
        for message, count in sent.items():
            if count > 1 or message not in ledger.tried_messages | set(ledger.acked_messages):
                figures.torn.append(f"{name}: message {message!r} stored {count} times (never sent: duplicated)")
        figures.unacknowledged_commits += len(set(sent) - set(ledger.acked_messages) - ledger.tried_messages)
        ledger.tried_messages |= set(sent)  # a message committed but not acknowledged is known from now on
        if ledger.tried_facts and fact not in ledger.tried_facts:
            figures.lost.append(f"{name}: fact {fact!r}, acknowledged {ledger.acked_fact!r}")
        ledger.acked_fact = fact  # what is stored is known from now on


# --- the test -----------------------------------------------------------------------------------


@pytest.fixture
def crash_seed() -> int:
    return int(os.environ.get("CANCEL_COACH_CRASH_SEED") or random.SystemRandom().randrange(1_000_000))


def test_sigkill_mid_stream_loses_no_acknowledged_write_and_the_app_restarts(tmp_path: Path, crash_seed: int) -> None:
    server_log = tmp_path / "server.stderr.log"
    rng = random.Random(crash_seed)
    datadir = tmp_path / "data"
    datadir.mkdir()
    db_path = datadir / "cancel_coach.sqlite3"
    url = f"sqlite:///{db_path}"
    store = Store(url)
    app_ledgers = [new_ledger(store, SEED + n) for n in range(APP_SANDBOXES)]
    driver_ledgers = [new_ledger(store, SEED + 100 + n) for n in range(DRIVER_SANDBOXES)]
    ledgers = {ledger.sandbox_id: ledger for ledger in [*app_ledgers, *driver_ledgers]}
    figures = Figures()
    exceptions: list[str] = []
    python = REPO / ".venv" / "bin" / "python"
    python_exe = str(python) if python.exists() else sys.executable
    context = f"(CANCEL_COACH_CRASH_SEED={crash_seed}; server log {server_log})"

    drivers: list[subprocess.Popen[bytes]] = []
    with server_log.open("ab") as stderr:
        port = free_port()
        server = start_server(datadir, stderr, port)
        try:
            for round_ in range(ROUNDS):
                tag = f"r{round_}"
                out, err = tmp_path / f"driver-{tag}.out", tmp_path / f"driver-{tag}.err"
                targets = [d.sandbox_id for d in driver_ledgers]
                with out.open("wb") as driver_out, err.open("wb") as driver_err:
                    driver = subprocess.Popen(
                        [python_exe, "-m", "tests.journeys.store_driver", url, tag, *targets],
                        cwd=REPO,
                        stdout=driver_out,
                        stderr=driver_err,
                    )
                drivers.append(driver)

                def wait_for_driver(out: Path = out, err: Path = err, driver: subprocess.Popen[bytes] = driver) -> None:
                    deadline = time.monotonic() + 30
                    while sum(1 for line in driver_lines(out) if line["kind"] != "started") < DRIVER_SANDBOXES:
                        assert driver.poll() is None, f"the store driver exited: {err.read_text()}"
                        assert time.monotonic() < deadline, "the store driver wrote nothing"
                        time.sleep(0.02)

                def kill(pair: tuple[subprocess.Popen[bytes], ...] = (server, driver)) -> None:
                    for process in rng.sample(pair, len(pair)):
                        os.kill(process.pid, signal.SIGKILL)

                delay = rng.uniform(*KILL_AFTER_S)
                exceptions += run(drive_round(port, app_ledgers, round_, wait_for_driver, kill, delay, figures))
                assert server.wait(10) == -signal.SIGKILL and driver.wait(10) == -signal.SIGKILL
                assert "Traceback" not in err.read_text(), err.read_text()
                figures.rounds += 1

                take_driver_acks(out, {d.sandbox_id: d for d in driver_ledgers}, figures, tag)
                figures.torn += integrity(db_path)
                check_ledgers(store, ledgers, figures)
                check_orders(store, ledgers, figures)
                assert not figures.lost and not figures.torn, f"{figures.summary()}\n{figures.lost + figures.torn}"

                port = free_port()
                server = start_server(datadir, stderr, port)  # the same data folder, after the crash
                run(check_app_serves(port, app_ledgers, store))
        finally:
            for process in drivers:
                if process.poll() is None:  # a round that failed before its kill
                    process.kill()
                    process.wait(10)
            if server.poll() is None:
                stop_server(server)
            store.dispose()

    print(f"\ncrash test {context}: {figures.summary()}")
    assert not exceptions, exceptions
    assert "Traceback" not in server_log.read_text(errors="replace"), tail(server_log)
    assert figures.rounds == ROUNDS
    assert figures.acked["app message"] and figures.acked["app +1 hour"] and figures.acked["driver message"]
    assert not figures.lost and not figures.torn
