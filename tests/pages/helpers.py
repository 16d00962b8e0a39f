"""Plain helpers for the AppTest page tests (imported, not fixtures): open a page, find what it shows."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

from guide.content import cancel_reasons
from guide.db import sandboxes
from guide.models import Order, Status
from guide.navigation import pages
from guide.store import Store
from tests.world import world_sandbox

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"
TIMEOUT = 30
# Each page's st.title, by its name in the page registry (guide/content/pages.json).
TITLES = {page.name: page.title for page in pages().values()}


@cache
def _components() -> BidiComponentManager:
    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def new_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    # Each AppTest scans every installed package for custom components on its first run (~0.3 s, two
    # thirds of a page test); the installed packages do not change during the run, so scan once.
    at._bidi_component_manager = _components()
    return at


def open_page(page: str | None, sandbox: str | None = None, **params: str) -> AppTest:
    """The app opened at `/<page>?sandbox=...&<params>` (page None: the root URL), run once.

    switch_page() before the first run names the page by its file; the app registers every page with
    url_path equal to its name (guide/content/pages.json), so this is the page's own URL and the run
    goes straight to it, as a browser following a link does.
    """
    at = new_app()
    if sandbox is not None:
        at.query_params["sandbox"] = sandbox
    at.query_params.update(params)
    if page is not None:
        at.switch_page(pages()[page].file)
    return at.run()


def make_sandbox(store: Store, signed_in: bool = True, profile_id: str | None = None) -> str:
    """A sandbox of the fixed test world (tests/world.py); the demo buyer signed in unless told otherwise."""
    return world_sandbox(store, signed_in, profile_id=profile_id).id


def sandbox_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(sandboxes)).scalar_one())


def first_order(store: Store, sandbox: str, status: Status, **match: Any) -> Order:
    """The newest order of `status` whose fields equal `match` (e.g. cancel_refused_at=None)."""
    for order in store.list_orders(sandbox, statuses=[status]):
        if all(getattr(order, name) == value for name, value in match.items()):
            return order
    raise AssertionError(f"the demo sandbox has no {status} order with {match}")


def status_of(store: Store, sandbox: str, order_id: str) -> Status:
    return store.get_order(sandbox, order_id).order.status


def reason_id() -> str:
    """A reason that does not blame the seller (the first one the pop-up lists)."""
    return next(r.id for r in cancel_reasons().values() if not r.blames_seller)


def values(elements: Iterable[Any]) -> list[str]:
    return [str(e.value) for e in elements]


def main_alerts(at: AppTest, kind: str) -> list[str]:
    """The bodies of st.info / st.warning / st.error / st.success in the page (not the sidebar)."""
    return values(getattr(at.main, kind))


def sidebar_alerts(at: AppTest, kind: str) -> list[str]:
    return values(getattr(at.sidebar, kind))


def shown(at: AppTest, fragment: str) -> bool:
    """Is `fragment` in the page's markdown, captions, alerts or headings (sidebar included)?"""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")
    return any(fragment in str(e.value) for kind in kinds for e in getattr(at, kind))


def button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def title(at: AppTest) -> str:
    titles = values(at.title)
    assert len(titles) == 1, titles
    return titles[0]


def table_column(at: AppTest, column: str) -> list[str]:
    """Every value of `column` over the page's st.dataframe and st.table elements that have it."""
    found: list[str] = []
    for frame in [*at.dataframe, *at.table]:
        data = frame.value
        if column in data.columns:
            found.extend(str(v) for v in data[column])
    return found


def dialog(at: AppTest) -> Any | None:
    """The open st.dialog block, if any (AppTest puts it in the tree's event block)."""
    opened = [block for block in at.get("dialog") if block.proto.dialog.is_open]
    assert len(opened) <= 1
    return opened[0] if opened else None


def order_card_keys(at: AppTest, key: str) -> list[str]:
    """The order ids of the cards shown by my_orders_panel(key=key), in page order."""
    prefix, suffix = f"{key}_card_", "_details"
    return [
        b.key[len(prefix) : -len(suffix)]
        for b in at.button
        if b.key and b.key.startswith(prefix) and b.key.endswith(suffix)
    ]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
