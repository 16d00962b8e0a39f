"""Browser benchmark: the app in Debian's Chromium against the bare app, served side by side.

    .venv/bin/python -m bench.browser            # 15 rounds (about 2 minutes)
    .venv/bin/python -m bench.browser --quick    # 1 first-render round, 2 click rounds (under 20 s)
    .venv/bin/python -m bench.browser --json out.json   # also the figures and every sample

Every round measures the app and the bare app (bench/bare: a "Search" box, a "+1 hour" button and the
line "Bare page ready · <query> · <n> clicks") one after the other, the order alternating from round
to round, so that both see the same load on this shared machine. The targets are ratios app / bare.

First render: from goto() in a new browser context (a new visitor: a new sandbox, no cached assets)
until the page's ready text is visible ("Step 1 of 9" of the walkthrough; the bare line). The first
load after each server start (imports, first script run) is reported on its own; the servers start
while the browser launches.

Click-to-update: one tab per app for every click round, the one its first load opened (a returning
visitor mid-session), warmed with one search and one clock step. The app's tab signs its sandbox's
demo buyer in (through the server's SQLite file, as the journeys do) and opens My Orders from the
sidebar's navigation. A sample runs, by time.perf_counter(), from the raw input (Enter in the focused
box, or the mouse press on the button under the pointer: Playwright's actionability checks are done
before) until the change a person sees, checked on every animation frame (wait_for_function, "raf");
the next input waits for the run to end.
  - search: fill the box, then press Enter. The app alternates between two order ids that each find
    one order, until My Orders shows exactly one card, the wanted order's with its id (the other
    order's card is gone). The bare app until its line reads the new query.
  - clock step: click "+1 hour" in the sidebar (the app stays on My Orders with a search on) until
    the sidebar clock reads one hour after what it read before; the bare app until its line reads
    one click more.
The page also notes, by performance.now() from the input event, when stApp's data-test-script-state
turned "running" and last "notRunning" (the script run as the frontend saw it; None when the run
started and ended within one frontend update) and when the change showed; printed as medians and
kept in the raw samples, they tell the script run from the frontend's own part. So do two costs
from the input to the run's end: the page's main-thread CPU time (CDP Performance.getMetrics
TaskDuration, thread ticks) and the server process's CPU time (/proc, every thread, 10 ms ticks).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from bench.common import (
    APP,
    BARE_APP,
    BARE_READY,
    Figure,
    Server,
    free_port,
    load_average,
    p95,
)
from bench.report import finish, part_arguments, print_machine
from guide.content import text
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

RENDER_TARGET = 1.5
CLICK_TARGET = 1.5
COLD = "first load after start (ms)"
DB_URL = "CANCEL_COACH_DB_URL"
TIMEOUT_MS = 30_000
ACTIONS = ("search", "clock")

BUYER = "maria"
ORDERS_KEY = "my_orders_page"  # the My Orders page's widget keys: its cards are st-key-<key>_card_<order id>
CLOCK_FORMAT = text("format", "when")  # the pattern guide.content.formats.when writes the clock with
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BARE_LINE = re.compile(r"^Bare page ready · (.*) · (\d+) clicks$")


def step_text(number: int) -> str:
    """The walkthrough's "Step 1 of 9" caption."""
    from guide.content import text
    from guide.walkthrough import steps

    return text("walkthrough", "progress", number=number, total=len(steps()))


def first_load(browser: Any, url: str, ready_text: str, exact: bool) -> tuple[float, Any]:
    """A new context, then from goto() until `ready_text` is visible: milliseconds, and the page (left open)."""
    context = browser.new_context()
    try:
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.get_by_text(ready_text, exact=exact).first.wait_for(state="visible")
        return (time.perf_counter() - start) * 1000, page
    except BaseException:
        context.close()
        raise


def render_ms(browser: Any, url: str, ready_text: str, exact: bool) -> float:
    """First render in a new context (a new visitor), in milliseconds; the context is closed after."""
    ms, page = first_load(browser, url, ready_text, exact)
    page.context.close()
    return ms


# --- click-to-update ----------------------------------------------------------------------------

# Installed once in each click tab: the time of the latest input (keydown or mousedown) and, after it,
# every change of stApp's script-run state and the moment the awaited change first showed.
INSTRUMENT = """() => {
  if (window.__bench) return;
  const b = window.__bench = {t0: 0, states: [], shown: 0};
  const start = () => { b.t0 = performance.now(); b.states = []; b.shown = 0; };
  document.addEventListener('keydown', e => { if (e.key === 'Enter') start(); }, true);
  document.addEventListener('mousedown', start, true);
  const app = document.querySelector('[data-testid=stApp]');
  new MutationObserver(() => b.states.push([app.getAttribute('data-test-script-state'), performance.now()]))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""

# Wraps a check `(arg) => bool` so that the page notes when it first held.
SHOWN = """(arg) => {
  const ok = (%s)(arg);
  if (ok && !window.__bench.shown) window.__bench.shown = performance.now();
  return ok;
}"""

STATE = "document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state')"
IDLE = f"() => {STATE} === 'notRunning'"
# The run that the input started has ended: its change has shown, so the run had started, and the
# state reads "notRunning" again (a short run can start and end in one React commit: no change seen).
RUN_ENDED = f"() => window.__bench.shown > 0 && {STATE} === 'notRunning'"

# My Orders shows exactly one card, the wanted order's, visible and with its id.
ONE_CARD = """([key, want]) => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return false;
  const cards = main.querySelectorAll(`[data-testid=stVerticalBlock][class*="st-key-${key}_card_"]`);
  return cards.length === 1 && cards[0].classList.contains(`st-key-${key}_card_${want}`)
    && cards[0].checkVisibility() && cards[0].innerText.includes(want);
}"""

# Some visible element of the main area reads exactly this line.
LINE = """(line) => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMarkdownContainer]')]
  .some(e => e.innerText.trim() === line && e.checkVisibility())"""

# The sidebar clock reads exactly this time.
SIDEBAR_CLOCK = """(want) => {
  const clock = document.querySelector('[data-testid=stSidebar] code');
  return !!clock && clock.innerText.trim() === want && clock.checkVisibility();
}"""

BREAKDOWN = """() => {
  const b = window.__bench, since = t => t - b.t0;
  const first = s => b.states.find(([x]) => x === s);
  const ended = b.states.filter(([x]) => x === 'notRunning').pop();
  return {
    shown_ms: b.shown ? since(b.shown) : null,
    run_started_ms: first('running') ? since(first('running')[1]) : null,
    run_ended_ms: ended ? since(ended[1]) : null,
  };
}"""


@dataclass
class Sample:
    """One click-to-update: the figure's wall-clock time and the page's own breakdown (ms since the input)."""

    total_ms: float
    shown_ms: float | None
    run_started_ms: float | None
    run_ended_ms: float | None
    renderer_busy_ms: float  # the page's main thread, input to run end (CDP Performance TaskDuration)
    server_cpu_ms: float  # the server process, all threads, input to run end (/proc; 10 ms ticks)


@dataclass
class ClickTab:
    """One app's tab for the click rounds: how to search and step the clock there, and what to await."""

    name: str
    server: Server
    page: Any
    search_box: Any  # a Locator
    hour_button: Any  # a Locator
    expect_search: Callable[[str], tuple[str, Any]]  # query -> (check, arg)
    expect_clock: Callable[[], tuple[str, Any]]  # -> (check, arg), read before the click
    queries: tuple[str, str]
    searches: int = 0
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    cdp: Any = None

    def __post_init__(self) -> None:
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def _costs(self) -> tuple[float, float]:
        """The renderer main thread's busy seconds and the server's CPU seconds so far."""
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        assert self.server.process is not None
        fields = Path(f"/proc/{self.server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return metrics["TaskDuration"], (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def _timed(self, action: Callable[[], None], check: str, arg: Any) -> Sample:
        page = self.page
        busy, cpu = self._costs()
        start = time.perf_counter()
        action()
        page.wait_for_function(SHOWN % check, arg=arg, polling="raf", timeout=TIMEOUT_MS)
        total = (time.perf_counter() - start) * 1000
        page.wait_for_function(RUN_ENDED, timeout=TIMEOUT_MS)  # not timed: the run ends before the next input
        busy_after, cpu_after = self._costs()
        return Sample(
            total,
            **page.evaluate(BREAKDOWN),
            renderer_busy_ms=(busy_after - busy) * 1000,
            server_cpu_ms=(cpu_after - cpu) * 1000,
        )

    def search(self) -> Sample:
        query = self.queries[self.searches % 2]
        self.searches += 1
        self.search_box.fill(query)  # focuses the box; Streamlit sends nothing until Enter
        check, arg = self.expect_search(query)
        return self._timed(lambda: self.page.keyboard.press("Enter"), check, arg)

    def clock_step(self) -> Sample:
        self.hour_button.scroll_into_view_if_needed()
        box = self.hour_button.bounding_box()
        assert box is not None, f"{self.name}: the +1 hour button has no box"
        mouse = self.page.mouse
        mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        check, arg = self.expect_clock()

        def click() -> None:
            mouse.down()
            mouse.up()

        return self._timed(click, check, arg)

    def measure(self, action: str) -> None:
        self.samples[action].append(self.search() if action == "search" else self.clock_step())


def sign_in(work: Path, sandbox_id: str) -> tuple[str, str]:
    """Sign the demo buyer in to the sandbox the app made for this tab (through the server's SQLite file,
    as the journeys do), and pick two order ids that a search each finds alone."""
    from guide.store import Store

    store = Store(f"sqlite:///{work / 'data' / 'cancel_coach.sqlite3'}")
    try:
        store.record(sandbox_id, "signed_in", BUYER)
        orders = store.list_orders(sandbox_id)
        ids = [o.id for o in orders if len(store.list_orders(sandbox_id, query=o.id)) == 1][:2]
    finally:
        store.dispose()
    assert len(ids) == 2, f"the sandbox needs two orders that a search finds alone ({len(orders)} orders)"
    return ids[0], ids[1]


def app_tab(page: Any, server: Server, work: Path) -> ClickTab:
    """The app's click tab: the page its first load left on the walkthrough, signed in, then on My Orders
    through the sidebar's navigation (a page switch in the same session, as a person would)."""
    from guide.content import text
    from guide.navigation import pages

    page.wait_for_url(re.compile(r"[?&]sandbox="))
    page.wait_for_function(IDLE)
    queries = sign_in(work, parse_qs(urlparse(page.url).query)["sandbox"][0])
    page.locator("[data-testid=stSidebarNav] a").filter(has_text=pages()["my_orders"].label).click()
    main, sidebar = page.locator("[data-testid=stMain]"), page.locator("[data-testid=stSidebar]")
    search_box = main.get_by_role("textbox", name=text("orders", "search"))
    search_box.wait_for(state="visible")
    page.wait_for_function(IDLE)
    page.evaluate(INSTRUMENT)

    def expect_clock() -> tuple[str, Any]:
        shown = datetime.strptime(sidebar.locator("code").first.inner_text().strip(), CLOCK_FORMAT)
        return SIDEBAR_CLOCK, (shown + timedelta(hours=1)).strftime(CLOCK_FORMAT)

    return ClickTab(
        "app",
        server,
        page,
        search_box,
        sidebar.get_by_role("button", name=text("sidebar", "plus_hour"), exact=True),
        lambda query: (ONE_CARD, [ORDERS_KEY, query]),
        expect_clock,
        queries,
    )


def bare_tab(page: Any, server: Server, queries: tuple[str, str]) -> ClickTab:
    """The bare app's click tab: the page its first load left open, searching for the app's queries."""
    page.wait_for_function(IDLE)
    page.evaluate(INSTRUMENT)
    line = page.locator("[data-testid=stMain]").get_by_text(BARE_READY)

    def shown() -> tuple[str, int]:
        found = BARE_LINE.match(line.inner_text().strip())
        assert found, f"bare: unexpected line {line.inner_text()!r}"
        return found.group(1), int(found.group(2))

    def expect_search(query: str) -> tuple[str, Any]:
        return LINE, f"Bare page ready · {query} · {shown()[1]} clicks"

    def expect_clock() -> tuple[str, Any]:
        query, clicks = shown()
        return LINE, f"Bare page ready · {query} · {clicks + 1} clicks"

    return ClickTab(
        "bare",
        server,
        page,
        page.get_by_role("textbox", name="Search", exact=True),
        page.get_by_role("button", name="+1 hour", exact=True),
        expect_search,
        expect_clock,
        queries,
    )


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Measured:
    first_render: dict[str, list[float]]
    cold: dict[str, float]
    clicks: dict[str, dict[str, list[Sample]]]  # action -> app / bare -> samples
    chromium: str
    phases: dict[str, float]  # seconds each part of the run took


def stop_all(servers: list[Server]) -> None:
    """SIGTERM to every server first, so that they shut down side by side, then Server.stop() each."""
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                server.process.send_signal(signal.SIGTERM)
    for server in servers:
        server.stop()


def measure_browser(render_rounds: int, click_rounds: int, work: Path) -> Measured:
    """First-render samples and click-to-update samples for the app and the bare app, alternating."""
    from playwright.sync_api import sync_playwright

    env = {k: v for k, v in os.environ.items() if k != DB_URL}
    app_env = {**env, "CANCEL_COACH_DATA_DIR": str(work / "data")}
    app = Server("app", APP, free_port(), work / "app.log")
    bare = Server("bare", BARE_APP, free_port(), work / "bare.log")
    targets = {"app": (app, step_text(1), True), "bare": (bare, BARE_READY, False)}
    samples: dict[str, list[float]] = {"app": [], "bare": []}
    cold: dict[str, float] = {}
    phases: dict[str, float] = {}
    lap = started = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal lap
        now = time.perf_counter()
        phases[name] = now - lap
        lap = now

    try:
        app.start(app_env)
        bare.start(env)
        with sync_playwright() as playwright:  # the browser launches while the servers start
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                version = browser.version
                for server in (app, bare):
                    server.wait_healthy()
                    cold[f"{server.name} server start to healthy (s)"] = time.perf_counter() - started
                phase("servers started, browser launched")
                first: dict[str, Any] = {}
                for name, (server, ready, exact) in targets.items():  # the first load: imports, first script run
                    cold[f"{name} {COLD}"], first[name] = first_load(browser, server.url, ready, exact)
                phase("first loads")
                tabs = {"app": app_tab(first["app"], app, work)}  # a new visitor's tab goes on as the returning visitor
                tabs["bare"] = bare_tab(first["bare"], bare, tabs["app"].queries)
                for tab in tabs.values():  # warm-up, not kept
                    tab.search()
                    tab.clock_step()
                phase("click tabs ready and warmed")
                for n in range(max(render_rounds, click_rounds)):
                    order = ("app", "bare") if n % 2 == 0 else ("bare", "app")
                    if n < render_rounds:
                        for name in order:
                            server, ready, exact = targets[name]
                            samples[name].append(render_ms(browser, server.url, ready, exact))
                    if n < click_rounds:
                        for action in ACTIONS:
                            for name in order:
                                tabs[name].measure(action)
                phase("rounds")
            finally:
                browser.close()
    finally:
        stop_all([app, bare])
    phase("browser and servers closed")
    clicks = {action: {name: tab.samples[action] for name, tab in tabs.items()} for action in ACTIONS}
    return Measured(samples, cold, clicks, version, phases)


def totals(samples: list[Sample]) -> list[float]:
    return [s.total_ms for s in samples]


def browser_figures(samples: dict[str, list[float]], cold: dict[str, float]) -> list[Figure]:
    app, bare = statistics.median(samples["app"]), statistics.median(samples["bare"])
    ratio = app / bare
    return [
        Figure("first render: home page in Chromium (new context), median", app, "ms", "(reported)", True),
        Figure("first render: home page, p95", p95(samples["app"]), "ms", "(reported)", True),
        Figure("first render: bare app, median", bare, "ms", "reference", True),
        Figure("first render: bare app, p95", p95(samples["bare"]), "ms", "reference", True),
        Figure("first render: ratio home / bare", ratio, "x", "<= 1.5", ratio <= RENDER_TARGET),
        Figure("first render: home page, first load after server start", cold[f"app {COLD}"], "ms", "(reported)", True),
        Figure("first render: bare app, first load after server start", cold[f"bare {COLD}"], "ms", "(reported)", True),
    ]


CLICK_NAMES = {
    "search": ("search (Enter to the matching card, My Orders)", "search (Enter to the new line, bare app)"),
    "clock": ("clock step (+1 hour to the new sidebar time)", "clock step (+1 hour to the new count, bare app)"),
}


def click_figures(clicks: dict[str, dict[str, list[Sample]]]) -> list[Figure]:
    figures = []
    for action, (app_name, bare_name) in CLICK_NAMES.items():
        app, bare = totals(clicks[action]["app"]), totals(clicks[action]["bare"])
        ratio = statistics.median(app) / statistics.median(bare)
        figures += [
            Figure(f"click-to-update: {app_name}, median", statistics.median(app), "ms", "(reported)", True),
            Figure(f"click-to-update: {action} in the app, p95", p95(app), "ms", "(reported)", True),
            Figure(f"click-to-update: {bare_name}, median", statistics.median(bare), "ms", "reference", True),
            Figure(f"click-to-update: {action} in the bare app, p95", p95(bare), "ms", "reference", True),
            Figure(f"click-to-update: {action}, ratio app / bare", ratio, "x", "<= 1.5", ratio <= CLICK_TARGET),
        ]
    return figures


def breakdown_line(samples: list[Sample]) -> str:
    """Medians of the page's own timings (ms since the input) and of the costs of each click (ms)."""

    def median(values: Sequence[float | None]) -> str:
        kept = [v for v in values if v is not None]
        return f"{statistics.median(kept):.0f}" if kept else "-"

    return (
        f"run started {median([s.run_started_ms for s in samples])}, "
        f"shown {median([s.shown_ms for s in samples])}, "
        f"run ended {median([s.run_ended_ms for s in samples])} "
        f"(wall clock {median([s.total_ms for s in samples])}); renderer busy "
        f"{median([s.renderer_busy_ms for s in samples])}, server CPU {median([s.server_cpu_ms for s in samples])}"
    )


def run(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    """The browser figures and their raw samples."""
    render_rounds, click_rounds = (1, 2) if quick else (15, 15)
    print(
        f"Chromium: app and bare app alternating; first render {render_rounds} rounds (a new context each), "
        f"click-to-update {click_rounds} rounds (one context each app)"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        measured = measure_browser(render_rounds, click_rounds, Path(tmp))
    seconds = time.perf_counter() - started
    print(f"  chromium {measured.chromium}; " + ", ".join(f"{k}: {v:.1f}" for k, v in measured.cold.items()))
    for action, by_app in measured.clicks.items():
        for name, samples in by_app.items():
            print(f"  {action} in {name}, page timings (median ms since the input): {breakdown_line(samples)}")
    print(
        f"  browser part took {seconds:.1f} s ("
        + ", ".join(f"{k} {v:.1f}" for k, v in measured.phases.items())
        + f"); load average at end (1, 5, 15 min): {load_average()}"
    )
    raw = {
        "chromium": measured.chromium,
        "first_render": measured.first_render,
        "cold": measured.cold,
        "click_to_update": {
            action: {name: [asdict(s) for s in samples] for name, samples in by_app.items()}
            for action, by_app in measured.clicks.items()
        },
        "browser_seconds": seconds,
        "phases_seconds": measured.phases,
    }
    return browser_figures(measured.first_render, measured.cold) + click_figures(measured.clicks), raw


def main() -> None:
    args = part_arguments(__doc__, "fewer rounds").parse_args()
    print_machine()
    finish(*run(args.quick), args.json)


if __name__ == "__main__":
    main()
