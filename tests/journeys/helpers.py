"""What the browser journeys share: URLs, locators for the app's parts, waits, screenshots, and
deterministic order picking from a seeded sandbox."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlencode, urlparse

from playwright.sync_api import Locator, Page, ViewportSize, expect

from guide.content.formats import when
from guide.lifecycle import Action, advance, apply_action
from guide.models import CloseReason, EventKind, Order, Status
from guide.store import Sandbox, Store
from tests.support.streamlit_wire import View
from tests.world import world_sandbox

REPO = Path(__file__).resolve().parents[2]
# Screenshots go to tests/screenshots/ (ignored by git); CANCEL_COACH_SCREENSHOTS=docs/screenshots
# refreshes the ones the README shows.
SCREENSHOTS = REPO / (os.environ.get("CANCEL_COACH_SCREENSHOTS") or "tests/screenshots")
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000

NEUTRAL_REASON = "I don't need this order anymore / Other reasons"
NEUTRAL_REASON_ID = "no_longer_needed"
TRAINER_PASSCODE = "journeys-trainer-passcode"  # the server's CANCEL_COACH_TRAINER_PASSCODE


@dataclass(frozen=True)
class App:
    """The running app: its base URL and the data folder it shares with the tests."""

    url: str
    datadir: Path
    log: Path

    def link(self, page: str = "", **params: str | int) -> str:
        query = urlencode({k: str(v) for k, v in params.items()})
        return f"{self.url}/{page}" + (f"?{query}" if query else "")


# --- the server ---------------------------------------------------------------------------------

START_TIMEOUT_S = 60


class ServerFailed(RuntimeError):
    """`streamlit run` exited or never answered its health check."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            body: bytes = response.read()  # typeshed types urlopen's result as Any; it is an HTTPResponse
            return body.decode().strip() == "ok"
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def start_server(datadir: Path, stderr: IO[bytes], port: int) -> subprocess.Popen[bytes]:
    """`streamlit run` of the app on `port`, with its SQLite file in `datadir` and the trainer passcode set;
    returns once its health check answers (ServerFailed if it exits or times out first)."""
    env = {k: v for k, v in os.environ.items() if k != "CANCEL_COACH_DB_URL"}
    env["CANCEL_COACH_DATA_DIR"] = str(datadir)
    env["CANCEL_COACH_TRAINER_PASSCODE"] = TRAINER_PASSCODE  # the trainer dashboard's gate
    python = REPO / ".venv" / "bin" / "python"
    command = [
        str(python) if python.exists() else sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",  # other work on the tree must not hot-reload the app mid-journey
        "--browser.gatherUsageStats",
        "false",
    ]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not healthy(url):
        if server.poll() is not None:
            raise ServerFailed(f"streamlit run exited with {server.returncode}")
        if time.monotonic() > deadline:
            stop_server(server)
            raise ServerFailed("streamlit run timed out")
        time.sleep(0.1)  # polling the health endpoint, not waiting on the UI
    return server


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


# --- the page -----------------------------------------------------------------------------------


def open_app(page: Page, url: str) -> None:
    """Open a URL of the app and wait for Streamlit's shell and the first finished run."""
    page.goto(url)
    expect(page.locator("[data-testid=stApp]")).to_be_visible()
    wait_idle(page)


def wait_idle(page: Page) -> None:
    """No script run in progress. Only a complement to expecting the next visible state: right after
    a click the previous run's "notRunning" may still be showing."""
    expect(page.locator("[data-testid=stApp]")).to_have_attribute("data-test-script-state", "notRunning")


def main_area(page: Page) -> Locator:
    return page.locator("[data-testid=stMain]")


def sidebar(page: Page) -> Locator:
    return page.locator("[data-testid=stSidebar]")


def query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def order_cards(scope: Locator, key: str) -> Locator:
    """The order cards of one list. The key class also sits on each card's Details button
    (`st-key-<key>_card_<id>_details`), so keep only the cards' own containers."""
    return scope.locator(f"[data-testid=stVerticalBlock][class*=st-key-{key}_card_]")


def card_order_id(card: Locator) -> str:
    classes = card.get_attribute("class") or ""
    found = re.search(r"st-key-\w+?_card_(\d+)(?:\s|$)", classes)
    assert found, f"no order id in card classes: {classes}"
    return found.group(1)


def badge(scope: Locator, label: str) -> Locator:
    """A visible badge (st.badge: a status or a verdict) with exactly this label. A badge with a
    tooltip is also drawn once more, hidden: keep only the visible one."""
    return (
        scope.locator(".stMarkdownBadge")
        .filter(visible=True)
        .filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )


def expect_badge(page: Page, label: str) -> None:
    """The main area shows this badge once the current run is over (a page switch keeps the last
    page's elements, stale, until the new run ends)."""
    wait_idle(page)
    expect(badge(main_area(page), label).first).to_be_visible()


def steps_done(main: Locator) -> tuple[int, int]:
    text = main.get_by_text(re.compile(r"^\d+ of \d+ steps done$")).inner_text()
    counts = re.match(r"(\d+) of (\d+)", text)
    assert counts is not None
    done, total = counts.groups()
    return int(done), int(total)


def clock_label(moment: datetime) -> str:
    """The simulated time as the sidebar and page headers write it."""
    return when(moment)


def shoot(page: Page, name: str, audit: bool = True) -> Path:
    """<SCREENSHOTS>/<name>-<width>.png, overwritten every run; and every state shot is checked by axe-core."""
    from tests.journeys.accessibility import check  # it uses this module's waits

    width = (page.viewport_size or DESKTOP)["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width}.png"
    wait_idle(page)
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    if audit:
        check(page, name)
    return path


# --- the sandbox --------------------------------------------------------------------------------


def fixed_sandbox(store: Store, signed_in: bool = True) -> Sandbox:
    """A sandbox of the fixed test world (tests/world.py), for journeys that need one known story."""
    return world_sandbox(store, signed_in)


def orders_in(store: Store, sandbox: Sandbox, status: Status) -> list[Order]:
    return store.list_orders(sandbox.id, statuses=[status])


@dataclass(frozen=True)
class CancellationStory:
    """An order whose cancellation request ends in a refund, told day by day as `+1 day` would."""

    order: Order
    statuses_by_day: list[Status]  # the status after 1, 2, ... days
    close_reason: CloseReason

    def first_day(self, status: Status) -> int:
        return self.statuses_by_day.index(status) + 1


def cancellation_story(store: Store, sandbox: Sandbox, max_days: int = 40) -> CancellationStory:
    """Simulate, with the sandbox's own seed and profile, a request on every paid awaiting-shipment
    order and keep the quickest one the seller approves or lets lapse, with a day spent in
    "Refund in progress" so the page can show it."""
    stories = []
    for order in orders_in(store, sandbox, Status.AWAITING_SHIPMENT):
        if order.cancel_refused_at is not None or order.paid_at is None:
            continue
        state = store.get_order(sandbox.id, order.id)
        requested = apply_action(
            state, Action.REQUEST_CANCELLATION, sandbox.clock, sandbox.profile, reason=NEUTRAL_REASON_ID
        )
        by_day = []
        for day in range(1, max_days + 1):
            moved = advance(requested, sandbox.clock + timedelta(days=day), sandbox.seed, sandbox.profile)
            by_day.append(moved.order.status)
            if moved.order.status is Status.CLOSED:
                break
        answered = {e.kind for e in moved.events}
        reason = moved.order.close_reason
        if (
            by_day[-1] is Status.CLOSED
            and reason in (CloseReason.CANCELLED_BY_SELLER_APPROVAL, CloseReason.CANCELLED_AFTER_SELLER_SILENCE)
            and EventKind.SHIPPED not in answered
            and by_day[0] is Status.AWAITING_CANCELLATION
            and Status.REFUND_IN_PROGRESS in by_day
        ):
            stories.append(CancellationStory(order, by_day, reason))
    assert stories, f"seed {sandbox.seed}: no awaiting-shipment order ends in an approved or lapsed cancellation"
    return min(stories, key=lambda s: (len(s.statuses_by_day), s.order.id))


# --- the keyboard -------------------------------------------------------------------------------

DESCRIBE_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return 'nothing (body)';
  const name = e.getAttribute('aria-label') || (e.innerText || e.value || '').trim().slice(0, 50).replace(/\\s+/g, ' ');
  const key = (e.closest('[class*=st-key-]')?.className.match(/st-key-\\S+/) || [''])[0];
  return `${e.tagName.toLowerCase()}[role=${e.getAttribute('role') || e.type || ''}] "${name}" ${key}`;
}"""


def focus_description(page: Page) -> str:
    return str(page.evaluate(DESCRIBE_FOCUS))


def has_focus(target: Locator) -> bool:
    """Is the keyboard focus on `target` (or inside it)? Only reads the focus, never moves it."""
    if target.count() == 0:
        return False
    return bool(target.first.evaluate("el => el === document.activeElement || el.contains(document.activeElement)"))


def tab_to(page: Page, target: Locator, what: str, limit: int = 90, backwards: bool = False) -> int:
    """Press Tab (or Shift+Tab) until `target` has the focus; the number of presses it took.

    Fails naming the control when `limit` presses never reach it: that control is not reachable by keyboard.
    """
    key = "Shift+Tab" if backwards else "Tab"
    seen: list[str] = []
    for presses in range(limit + 1):
        if has_focus(target):
            return presses
        if presses < limit:
            page.keyboard.press(key)
            seen.append(focus_description(page))
    raise AssertionError(
        f"{what!r} is not reachable with {key} within {limit} presses; focus went through:\n  "
        + "\n  ".join(dict.fromkeys(seen))
    )


SHOWN_CLOCK = re.compile(r"^`(\d{1,2} \w{3} \d{4}, \d{2}:\d{2}) UTC`$")  # the sidebar's clock line


def shown_clock(view: View) -> datetime | None:
    """The sandbox's clock as the sidebar of a run (over the websocket) showed it."""
    for body in view.markdown:
        found = SHOWN_CLOCK.match(body)
        if found:
            return datetime.strptime(found.group(1), "%d %b %Y, %H:%M").replace(tzinfo=UTC)
    return None
