"""The page registry (guide/content/pages.json): every page file is listed once and every listed file exists."""

from __future__ import annotations

from pathlib import Path

from guide.navigation import menu, pages, shows_sandbox_clock

ROOT = Path(__file__).resolve().parents[2]


def test_the_registry_lists_every_page_file_once():
    listed = sorted(page.file for page in pages().values())
    assert listed == sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))


def test_every_page_has_its_menu_label_title_and_section():
    for page in pages().values():
        assert page.label and page.title
    assert [page for entries in menu().values() for page in entries] == list(pages().values())


def test_only_a_training_case_keeps_its_own_clock():
    assert [name for name in pages() if not shows_sandbox_clock(name)] == ["training", "trainer"]
    assert shows_sandbox_clock("")  # the hidden root page
