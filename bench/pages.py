"""Page benchmark: the script run of every page under AppTest, against a bare three-element page.

    .venv/bin/python -m bench.pages            # 10 vs 10,000 sandboxes, 30 timed runs a view
    .venv/bin/python -m bench.pages --quick    # 10 vs 200 sandboxes, walkthrough steps 1, 3, 5, 4 runs a view
    .venv/bin/python -m bench.pages --profile "walkthrough step 2"   # profile one view's script runs

Every page of the page registry (guide/content/pages.json; the walkthrough at each of its nine steps), a demo buyer
signed in and one order opened, checked and assessed, against the SQLite files of bench.domain
holding 10 and 10,000 sandboxes (the same demo orders in both), and bench/bare/page.py for
reference. AppTest runs the scripts as a warmed-up server does (one pass a run; see
guide/ui/legacy_pages.py). The figure is the wall time around `at.run()`. Views are interleaved and
the two databases alternate in blocks, so drift hits every view alike. The table of every view adds
the script thread's CPU time, which holds still when other processes load the machine, and so does
its large / small ratio. The load average is printed at the start and the end. The scripts are compiled
once, as a server does (AppTest on its own compiles the entry point and the page on every run; set
BENCH_COMPILE_EACH_RUN=1 for that).
"""

from __future__ import annotations

import contextlib
import cProfile
import functools
import gc
import io
import logging
import os
import pstats
import re
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar
from unittest import mock

from bench.browser import step_text
from bench.common import APP, BARE_PAGE, ROOT, Figure, p95
from bench.domain import TEMPLATES, filled_store
from bench.report import finish, part_arguments, print_machine

SCRIPT_TARGET_MS = 50.0
SIZE_TARGET = 1.2  # with the large database no slower than with 10 sandboxes
BUYER = "maria"
DB_URL = "CANCEL_COACH_DB_URL"
BARE = "bare three-element page"
COMPILE_EACH_RUN = "BENCH_COMPILE_EACH_RUN"  # set: AppTest's own script caches, which compile every run

# --- AppTest ------------------------------------------------------------------------------------


@dataclass
class View:
    """One page as a visitor sees it: the registry's page and its extra query parameters."""

    name: str
    page: str  # a page's name in the registry, or "" for the bare reference page
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Database:
    """One database configuration: its URL and the sandbox (and order) the views open."""

    label: str
    size: int
    url: str
    sandbox: str
    order: str


@dataclass
class Samples:
    """Wall time of at.run() and, from the script runner's events, its script passes."""

    wall: list[float] = field(default_factory=list)
    final_pass: list[float] = field(default_factory=list)  # the last SCRIPT_STARTED to its stop
    passes: list[float] = field(default_factory=list)  # first SCRIPT_STARTED to the last stop
    pass_count: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU time of the script thread: robust to a busy machine


QUICK_STEPS = (1, 3, 5)  # --quick: sign-in, the order list (the slowest), the assessment


def views(order: str, quick: bool = False) -> list[View]:
    from guide.navigation import pages
    from guide.walkthrough import steps

    found: list[View] = []
    for page in pages():
        if page == "walkthrough":
            found += [
                View(f"walkthrough step {n} ({step.id})", page, {"order": order, "step": str(n)})
                for n, step in enumerate(steps(), start=1)
                if not quick or n in QUICK_STEPS
            ]
        elif page in ("order_details", "contact_seller", "refunds"):
            found.append(View(page, page, {"order": order}))
        else:
            found.append(View(page, page))
    return [*found, View(BARE, "")]


def _pick(count: int, ids: list[str]) -> str:
    """A sandbox in the middle of the database, built from demo template 0 like the small one's first."""
    ordered = sorted(ids)  # ids are bench{index:017d}xxxxx: sorted is fill order
    return ordered[(count // TEMPLATES // 2) * TEMPLATES]


def prepare(count: int) -> Database:
    """The bench database of `count` sandboxes, one sandbox signed in, mid-walkthrough on one order."""
    store, ids = filled_store(count)
    sandbox = _pick(count, ids)
    assert store.get_sandbox(sandbox).seed % TEMPLATES == 0, "sandbox ids are not in fill order"
    orders = store.list_orders(sandbox)
    order = next((o for o in orders if o.status.value == "awaiting_shipment"), orders[0]).id
    store.forget(sandbox)  # every fact: a clean start
    # Signed in, order opened, status read and eligibility checked: the pages show their full content.
    facts = {
        "signed_in": BUYER,
        "opened_my_orders": "yes",
        "opened_order": order,
        "read_status": order,
        "checked_eligibility": order,
        "viewed_refund": order,
    }
    for fact, value in facts.items():
        store.record(sandbox, fact, value)
    store.dispose()
    return Database(f"{count:,} sandboxes", count, store.url, sandbox, order)


def forget_facts(database: Database) -> None:
    """Leave the bench database as bench.domain built it (no walkthrough progress)."""
    from guide.store import Store

    store = Store(database.url)
    try:
        store.forget(database.sandbox)
    finally:
        store.dispose()


def use_database(url: str) -> None:
    """Point get_store() at `url`: drop the cached store (closing its connections) and set the env."""
    from guide.ui.state import get_store

    os.environ[DB_URL] = url
    get_store.clear()
    gc.collect()


class RunMarks:
    """The latest at.run(): script runner events with perf_counter times, the script thread's CPU time;
    and the profiler to run around each script thread, if any."""

    events: ClassVar[list[tuple[float, str]]] = []
    cpu: ClassVar[float | None] = None  # CPU seconds of the script thread in the latest run
    profiler: ClassVar[Any] = None  # enable() / disable() around each run: cProfile.Profile or _Sampler


@contextlib.contextmanager
def instrumented_apptest() -> Iterator[None]:
    """Let AppTest build a LocalScriptRunner that records its events' times (and can be profiled).

    Measurement only: the runner behaves as before. Restored on exit.
    """
    from streamlit.runtime.scriptrunner import ScriptRunnerEvent
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    class TimedRunner(LocalScriptRunner):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            marks: list[tuple[float, str]] = []
            RunMarks.events = marks

            def mark(_sender: object, event: ScriptRunnerEvent, **_kwargs: Any) -> None:
                if event is not ScriptRunnerEvent.ENQUEUE_FORWARD_MSG:
                    marks.append((time.perf_counter(), event.value))

            self.on_event.connect(mark, weak=False)

        def _run_script_thread(self) -> None:
            profiler = RunMarks.profiler
            started = time.thread_time()
            if profiler is not None:
                profiler.enable()
            try:
                super()._run_script_thread()
            finally:
                if profiler is not None:
                    profiler.disable()
                RunMarks.cpu = time.thread_time() - started

    # AppTest builds its runner by the name app_test imported; patch.object puts back what was there.
    # It also makes two new script caches every run, so it compiles (and rewrites for magic) the entry point and
    # the page each time; a server keeps one cache for its life. One cache here, as on a server, unless asked.
    shared = ScriptCache()
    caches = [] if os.environ.get(COMPILE_EACH_RUN) else [(app_test, shared), (local_script_runner, shared)]
    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch.object(app_test, "LocalScriptRunner", TimedRunner))
        for module, cache in caches:
            patches.enter_context(mock.patch.object(module, "ScriptCache", lambda cache=cache: cache))
        yield


@contextlib.contextmanager
def served_apptest() -> Iterator[None]:
    """AppTest as a warmed-up server runs scripts (guide/ui/legacy_pages.py), with the runner that
    records the script thread's CPU time and can be profiled. Restored on exit."""
    from guide.ui.legacy_pages import as_warm_server

    with as_warm_server(), instrumented_apptest():
        yield


def _passes(marks: list[tuple[float, str]]) -> tuple[float, float, int] | None:
    """(final pass ms, all passes ms, number of passes) from one run's events."""
    starts = [i for i, (_, e) in enumerate(marks) if e == "SCRIPT_STARTED"]
    stops = [i for i, (_, e) in enumerate(marks) if e.startswith("SCRIPT_STOPPED")]
    if not starts or not stops or stops[-1] < starts[-1]:
        return None
    last_stop = next(i for i in stops if i > starts[-1])
    final = (marks[last_stop][0] - marks[starts[-1]][0]) * 1000
    total = (marks[stops[-1]][0] - marks[starts[0]][0]) * 1000
    return final, total, len(starts)


def new_app(view: View, database: Database) -> Any:
    """An AppTest on `view`, after one run (the home page) so st.navigation has registered the pages."""
    from streamlit.testing.v1 import AppTest

    from guide.navigation import pages

    if not view.page:
        return AppTest.from_file(str(BARE_PAGE), default_timeout=60)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params = {"sandbox": database.sandbox}
    at.run()
    at.query_params = {"sandbox": database.sandbox, **view.params}
    at.switch_page(pages()[view.page].file)
    return at


def run_once(at: Any, view: View) -> tuple[float, tuple[float, float, int] | None, float | None]:
    """Wall ms of at.run(), its script passes, and the script thread's CPU ms."""
    RunMarks.events, RunMarks.cpu = [], None
    start = time.perf_counter()
    at.run()
    wall = (time.perf_counter() - start) * 1000
    return wall, _passes(RunMarks.events), None if RunMarks.cpu is None else RunMarks.cpu * 1000


def check(at: Any, view: View, database: Database) -> None:
    """The view rendered without an exception: the page asked for, in the sandbox asked for, signed in."""
    from guide.content import text
    from guide.navigation import pages
    from guide.ui.state import demo_buyers

    def fail(why: str) -> None:
        raise RuntimeError(f"{view.name}, {database.label}: {why}")

    if at.exception:
        fail(str(at.exception[0].value))
    if not view.page:
        return
    titles = [t.value for t in at.title]
    if titles != [pages()[view.page].title]:
        fail(f"unexpected page title(s) {titles}")
    if at.query_params.get("sandbox") != database.sandbox:
        fail(f"not in sandbox {database.sandbox}: {at.query_params}")
    captions = [c.value for c in at.sidebar.caption]
    if text("sidebar", "signed_in_as", name=demo_buyers()[BUYER].name) not in captions:
        fail("the demo buyer is not signed in")
    if "step" in view.params:
        wanted = step_text(int(view.params["step"]))
        if wanted not in [c.value for c in at.caption]:
            fail(f"{wanted!r} not shown")


def measure_apptest(
    databases: list[Database], all_views: list[View], repeat: int, blocks: int
) -> dict[str, dict[str, Samples]]:
    """Samples per database label and view: `blocks` blocks a database, alternating, views interleaved."""
    results = {db.label: {v.name: Samples() for v in all_views} for db in databases}
    apps: dict[str, dict[str, Any]] = {db.label: {} for db in databases}
    per_block = max(1, repeat // blocks)
    for block in range(blocks):
        order = databases if block % 2 == 0 else list(reversed(databases))
        for database in order:
            use_database(database.url)
            started = time.perf_counter()
            for view in all_views:
                if view.name not in apps[database.label]:
                    apps[database.label][view.name] = new_app(view, database)
                at = apps[database.label][view.name]
                for _ in range(2 if block < 2 else 1):  # warm-up: the page's first run, then a rerun
                    run_once(at, view)
                check(at, view, database)
            for _ in range(per_block):
                for view in all_views:
                    wall, passes, cpu = run_once(apps[database.label][view.name], view)
                    samples = results[database.label][view.name]
                    samples.wall.append(wall)
                    if cpu is not None:
                        samples.cpu.append(cpu)
                    if passes:
                        samples.final_pass.append(passes[0])
                        samples.passes.append(passes[1])
                        samples.pass_count.append(passes[2])
            print(
                f"  block {block + 1}/{blocks}, {database.label}: "
                f"{per_block} runs x {len(all_views)} views in {time.perf_counter() - started:.1f} s"
            )
    return results


class _Sampler:
    """pyinstrument's sampling profiler, started and stopped in the script thread once a run."""

    def __init__(self) -> None:
        self.sessions: list[Any] = []
        self._running: Any = None

    def enable(self) -> None:
        from pyinstrument import Profiler

        self._running = Profiler(interval=0.0005, async_mode="disabled")
        self._running.start()

    def disable(self) -> None:
        self.sessions.append(self._running.stop())


# Streamlit functions whose inclusive time the profile lists beside the app's: the pages-directory
# pass AppTest adds to every run, and compiling the scripts (AppTest's script cache lives one run).
INCLUSIVE_ALSO = frozenset({"_mpa_v1", "get_bytecode"})


def _sample_listing(root: Any, top: int) -> str:
    """pyinstrument samples as two lists: own time by function, and inclusive time of the app's functions."""
    own: dict[str, float] = {}
    inclusive: dict[str, float] = {}
    total = root.time if root is not None else 0.0
    stack: list[tuple[Any, frozenset[str]]] = [(root, frozenset())] if root is not None else []
    while stack:
        frame, above = stack.pop()
        where = f"{frame.function}  {frame.file_path_short}:{frame.line_no}"
        stack.extend((child, above | {where}) for child in frame.children)
        if frame.is_synthetic:
            continue
        # a function's own time: what its children do not account for, "[self]" leaves included
        spent = frame.time - sum(child.time for child in frame.children if not child.is_synthetic_leaf)
        if spent > 0:
            own[where] = own.get(where, 0.0) + spent
        path = str(frame.file_path or "")
        ours = path.startswith(str(ROOT)) and not path.startswith((str(ROOT / ".venv"), str(ROOT / "bench")))
        if where not in above and (ours or frame.function in INCLUSIVE_ALSO):
            inclusive[where] = inclusive.get(where, 0.0) + frame.time

    def listing(title: str, times: dict[str, float]) -> list[str]:
        rows = sorted(times.items(), key=lambda item: -item[1])[:top]
        return [title, *(f"  {spent:7.3f} s  {100 * spent / total:5.1f}%  {where}" for where, spent in rows)]

    lines = listing(f"self time by function (total {total:.3f} s):", own)
    lines += listing("\ninclusive time, app code and AppTest's extra pass and compiles:", inclusive)
    return "\n".join(lines) + "\n"


def profile_view(database: Database, view: View, repeat: int, top: int = 25) -> str:
    """Profile of the script thread over `repeat` reruns of one view: pyinstrument (sampling) when it is
    installed, else cProfile (whose per-call overhead inflates small, often-called functions)."""
    use_database(database.url)
    at = new_app(view, database)
    for _ in range(3):
        run_once(at, view)
    check(at, view, database)
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        profiler: Any = cProfile.Profile()
    else:
        profiler = _Sampler()
    RunMarks.profiler = profiler
    try:
        walls = [run_once(at, view)[0] for _ in range(repeat)]
    finally:
        RunMarks.profiler = None
    out = io.StringIO()
    kind = "cProfile" if isinstance(profiler, cProfile.Profile) else "pyinstrument"
    out.write(f"profile: {view.name}, {database.label}, {repeat} runs, median wall {statistics.median(walls):.1f} ms ")
    out.write(f"(under {kind}; times are totals over all runs)\n")
    if isinstance(profiler, _Sampler):
        from pyinstrument.renderers import ConsoleRenderer
        from pyinstrument.session import Session

        session = functools.reduce(Session.combine, profiler.sessions)
        out.write(_sample_listing(session.root_frame(), top))
        out.write("\ncall tree (library frames folded):\n" + ConsoleRenderer(short_mode=True).render(session))
        return out.getvalue()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    out.write("app code only (guide/, pages/, streamlit_app.py), cumulative:\n")
    stats.sort_stats("cumulative").print_stats(re.escape(str(ROOT)) + r"/(guide|pages|streamlit_app)", top)
    return out.getvalue()


def apptest_figures(
    results: dict[str, dict[str, Samples]], big: Database, small: Database, all_views: list[View]
) -> tuple[list[Figure], list[dict[str, Any]]]:
    figures: list[Figure] = []
    rows: list[dict[str, Any]] = []
    for view in all_views:
        b, s = results[big.label][view.name], results[small.label][view.name]
        row = {
            "view": view.name,
            "median_big": statistics.median(b.wall),
            "p95_big": p95(b.wall),
            "median_small": statistics.median(s.wall),
            "ratio": statistics.median(b.wall) / statistics.median(s.wall),
            "final_pass_big": statistics.median(b.final_pass) if b.final_pass else None,
            "passes_big": statistics.median(b.passes) if b.passes else None,
            "pass_count": max(b.pass_count) if b.pass_count else None,
            "cpu_big": statistics.median(b.cpu) if b.cpu else None,
            "cpu_small": statistics.median(s.cpu) if s.cpu else None,
        }
        rows.append(row)
    pages = [r for r in rows if r["view"] != BARE]
    walkthrough = [r for r in pages if r["view"].startswith("walkthrough")]
    worst_step = max(walkthrough, key=lambda r: r["median_big"])
    table = [worst_step, *(r for r in pages if not r["view"].startswith("walkthrough"))]
    for r in table:
        name = f"walkthrough (slowest step: {r['view'].removeprefix('walkthrough ')})" if r is worst_step else r["view"]
        ok = r["median_big"] <= SCRIPT_TARGET_MS
        figures += [
            Figure(f"{name}: script run, {big.label}, median", r["median_big"], "ms", "<= 50 ms", ok),
            Figure(f"{name}: script run, {big.label}, p95", r["p95_big"], "ms", "(reported)", True),
            Figure(f"{name}: script run, {small.label}, median", r["median_small"], "ms", "baseline", True),
            Figure(
                f"{name}: ratio {big.size:,} / {small.size} sandboxes",
                r["ratio"],
                "x",
                f"<= {SIZE_TARGET}",
                r["ratio"] <= SIZE_TARGET,
            ),
        ]
    failing = [r["view"].split()[2] for r in walkthrough if r["median_big"] > SCRIPT_TARGET_MS and r is not worst_step]
    if failing:
        name = f"walkthrough: other steps over 50 ms, {big.label} (steps {', '.join(failing)})"
        figures.append(Figure(name, len(failing), "", "none", False))
    bare = results[big.label][BARE].wall + results[small.label][BARE].wall
    figures += [
        Figure(f"{BARE}: script run, median", statistics.median(bare), "ms", "reference", True),
        Figure(f"{BARE}: script run, p95", p95(bare), "ms", "reference", True),
    ]
    return figures, rows


# --- report -------------------------------------------------------------------------------------


def print_views(rows: list[dict[str, Any]], big: Database, small: Database) -> None:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    print(
        "\nEvery view, medians in ms: AppTest wall time around at.run() (p95 and 'final pass', 'all passes',\n"
        f"'passes' with {big.label}: the script runner's last pass, what a server runs; all passes of one\n"
        "at.run(); how many), then the script thread's CPU time (all passes) and its ratio.\n"
    )
    print(
        f"| view | {big.label} | p95 | {small.label} | ratio | final pass | all passes | passes "
        f"| script CPU, {big.size:,} | script CPU, {small.size} | CPU ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cpu_ratio = r["cpu_big"] / r["cpu_small"] if r["cpu_big"] and r["cpu_small"] else None
        print(
            f"| {r['view']} | {ms(r['median_big'])} | {ms(r['p95_big'])} | {ms(r['median_small'])} | "
            f"{r['ratio']:.2f} | {ms(r['final_pass_big'])} | {ms(r['passes_big'])} | {r['pass_count'] or '-'} | "
            f"{ms(r['cpu_big'])} | {ms(r['cpu_small'])} | {'-' if cpu_ratio is None else f'{cpu_ratio:.2f}'} |"
        )


def run(quick: bool, profile: str | None = None) -> tuple[list[Figure], dict[str, Any]]:
    """The page figures and their raw samples (or, with `profile`, print a profile of that view only)."""
    from guide.ui.state import get_store

    repeat, blocks, large = (4, 2, 200) if quick else (30, 6, 10_000)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()  # AppTest outside a run
    )
    saved_url = os.environ.get(DB_URL)
    prepared: list[Database] = []
    try:
        prepared += [prepare(large), prepare(10)]
        big, small = prepared
        if big.order != small.order:
            raise RuntimeError("the two sandboxes do not hold the same demo orders")
        all_views = views(big.order, quick)
        with served_apptest():
            if profile:
                view = next((v for v in all_views if v.name.startswith(profile)), None)
                if view is None:
                    raise SystemExit(f"no view {profile!r}; views: {[v.name for v in all_views]}")
                print(profile_view(big, view, repeat))
                return [], {}
            print(f"AppTest: {len(all_views)} views, {repeat} runs each, databases in {blocks} block(s)")
            results = measure_apptest([big, small], all_views, repeat, blocks)
    finally:
        get_store.clear()
        for database in prepared:
            forget_facts(database)
        if saved_url is None:
            os.environ.pop(DB_URL, None)
        else:
            os.environ[DB_URL] = saved_url
    figures, rows = apptest_figures(results, big, small, all_views)
    print_views(rows, big, small)
    samples = {label: {name: asdict(s) for name, s in per_view.items()} for label, per_view in results.items()}
    return figures, {"views": rows, "samples": samples}


def main() -> None:
    parser = part_arguments(__doc__, "10 vs 200 sandboxes, fewer repeats")
    parser.add_argument(
        "--profile", metavar="VIEW", help='profile one view instead, e.g. "my_orders" (pyinstrument if installed)'
    )
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):  # what a console or pipe gives; reconfigure is its method
        sys.stdout.reconfigure(line_buffering=True)
    print_machine()
    figures, raw = run(args.quick, args.profile)
    if not args.profile:
        finish(figures, raw, args.json)


if __name__ == "__main__":
    main()
