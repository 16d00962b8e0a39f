"""Browser journeys: one `streamlit run` for the session, Debian's Chromium, a page per test.

The server and the tests share one SQLite file (CANCEL_COACH_DATA_DIR), so a test can set up a
sandbox with a chosen seed and clock through `guide.store.Store`, then open it by URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize, expect, sync_playwright

from guide.store import Store
from tests.journeys.helpers import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    TIMEOUT_MS,
    App,
    ServerFailed,
    free_port,
    start_server,
    stop_server,
    tail,
)
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(missing)  # CI installs it: a skip there would hide every journey
        pytest.skip(missing)
    datadir = tmp_path_factory.mktemp("cancel_coach_data")
    log = datadir / "server.stderr.log"
    port = free_port()
    with log.open("wb") as stderr:
        try:
            server = start_server(datadir, stderr, port)
        except ServerFailed as failed:
            pytest.fail(f"{failed}; its stderr ends with:\n{tail(log)}", pytrace=False)
        try:
            yield App(f"http://127.0.0.1:{port}", datadir, log)
        finally:
            stop_server(server)


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


def _new_context(browser: Browser, viewport: ViewportSize) -> BrowserContext:
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
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember a failed call (for the screenshots) and add the server's latest stderr to its report."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
        app = getattr(item, "funcargs", {}).get("app")
        if report.failed and isinstance(app, App):
            report.sections.append(("streamlit stderr (tail)", tail(app.log, 30)))
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
