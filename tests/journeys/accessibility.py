"""axe-core in the journeys: every state a journey takes a screenshot of is checked, at its width, with the
window grown to the page's height (axe skips what is off screen), and an open pop-up on its own (axe skips the
inert page behind it). A serious or critical violation fails the journey unless allowed.json lists it: a
violation that comes from Streamlit itself, matched by rule and CSS selector, with the reason and the upstream
issue (docs/ACCESSIBILITY.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.journeys.helpers import DESKTOP, wait_idle

FOLDER = Path(__file__).parent / "axe"
AXE = FOLDER / "node_modules" / "axe-core" / "axe.min.js"
ALLOWED: list[dict[str, str]] = json.loads((FOLDER / "allowed.json").read_text("utf-8"))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

RUN = """async ([scope, tags, allowed]) => {
  const context = scope ? document.querySelector(scope) : document;
  if (!context) return [];
  const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const kept = [];
  for (const violation of result.violations) {
    if (!['serious', 'critical'].includes(violation.impact)) continue;
    for (const node of violation.nodes) {
      const element = document.querySelector(node.target.join(' '));
      const excused = allowed.some((a) => a.rule === violation.id && element && element.matches(a.selector));
      const why = node.failureSummary.split('\\n').slice(1).join(' ').trim();
      if (!excused) kept.push(`${violation.id} (${violation.impact}): ${node.target.join(' ')}: ${why}`);
    }
  }
  return kept;
}"""


def _script() -> str:
    if not AXE.exists():
        missing = f"{AXE} is missing: run `npm ci --prefix tests/journeys/axe` (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    return AXE.read_text("utf-8")


def violations(page: Page, scope: str | None = None) -> list[str]:
    """The serious and critical violations axe finds now (in `scope`, a CSS selector, or the whole page) that
    allowed.json does not excuse, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=_script())
    found: list[Any] = page.evaluate(RUN, [scope, TAGS, ALLOWED])
    return [str(line) for line in found]


def settled(page: Page) -> None:
    """The accessibility layer has run over the finished script run: it made the sectioned menu a set of
    groups (it runs just after a run, so axe right after "notRunning" can see Streamlit's bare list)."""
    menu = page.locator("[data-testid=stSidebarNavItems]")
    if menu.count() and menu.locator(":scope > div").count():
        expect(menu).to_have_attribute("role", "none")


def check(page: Page, where: str) -> None:
    """axe on the whole page, the window grown to the page's height, and on an open pop-up by itself."""
    wait_idle(page)
    size = page.viewport_size or DESKTOP
    dialog = page.locator("[role=dialog]")
    # Streamlit scrolls inside its main area, so the page's height is that area's.
    height = page.evaluate(
        "() => Math.max(document.documentElement.scrollHeight,"
        " document.querySelector('[data-testid=stMain]')?.scrollHeight || 0)"
    )
    if dialog.count() == 0 and height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})  # a dialog would re-centre: keep it
    try:
        wait_idle(page)
        settled(page)
        found = violations(page, "[role=dialog]" if dialog.count() else None)
        if dialog.count():
            found += violations(page)
    finally:
        page.set_viewport_size(size)
    assert not found, f"axe at {size['width']} px on {where}:\n  " + "\n  ".join(found)
