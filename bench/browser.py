"""Browser benchmark: the app in Debian's Chromium against the bare app, served side by side.

    .venv/bin/python -m bench.browser            # 15 rounds
    .venv/bin/python -m bench.browser --quick    # 4 rounds

First render: from goto() in a new browser context (a new visitor: a new sandbox, no cached assets)
until the page's ready text is visible; the app's home page against the bare app's, alternating.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from bench.common import APP, BARE_APP, BARE_READY, Figure, Server, free_port, machine, p95

RENDER_TARGET = 1.5
COLD = "first load after start (ms)"
DB_URL = "CANCEL_COACH_DB_URL"


def step_text(number: int) -> str:
    """The walkthrough's "Step 1 of 9" caption."""
    from guide.content import text
    from guide.walkthrough import steps

    return text("walkthrough", "progress", number=number, total=len(steps()))


def render_ms(browser: Any, url: str, ready_text: str, exact: bool, timeout_ms: int = 30_000) -> float:
    """A new context, then from goto() until `ready_text` is visible, in milliseconds."""
    context = browser.new_context()
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        page.get_by_text(ready_text, exact=exact).first.wait_for(state="visible", timeout=timeout_ms)
        return (time.perf_counter() - start) * 1000
    finally:
        context.close()


def measure_browser(rounds: int, work: Path) -> tuple[dict[str, list[float]], dict[str, float], str]:
    """First-render samples for the app and the bare app, alternating, plus each server's cold load."""
    from playwright.sync_api import sync_playwright

    env = {k: v for k, v in os.environ.items() if k != DB_URL}
    app_env = {**env, "CANCEL_COACH_DATA_DIR": str(work / "data")}
    app = Server("app", APP, free_port(), work / "app.log")
    bare = Server("bare", BARE_APP, free_port(), work / "bare.log")
    targets = {"app": (app, step_text(1), True), "bare": (bare, BARE_READY, False)}
    samples: dict[str, list[float]] = {"app": [], "bare": []}
    cold: dict[str, float] = {}
    try:
        app.start(app_env)
        bare.start(env)
        for server in (app, bare):
            cold[f"{server.name} server start to healthy (s)"] = server.wait_healthy()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                version = browser.version
                for name, (server, ready, exact) in targets.items():  # the first load: imports, first script run
                    cold[f"{name} {COLD}"] = render_ms(browser, server.url, ready, exact)
                for n in range(rounds):
                    for name in ("app", "bare") if n % 2 == 0 else ("bare", "app"):
                        server, ready, exact = targets[name]
                        samples[name].append(render_ms(browser, server.url, ready, exact))
            finally:
                browser.close()
    finally:
        for server in (app, bare):
            server.stop()
    return samples, cold, version


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


def run(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    """The browser figures and their raw samples."""
    rounds = 4 if quick else 15
    print(f"Chromium: {rounds} rounds, app and bare app alternating, a new context each")
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        samples, cold, version = measure_browser(rounds, Path(tmp))
    print(f"  chromium {version}; " + ", ".join(f"{k}: {v:.1f}" for k, v in cold.items()))
    return browser_figures(samples, cold), {"chromium": version, "first_render": samples, "cold": cold}


def main() -> None:
    from bench.report import print_figures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--json", type=Path, help="also write the figures and samples to this file")
    args = parser.parse_args()
    print(", ".join(f"{k}: {v}" for k, v in machine().items()))
    figures, raw = run(args.quick)
    print_figures(figures)
    if args.json:
        args.json.write_text(json.dumps({"figures": [asdict(f) for f in figures], **raw}, indent=2))
    raise SystemExit(0 if all(f.passed for f in figures) else 1)


if __name__ == "__main__":
    main()
