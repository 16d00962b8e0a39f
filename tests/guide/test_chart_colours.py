"""The trainer's chart colours (ui.json's chart_colour) are worked out against the page's background as WCAG does it:
every bar at least 3:1 (1.4.11, graphical objects), the axes' and legend's words at least 4.5:1 (1.4.3), one
distinct colour a kind of mark and a colour for every kind, so a new colour that fails is caught here."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from guide.content import text, training_rules, ui_settings
from guide.scoring import CHECKS, QUESTIONS, Critical
from guide.training_report import kind_colours, mark_kind

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
GRAPHIC, TEXT = 3.0, 4.5  # WCAG 2.1 AA: non-text contrast (1.4.11), text at the charts' sizes (1.4.3)
COLOURS = ui_settings().chart_colour


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour written #RRGGBB."""
    channels = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG's contrast ratio, lighter over darker: 1 (none) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def background() -> str:
    """The page's background, where the charts are drawn (their own background is transparent)."""
    return str(tomllib.loads(CONFIG.read_text("utf-8"))["theme"]["backgroundColor"])


def test_the_ratio_is_worked_out_as_wcag_does():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast("#FFFFFF", "#ffffff") == pytest.approx(1)
    assert contrast("#83c9ff", "#FFFFFF") == pytest.approx(1.79, abs=0.01)  # the old light-blue bars (issue 14)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the well-known AA grey


@pytest.mark.parametrize("name", ["bar", *(f"mark_kind.{k}" for k in COLOURS.mark_kind)])
def test_every_bar_colour_stands_out_from_the_page(name: str):
    colour = COLOURS.bar if name == "bar" else COLOURS.mark_kind[name.removeprefix("mark_kind.")]
    ratio = contrast(colour, background())
    assert ratio >= GRAPHIC, f"chart_colour.{name} {colour} is {ratio:.2f}:1 on {background()}, below {GRAPHIC}:1"


def test_the_charts_words_are_readable():
    ratio = contrast(COLOURS.text, background())
    assert ratio >= TEXT, f"chart_colour.text {COLOURS.text} is {ratio:.2f}:1 on {background()}, below {TEXT}:1"


def test_every_kind_of_mark_has_its_own_colour():
    items = [*(c.value for c in Critical), *QUESTIONS, *CHECKS, *training_rules().written_rules]
    kinds = {mark_kind(item) for item in items}
    assert set(COLOURS.mark_kind) == kinds
    assert len({c.casefold() for c in COLOURS.mark_kind.values()}) == len(kinds)


def test_the_legend_lists_only_the_kinds_shown_in_the_files_order():
    shown = [text("mark_kind", "critical"), text("mark_kind", "question"), text("mark_kind", "critical")]
    colours = kind_colours(shown)
    assert list(colours) == [text("mark_kind", "question"), text("mark_kind", "critical")]
    assert list(colours.values()) == [COLOURS.mark_kind["question"], COLOURS.mark_kind["critical"]]
