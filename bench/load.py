"""Load benchmark: many sessions at once over Streamlit's own websocket protocol, the app against the bare app.

    .venv/bin/python -m bench.load            # 10, 50 and 100 sessions, 60 s each, each after 1 session alone
    .venv/bin/python -m bench.load --quick    # 10 sessions for 3 s, after 1 session alone (10 actions)
    .venv/bin/python -m bench.load --replicas 1,2,4   # through HAProxy (deploy/serve.sh): bench/replicas.py

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
protocol notes are there. The sessions and their tallies are in bench/load_client.py, shared with
the replica mode (bench/replicas.py, whose docstring says what it measures differently).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import APP, BARE_APP, Figure, Server, free_port, load_average
from bench.load_client import (
    INTERVAL,
    TIMEOUT,
    Measured,
    Phase,
    mean_of,
    p50_of,
    p95_of,
    run_phase,
    summary,
)
from bench.report import finish, part_arguments, print_machine

LATENCY_TARGET_MS = 300.0
RATIO_TARGET = 2.0
MEMORY_TARGET_MB = 2.0
TARGET_SESSIONS = 50
DB_URL = "CANCEL_COACH_DB_URL"
TICK = os.sysconf("SC_CLK_TCK")


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
class Single:
    """One `streamlit run` process as a load target (bench/load_client.py's Target)."""

    server: Server

    @property
    def affinity(self) -> bool:
        return False

    @property
    def port(self) -> int:
        return self.server.port

    def cpu_seconds(self) -> float:
        """The server process's user + system CPU time so far, every thread, ended ones too (Linux /proc)."""
        assert self.server.process is not None
        fields = Path(f"/proc/{self.server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime: fields 14 and 15 of proc(5)

    def cpu_parts(self) -> dict[str, float]:
        return {}

    def rss_bytes(self) -> int:
        return self.server.rss_bytes()

    def logs(self) -> list[Path]:
        return [self.server.log]


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


def measure(plan: Plan, work: Path) -> dict[int, Measured]:
    """Every phase on fresh servers: a warm-up visitor, one session alone (the baseline), then the sessions.

    The baseline is measured again before every phase because these machines are shared and their
    speed drifts (a 3x change in CPU time per action within one run has been seen).
    """
    results: dict[int, Measured] = {}
    for sessions, seconds in plan.phases:
        app, bare = servers(work / f"phase-{sessions}")
        pair = {"app": (Single(app), False), "bare": (Single(bare), True)}
        measured = results[sessions] = Measured()
        try:
            start(app, bare)
            base: dict[str, int] = {}
            for name, (target, is_bare) in pair.items():
                # one visitor through every kind of action: imports and first-run caches, as after a deploy
                warm = measured.warm_up[name] = run_phase(target, is_bare, Phase(1, 60, max_actions=7))
                if warm.error_count:
                    print(f"  {name} warm-up: {warm.error_count} errors {dict(warm.errors)} {warm.log_errors[:3]}")
                one = measured.alone[name] = run_phase(
                    target, is_bare, Phase(1, 120, max_actions=plan.baseline_actions)
                )
                print(summary(f"{name}, 1 session", one))
                base[name] = target.rss_bytes()
            for name, (target, is_bare) in pair.items():
                phase = Phase(sessions, seconds, ramp=sessions / plan.arrivals_per_s)
                tally = measured.loaded[name] = run_phase(target, is_bare, phase, base[name])
                # the warm-up's errors are the app's errors too
                tally.errors.update({f"warm-up {k}": v for k, v in measured.warm_up[name].errors.items()})
                tally.log_errors += measured.warm_up[name].log_errors
                print(summary(f"{name}, {sessions} sessions", tally))
        finally:
            for server in (app, bare):
                server.stop()
    return results


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


def counts(text: str) -> tuple[int, ...]:
    """`1,2,4` as (1, 2, 4): the --replicas and --sessions lists."""
    return tuple(int(part) for part in text.split(",") if part.strip())


def main() -> None:
    parser = part_arguments(__doc__, "1 session, then 10 sessions for 3 s (with --replicas: 1 and 2 replicas)")
    parser.add_argument(
        "--replicas",
        nargs="?",
        const="",
        type=str,
        help="via HAProxy with N replicas, e.g. 1,2,4 (no value: 1,2,4; 1,2 with --quick)",
    )
    parser.add_argument("--sessions", type=counts, help="with --replicas: the session counts, e.g. 50,100,200")
    parser.add_argument("--seconds", type=float, help="with --replicas: the measured window of each phase")
    args = parser.parse_args()
    print_machine()
    if args.replicas is None:
        if args.sessions or args.seconds:
            parser.error("--sessions and --seconds go with --replicas")
        finish(*run(args.quick), args.json)
    from bench import replicas  # only this mode needs HAProxy and PostgreSQL

    chosen = counts(args.replicas) if args.replicas else None
    finish(*replicas.run(args.quick, chosen, args.sessions, args.seconds), args.json)


if __name__ == "__main__":
    main()
