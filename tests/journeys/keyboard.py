"""A keyboard-only visitor: Tab to a control, press a key, and check where the focus lands afterwards, counting
every Tab on the way (the journeys hold a budget of presses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page, expect

from tests.journeys.helpers import focus_description, tab_to, wait_idle


@dataclass
class Keyboard:
    page: Page
    presses: int = 0
    log: list[str] = field(default_factory=list)

    def press(self, target: Locator, what: str, key: str = "Enter", backwards: bool = False) -> None:
        """Tab (or Shift+Tab) to `target` and press `key` on it."""
        expect(target).to_be_visible()
        start = focus_description(self.page)
        count = tab_to(self.page, target, what, backwards=backwards)
        self.presses += count
        self.log.append(f"{what}: {count} x {'Shift+Tab' if backwards else 'Tab'} from {start}")
        self.page.keyboard.press(key)

    def key(self, key: str) -> None:
        """A key that is not Tab (an arrow, Space, Enter where the focus already is)."""
        self.page.keyboard.press(key)

    def lands_on(self, target: Locator, after: str) -> None:
        """After an action the focus is on `target` (the new heading or the message that reports the result)."""
        wait_idle(self.page)
        expect(target).to_be_focused()
        # A table's grid and toolbar take Tab stops once drawn, which can be after the run: count them always.
        for table in self.page.locator("[data-testid=stMain] [data-testid=stDataFrame]").filter(visible=True).all():
            expect(table.locator("canvas").first).to_be_attached()
        self.log.append(f"  after {after}, the focus is on {focus_description(self.page)}")

    def report(self) -> str:
        return "\n".join([*self.log, f"{self.presses} Tab presses in all"])
