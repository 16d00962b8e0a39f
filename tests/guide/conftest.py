"""Fixtures for the domain tests; the plain factories live in factories.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from guide.db import metadata
from guide.profile import PolicyProfile, get_profile
from guide.store import Store
from tests.guide.factories import CURRENT, STRICT

PG_URL = os.environ.get("CANCEL_COACH_TEST_PG_URL")


@pytest.fixture(params=[CURRENT, STRICT])
def any_profile(request: pytest.FixtureRequest) -> PolicyProfile:
    return get_profile(request.param)


@pytest.fixture(params=["sqlite", *(["postgresql"] if PG_URL else [])])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on a fresh SQLite file, and on PostgreSQL too when CANCEL_COACH_TEST_PG_URL is set.

    Shared by every store test file, so each of them runs on both backends the same way.
    """
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    else:
        store = Store(PG_URL)
        # Every table the shared metadata knows (the training tables too, once guide.training_store is
        # imported), so no test sees rows a previous run left behind.
        names = ", ".join(table.name for table in metadata.sorted_tables)
        with store.engine.begin() as conn:
            conn.execute(sql(f"TRUNCATE {names}"))
    yield store
    store.dispose()
