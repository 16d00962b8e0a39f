"""The Monte Carlo forecast: Wilson intervals, determinism, and agreement with the behaviour model."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guide.behaviour import seller_odds
from guide.likelihood import DEFAULT_SAMPLES, Forecast, forecast, wilson_interval
from guide.models import Order
from guide.profile import PolicyProfile, get_profile
from tests.guide.factories import CURRENT, STATUSES, STRICT, at, item, make_order, seller

FAR = at(days=60)  # a ship-by date far beyond any seller window
COD = {"payment_method": "cash_on_delivery", "paid_at": None, "verified_at": None}


def request_order(response: float | None, ships: float | None, **overrides: object) -> Order:
    """Paid and verified, awaiting shipment, with a far ship-by date unless overridden."""
    return make_order(
        "awaiting_shipment",
        seller=seller(response_rate=response, ships_anyway_rate=ships),
        **{"ship_by": FAR, **overrides},
    )


# --- Wilson interval --------------------------------------------------------------------------


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


# --- forecast: contract --------------------------------------------------------------------------


def check_forecast(result: Forecast, samples: int) -> None:
    assert 0.0 <= result.probability <= 1.0
    low, high = result.interval
    assert 0.0 <= low <= result.probability <= high <= 1.0
    assert result.samples == samples
    if result.money_back is not None:
        back = result.money_back
        assert 0 <= back.low <= back.median <= back.high
        assert sum(back.histogram) > 0
        assert back.destination


@pytest.mark.parametrize("status", STATUSES)
def test_forecast_for_every_status(status: str, any_profile: PolicyProfile):
    order = make_order(status)
    result = forecast(order, at(days=30), any_profile, samples=2_000)
    check_forecast(result, 2_000)


def test_default_samples_are_reported():
    result = forecast(request_order(0.9, 0.1), at(days=1), get_profile())
    assert result.samples == DEFAULT_SAMPLES


def test_samples_must_be_positive():
    with pytest.raises(ValueError, match="samples"):
        forecast(make_order(), at(1), get_profile(), samples=0)


@pytest.mark.parametrize("status", STATUSES)
def test_forecast_is_deterministic(status: str):
    order, profile = make_order(status), get_profile(STRICT)
    first = forecast(order, at(days=30), profile, samples=3_000)
    second = forecast(Order.model_validate(order.model_dump(mode="json")), at(days=30), profile, samples=3_000)
    assert first == second


def test_forecast_depends_on_order_time_and_profile():
    order = request_order(0.7, 0.3)
    base = forecast(order, at(days=1), get_profile(CURRENT))
    assert forecast(order, at(days=1, hours=1), get_profile(CURRENT)).probability != base.probability
    assert forecast(order, at(days=1), get_profile(STRICT)).probability != base.probability


# --- forecast: the behaviour model ----------------------------------------------------------------


@pytest.mark.parametrize("name", [CURRENT, STRICT])
def test_silent_seller_always_succeeds(name: str):
    """Silence closes the order and refunds it (DOMAIN.md: awaiting cancellation)."""
    profile = get_profile(name)
    for status in ("awaiting_shipment", "awaiting_cancellation"):
        result = forecast(make_order(status, seller=seller(response_rate=0.0), ship_by=FAR), at(days=1), profile)
        assert result.probability == 1.0
        assert result.interval[1] == 1.0


@pytest.mark.parametrize("name", [CURRENT, STRICT])
def test_seller_who_always_ships_anyway_never_succeeds(name: str):
    profile = get_profile(name)
    for status in ("awaiting_shipment", "awaiting_cancellation"):
        order = make_order(status, seller=seller(response_rate=1.0, ships_anyway_rate=1.0), ship_by=FAR)
        result = forecast(order, at(days=1), profile)
        assert result.probability == 0.0
        assert result.interval[0] == 0.0
        assert result.money_back is None


def test_ship_by_before_the_answer_succeeds():
    """Shipping anyway would fail, but the ship-by date passes first: the order closes."""
    order = request_order(1.0, 1.0, ship_by=at(hours=10))
    assert forecast(order, at(hours=9), get_profile(STRICT)).probability > 0.9
    assert forecast(order, at(hours=11), get_profile(STRICT)).probability == 1.0


@pytest.mark.parametrize("name", [CURRENT, STRICT])
@pytest.mark.parametrize(("response", "ships"), [(0.9, 0.1), (0.5, 0.3), (0.97, 0.05), (0.62, 0.38), (None, None)])
def test_monte_carlo_agrees_with_the_closed_form(name: str, response: float | None, ships: float | None):
    profile = get_profile(name)
    order = request_order(response, ships)
    odds = seller_odds(order, profile)
    exact = odds.silent + odds.approves
    result = forecast(order, at(days=1), profile)
    low, high = result.interval
    assert low <= exact <= high
    assert abs(result.probability - exact) < 0.03


def test_made_to_order_lowers_the_odds():
    profile = get_profile()
    plain = forecast(request_order(0.9, 0.1), at(days=1), profile).probability
    custom = forecast(request_order(0.9, 0.1, items=[item(made_to_order=True)]), at(days=1), profile).probability
    assert custom < plain - 0.1


def test_seller_odds_sum_to_one():
    profile = get_profile()
    for response in (0.0, 0.3, 1.0, None):
        for ships in (0.0, 0.5, 1.0, None):
            odds = seller_odds(request_order(response, ships), profile)
            parts = (odds.silent, odds.ships_anyway, odds.refuses, odds.approves)
            assert all(part >= -1e-12 for part in parts)
            assert math.isclose(sum(parts), 1.0)


def test_after_a_refusal_only_the_seller_can_agree():
    profile = get_profile()
    fresh = forecast(request_order(0.9, 0.1), at(days=1), profile).probability
    refused = forecast(
        request_order(0.9, 0.1, cancel_requested_at=at(5), cancel_refused_at=at(20)), at(days=1), profile
    )
    assert 0 < refused.probability < fresh


def test_frozen_after_a_refusal_is_forecast_as_refused():
    profile = get_profile()
    frozen = make_order(
        "frozen",
        seller=seller(response_rate=0.9, ships_anyway_rate=0.1),
        ship_by=FAR,
        cancel_requested_at=at(5),
        cancel_refused_at=at(20),
        frozen_at=at(days=4),
    )
    refused = request_order(0.9, 0.1, cancel_requested_at=at(5), cancel_refused_at=at(20))
    assert forecast(frozen, at(days=5), profile).probability == pytest.approx(
        forecast(refused, at(days=5), profile).probability, abs=0.03
    )
    assert forecast(frozen, at(days=5), profile).probability < 0.9


@pytest.mark.parametrize("name", [CURRENT, STRICT])
def test_frozen_cash_on_delivery_is_not_in_payment_verification(name: str):
    profile = get_profile(name)
    frozen = make_order(
        "frozen", seller=seller(response_rate=0.9, ships_anyway_rate=0.1), ship_by=FAR, frozen_at=at(days=1), **COD
    )
    waiting = make_order(
        "awaiting_shipment", seller=seller(response_rate=0.9, ships_anyway_rate=0.1), ship_by=FAR, **COD
    )
    result = forecast(frozen, at(days=2), profile)
    assert result.probability < 0.9
    assert result.probability == pytest.approx(forecast(waiting, at(days=2), profile).probability, abs=0.03)


def test_verification_cancel_depends_on_the_profile():
    order = make_order("payment_verification", seller=seller(response_rate=0.9, ships_anyway_rate=0.1))
    assert forecast(order, at(2), get_profile(CURRENT)).probability == 1.0
    assert forecast(order, at(2), get_profile(STRICT)).probability < 1.0


def test_shipped_and_completed_cannot_be_cancelled():
    for status in ("awaiting_delivery", "partial_shipment", "completed"):
        result = forecast(make_order(status), at(days=30), get_profile())
        assert result.probability == 0.0 and result.money_back is None


# --- money back -----------------------------------------------------------------------------


def test_money_back_is_none_when_nothing_was_paid():
    profile = get_profile()
    assert forecast(make_order("awaiting_payment"), at(1), profile).money_back is None
    assert forecast(make_order("closed"), at(days=30), profile).money_back is None
    cod = make_order("awaiting_shipment", seller=seller(response_rate=0.0), ship_by=FAR, **COD)
    result = forecast(cod, at(days=1), profile)
    assert result.probability == 1.0 and result.money_back is None


def test_money_back_goes_to_the_payment_method():
    profile = get_profile()
    for method, words in (("card", "card"), ("balance", "balance"), ("paypal", "PayPal")):
        order = request_order(0.0, None, payment_method=method)
        back = forecast(order, at(days=1), profile).money_back
        assert back is not None and words in back.destination


def test_balance_refunds_faster_than_card():
    profile = get_profile()
    card = forecast(request_order(0.0, None), at(days=1), profile).money_back
    balance = forecast(request_order(0.0, None, payment_method="balance"), at(days=1), profile).money_back
    assert card is not None and balance is not None
    assert balance.median < card.median


def test_refund_in_progress_counts_down():
    profile = get_profile()
    order = make_order("refund_in_progress")
    early = forecast(order, at(days=2), profile).money_back
    later = forecast(order, at(days=12), profile).money_back
    assert early is not None and later is not None
    assert later.median < early.median
