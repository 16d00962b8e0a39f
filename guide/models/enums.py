"""The enums the domain speaks in: statuses, close reasons, payment methods, paths, verdicts, events."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The buyer-facing main status (DOMAIN.md: Buyer-facing statuses)."""

    AWAITING_PAYMENT = "awaiting_payment"
    PAYMENT_VERIFICATION = "payment_verification"
    AWAITING_SHIPMENT = "awaiting_shipment"
    AWAITING_CANCELLATION = "awaiting_cancellation"
    PARTIAL_SHIPMENT = "partial_shipment"
    AWAITING_DELIVERY = "awaiting_delivery"
    DISPUTE_IN_PROGRESS = "dispute_in_progress"
    FROZEN = "frozen"
    REFUND_IN_PROGRESS = "refund_in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"


class CloseReason(StrEnum):
    CANCELLED_BY_BUYER = "cancelled_by_buyer"
    CANCELLED_BY_SELLER_APPROVAL = "cancelled_by_seller_approval"
    CANCELLED_AFTER_SELLER_SILENCE = "cancelled_after_seller_silence"
    UNPAID_TIMEOUT = "unpaid_timeout"
    SHIP_BY_MISSED = "ship_by_missed"
    REFUNDED_AFTER_DISPUTE = "refunded_after_dispute"
    DELIVERY_REFUSED = "delivery_refused"  # DOMAIN.md: refuse the delivery (card or cash on delivery)


class PaymentMethod(StrEnum):
    CARD = "card"
    PAYPAL = "paypal"
    BALANCE = "balance"
    BANK_TRANSFER = "bank_transfer"
    CASH_ON_DELIVERY = "cash_on_delivery"
    KLARNA = "klarna"


class Path(StrEnum):
    """The next best action `assess()` recommends."""

    CANCEL_NOW = "cancel_now"
    REQUEST_CANCELLATION = "request_cancellation"
    WAIT = "wait"
    CONTACT_SELLER = "contact_seller"
    OPEN_DISPUTE = "open_dispute"
    NOTHING_TO_DO = "nothing_to_do"


class Verdict(StrEnum):
    """Can cancelling still succeed? Ordered from best to worst."""

    CERTAIN = "certain"
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"
    IMPOSSIBLE = "impossible"


class Actor(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    PLATFORM = "platform"
    CARRIER = "carrier"


class EventKind(StrEnum):
    """Everything that can happen to an order; the status is the replay of these."""

    PLACED = "placed"
    ORDER_CONFIRMED = "order_confirmed"  # DOMAIN.md: Cash on delivery (the buyer confirms the order)
    CONFIRM_EXPIRED = "confirm_expired"  # not confirmed in time: a free cancellation by the buyer
    PAID = "paid"
    VERIFIED = "verified"
    CANCELLED = "cancelled"
    CANCEL_REQUESTED = "cancel_requested"
    SELLER_APPROVED = "seller_approved"
    SELLER_REFUSED = "seller_refused"
    SELLER_SILENT = "seller_silent"
    PROCESSING_EXTENDED = "processing_extended"
    SHIP_BY_MISSED = "ship_by_missed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RECEIPT_CONFIRMED = "receipt_confirmed"
    PROTECTION_EXPIRED = "protection_expired"
    UNPAID_TIMEOUT = "unpaid_timeout"
    DELIVERY_REFUSED = "delivery_refused"
    CLOSED = "closed"  # an imported record's close, known only by its reason, if any
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_ESCALATED = "dispute_escalated"
    DISPUTE_CLOSED = "dispute_closed"
    FROZEN = "frozen"
    UNFROZEN = "unfrozen"
    REFUNDED = "refunded"
    MESSAGE_SENT = "message_sent"
    MESSAGE_RECEIVED = "message_received"


MESSAGE_KINDS = frozenset({EventKind.MESSAGE_SENT, EventKind.MESSAGE_RECEIVED})
