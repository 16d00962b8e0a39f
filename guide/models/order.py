"""Order JSON v1 as a pydantic model. Validation happens here, at the edge: an `Order` that exists is
consistent (its timestamps fit its status), so the lifecycle, the policy and the store can trust it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from guide.content import validation
from guide.models.checks import _field_error, check_cash_on_delivery, check_close_reason
from guide.models.enums import CloseReason, PaymentMethod, Status
from guide.models.fields import CountryCode, CurrencyCode, Item, Money, OrderId, Seller, Timestamp

# The order's timestamps in the order they happen. COD orders are paid at the door, so their
# payment stamps stand outside this chain.
TIME_CHAIN: tuple[str, ...] = (
    "placed_at",
    "paid_at",
    "verified_at",
    "shipped_at",
    "delivered_at",
    "completed_at",
)
TIMESTAMPS: tuple[str, ...] = (
    *TIME_CHAIN,
    "confirmed_at",
    "cancel_requested_at",
    "cancel_refused_at",
    "dispute_opened_at",
    "frozen_at",
    "refund_started_at",
    "closed_at",
)

# DOMAIN.md status table: which stamps a status needs, and which it cannot have yet. A real record may be
# closed with no reason, charged while still shown unpaid (DOMAIN.md: Buyer-facing statuses), or partly
# shipped with the first parcel delivered.
_AFTER_SHIPPING = ("shipped_at", "delivered_at", "completed_at")
_REQUIRED: dict[Status, tuple[str, ...]] = {
    Status.AWAITING_PAYMENT: (),
    Status.PAYMENT_VERIFICATION: ("paid_at",),
    Status.AWAITING_SHIPMENT: ("paid_at",),
    Status.AWAITING_CANCELLATION: ("paid_at", "cancel_requested_at"),
    Status.PARTIAL_SHIPMENT: ("paid_at", "shipped_at"),
    Status.AWAITING_DELIVERY: ("paid_at", "shipped_at"),
    Status.DISPUTE_IN_PROGRESS: ("paid_at", "shipped_at"),
    Status.FROZEN: ("paid_at",),
    Status.REFUND_IN_PROGRESS: ("paid_at",),
    Status.COMPLETED: ("paid_at", "shipped_at", "completed_at"),
    Status.CLOSED: ("closed_at",),
}
_FORBIDDEN: dict[Status, tuple[str, ...]] = {
    Status.AWAITING_PAYMENT: ("verified_at", "cancel_requested_at", *_AFTER_SHIPPING),
    Status.PAYMENT_VERIFICATION: ("verified_at", "cancel_requested_at", *_AFTER_SHIPPING),
    Status.AWAITING_SHIPMENT: _AFTER_SHIPPING,
    Status.AWAITING_CANCELLATION: ("cancel_refused_at", *_AFTER_SHIPPING),
    Status.PARTIAL_SHIPMENT: ("completed_at",),
    Status.AWAITING_DELIVERY: ("completed_at",),
    Status.DISPUTE_IN_PROGRESS: (),
    Status.FROZEN: ("completed_at",),
    Status.REFUND_IN_PROGRESS: (),
    Status.COMPLETED: (),
    Status.CLOSED: (),
}
_PAYMENT_STAMPS = ("paid_at", "verified_at")
# Cash on delivery starts awaiting shipment and is paid at the door (DOMAIN.md: Refunds), so it never
# waits for or verifies a payment; a dispute or a refund needs the money to have been paid.
_COD_NEVER = (Status.AWAITING_PAYMENT, Status.PAYMENT_VERIFICATION)
_COD_PAID = (Status.DISPUTE_IN_PROGRESS, Status.REFUND_IN_PROGRESS)
# Stamps that only a closed order, or one whose refund is under way, may carry.
_CLOSING_FIELDS = ("closed_at",)


class Order(BaseModel):
    """One order as Order JSON v1 describes it. Extra optional fields are ignored on input."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True, extra="ignore")

    id: OrderId
    status: Status
    placed_at: Timestamp
    paid_at: Timestamp | None = None
    verified_at: Timestamp | None = None
    ship_by: Timestamp | None = None
    cancel_requested_at: Timestamp | None = None
    shipped_at: Timestamp | None = None
    delivered_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    closed_at: Timestamp | None = None
    close_reason: CloseReason | None = None
    # Optional extra: when the buyer confirmed a cash-on-delivery order (DOMAIN.md: Cash on delivery).
    confirmed_at: Timestamp | None = None
    seller: Seller
    items: list[Item] = Field(min_length=1, max_length=200)
    payment_method: PaymentMethod
    currency: CurrencyCode
    country: CountryCode | None = None
    # Optional extras the simulator keeps (welcome in Order JSON v1, never required).
    cancel_refused_at: Timestamp | None = None
    dispute_opened_at: Timestamp | None = None
    frozen_at: Timestamp | None = None
    refund_started_at: Timestamp | None = None
    refund_amount: Money | None = None

    @property
    def total(self) -> Decimal:
        return sum((item.subtotal for item in self.items), Decimal(0))

    @property
    def is_cash_on_delivery(self) -> bool:
        return self.payment_method is PaymentMethod.CASH_ON_DELIVERY

    @property
    def has_paid(self) -> bool:
        """Money has left the buyer (cash on delivery pays at the door)."""
        return self.paid_at is not None

    @property
    def awaiting_confirmation(self) -> bool:
        """A cash-on-delivery order the buyer has not confirmed yet: the seller does not ship it, and it is
        cancelled for free if the buyer does not confirm (DOMAIN.md: Cash on delivery)."""
        return self.is_cash_on_delivery and self.status is Status.AWAITING_SHIPMENT and self.confirmed_at is None

    @property
    def charged_but_shown_unpaid(self) -> bool:
        """Paid, yet still shown "Awaiting payment" (DOMAIN.md: Buyer-facing statuses): never pay twice."""
        return self.status is Status.AWAITING_PAYMENT and self.paid_at is not None

    @property
    def made_to_order(self) -> bool:
        return any(item.made_to_order for item in self.items)

    def stamps(self) -> dict[str, datetime]:
        """Every moment the order records, by field name, in TIMESTAMPS order (ship_by is a deadline, not a
        moment something happened)."""
        return {name: stamp for name in TIMESTAMPS if (stamp := getattr(self, name)) is not None}

    @property
    def latest_stamp(self) -> datetime:
        """When the last thing the order records happened."""
        return max(self.stamps().values())

    @model_validator(mode="after")
    def _timestamps_fit_status(self) -> Self:
        cod = self.is_cash_on_delivery
        status = self.status
        if cod and status in _COD_NEVER:
            raise _field_error("status", "cod_never_status", status, status=status.value)
        for field in _REQUIRED[status]:
            if field == "paid_at" and cod and status not in _COD_PAID:
                continue  # cash on delivery: paid at the door, if at all yet
            if getattr(self, field) is None:
                raise _field_error(field, "required_for_status", None, status=status.value)
        for field in _FORBIDDEN[status]:
            if field in _PAYMENT_STAMPS and cod:
                continue
            value = getattr(self, field)
            if value is not None:
                raise _field_error(field, "empty_for_status", value, status=status.value)
        if status not in (Status.CLOSED, Status.REFUND_IN_PROGRESS) and self.close_reason is not None:
            raise _field_error("close_reason", "close_reason_only_when_closing", self.close_reason)
        if status is not Status.CLOSED:
            for field in _CLOSING_FIELDS:
                if getattr(self, field) is not None:
                    raise _field_error(field, "only_when_closed", getattr(self, field))
        self._check_order_of_times()
        check_cash_on_delivery(self)
        check_close_reason(self)
        self._check_phases()
        return self

    def _check_order_of_times(self) -> None:
        chain = [f for f in TIME_CHAIN if not (self.is_cash_on_delivery and f in _PAYMENT_STAMPS)]
        previous: tuple[str, datetime] | None = None
        for field in chain:
            value = getattr(self, field)
            if value is None:
                continue
            if previous is not None and value < previous[1]:
                raise _field_error(field, "not_before", value, earlier=previous[0])
            previous = (field, value)
        after_placed = [f for f in TIMESTAMPS if f not in chain] + ["ship_by"]
        for field in after_placed:
            value = getattr(self, field)
            if value is not None and value < self.placed_at:
                raise _field_error(field, "not_before", value, earlier="placed_at")
        if self.is_cash_on_delivery and self.verified_at and self.paid_at and self.verified_at < self.paid_at:
            raise _field_error("verified_at", "not_before", self.verified_at, earlier="paid_at")
        pairs = (
            ("cancel_requested_at", "paid_at"),
            ("cancel_requested_at", "verified_at"),  # a request is for an order awaiting shipment
            ("cancel_refused_at", "cancel_requested_at"),
            ("dispute_opened_at", "shipped_at"),
            ("closed_at", "placed_at"),
            ("closed_at", "refund_started_at"),
        )
        for later, earlier in pairs:
            if later == "cancel_requested_at" and self.is_cash_on_delivery:
                continue
            a, b = getattr(self, later), getattr(self, earlier)
            if a is not None and b is not None and a < b:
                raise _field_error(later, "not_before", a, earlier=earlier)
        if self.shipped_at is not None:
            for earlier in ("cancel_requested_at", "cancel_refused_at"):
                stamp = getattr(self, earlier)
                if stamp is not None and self.shipped_at < stamp:
                    raise _field_error("shipped_at", "not_before", self.shipped_at, earlier=earlier)
        if self.cancel_requested_at is not None and self.paid_at is None and not self.is_cash_on_delivery:
            raise _field_error("paid_at", "required_with", None, other="cancel_requested_at")
        if self.cancel_refused_at is not None and self.cancel_requested_at is None:
            raise _field_error("cancel_requested_at", "required_with", None, other="cancel_refused_at")
        if self.refund_amount is not None and self.refund_amount > self.total:
            raise _field_error("refund_amount", "more_than_total", self.refund_amount)
        for refund in ("refund_amount", "refund_started_at"):
            if getattr(self, refund) is not None and self.paid_at is None:
                raise _field_error(refund, "only_when_paid", getattr(self, refund))

    def _check_phases(self) -> None:
        """Stamps that need another, and stamps after which nothing else can happen (DOMAIN.md: statuses)."""
        for later in ("delivered_at", "completed_at", "dispute_opened_at"):
            if getattr(self, later) is not None and self.shipped_at is None:
                raise _field_error("shipped_at", "required_with", None, other=later)
        refunding = self.status in (Status.REFUND_IN_PROGRESS, Status.CLOSED)
        if self.refund_started_at is not None and not refunding:
            raise _field_error("refund_started_at", "only_when_refunding", self.refund_started_at)
        if self.status is Status.AWAITING_SHIPMENT and self.cancel_requested_at and self.cancel_refused_at is None:
            raise _field_error("cancel_refused_at", "refusal_required_awaiting_shipment", None)
        # Nothing else happens once an order is closed, its refund has started, it is frozen, or a dispute
        # that ends in a refund is open (no delivery while disputed).
        disputed = self.status is Status.DISPUTE_IN_PROGRESS or self.close_reason is CloseReason.REFUNDED_AFTER_DISPUTE
        last_stamps = (
            ("closed_at", self.status is Status.CLOSED, ()),
            ("refund_started_at", refunding, ("closed_at",)),
            ("frozen_at", self.status is Status.FROZEN, ()),
            ("dispute_opened_at", disputed, ("refund_started_at", "closed_at", "frozen_at")),
        )
        for last, applies, exempt in last_stamps:
            end = getattr(self, last)
            if not applies or end is None:
                continue
            for other in TIMESTAMPS:
                stamp = getattr(self, other)
                if other != last and other not in exempt and stamp is not None and end < stamp:
                    raise _field_error(last, "not_before", end, earlier=other)

    def to_json_dict(self) -> dict[str, Any]:
        """Order JSON v1, without empty optional fields."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def field_errors(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, plain message) for each problem, e.g. ("items.0.quantity", "..."): the import error table.
    Each message is content's sentence for the error's type, pydantic's own types included."""
    found = []
    for detail in error.errors(include_url=False):
        field = ".".join(str(part) for part in detail["loc"]) or "order"
        found.append((field, validation.sentence(detail["type"], detail.get("ctx"))))
    return found


def known(stamp: datetime | None) -> datetime:
    """A stamp the order's status requires (Order validation guarantees it), typed as present."""
    if stamp is None:
        raise ValueError("the order's status requires this stamp")  # unreachable for a validated Order
    return stamp
