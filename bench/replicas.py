"""Load across replicas: the load benchmark's sessions through HAProxy (deploy/serve.sh) in front of N replicas.

    .venv/bin/python -m bench.load --replicas 1,2,4           # 50, 100, 200 sessions; 30 s windows; ~19 min
    .venv/bin/python -m bench.load --replicas --quick         # 1 and 2 replicas, 10 sessions for 3 s; ~1.5 min
    .venv/bin/python -m bench.load --replicas 2 --sessions 100 --seconds 60   # one phase, longer
    .venv/bin/python -m bench --only replicas                 # the same figures in docs/PERFORMANCE.md

The sessions, their actions and the latency and error rules are bench/load.py's (bench/load_client.py).
What differs here:
- every phase starts its own `bash deploy/serve.sh --replicas N` (front door on 127.0.0.1:8800,
  replicas on 8801..), the app on a fresh PostgreSQL database `coach_bench` (dropped and created
  again before each app phase), then the bare app (bench/bare/streamlit_app.py) behind the same
  HAProxy, one after the other, never at once;
- each session first GETs `/` through the front door and keeps HAProxy's `cc_replica` cookie for its
  websocket, as a browser does, so visitors spread over the replicas by HAProxy's leastconn (the
  spread is in the raw numbers);
- the warm-up visits every replica directly (its own port), one after the other: every process has
  imported everything, and only the first creates the tables of the fresh database;
- server CPU is summed over every replica process (with any children); HAProxy's (master and worker)
  is shown apart, and so is the whole machine's (every process on it, from /proc/stat), because one
  replica saturates at about one core (one GIL) and the machine at its core count;
- CPU an action is the replicas' CPU in the window over the actions finished in it; memory per session
  is the replicas' summed RSS with the sessions connected, less the sum after the warm-up and the
  baseline, over N.
The one-session baseline goes through the front door with the same replicas just before each phase.
Targets (issue 15): 100 sessions with 2 replicas, p95 <= 300 ms and <= 3x that 1-session p95, no error.
A full run is 18 phases of 40-75 s (start, warm-up, arrivals at 5 a second, a 30 s window, stop): 1,110 s here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import APP, BARE_APP, ROOT, Figure, load_average, terminate
from bench.load_client import INTERVAL, TIMEOUT, Measured, Phase, Tally, p50_of, p95_of, run_phase, summary

FRONT_PORT = 8800  # this benchmark's ports: 8800 the front door, 8801.. the replicas
DATABASE = "coach_bench"
DB_URL = f"postgresql+psycopg://coach:coach@127.0.0.1:5432/{DATABASE}"
LATENCY_TARGET_MS = 300.0
RATIO_TARGET = 3.0
TARGET = (2, 100)  # (replicas, sessions) where the issue sets its targets
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Plan:
    """Replica counts x session counts, each phase's window, the baseline's length and the arrival rate."""

    replicas: tuple[int, ...]
    sessions: tuple[int, ...]
    seconds: float
    baseline_actions: int
    arrivals_per_s: float


QUICK = Plan(replicas=(1, 2), sessions=(10,), seconds=3.0, baseline_actions=10, arrivals_per_s=10.0)
FULL = Plan(replicas=(1, 2, 4), sessions=(50, 100, 200), seconds=30.0, baseline_actions=20, arrivals_per_s=5.0)


def proc_stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (field 3 of proc(5) is index 0)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_tree(pid: int) -> list[int]:
    """`pid` and its living descendants (HAProxy's master runs a worker; a replica might fork)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                parents.setdefault(int(proc_stat(int(entry.name))[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(current := todo.pop())
        todo += parents.get(current, [])
    return tree


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of the process tree, threads included (a process that ended is not)."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = proc_stat(member)
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total


def tree_rss(pid: int) -> int:
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far, every core summed (/proc/stat: all but idle and iowait)."""
    jiffies = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / TICK


def database_cpu() -> float:
    """CPU seconds so far of the PostgreSQL backends serving `coach_bench` (the pooled connections; one
    that has closed takes its CPU time with it)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            if entry.name.isdigit() and f" {DATABASE} ".encode() in (entry / "cmdline").read_bytes():
                fields = proc_stat(int(entry.name))
                total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def fresh_database() -> None:
    """`coach_bench` dropped and created again: every app phase starts with no sandboxes."""
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE} OWNER coach"):
        subprocess.run(["su", "postgres", "-c", f'psql -q -c "{sql}"'], check=True, cwd="/", capture_output=True)


@dataclass
class FrontDoor:
    """`deploy/serve.sh` with N replicas of one script: the load target, its replicas' CPU and memory summed."""

    script: Path
    replicas: int
    run_dir: Path
    port: int = FRONT_PORT
    affinity: bool = True
    process: subprocess.Popen[bytes] | None = None
    pids: dict[str, int] = field(default_factory=dict)  # "r1".. and "haproxy" -> pid

    @property
    def output(self) -> Path:
        return self.run_dir / "serve.out"

    def start(self, timeout: float = 120.0) -> float:
        """Seconds until serve.sh says it serves (HAProxy and every replica healthy)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        command = [
            "bash", "deploy/serve.sh", "--replicas", str(self.replicas), "--port", str(self.port),
            "--first-port", str(self.port + 1), "--app", str(self.script.relative_to(ROOT)),
            "--db-url", DB_URL, "--run-dir", str(self.run_dir),
        ]  # fmt: skip
        started = time.perf_counter()
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        ready = f"served on http://127.0.0.1:{self.port}"
        while ready not in self.output.read_text(errors="replace"):
            if self.process.poll() is not None or time.perf_counter() - started > timeout:
                self.stop()
                raise RuntimeError(f"serve.sh did not serve:\n{self.output.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        names = [f"replica-{k}" for k in range(1, self.replicas + 1)] + ["haproxy"]
        for name in names:
            self.pids[name.replace("replica-", "r")] = int((self.run_dir / f"{name}.pid").read_text())
        return time.perf_counter() - started

    @property
    def replica_pids(self) -> list[int]:
        return [pid for name, pid in self.pids.items() if name != "haproxy"]

    def cpu_seconds(self) -> float:
        return sum(tree_cpu(pid) for pid in self.replica_pids)

    def cpu_parts(self) -> dict[str, float]:
        parts = {name: tree_cpu(pid) for name, pid in self.pids.items()}
        return parts | {"postgres": database_cpu(), "generator": time.process_time(), "machine": machine_cpu()}

    def rss_bytes(self) -> int:
        return sum(tree_rss(pid) for pid in self.replica_pids)

    def logs(self) -> list[Path]:
        return [self.run_dir / f"replica-{k}.log" for k in range(1, self.replicas + 1)]

    def direct(self, k: int) -> Replica:
        return Replica(self, k)

    def stop(self) -> None:
        """SIGTERM to serve.sh (it stops what it started); its whole group killed after 30 s."""
        process = self.process
        if process is not None:  # its own session (start_new_session above), so the group is all it started
            terminate(process, 30, lambda: os.killpg(process.pid, signal.SIGKILL))


@dataclass
class Replica:
    """One replica of a front door on its own port, past HAProxy: the warm-up's target."""

    door: FrontDoor
    k: int
    affinity: bool = False

    @property
    def port(self) -> int:
        return self.door.port + self.k

    def cpu_seconds(self) -> float:
        return tree_cpu(self.door.pids[f"r{self.k}"])

    def cpu_parts(self) -> dict[str, float]:
        return {}

    def rss_bytes(self) -> int:
        return tree_rss(self.door.pids[f"r{self.k}"])

    def logs(self) -> list[Path]:
        return [self.door.run_dir / f"replica-{self.k}.log"]


def warm_up(door: FrontDoor, bare: bool) -> Tally:
    """One visitor through every kind of action on each replica in turn; their errors in one tally."""
    tallies = [run_phase(door.direct(k), bare, Phase(1, 60, max_actions=7)) for k in range(1, door.replicas + 1)]
    merged = tallies[0]
    for other in tallies[1:]:
        merged.errors.update(other.errors)
        merged.log_errors += other.log_errors
    return merged


def extra(tally: Tally) -> str:
    """The replica part of a progress line: HAProxy's and the machine's CPU, the busiest replica, the spread."""
    if not tally.seconds:
        return ""
    parts = {k: v / tally.seconds for k, v in tally.cpu_parts.items()}
    busiest = max((v for k, v in parts.items() if k[0] == "r" and k[1:].isdigit()), default=0.0)
    shown = ("haproxy", "postgres", "generator", "machine")
    return (
        f"    busiest replica {busiest:.0%}, "
        + ", ".join(f"{k} {parts.get(k, 0):.0%}" for k in shown)
        + f" of a core; spread {dict(tally.spread)}"
    )


def measure(plan: Plan, work: Path) -> dict[tuple[int, int], Measured]:
    """Every (replicas, sessions) phase: the app on a fresh database, then the bare app, each on its own serve.sh."""
    results: dict[tuple[int, int], Measured] = {}
    for replicas in plan.replicas:
        for sessions in plan.sessions:
            measured = results[replicas, sessions] = Measured()
            for name, script, bare in (("app", APP, False), ("bare", BARE_APP, True)):
                if not bare:
                    fresh_database()
                door = FrontDoor(script, replicas, work / f"{replicas}-{sessions}-{name}")
                try:
                    took = door.start()
                    warm = measured.warm_up[name] = warm_up(door, bare)
                    if warm.error_count:
                        print(f"  {name} warm-up: {warm.error_count} errors {dict(warm.errors)} {warm.log_errors[:3]}")
                    one = measured.alone[name] = run_phase(door, bare, Phase(1, 120, max_actions=plan.baseline_actions))
                    label = f"{name}, {replicas} replica{'s' * (replicas > 1)}"
                    print(summary(f"{label} (served in {took:.1f} s), 1 session", one))
                    phase = Phase(sessions, plan.seconds, ramp=sessions / plan.arrivals_per_s)
                    tally = measured.loaded[name] = run_phase(door, bare, phase, door.rss_bytes())
                    tally.errors.update({f"warm-up {k}": v for k, v in warm.errors.items()})
                    tally.log_errors += warm.log_errors
                    print(summary(f"{label}, {sessions} sessions", tally))
                    print(extra(tally))
                finally:
                    door.stop()
    return results


def per_action(seconds: float, tally: Tally) -> float:
    """CPU milliseconds an action finished in the window."""
    return seconds * 1000 / len(tally.latencies) if tally.latencies else float("nan")


def figure(name: str, value: float, unit: str, target: str, passed: bool, applies: bool) -> Figure:
    """A figure with its target at 2 replicas and 100 sessions, reported elsewhere."""
    return Figure(name, value, unit, target, passed) if applies else Figure(name, value, unit, "(reported)", True)


def replica_figures(results: dict[tuple[int, int], Measured]) -> list[Figure]:
    """Per replica count its 1-session baseline, then per (replicas, sessions) the app's figures and the bare's."""
    figures: list[Figure] = []
    for (replicas, sessions), measured in results.items():
        name = f"replicas: {replicas} x, {sessions} sessions"
        one, one_bare = measured.alone["app"], measured.alone["bare"]
        app, bare = measured.loaded["app"], measured.loaded["bare"]
        if sessions == min(s for r, s in results if r == replicas):
            base = f"replicas: {replicas} x, 1 session"
            figures += [
                Figure(f"{base}, app p50", p50_of(one.latencies), "ms", "(reported)", True),
                Figure(f"{base}, app p95", p95_of(one.latencies), "ms", "baseline", True),
                Figure(f"{base}, bare p95", p95_of(one_bare.latencies), "ms", "reference", True),
            ]
        applies = (replicas, sessions) == TARGET
        app_p95 = p95_of(app.latencies)
        ratio = app_p95 / p95_of(one.latencies)  # against one session through the same front door, just before
        errors = app.error_count
        cpu, cpu_bare = per_action(app.cpu_seconds, app), per_action(bare.cpu_seconds, bare)
        busiest = max((v for k, v in app.cpu_parts.items() if k[0] == "r" and k[1:].isdigit()), default=0.0)
        seconds = app.seconds or float("nan")
        proxy, whole = app.cpu_parts.get("haproxy", 0.0), app.cpu_parts.get("machine", 0.0)
        database, generator = app.cpu_parts.get("postgres", 0.0), app.cpu_parts.get("generator", 0.0)
        others = whole - sum(v for k, v in app.cpu_parts.items() if k != "machine")  # not this benchmark's
        figures += [
            Figure(f"{name}, app p50", p50_of(app.latencies), "ms", "(reported)", True),
            figure(f"{name}, app p95", app_p95, "ms", "<= 300 ms", app_p95 <= LATENCY_TARGET_MS, applies),
            figure(f"{name}, app p95 / 1-session p95", ratio, "x", "<= 3", ratio <= RATIO_TARGET, applies),
            figure(f"{name}, app errors", errors, "", "== 0", errors == 0, applies),
            Figure(f"{name}, app throughput", app.throughput, "actions/s", "(reported)", True),
            Figure(f"{name}, app replicas' CPU an action", cpu, "ms", "(reported)", True),
            Figure(f"{name}, app / bare CPU an action", cpu / cpu_bare, "x", "(reported)", True),
            Figure(f"{name}, app HAProxy CPU an action", per_action(proxy, app), "ms", "(reported)", True),
            Figure(f"{name}, app memory per session (replicas summed)", app.mb_per_session, "MB", "(reported)", True),
            Figure(f"{name}, app replicas' CPU", app.cpu_busy, "cores", "(reported)", True),
            Figure(f"{name}, app busiest replica's CPU", busiest / seconds, "cores", "(reported)", True),
            Figure(f"{name}, app PostgreSQL CPU an action", per_action(database, app), "ms", "(reported)", True),
            Figure(f"{name}, load generator CPU", generator / seconds, "cores", "(reported)", True),
            Figure(f"{name}, machine CPU (every process)", whole / seconds, "cores", "(reported)", True),
            Figure(f"{name}, machine CPU not this benchmark's", others / seconds, "cores", "(reported)", True),
            Figure(f"{name}, bare p50", p50_of(bare.latencies), "ms", "reference", True),
            Figure(f"{name}, bare p95", p95_of(bare.latencies), "ms", "reference", True),
            Figure(f"{name}, bare errors", bare.error_count, "", "reference", True),
            Figure(f"{name}, bare replicas' CPU an action", cpu_bare, "ms", "reference", True),
            Figure(f"{name}, bare memory per session", bare.mb_per_session, "MB", "reference", True),
        ]
    return figures


def run(
    quick: bool,
    replicas: tuple[int, ...] | None = None,
    sessions: tuple[int, ...] | None = None,
    seconds: float | None = None,
) -> tuple[list[Figure], dict[str, Any]]:
    """The replica figures and their raw numbers (the plan's counts and window unless given)."""
    plan = QUICK if quick else FULL
    plan = Plan(replicas or plan.replicas, sessions or plan.sessions, seconds or plan.seconds,
                plan.baseline_actions, plan.arrivals_per_s)  # fmt: skip
    print(
        f"Load across replicas: {plan.replicas} replicas x {plan.sessions} sessions, app then bare, each on its own"
        f" serve.sh; arrivals {plan.arrivals_per_s:g}/s, {plan.seconds:g} s measured, a session acts every"
        f" {INTERVAL:g} s ± 50 %"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp:
        results = measure(plan, Path(tmp))
    took = time.perf_counter() - started
    print(f"  replica part took {took:.1f} s; load average now {load_average()}")
    raw = {
        "interval_s": INTERVAL,
        "timeout_s": TIMEOUT,
        "arrivals_per_s": plan.arrivals_per_s,
        "window_s": plan.seconds,
        "seconds": round(took, 1),
        "load_average_end": load_average(),
        "phases": {f"{r} replicas, {s} sessions": m.raw() for (r, s), m in results.items()},
    }
    return replica_figures(results), raw
