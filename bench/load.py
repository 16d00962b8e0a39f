"""Load benchmark: many sessions at once over Streamlit's own websocket protocol, the app against the bare app.

    .venv/bin/python -m bench.load            # 10, 50 and 100 sessions, 60 s each, each after 1 session alone
    .venv/bin/python -m bench.load --quick    # 10 sessions for 3 s, after 1 session alone (10 actions)

Each session is an asyncio client that speaks what the browser speaks: a websocket to `/_stcore/stream`
with the `streamlit` subprotocol, BackMsg rerun_script out, ForwardMsgs back. It first visits the
root URL with no query string (the app creates a sandbox and puts `?sandbox=` in the URL through
page_info_changed; the client sends the URL's query string back on every later rerun, as the browser
does), then acts every 3 s (uniform 0.5x-1.5x, a seeded random.Random per session) like a person: on
the app it signs in once (the walkthrough's step 1), then cycles My Orders, a search for part of an
order number, that list's Details of one order, the clock's "+1 hour", Rules & sources and the
walkthrough; on the bare app (bench/bare) it clicks "+1 hour" once, then cycles page switches, a
search and "+1 hour" (the same mix: four page loads, one search, one click a cycle).

Each phase runs on a fresh pair of servers: a warm-up visitor, then one session alone acting back
to back (the baseline), then the N sessions. They arrive one after another (2 a second; 10 in
--quick), because a first visit creates a sandbox and costs about twice an action; their actions
count once the last has arrived, over the measured window. The app and the bare app are loaded one
after the other, never at once. The load generator runs in this process on the same machine and
takes a little of its CPU (its CPU time is in the raw numbers).

How to read the figures:
- latency of an action: from sending its rerun_script to that run's script_finished (a click that
  switches page counts until the new page has finished). The first visit is reported apart.
- errors: failed connects, timeouts (10 s), closed connections, exception elements, a
  script_finished that is not a success, page_not_found, a page without its header (app) or ready
  line (bare), and error lines in the server's log; the warm-up's errors count with the phase's.
- memory per session: (server RSS with the N sessions still connected after their last action -
  RSS after a warm-up visitor) / N. Sandboxes live in SQLite on disk, not in the server process, so
  this is what a session costs beyond its sandbox. Each phase has fresh servers because a Python
  process's RSS rarely shrinks and Streamlit keeps a disconnected session for two minutes.
- throughput: actions finished without error per second of the window.
- server CPU: the server process's CPU time (all threads) over the window, in cores; with one
  session, per action. The scripts run under one GIL, so about 1 core is all one server can give:
  N sessions acting every 3 s ask for N / 3 x (CPU an action) cores.
- the p95 ratio compares with the 1-session p95 measured just before on the same servers: these
  machines are shared, and their speed has been seen to change 3x within one run. The 1-session
  figures shown are those of the 50-session phase (of the first phase in --quick).

The websocket client is tests/support/streamlit_wire.py (the crash journey speaks it too); its
protocol notes are there.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.exceptions import WebSocketException

from bench.common import APP, BARE_APP, BARE_READY, Figure, Server, free_port, load_average, p95
from bench.report import finish, part_arguments, print_machine
from tests.support.streamlit_wire import RunFailed, Session, View

INTERVAL = 3.0  # seconds between a session's actions, on average
TIMEOUT = 10.0  # seconds an action (or a connect) may take before it counts as an error
LATENCY_TARGET_MS = 300.0
RATIO_TARGET = 2.0
MEMORY_TARGET_MB = 2.0
TARGET_SESSIONS = 50
MB = 1_000_000
DB_URL = "CANCEL_COACH_DB_URL"
CARD_DETAILS = re.compile(r"my_orders_page_card_(.+)_details$")  # guide/ui/orders.py order_card keys
LOG_ERROR = re.compile(r"Traceback|Exception|\bERROR\b")


@dataclass(frozen=True)
class Plan:
    """One run of the benchmark: the baseline's length, the arrival rate and the phases (sessions, window seconds)."""

    baseline_actions: int
    arrivals_per_s: float
    phases: tuple[tuple[int, float], ...]


# A first visit creates a sandbox (about 2x an action's server CPU): arrivals come gently, so the
# measured window starts from a steady state rather than a queue of new visitors.
QUICK = Plan(baseline_actions=10, arrivals_per_s=10.0, phases=((10, 3.0),))
FULL = Plan(baseline_actions=30, arrivals_per_s=2.0, phases=((10, 60.0), (50, 60.0), (100, 60.0)))


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

    def __init__(self, port: int) -> None:
        super().__init__(port, locale="en-US", timeout=TIMEOUT)

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

        return {
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


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(server: Server) -> float:
    """The server process's user + system CPU time so far, every thread, ended ones too (Linux /proc)."""
    assert server.process is not None
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime: fields 14 and 15 of proc(5)


def think_time(phase: Phase, rng: random.Random) -> float:
    if phase.max_actions is not None:
        return 0.05  # one session back to back: the app's own latency, in a few seconds
    return INTERVAL * rng.uniform(0.5, 1.5)


async def session(
    server: Server, bare: bool, phase: Phase, n: int, window: tuple[float, float], tally: Tally, clients: list[Client]
) -> None:
    """Visitor `n`: arrive, visit, then act after each think time until the window ends (or max_actions)."""
    first, cycle = bare_actions() if bare else app_actions()
    rng = random.Random(phase.sessions * 1000 + n)
    window_start, stop_at = window
    await asyncio.sleep(phase.ramp * n / phase.sessions)  # people arrive one after another, not all at once
    client = Client(server.port)
    try:
        await client.connect()
    except (OSError, TimeoutError, WebSocketException):
        tally.errors["connect"] += 1
        return
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
        cpu = cpu_seconds(server) if phase.sessions == 1 else 0.0
        try:
            await action(client, rng)
            ms = client.elapsed_ms
            checked(client, bare)
            if began < window_start:
                tally.during_ramp.append(ms)
            else:
                tally.ok(name, ms)
            if phase.sessions == 1:
                tally.cpu_per_action.append((cpu_seconds(server) - cpu) * 1000)
        except RunFailed as failed:
            tally.errors[f"{name}: {failed}"] += 1
        done += 1


async def drive(server: Server, bare: bool, phase: Phase, tally: Tally) -> None:
    """Run the phase's sessions, then read the server's RSS with all of them still connected."""
    started = time.perf_counter()
    window = (started + phase.ramp, started + phase.ramp + phase.seconds)
    clients: list[Client] = []
    tasks = [session(server, bare, phase, n, window, tally, clients) for n in range(phase.sessions)]
    limit = phase.ramp + phase.seconds + 3 * TIMEOUT + (phase.max_actions or 0) * TIMEOUT

    async def window_cpu() -> float:
        await asyncio.sleep(phase.ramp)
        return cpu_seconds(server)

    cpu_start = asyncio.create_task(window_cpu())
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), limit)
        tally.seconds = time.perf_counter() - window[0]
        tally.cpu_seconds = cpu_seconds(server) - await cpu_start
        tally.rss_loaded = server.rss_bytes()
    except TimeoutError:
        tally.errors["phase did not end in time"] += 1
    finally:
        cpu_start.cancel()
        await asyncio.gather(*(c.close() for c in clients))


def run_phase(server: Server, bare: bool, phase: Phase, rss_base: int = 0) -> Tally:
    """One phase against one server, its log's new error lines counted."""
    tally = Tally(sessions=phase.sessions, rss_base=rss_base)
    log_start = server.log.stat().st_size
    client_cpu, started = time.process_time(), time.perf_counter()
    asyncio.run(drive(server, bare, phase, tally))
    tally.client_cpu_seconds, tally.wall_seconds = time.process_time() - client_cpu, time.perf_counter() - started
    with server.log.open("rb") as log:
        log.seek(log_start)
        tally.log_errors = [line for line in log.read().decode(errors="replace").splitlines() if LOG_ERROR.search(line)]
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


def servers(work: Path) -> tuple[Server, Server]:
    """The app and the bare app, each on a free port, not started yet."""
    work.mkdir(parents=True, exist_ok=True)
    return Server("app", APP, free_port(), work / "app.log"), Server("bare", BARE_APP, free_port(), work / "bare.log")


def start(app: Server, bare: Server) -> None:
    """Both servers, healthy; the app with its own empty data directory, as bench.browser starts them."""
    env = {k: v for k, v in os.environ.items() if k != DB_URL}
    app.start({**env, "CANCEL_COACH_DATA_DIR": str(app.log.parent / "data")})
    bare.start(env)
    for server in (app, bare):
        server.wait_healthy()


@dataclass
class Measured:
    """One phase on its own pair of servers: the warm-up, one session alone, then the load; each {"app", "bare"}."""

    warm_up: dict[str, Tally] = field(default_factory=dict)
    alone: dict[str, Tally] = field(default_factory=dict)
    loaded: dict[str, Tally] = field(default_factory=dict)

    def raw(self) -> dict[str, Any]:
        return {
            part: {name: tally.raw() for name, tally in getattr(self, part).items()}
            for part in ("warm_up", "alone", "loaded")
        }


def measure(plan: Plan, work: Path) -> dict[int, Measured]:
    """Every phase on fresh servers: a warm-up visitor, one session alone (the baseline), then the sessions.

    The baseline is measured again before every phase because these machines are shared and their
    speed drifts (a 3x change in CPU time per action within one run has been seen).
    """
    results: dict[int, Measured] = {}
    for sessions, seconds in plan.phases:
        app, bare = servers(work / f"phase-{sessions}")
        pair = {"app": (app, False), "bare": (bare, True)}
        measured = results[sessions] = Measured()
        try:
            start(app, bare)
            base: dict[str, int] = {}
            for name, (server, is_bare) in pair.items():
                # one visitor through every kind of action: imports and first-run caches, as after a deploy
                warm = measured.warm_up[name] = run_phase(server, is_bare, Phase(1, 60, max_actions=7))
                if warm.error_count:
                    print(f"  {name} warm-up: {warm.error_count} errors {dict(warm.errors)} {warm.log_errors[:3]}")
                one = measured.alone[name] = run_phase(
                    server, is_bare, Phase(1, 120, max_actions=plan.baseline_actions)
                )
                print(summary(f"{name}, 1 session", one))
                base[name] = server.rss_bytes()
            for name, (server, is_bare) in pair.items():
                phase = Phase(sessions, seconds, ramp=sessions / plan.arrivals_per_s)
                tally = measured.loaded[name] = run_phase(server, is_bare, phase, base[name])
                # the warm-up's errors are the app's errors too
                tally.errors.update({f"warm-up {k}": v for k, v in measured.warm_up[name].errors.items()})
                tally.log_errors += measured.warm_up[name].log_errors
                print(summary(f"{name}, {sessions} sessions", tally))
        finally:
            for server in (app, bare):
                server.stop()
    return results


def p50_of(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("inf")


def mean_of(samples: list[float]) -> float:
    return statistics.mean(samples) if samples else float("nan")


def p95_of(samples: list[float]) -> float:
    return p95(samples) if samples else float("inf")


def checked_figure(name: str, value: float, unit: str, target: str, passed: bool, applies: bool) -> Figure:
    """A figure with its target where the issue sets one (50 sessions), reported elsewhere."""
    return Figure(name, value, unit, target, passed) if applies else Figure(name, value, unit, "(reported)", True)


def load_figures(results: dict[int, Measured]) -> list[Figure]:
    """The 1-session figures (of the 50-session phase's servers, else the first phase's), then each phase's."""
    shown = results.get(TARGET_SESSIONS) or next(iter(results.values()))
    one, one_bare = shown.alone["app"], shown.alone["bare"]
    cpu, cpu_bare = mean_of(one.cpu_per_action), mean_of(one_bare.cpu_per_action)
    figures = [
        Figure("load: app, 1 session, p50", p50_of(one.latencies), "ms", "(reported)", True),
        Figure("load: app, 1 session, p95", p95_of(one.latencies), "ms", "baseline", True),
        Figure("load: app, 1 session, errors", one.error_count, "", "(reported)", True),
        Figure("load: app, 1 session, server CPU an action", cpu, "ms", "(reported)", True),
        Figure("load: bare app, 1 session, p50", p50_of(one_bare.latencies), "ms", "reference", True),
        Figure("load: bare app, 1 session, p95", p95_of(one_bare.latencies), "ms", "reference", True),
        Figure("load: bare app, 1 session, server CPU an action", cpu_bare, "ms", "reference", True),
    ]
    for sessions, measured in results.items():
        app, bare = measured.loaded["app"], measured.loaded["bare"]
        target = sessions == TARGET_SESSIONS
        app_p95 = p95_of(app.latencies)
        ratio = app_p95 / p95_of(measured.alone["app"].latencies)  # against one session on the same servers
        errors, memory = app.error_count, app.mb_per_session
        name = f"load: {sessions} sessions"
        figures += [
            Figure(f"{name}, app p50", p50_of(app.latencies), "ms", "(reported)", True),
            checked_figure(f"{name}, app p95", app_p95, "ms", "<= 300 ms", app_p95 <= LATENCY_TARGET_MS, target),
            checked_figure(f"{name}, app p95 / 1-session p95", ratio, "x", "<= 2", ratio <= RATIO_TARGET, target),
            checked_figure(f"{name}, app errors", errors, "", "== 0", errors == 0, target),
            checked_figure(
                f"{name}, app memory per session", memory, "MB", "<= 2 MB", memory <= MEMORY_TARGET_MB, target
            ),
            Figure(f"{name}, app first visit p95", p95_of(app.first_visits), "ms", "(reported)", True),
            Figure(f"{name}, app throughput", app.throughput, "actions/s", "(reported)", True),
            Figure(f"{name}, app server CPU", app.cpu_busy, "cores", "(reported)", True),
            Figure(f"{name}, bare p50", p50_of(bare.latencies), "ms", "reference", True),
            Figure(f"{name}, bare p95", p95_of(bare.latencies), "ms", "reference", True),
            Figure(f"{name}, bare errors", bare.error_count, "", "reference", True),
            Figure(f"{name}, bare memory per session", bare.mb_per_session, "MB", "reference", True),
            Figure(f"{name}, bare throughput", bare.throughput, "actions/s", "reference", True),
            Figure(f"{name}, bare server CPU", bare.cpu_busy, "cores", "reference", True),
        ]
    return figures


def run(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    """The load figures and their raw numbers."""
    plan = QUICK if quick else FULL
    phases = ", ".join(
        f"{s} sessions ({s / plan.arrivals_per_s:g} s arriving, {t:g} s measured)" for s, t in plan.phases
    )
    print(f"Load: each phase on fresh servers after 1 session alone ({plan.baseline_actions} actions): {phases}")
    print(f"  a session acts every {INTERVAL:g} s ± 50 %")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        results = measure(plan, Path(tmp))
    seconds = time.perf_counter() - started
    print(f"  load part took {seconds:.1f} s; load average now {load_average()}")
    raw = {
        "interval_s": INTERVAL,
        "timeout_s": TIMEOUT,
        "arrivals_per_s": plan.arrivals_per_s,
        "seconds": round(seconds, 1),
        "load_average_end": load_average(),
        "phases": {str(sessions): measured.raw() for sessions, measured in results.items()},
    }
    return load_figures(results), raw


def main() -> None:
    args = part_arguments(__doc__, "1 session, then 10 sessions for 3 s").parse_args()
    print_machine()
    finish(*run(args.quick), args.json)


if __name__ == "__main__":
    main()
