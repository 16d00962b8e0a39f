"""The refund tracker's facts (guide/refunds.py): which orders have money coming back, how much and when."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from guide.likelihood import MoneyBack
from guide.models import PaymentMethod
from guide.profile import get_profile
from guide.refunds import has_refund, refund
from tests.guide.factories import T0, at, make_order

BACK = MoneyBack(low=2.0, median=3.0, high=5.0, histogram=(0, 1, 1), destination="card")


def test_only_orders_whose_money_comes_back_have_a_refund():
    assert has_refund(make_order("refund_in_progress"))
    assert has_refund(make_order("closed", paid_at=at(1), refund_amount="1.25", close_reason="cancelled_by_buyer"))
    assert not has_refund(make_order("closed"))  # closed unpaid: nothing was paid, nothing comes back
    assert not has_refund(make_order("awaiting_shipment"))


def test_a_refund_under_way_is_expected_between_the_forecasts_low_and_high_days():
    order = make_order("refund_in_progress")
    clock = T0 + timedelta(days=3)
    found = refund(order, BACK, clock, get_profile())
    assert found.done_at is None
    assert found.expected == (clock + timedelta(days=2), clock + timedelta(days=5))
    assert found.amount == order.total and found.method is PaymentMethod.CARD
    assert found.destination == get_profile().refund_times.value[PaymentMethod.CARD].destination
    assert refund(order, None, clock, get_profile()).expected is None  # nothing forecast, nothing promised


def test_a_finished_refund_says_when_and_how_much_came_back():
    order = make_order("closed", paid_at=at(1), refund_amount="1.25", close_reason="cancelled_by_buyer")
    found = refund(order, BACK, T0 + timedelta(days=30), get_profile())
    assert (found.done_at, found.expected, found.amount) == (order.closed_at, None, Decimal("1.25"))
