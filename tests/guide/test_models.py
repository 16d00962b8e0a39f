"""Order JSON v1: every validation error names its field; every status has a valid example that round-trips."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from guide.models import CloseReason, Order, PaymentMethod, Status, field_errors
from tests.guide.factories import STATUSES, at, item, make_order, order_json, seller


def rejects(status: str = "awaiting_payment", **overrides: Any) -> list[tuple[str, str]]:
    """The (field, message) pairs of the ValidationError the order raises; fails if it is valid."""
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(order_json(status, **overrides))
    return field_errors(caught.value)


def assert_names(errors: list[tuple[str, str]], field: str, *words: str) -> None:
    """Exactly one error, located at `field`, whose message contains every word (case-insensitive)."""
    assert len(errors) == 1, errors
    location, message = errors[0]
    assert location == field, errors
    for word in words:
        assert word.lower() in message.lower(), errors


# --- valid examples ---------------------------------------------------------------------------


def test_every_status_has_a_valid_example():
    assert set(STATUSES) == {status.value for status in Status}
    for status in STATUSES:
        assert Order.model_validate(order_json(status)).status is Status(status)


@pytest.mark.parametrize("status", STATUSES)
def test_round_trip_through_json(status: str):
    order = Order.model_validate(order_json(status))
    again = Order.model_validate(order.model_dump(mode="json"))
    assert again == order
    assert again.model_dump(mode="json") == order.model_dump(mode="json")


@pytest.mark.parametrize("status", STATUSES)
def test_round_trip_through_compact_json(status: str):
    order = Order.model_validate(order_json(status))
    dumped = order.to_json_dict()
    assert all(value is not None for value in dumped.values())
    assert Order.model_validate(dumped) == order


def test_money_is_a_decimal_string_in_json():
    order = Order.model_validate(order_json(items=[item(unit_price="4.50", quantity=3)]))
    assert order.model_dump(mode="json")["items"][0]["unit_price"] == "4.50"
    assert order.total == Decimal("13.50")


def test_times_keep_their_offset_and_compare_by_instant():
    order = Order.model_validate(
        order_json("payment_verification", placed_at="2025-03-03T17:00:00+08:00", paid_at="2025-03-03T09:30:00Z")
    )
    assert order.paid_at is not None and order.paid_at > order.placed_at
    assert order.model_dump(mode="json")["placed_at"].endswith("+08:00")


def test_extra_fields_are_ignored():
    order = Order.model_validate(order_json(tracking_number="LP00123", note="gift"))
    assert not hasattr(order, "tracking_number")


def test_zero_price_and_optional_country_are_valid():
    order = Order.model_validate(order_json(items=[item(unit_price="0")], country=None))
    assert order.total == 0
    assert order.country is None


def test_orders_are_frozen():
    order = Order.model_validate(order_json())
    with pytest.raises(ValidationError):
        order.status = Status.CLOSED  # type: ignore[misc]  # assigning a frozen field is what this test tries


# --- status and timestamps ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "missing"),
    [
        ("awaiting_delivery", "shipped_at"),
        ("awaiting_delivery", "paid_at"),
        ("partial_shipment", "shipped_at"),
        ("payment_verification", "paid_at"),
        ("awaiting_shipment", "paid_at"),
        ("awaiting_cancellation", "cancel_requested_at"),
        ("dispute_in_progress", "shipped_at"),
        ("frozen", "paid_at"),
        ("completed", "completed_at"),
        ("completed", "shipped_at"),
        ("closed", "closed_at"),
    ],
)
def test_status_without_its_timestamps(status: str, missing: str):
    extra: dict[str, Any] = {}
    if missing == "paid_at" and status in ("awaiting_shipment", "awaiting_delivery", "frozen"):
        extra["verified_at"] = None  # else verified_at would be checked against a missing paid_at
    assert_names(rejects(status, **{missing: None}, **extra), missing, "required", status)


@pytest.mark.parametrize(
    ("status", "stamp", "hours"),
    [
        ("awaiting_payment", "verified_at", 2),
        ("awaiting_payment", "shipped_at", 5),
        ("payment_verification", "verified_at", 2),
        ("payment_verification", "cancel_requested_at", 2),
        ("awaiting_shipment", "shipped_at", 48),
        ("awaiting_cancellation", "shipped_at", 48),
        ("awaiting_cancellation", "cancel_refused_at", 30),
        ("partial_shipment", "completed_at", 400),
        ("awaiting_delivery", "completed_at", 400),
        ("frozen", "completed_at", 400),
    ],
)
def test_status_with_a_timestamp_it_cannot_have_yet(status: str, stamp: str, hours: float):
    assert_names(rejects(status, **{stamp: at(hours=hours)}), stamp, "must be empty", status)


@pytest.mark.parametrize(
    ("status", "overrides", "field", "earlier"),
    [
        ("awaiting_delivery", {"shipped_at": at(hours=0.5)}, "shipped_at", "verified_at"),
        ("awaiting_delivery", {"verified_at": None, "shipped_at": at(hours=0.5)}, "shipped_at", "paid_at"),
        ("payment_verification", {"paid_at": at(hours=-1)}, "paid_at", "placed_at"),
        ("awaiting_shipment", {"verified_at": at(hours=0.5)}, "verified_at", "paid_at"),
        ("completed", {"delivered_at": at(hours=47)}, "delivered_at", "shipped_at"),
        ("completed", {"completed_at": at(days=19)}, "completed_at", "delivered_at"),
        ("awaiting_cancellation", {"cancel_requested_at": at(hours=0.5)}, "cancel_requested_at", "paid_at"),
        (
            "awaiting_shipment",
            {"cancel_requested_at": at(hours=24), "cancel_refused_at": at(hours=20)},
            "cancel_refused_at",
            "cancel_requested_at",
        ),
        ("dispute_in_progress", {"dispute_opened_at": at(hours=47)}, "dispute_opened_at", "shipped_at"),
        ("awaiting_delivery", {"cancel_requested_at": at(hours=50)}, "shipped_at", "cancel_requested_at"),
        ("closed", {"refund_started_at": at(days=21)}, "closed_at", "refund_started_at"),
        ("closed", {"closed_at": at(hours=-1)}, "closed_at", "placed_at"),
        ("awaiting_shipment", {"ship_by": at(hours=-1)}, "ship_by", "placed_at"),
        ("frozen", {"frozen_at": at(hours=-1)}, "frozen_at", "placed_at"),
    ],
)
def test_timestamps_out_of_order(status: str, overrides: dict[str, Any], field: str, earlier: str):
    assert_names(rejects(status, **overrides), field, "must not be before", earlier)


def test_shipped_before_paid_without_verification():
    errors = rejects("awaiting_delivery", verified_at=None, paid_at=at(hours=10), shipped_at=at(hours=5))
    assert_names(errors, "shipped_at", "before paid_at")


def test_time_without_offset():
    assert_names(rejects(placed_at="2025-03-03T09:00:00"), "placed_at", "timezone")
    assert_names(rejects("payment_verification", paid_at="2025-03-03T10:00:00"), "paid_at", "timezone")


def test_date_without_time_is_not_a_timestamp():
    assert_names(rejects(placed_at="2025-03-03"), "placed_at", "timezone")


def test_garbage_time():
    assert_names(rejects(placed_at="yesterday"), "placed_at", "datetime")


def test_missing_placed_at():
    assert_names(rejects(placed_at=None), "placed_at", "required")


def test_unknown_status():
    assert_names(rejects(status="cancelled"), "status", "awaiting_payment")


def test_status_is_required():
    data = order_json()
    del data["status"]
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(data)
    assert field_errors(caught.value) == [("status", "Field required")]


# --- items, money, codes, id -----------------------------------------------------------------


def test_unknown_payment_method():
    assert_names(rejects(payment_method="bitcoin"), "payment_method", "card", "klarna")


def test_every_payment_method_is_accepted():
    for method in PaymentMethod:
        status = "awaiting_shipment" if method is PaymentMethod.CASH_ON_DELIVERY else "awaiting_payment"
        overrides = {"paid_at": None, "verified_at": None} if status == "awaiting_shipment" else {}
        assert (
            Order.model_validate(order_json(status, payment_method=method.value, **overrides)).payment_method is method
        )


def test_zero_quantity():
    assert_names(rejects(items=[item(quantity=0)]), "items.0.quantity", "greater than or equal to 1")


def test_quantity_error_names_the_right_item():
    assert_names(rejects(items=[item(), item(quantity=-3)]), "items.1.quantity", "greater than or equal to 1")


def test_negative_price():
    assert_names(rejects(items=[item(unit_price="-0.01")]), "items.0.unit_price", "greater than or equal to 0")


@pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity"])
def test_price_must_be_finite(price: str):
    assert_names(rejects(items=[item(unit_price=price)]), "items.0.unit_price", "finite")


def test_price_must_be_a_number():
    assert_names(rejects(items=[item(unit_price="cheap")]), "items.0.unit_price", "decimal")


def test_price_has_at_most_four_places():
    assert_names(rejects(items=[item(unit_price="1.23456")]), "items.0.unit_price", "decimal places")


def test_empty_item_list():
    assert_names(rejects(items=[]), "items", "at least 1")


def test_item_needs_a_title():
    assert_names(rejects(items=[item(title="   ")]), "items.0.title", "at least 1")


def test_seller_needs_a_name():
    assert_names(rejects(seller=seller(name="")), "seller.name", "at least 1")


@pytest.mark.parametrize("field", ["response_rate", "ships_anyway_rate"])
@pytest.mark.parametrize(("value", "word"), [(1.5, "less than or equal to 1"), (-0.1, "greater than or equal to 0")])
def test_seller_rates_are_probabilities(field: str, value: float, word: str):
    assert_names(rejects(seller=seller(**{field: value})), f"seller.{field}", word)


@pytest.mark.parametrize("bad_id", ["12a4", "1" * 21, "", "-123", "12 34", "1.5"])
def test_bad_id(bad_id: str):
    assert_names(rejects(id=bad_id), "id", "pattern")


@pytest.mark.parametrize("good_id", ["1", "0" * 20, "8123456789012345"])
def test_good_id(good_id: str):
    assert Order.model_validate(order_json(id=good_id)).id == good_id


def test_id_must_be_a_string():
    assert_names(rejects(id=123), "id", "string")


@pytest.mark.parametrize(
    ("code", "word"),
    [("usd", "pattern"), ("US", "pattern"), ("USDT", "pattern"), ("XYZ", "ISO 4217"), ("ABC", "ISO 4217")],
)
def test_bad_currency(code: str, word: str):
    assert_names(rejects(currency=code), "currency", word)


@pytest.mark.parametrize(
    ("code", "word"), [("de", "pattern"), ("DEU", "pattern"), ("ZZ", "ISO 3166"), ("UK", "ISO 3166")]
)
def test_bad_country(code: str, word: str):
    assert_names(rejects(country=code), "country", word)


@pytest.mark.parametrize(("currency", "country"), [("EUR", "FR"), ("JPY", "JP"), ("BRL", "BR"), ("GBP", "GB")])
def test_good_codes(currency: str, country: str):
    order = Order.model_validate(order_json(currency=currency, country=country))
    assert (order.currency, order.country) == (currency, country)


def test_several_problems_are_reported_together():
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(order_json(id="x", currency="usd", items=[]))
    assert {field for field, _ in field_errors(caught.value)} == {"id", "currency", "items"}


# --- close_reason rules -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [s for s in STATUSES if s not in ("closed", "refund_in_progress")])
def test_close_reason_only_on_closed_or_refunding(status: str):
    assert_names(rejects(status, close_reason="cancelled_by_buyer"), "close_reason", "closed")


def test_unknown_close_reason():
    assert_names(rejects("closed", close_reason="changed_my_mind"), "close_reason", "unpaid_timeout")


def test_closed_at_only_on_closed_orders():
    assert_names(rejects("awaiting_payment", closed_at=at(days=1)), "closed_at", "only set on a closed order")
    assert_names(rejects("refund_in_progress", closed_at=at(days=3)), "closed_at", "only set on a closed order")


@pytest.mark.parametrize("reason", ["cancelled_by_seller_approval", "cancelled_after_seller_silence"])
def test_seller_close_reasons_need_a_request(reason: str):
    errors = rejects("closed", close_reason=reason, paid_at=at(1), verified_at=at(2), refund_started_at=at(40))
    assert_names(errors, "cancel_requested_at", "required", reason)


def test_unpaid_timeout_must_not_be_paid():
    errors = rejects("closed", close_reason="unpaid_timeout", paid_at=at(1), refund_started_at=at(days=20))
    assert_names(errors, "paid_at", "must be empty", "unpaid_timeout")


def test_refunded_after_dispute_needs_shipping():
    errors = rejects("closed", close_reason="refunded_after_dispute", paid_at=at(1), verified_at=at(2))
    assert_names(errors, "shipped_at", "required", "refunded_after_dispute")


def test_refunded_after_dispute_needs_payment():
    # Cash on delivery that was never delivered: nothing was paid, so nothing can be refunded.
    errors = rejects(
        "closed", close_reason="refunded_after_dispute", payment_method="cash_on_delivery", shipped_at=at(48)
    )
    assert_names(errors, "paid_at", "required", "refunded_after_dispute")


def test_cancelled_by_buyer_after_verification():
    # Issue 11: a request the seller approved is still the buyer's cancellation in plain words.
    order = make_order(
        "closed", close_reason="cancelled_by_buyer", paid_at=at(1), verified_at=at(2), refund_started_at=at(3)
    )
    assert order.verified_at == at(2)


def test_cancelled_by_buyer_after_a_request():
    order = make_order(
        "closed", close_reason="cancelled_by_buyer", paid_at=at(1), cancel_requested_at=at(2), refund_started_at=at(3)
    )
    assert order.cancel_requested_at == at(2)


@pytest.mark.parametrize("reason", ["cancelled_by_buyer", "ship_by_missed", "cancelled_by_seller_approval"])
def test_cancelled_orders_did_not_ship(reason: str):
    errors = rejects(
        "closed",
        close_reason=reason,
        paid_at=at(1),
        verified_at=at(2),
        shipped_at=at(3),
        cancel_requested_at=at(2.5),
        refund_started_at=at(40),
    )
    assert_names(errors, "shipped_at", "must be empty", reason)


def test_valid_closed_orders_for_every_reason():
    paid = {"paid_at": at(1), "verified_at": at(2), "refund_started_at": at(50)}
    examples = {
        CloseReason.CANCELLED_BY_BUYER: {"closed_at": at(0.5)},
        CloseReason.CANCELLED_BY_SELLER_APPROVAL: {**paid, "cancel_requested_at": at(20)},
        CloseReason.CANCELLED_AFTER_SELLER_SILENCE: {**paid, "cancel_requested_at": at(2)},
        CloseReason.UNPAID_TIMEOUT: {},
        CloseReason.SHIP_BY_MISSED: paid,
        CloseReason.REFUNDED_AFTER_DISPUTE: {**paid, "shipped_at": at(10), "refund_started_at": at(days=15)},
    }
    for reason, stamps in examples.items():
        order = Order.model_validate(order_json("closed", close_reason=reason.value, **stamps))
        assert order.close_reason is reason


def test_refund_amount_at_most_the_total():
    assert_names(rejects("completed", refund_amount="9.01"), "refund_amount", "order total")


def test_refund_amount_needs_a_payment():
    assert_names(rejects("closed", refund_amount="1.00"), "refund_amount", "paid")


# --- cash on delivery -----------------------------------------------------------------------------

COD = {"payment_method": "cash_on_delivery", "paid_at": None, "verified_at": None}


def test_cod_is_never_awaiting_payment():
    assert_names(rejects("awaiting_payment", payment_method="cash_on_delivery"), "status", "cash-on-delivery")


def test_cod_is_never_in_payment_verification():
    assert_names(rejects("payment_verification", **COD), "status", "cash-on-delivery")


def test_cod_awaiting_shipment_is_unpaid():
    order = Order.model_validate(order_json("awaiting_shipment", **COD))
    assert not order.has_paid and order.is_cash_on_delivery


def test_cod_is_paid_at_the_door():
    assert_names(rejects("awaiting_delivery", **{**COD, "paid_at": at(10)}), "paid_at", "delivered_at")
    order = Order.model_validate(order_json("completed", **{**COD, "paid_at": at(days=20)}))
    assert order.has_paid


def test_cod_payment_stands_outside_the_time_chain():
    # Paid at the door after delivery, so paid_at is later than shipped_at: valid for cash on delivery only.
    order = Order.model_validate(
        order_json("awaiting_delivery", **{**COD, "delivered_at": at(days=9), "paid_at": at(days=9)})
    )
    assert order.paid_at == order.delivered_at
    errors = rejects("awaiting_delivery", verified_at=None, paid_at=at(days=9), delivered_at=at(days=9))
    assert_names(errors, "shipped_at", "before paid_at")


def test_cod_request_needs_no_payment():
    order = Order.model_validate(order_json("awaiting_cancellation", **COD))
    assert order.cancel_requested_at is not None


def test_cod_can_be_cancelled_by_the_buyer():
    # Issue 11: before confirming, a cash-on-delivery buyer cancels for free (DOMAIN.md: Cash on delivery).
    order = make_order("closed", close_reason="cancelled_by_buyer", closed_at=at(2), payment_method="cash_on_delivery")
    assert order.close_reason is CloseReason.CANCELLED_BY_BUYER


@pytest.mark.parametrize("status", ["dispute_in_progress", "refund_in_progress"])
def test_cod_dispute_or_refund_needs_payment(status: str):
    assert_names(rejects(status, **COD), "paid_at", "required", status)


def test_field_errors_formats_nested_locations():
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(order_json(items=[item(), item(unit_price="-1")]))
    assert field_errors(caught.value)[0][0] == "items.1.unit_price"


# --- phases: stamps that need another, and stamps after which nothing happens ---------------------


@pytest.mark.parametrize("stamp", ["delivered_at", "completed_at", "dispute_opened_at"])
def test_after_shipping_stamps_need_shipped_at(stamp: str):
    # Refunding after the seller approved a request: no shipping, so nothing can be delivered or disputed.
    errors = rejects("refund_in_progress", **{stamp: at(30)})
    assert_names(errors, "shipped_at", "required", stamp)


def test_refund_started_only_when_refunding():
    assert_names(rejects("awaiting_shipment", refund_started_at=at(days=2)), "refund_started_at", "refunded")


def test_refund_needs_a_payment():
    errors = rejects("closed", close_reason="cancelled_by_buyer", closed_at=at(2), refund_started_at=at(1))
    assert_names(errors, "refund_started_at", "paid")


def test_awaiting_shipment_with_a_request_needs_its_refusal():
    errors = rejects("awaiting_shipment", cancel_requested_at=at(10))
    assert_names(errors, "cancel_refused_at", "required", "awaiting_cancellation")


def test_request_before_verification():
    errors = rejects("awaiting_cancellation", verified_at=at(30), cancel_requested_at=at(24), ship_by=at(days=9))
    assert_names(errors, "cancel_requested_at", "before verified_at")


@pytest.mark.parametrize(
    ("status", "overrides", "field", "other"),
    [
        (
            "closed",
            {
                "close_reason": "refunded_after_dispute",
                "paid_at": at(1),
                "verified_at": at(2),
                "shipped_at": at(days=12),
                "refund_started_at": at(days=10),
                "closed_at": at(days=11),
            },
            "closed_at",
            "shipped_at",
        ),
        (
            "refund_in_progress",
            {
                "close_reason": "cancelled_by_buyer",
                "verified_at": None,
                "cancel_requested_at": None,
                "paid_at": at(5),
                "refund_started_at": at(3),
            },
            "refund_started_at",
            "paid_at",
        ),
        ("frozen", {"shipped_at": at(days=3), "frozen_at": at(days=2)}, "frozen_at", "shipped_at"),
        ("dispute_in_progress", {"delivered_at": at(days=16)}, "dispute_opened_at", "delivered_at"),
    ],
)
def test_nothing_happens_after_an_order_ends_freezes_or_is_disputed(
    status: str, overrides: dict[str, Any], field: str, other: str
):
    assert_names(rejects(status, **overrides), field, "must not be before", other)


def test_a_lost_dispute_may_precede_delivery():
    order = Order.model_validate(order_json("completed", dispute_opened_at=at(days=12)))
    assert order.dispute_opened_at is not None
    assert order.delivered_at is not None and order.dispute_opened_at < order.delivered_at


def test_cod_never_closes_unpaid():
    errors = rejects("closed", payment_method="cash_on_delivery")  # the example closes by unpaid_timeout
    assert_names(errors, "close_reason", "cash-on-delivery")


def test_ship_by_missed_needs_a_payment():
    assert_names(rejects("closed", close_reason="ship_by_missed"), "paid_at", "required", "ship_by_missed")
    cod = Order.model_validate(order_json("closed", close_reason="ship_by_missed", payment_method="cash_on_delivery"))
    assert not cod.has_paid


@pytest.mark.parametrize("reason", ["cancelled_by_seller_approval", "cancelled_after_seller_silence"])
def test_a_refused_request_was_not_approved(reason: str):
    errors = rejects(
        "closed",
        close_reason=reason,
        paid_at=at(1),
        verified_at=at(2),
        cancel_requested_at=at(3),
        cancel_refused_at=at(4),
        refund_started_at=at(5),
    )
    assert_names(errors, "cancel_refused_at", "must be empty", reason)


def test_text_without_control_characters():
    assert_names(rejects(seller=seller(name="Shop\x00Name")), "seller.name", "control characters")
    assert_names(rejects(items=[item(title="Lamp\x1b[31m")]), "items.0.title", "control characters")


@pytest.mark.parametrize("value", [1764489600, 1764489600.5])
def test_a_unix_number_is_not_an_iso_time(value):
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(order_json("awaiting_payment", placed_at=value))
    assert ("placed_at", "must be an ISO 8601 time with an offset, not a number") in field_errors(caught.value)
