"""The Wilson interval the agreement tests count simulated stories with."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.stats import wilson_interval


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(n=st.integers(1, 10**6), share=st.floats(0, 1))
def test_wilson_interval_contains_the_estimate(n: int, share: float):
    k = round(share * n)
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert low < high


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(n=st.integers(1, 10**5), share=st.floats(0, 1))
def test_wilson_interval_is_symmetric(n: int, share: float):
    k = round(share * n)
    low, high = wilson_interval(k, n)
    mirror_low, mirror_high = wilson_interval(n - k, n)
    assert math.isclose(low, 1 - mirror_high, abs_tol=1e-12)
    assert math.isclose(high, 1 - mirror_low, abs_tol=1e-12)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(n=st.integers(1, 10**4), share=st.floats(0, 1))
def test_wilson_interval_narrows_with_more_samples(n: int, share: float):
    k = round(share * n)
    low, high = wilson_interval(k, n)
    low4, high4 = wilson_interval(4 * k, 4 * n)
    assert high4 - low4 < high - low


@pytest.mark.parametrize(("k", "n"), [(0, 3), (0, 7), (10, 10), (0, 10_000), (10_000, 10_000)])
def test_wilson_interval_at_the_edges(k: int, n: int):
    low, high = wilson_interval(k, n)
    if k == 0:
        assert low == 0.0 and 0 < high < 1
    else:
        assert high == 1.0 and 0 < low < 1


def test_wilson_interval_known_value():
    low, high = wilson_interval(50, 100)  # the textbook example: 0.404 to 0.596
    assert (round(low, 3), round(high, 3)) == (0.404, 0.596)


def test_wilson_interval_without_samples_is_everything():
    assert wilson_interval(0, 0) == (0.0, 1.0)
