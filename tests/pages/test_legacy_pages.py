"""The guard of guide/ui/legacy_pages.py: it fails loudly when a Streamlit upgrade changes the legacy
`pages/` mode that module steps out of, so the workaround is looked at again rather than silently wrong."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit
from streamlit.runtime.pages_manager import PagesManager

from guide.navigation import pages
from guide.store import Store
from tests.pages.helpers import TITLES, button_keys, new_app, no_exception, title


@pytest.fixture(autouse=True)
def warm_server() -> Iterator[None]:
    """Here every run starts as on a cold server (this replaces the conftest's warm-up)."""
    yield


def test_a_cold_server_deep_link_still_runs_the_entry_point(store: Store, sandbox: str):
    """The first run of a process with a `pages/` folder skips the entry point; the app reruns through it."""
    assert "uses_pages_directory" in vars(PagesManager), (
        f"Streamlit {streamlit.__version__} has no PagesManager.uses_pages_directory: the legacy `pages/` mode "
        "changed, so guide/ui/legacy_pages.py needs a new look"
    )
    at = new_app()
    at.query_params["sandbox"] = sandbox
    at.run()
    at.switch_page(pages()["my_orders"].file).run()
    no_exception(at)
    assert title(at) == TITLES["my_orders"]
    assert {"clock_hour", "sidebar_reset"} <= button_keys(at), "the entry point's sidebar ran"
    assert PagesManager.uses_pages_directory is False
