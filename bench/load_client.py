"""The load benchmark's visitors: what a session does, how a phase drives them, what it tallies.

bench/load.py (one server) and bench/replicas.py (HAProxy before N replicas) drive the same sessions
against a Target (a port, a CPU clock, a memory reading); how to read the figures: bench/load.py.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Protocol

from websockets.exceptions import WebSocketException

from bench.common import BARE_READY, load_average, p95
from tests.support.streamlit_wire import RunFailed, Session, View

INTERVAL = 3.0  # seconds between a session's actions, on average
TIMEOUT = 10.0  # seconds an action (or a connect) may take before it counts as an error
MB = 1_000_000
CARD_DETAILS = re.compile(r"my_orders_page_card_(.+)_details$")  # guide/ui/orders.py order_card keys
LOG_ERROR = re.compile(r"Traceback|Exception|\bERROR\b")
AFFINITY = "cc_replica"  # deploy/haproxy.cfg's cookie


class Target(Protocol):
    """What sessions connect to and what a phase reads of the servers behind it."""

    @property
    def port(self) -> int: ...

    @property
    def affinity(self) -> bool: ...  # behind the load balancer: a session first picks up its affinity cookie

    def cpu_seconds(self) -> float: ...  # the serving processes' CPU time so far, summed
    def cpu_parts(self) -> dict[str, float]: ...  # CPU time so far of each part (replicas, proxy, machine)
    def rss_bytes(self) -> int: ...  # the serving processes' resident memory now, summed
    def logs(self) -> list[Path]: ...  # the serving processes' logs, read for error lines


@dataclass
class Drawn(View):
    """A run's view, with the order cards of My Orders and the bare page's ready line."""

    orders: dict[str, str] = field(default_factory=dict)  # order id -> its card's Details button id

    def add(self, element: Any) -> None:
        super().add(element)
        if element.WhichOneof("type") == "button" and (found := CARD_DETAILS.search(element.button.id)):
            self.orders[found.group(1)] = element.button.id

    @property
    def ready(self) -> bool:
        return any(BARE_READY in body for body in self.markdown)


class Client(Session):
    """One browser-like session (tests/support/streamlit_wire.py) whose runs draw a Drawn view."""

    view: Drawn

    def __init__(self, port: int, cookie: str | None = None) -> None:
        super().__init__(port, locale="en-US", timeout=TIMEOUT, cookie=cookie)

    def new_view(self) -> Drawn:
        return Drawn()


Action = Callable[[Client, random.Random], Awaitable[View]]  # its latency: client.elapsed_ms


def app_labels() -> dict[str, str]:
    from guide.content import text

    return {
        "sign_in": text("sign_in", "submit"),
        "search": text("orders", "search"),
        "details": text("orders", "details"),
        "plus_hour": text("sidebar", "plus_hour"),
    }


def app_actions() -> tuple[Action, list[tuple[str, Action]]]:
    """The app's first action (sign in, on the walkthrough's step 1) and the cycle after it."""
    labels = app_labels()

    async def sign_in(client: Client, rng: random.Random) -> View:
        return await client.click(labels["sign_in"])

    async def search(client: Client, rng: random.Random) -> View:
        if not client.view.orders:
            raise RunFailed("no orders on My Orders")
        order = rng.choice(list(client.view.orders))
        return await client.type(labels["search"], order[-rng.randint(3, 6) :])  # part of an order number

    async def details(client: Client, rng: random.Random) -> View:
        if not client.view.orders:
            raise RunFailed("no order to open")
        # every card's button has the same label: pick one by the order id in its key
        return await client.click(labels["details"], widget_id=client.view.orders[rng.choice(list(client.view.orders))])

    async def plus_hour(client: Client, rng: random.Random) -> View:
        return await client.click(labels["plus_hour"])

    def page(url_path: str) -> Action:
        async def open_page(client: Client, rng: random.Random) -> View:
            return await client.open_page(url_path)

        return open_page

    return sign_in, [
        ("my orders", page("my_orders")),
        ("search", search),
        ("order details", details),
        ("+1 hour", plus_hour),
        ("rules", page("rules")),
        ("walkthrough", page("walkthrough")),
    ]


def bare_actions() -> tuple[Action, list[tuple[str, Action]]]:
    """The bare app's counterpart: a click first, then four page loads, one search and one click a cycle."""

    async def plus_hour(client: Client, rng: random.Random) -> View:
        return await client.click("+1 hour")

    async def search(client: Client, rng: random.Random) -> View:
        return await client.type("Search", rng.choice(("refund", "parcel", "8123", "case")))

    async def switch(client: Client, rng: random.Random) -> View:
        current = [path for path, page in client.pages.items() if page == client.page]
        others = [path for path in client.pages if path not in current]
        return await client.open_page(rng.choice(others))

    return plus_hour, [
        ("page", switch),
        ("search", search),
        ("page", switch),
        ("+1 hour", plus_hour),
        ("page", switch),
        ("page", switch),
    ]


def checked(client: Client, bare: bool) -> None:
    """A finished run that drew an exception or not its page (every app page has a header; the bare page its
    ready line)."""
    if client.view.exceptions:
        raise RunFailed("exception element")
    if (bare and not client.view.ready) or (not bare and not client.view.headings):
        raise RunFailed("page not drawn")


@dataclass(frozen=True)
class Phase:
    """How one phase drives its sessions."""

    sessions: int
    seconds: float  # the measured window, after the arrivals
    ramp: float = 0.0  # arrivals spread over this many seconds; their actions are done but not counted
    max_actions: int | None = None  # back to back, this many actions a session (baseline, warm-up)


@dataclass
class Tally:
    """One app's results in one phase."""

    sessions: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_action: dict[str, list[float]] = field(default_factory=dict)
    during_ramp: list[float] = field(default_factory=list)
    first_visits: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    rss_base: int = 0
    rss_loaded: int = 0
    cpu_seconds: float = 0.0  # the server's CPU time during the measured window
    cpu_per_action: list[float] = field(default_factory=list)  # ms, one session back to back only
    client_cpu_seconds: float = 0.0  # this process's (the load generator's) CPU time over the whole phase
    wall_seconds: float = 0.0  # the whole phase: arrivals, window, the last actions' ends
    log_errors: list[str] = field(default_factory=list)
    cpu_parts: dict[str, float] = field(default_factory=dict)  # each part's CPU time in the window (replicas)
    spread: Counter[str] = field(default_factory=Counter)  # sessions by affinity cookie (replicas)

    def ok(self, action: str, ms: float) -> None:
        self.latencies.append(ms)
        self.by_action.setdefault(action, []).append(ms)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values()) + len(self.log_errors)

    @property
    def mb_per_session(self) -> float:
        return (self.rss_loaded - self.rss_base) / MB / self.sessions

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def cpu_busy(self) -> float:
        """The server's CPU time over wall time in the window (1.0 = one core, all the time)."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0

    def raw(self) -> dict[str, Any]:
        def rounded(samples: list[float]) -> list[float]:
            return [round(x, 2) for x in samples]

        raw = {
            "sessions": self.sessions,
            "window_s": round(self.seconds, 2),
            "latencies_ms": rounded(self.latencies),
            "by_action_ms": {k: rounded(v) for k, v in self.by_action.items()},
            "during_ramp_ms": rounded(self.during_ramp),
            "first_visits_ms": rounded(self.first_visits),
            "errors": dict(self.errors),
            "log_errors": self.log_errors,
            "rss_base_bytes": self.rss_base,
            "rss_loaded_bytes": self.rss_loaded,
            "mb_per_session": round(self.mb_per_session, 3),
            "actions_per_s": round(self.throughput, 2),
            "server_cpu_s": round(self.cpu_seconds, 2),
            "server_cpu_busy": round(self.cpu_busy, 3),
            "server_cpu_per_action_ms": rounded(self.cpu_per_action),
            "load_generator_cpu_s": round(self.client_cpu_seconds, 2),
            "phase_wall_s": round(self.wall_seconds, 2),
        }
        if self.cpu_parts or self.spread:  # only a replica run has parts
            raw |= {"cpu_parts_s": {k: round(v, 2) for k, v in self.cpu_parts.items()}, "spread": dict(self.spread)}
        return raw


def think_time(phase: Phase, rng: random.Random) -> float:
    if phase.max_actions is not None:
        return 0.05  # one session back to back: the app's own latency, in a few seconds
    return INTERVAL * rng.uniform(0.5, 1.5)


async def affinity_cookie(port: int) -> str:
    """`cc_replica=rK` from the Set-Cookie of a first GET / through the front door, as a browser's page load
    gets it before its websocket opens (non-blocking, so a hundred arrivals do not queue behind each other)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT)
    try:
        writer.write(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        head = (await asyncio.wait_for(reader.read(-1), TIMEOUT)).split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    finally:
        writer.close()
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "set-cookie" and AFFINITY in (jar := SimpleCookie(value.strip())):
            return f"{AFFINITY}={jar[AFFINITY].value}"
    raise RunFailed("no affinity cookie")


async def session(
    target: Target, bare: bool, phase: Phase, n: int, window: tuple[float, float], tally: Tally, clients: list[Client]
) -> None:
    """Visitor `n`: arrive, visit, then act after each think time until the window ends (or max_actions)."""
    first, cycle = bare_actions() if bare else app_actions()
    rng = random.Random(phase.sessions * 1000 + n)
    window_start, stop_at = window
    await asyncio.sleep(phase.ramp * n / phase.sessions)  # people arrive one after another, not all at once
    try:
        cookie = await affinity_cookie(target.port) if target.affinity else None
        client = Client(target.port, cookie)
        await client.connect()
    except RunFailed as failed:
        tally.errors[f"connect: {failed}"] += 1
        return
    except (OSError, TimeoutError, WebSocketException):
        tally.errors["connect"] += 1
        return
    tally.spread.update([cookie.split("=", 1)[1]] if cookie else [])
    clients.append(client)
    try:
        await client.open_url()  # the root URL with no query string: a new visitor
        ms = client.elapsed_ms
        checked(client, bare)
        tally.first_visits.append(ms)
    except RunFailed as failed:
        tally.errors[f"first visit: {failed}"] += 1
        return
    done = 0
    while phase.max_actions is None or done < phase.max_actions:
        pause = think_time(phase, rng)
        if time.perf_counter() + pause > stop_at:
            break
        await asyncio.sleep(pause)
        name, action = ("first", first) if done == 0 else cycle[(done - 1) % len(cycle)]
        began = time.perf_counter()
        cpu = target.cpu_seconds() if phase.sessions == 1 else 0.0
        try:
            await action(client, rng)
            ms = client.elapsed_ms
            checked(client, bare)
            if began < window_start:
                tally.during_ramp.append(ms)
            else:
                tally.ok(name, ms)
            if phase.sessions == 1:
                tally.cpu_per_action.append((target.cpu_seconds() - cpu) * 1000)
        except RunFailed as failed:
            tally.errors[f"{name}: {failed}"] += 1
        done += 1


async def drive(target: Target, bare: bool, phase: Phase, tally: Tally) -> None:
    """Run the phase's sessions, then read the servers' RSS with all of them still connected."""
    started = time.perf_counter()
    window = (started + phase.ramp, started + phase.ramp + phase.seconds)
    clients: list[Client] = []
    tasks = [session(target, bare, phase, n, window, tally, clients) for n in range(phase.sessions)]
    limit = phase.ramp + phase.seconds + 3 * TIMEOUT + (phase.max_actions or 0) * TIMEOUT

    async def window_cpu() -> tuple[float, dict[str, float]]:
        await asyncio.sleep(phase.ramp)
        return target.cpu_seconds(), target.cpu_parts()

    cpu_start = asyncio.create_task(window_cpu())
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), limit)
        tally.seconds = time.perf_counter() - window[0]
        cpu_end, parts_end = target.cpu_seconds(), target.cpu_parts()
        cpu_began, parts_began = await cpu_start
        tally.cpu_seconds = cpu_end - cpu_began
        tally.cpu_parts = {k: v - parts_began.get(k, 0.0) for k, v in parts_end.items()}
        tally.rss_loaded = target.rss_bytes()
    except TimeoutError:
        tally.errors["phase did not end in time"] += 1
    finally:
        cpu_start.cancel()
        await asyncio.gather(*(c.close() for c in clients))


def run_phase(target: Target, bare: bool, phase: Phase, rss_base: int = 0) -> Tally:
    """One phase against one target, its logs' new error lines counted."""
    tally = Tally(sessions=phase.sessions, rss_base=rss_base)
    log_starts = {log: log.stat().st_size for log in target.logs()}
    client_cpu, started = time.process_time(), time.perf_counter()
    asyncio.run(drive(target, bare, phase, tally))
    tally.client_cpu_seconds, tally.wall_seconds = time.process_time() - client_cpu, time.perf_counter() - started
    for log, start in log_starts.items():
        with log.open("rb") as lines:
            lines.seek(start)
            text = lines.read().decode(errors="replace")
        tally.log_errors += [line for line in text.splitlines() if LOG_ERROR.search(line)]
    return tally


def summary(name: str, tally: Tally) -> str:
    """One progress line: what the figures will say, and what the server's CPU did meanwhile."""
    lat, visits = tally.latencies, tally.first_visits
    text = f"  {name}: {len(lat)} actions"
    if lat:
        text += f", p50 {statistics.median(lat):.0f} ms, p95 {p95(lat):.0f} ms, {tally.throughput:.1f} actions/s"
    if visits:
        text += f", first visit p50 {statistics.median(visits):.0f} ms"
    text += f", {tally.error_count} errors, server CPU {tally.cpu_busy:.0%}"
    if tally.cpu_per_action:
        text += f" ({statistics.mean(tally.cpu_per_action):.0f} ms an action)"
    if tally.rss_base:
        text += f", {tally.mb_per_session:+.2f} MB/session"
    return text + f"; {tally.wall_seconds:.1f} s, load average {load_average()}"


@dataclass
class Measured:
    """One phase on its own servers: the warm-up, one session alone, then the load; each {"app", "bare"}."""

    warm_up: dict[str, Tally] = field(default_factory=dict)
    alone: dict[str, Tally] = field(default_factory=dict)
    loaded: dict[str, Tally] = field(default_factory=dict)

    def raw(self) -> dict[str, Any]:
        return {
            part: {name: tally.raw() for name, tally in getattr(self, part).items()}
            for part in ("warm_up", "alone", "loaded")
        }


def p50_of(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("inf")


def mean_of(samples: list[float]) -> float:
    return statistics.mean(samples) if samples else float("nan")


def p95_of(samples: list[float]) -> float:
    return p95(samples) if samples else float("inf")
