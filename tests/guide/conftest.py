"""Fixtures for the domain tests; the plain factories live in factories.py."""

from __future__ import annotations

import pytest

from guide.policy import PolicyProfile, get_profile
from tests.guide.factories import CURRENT, STRICT


@pytest.fixture(params=[CURRENT, STRICT])
def any_profile(request: pytest.FixtureRequest) -> PolicyProfile:
    return get_profile(request.param)
