"""The forecast: its contract, determinism, the seller model's chances, and the money-back futures."""

from __future__ import annotations

import math

import pytest

from guide.behaviour import request_odds
from guide.likelihood import DEFAULT_SAMPLES, Forecast, forecast
from guide.models import Order
from guide.profile import PolicyProfile, get_profile
from tests.guide.factories import CURRENT, STATUSES, STRICT, at, item, make_order, seller
from tests.support.stats import wilson_interval

FAR = at(days=60)  # a ship-by date far beyond any seller window
COD = {"payment_method": "cash_on_delivery", "paid_at": None, "verified_at": None, "confirmed_at": at(1)}


def request_order(response: float | None, ships: float | None, **overrides: object) -> Order:
    """Paid and verified, awaiting shipment, with a far ship-by date unless overridden."""
    return make_order(
        "awaiting_shipment",
        seller=seller(response_rate=response, ships_anyway_rate=ships),
        **{"ship_by": FAR, **overrides},
    )


# --- forecast: contract --------------------------------------------------------------------------


def check_forecast(result: Forecast, samples: int) -> None:
    assert 0.0 <= result.probability <= 1.0
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


def test_forecast_depends_on_the_time_a_request_has_waited_and_the_profile():
    order = make_order("awaiting_cancellation", seller=seller(response_rate=0.7, ships_anyway_rate=0.3), ship_by=FAR)
    base = forecast(order, at(days=1, hours=1), get_profile(CURRENT))
    assert forecast(order, at(days=1, hours=20), get_profile(CURRENT)).probability != base.probability
    assert forecast(order, at(days=1, hours=1), get_profile(STRICT)).probability != base.probability


# --- forecast: the behaviour model ----------------------------------------------------------------


@pytest.mark.parametrize("name", [CURRENT, STRICT])
def test_a_seller_who_neither_answers_nor_ships_always_cancels(name: str):
    """Silence closes the order and refunds it (DOMAIN.md: awaiting cancellation)."""
    profile = get_profile(name)
    for status in ("awaiting_shipment", "awaiting_cancellation"):
        order = make_order(status, seller=seller(response_rate=0.0, ships_anyway_rate=0.0), ship_by=FAR)
        assert forecast(order, at(days=1), profile).probability == 1.0


@pytest.mark.parametrize("name", [CURRENT, STRICT])
def test_a_seller_who_never_answers_can_still_ship(name: str):
    """Shipping anyway does not depend on answering messages (issue 11: the rates mean what they say)."""
    profile = get_profile(name)
    quiet = forecast(request_order(0.0, 0.5), at(days=1), profile).probability
    assert quiet == pytest.approx(0.5 + 0.5 * profile.miss_ship_by_rate.value)
    assert quiet < forecast(request_order(0.0, 0.0), at(days=1), profile).probability


@pytest.mark.parametrize("name", [CURRENT, STRICT])
def test_a_seller_who_always_ships_anyway_cancels_only_by_missing_the_deadline(name: str):
    profile = get_profile(name)
    for status in ("awaiting_shipment", "awaiting_cancellation"):
        order = make_order(status, seller=seller(response_rate=1.0, ships_anyway_rate=1.0), ship_by=FAR)
        assert forecast(order, at(days=1), profile).probability == pytest.approx(profile.miss_ship_by_rate.value)


def test_an_hour_before_the_deadline_a_seller_who_ships_anyway_still_ships():
    """The old model counted an answer drawn after the deadline as the order closing; a seller who means to
    ship does it before the deadline (issue 11: 0.98 one hour before)."""
    order = request_order(1.0, 1.0, ship_by=at(hours=10))
    assert forecast(order, at(hours=9), get_profile(STRICT)).probability <= 0.05
    assert forecast(order, at(hours=11), get_profile(STRICT)).probability == 1.0


@pytest.mark.parametrize("name", [CURRENT, STRICT])
@pytest.mark.parametrize(("response", "ships"), [(0.9, 0.1), (0.5, 0.3), (0.97, 0.05), (0.62, 0.38), (None, None)])
def test_the_money_back_futures_agree_with_the_exact_chance(name: str, response: float | None, ships: float | None):
    """The futures behind the money-back time succeed as often as the exact chance says."""
    profile = get_profile(name)
    order = request_order(response, ships)
    result = forecast(order, at(days=1), profile)
    assert result.probability == pytest.approx(request_odds(order, profile).success)
    assert result.money_back is not None
    low, high = wilson_interval(sum(result.money_back.histogram), result.samples)
    assert low <= result.probability <= high


def test_made_to_order_lowers_the_odds():
    profile = get_profile()
    plain = forecast(request_order(0.9, 0.1), at(days=1), profile).probability
    custom = forecast(request_order(0.9, 0.1, items=[item(made_to_order=True)]), at(days=1), profile).probability
    assert custom < plain - 0.1


def test_seller_odds_sum_to_one():
    profile = get_profile()
    for response in (0.0, 0.3, 1.0, None):
        for ships in (0.0, 0.5, 1.0, None):
            parts = request_odds(request_order(response, ships), profile).shares()
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
    cod = make_order("awaiting_shipment", seller=seller(response_rate=0.0, ships_anyway_rate=0.0), ship_by=FAR, **COD)
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
