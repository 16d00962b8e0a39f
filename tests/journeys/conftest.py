"""Browser journeys: one `streamlit run` for the session, Debian's Chromium, a page per test.

The server and the tests share one SQLite file (CANCEL_COACH_DATA_DIR), so a test can set up a
sandbox with a chosen seed and clock through `guide.store.Store`, then open it by URL.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from guide.store import Store
from tests.journeys.helpers import DESKTOP, PHONE, REPO, SCREENSHOTS, TIMEOUT_MS, TRAINER_PASSCODE, App

START_TIMEOUT_S = 60

expect.set_options(timeout=TIMEOUT_MS)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(missing)  # CI installs it: a skip there would hide every journey
        pytest.skip(missing)
    datadir = tmp_path_factory.mktemp("cancel_coach_data")
    log = datadir / "server.stderr.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CANCEL_COACH_DB_URL"}
    env["CANCEL_COACH_DATA_DIR"] = str(datadir)
    env["CANCEL_COACH_TRAINER_PASSCODE"] = TRAINER_PASSCODE  # the trainer dashboard's gate
    command = [
        str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable,
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
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as stderr:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    why = f"exited with {server.returncode}" if server.poll() is not None else "timed out"
                    pytest.fail(f"streamlit run {why}; its stderr ends with:\n{_tail(log)}", pytrace=False)
                time.sleep(0.2)  # polling the health endpoint, not waiting on the UI
            yield App(url, datadir, log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@pytest.fixture(scope="session")
def store(app: App) -> Iterator[Store]:
    """The same SQLite file as the server."""
    opened = Store(f"sqlite:///{app.datadir}/cancel_coach.sqlite3")
    yield opened
    opened.dispose()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright, app: App) -> Iterator[Browser]:
    launched = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def _new_context(browser: Browser, viewport: dict[str, int]) -> BrowserContext:
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    made = _new_context(browser, DESKTOP)
    yield made
    _keep_failure_screenshot(made, request)
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    made = _new_context(browser, PHONE)
    yield made.new_page()
    _keep_failure_screenshot(made, request)
    made.close()


@pytest.fixture
def new_context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A second, independent browser (another device opening a shared link)."""
    made = _new_context(browser, DESKTOP)
    yield made
    _keep_failure_screenshot(made, request)
    made.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Remember a failed call (for the screenshots) and add the server's latest stderr to its report."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
        app = getattr(item, "funcargs", {}).get("app")
        if report.failed and isinstance(app, App):
            report.sections.append(("streamlit stderr (tail)", _tail(app.log, 30)))
    return report


_FAILED = pytest.StashKey[bool]()


def _keep_failure_screenshot(context: BrowserContext, request: pytest.FixtureRequest) -> None:
    """On failure, keep what each page looked like next to the server log, to debug without rerunning."""
    if not request.node.stash.get(_FAILED, False):
        return
    folder = Path(request.config.rootpath) / ".pytest_cache" / "journeys"
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for n, open_page in enumerate(context.pages):
        try:
            open_page.screenshot(path=str(folder / f"{name}-{n}.png"))
        except Exception:  # a crashed page must not hide the real failure
            continue


@pytest.fixture(scope="session", autouse=True)
def _screenshot_folder() -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
