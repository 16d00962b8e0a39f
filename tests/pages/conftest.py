"""Fixtures for the AppTest page tests: each test gets its own SQLite file and empty Streamlit caches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from guide.store import Store
from guide.ui.legacy_pages import as_warm_server
from guide.ui.state import get_store
from tests.pages.helpers import make_sandbox


def _clear_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(autouse=True)
def warm_server() -> Iterator[None]:
    """Run every script as a server does once it has served its first page (guide/ui/legacy_pages.py).

    AppTest puts Streamlit back in its legacy `pages/` mode before *every* run, so each run would rerun
    once and lose button clicks that have no callback (Details, Back to My Orders...).
    test_legacy_pages.py covers the cold start.
    """
    with as_warm_server():
        yield


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data folder, so get_store() (cached per process) opens this test's own database."""
    monkeypatch.setenv("CANCEL_COACH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CANCEL_COACH_DB_URL", raising=False)
    _clear_caches()
    yield tmp_path
    get_store().dispose()  # close the app's pooled connections to this test's file before forgetting it
    _clear_caches()


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """The test's store, on the same SQLite file the app opens."""
    opened = Store()
    assert opened.url == f"sqlite:///{data_dir / 'cancel_coach.sqlite3'}"
    yield opened
    opened.dispose()


@pytest.fixture
def sandbox(store: Store) -> str:
    """A deterministic sandbox with the demo buyer signed in."""
    return make_sandbox(store, signed_in=True)


@pytest.fixture
def new_sandbox(store: Store) -> str:
    """A deterministic sandbox where nobody has signed in yet."""
    return make_sandbox(store, signed_in=False)
