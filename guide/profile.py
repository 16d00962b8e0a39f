"""Policy profiles: every number and rule that DOMAIN.md marks configurable, as data with sources.

A profile is a JSON file in guide/content/profiles/. Exactly one is the default. Seller-behaviour
numbers are the simulator's own assumptions and say so in their sources.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guide.content import load_folder
from guide.content.language import current
from guide.models import Order, PaymentMethod, Status
from guide.models.fields import CountryCode

T = TypeVar("T")

Days = Annotated[float, Field(ge=0, le=400)]
Share = Annotated[float, Field(ge=0, le=1)]


class Span(BaseModel):
    """A range of values: the simulator draws uniformly between low and high."""

    model_config = ConfigDict(frozen=True)

    low: Days
    high: Days

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self


class ByCountry(BaseModel):
    """A number of days that depends on the order's country, with a default for every other country."""

    model_config = ConfigDict(frozen=True)

    default: Days
    by_country: dict[CountryCode, Days] = Field(default_factory=dict)

    def for_country(self, country: str | None) -> float:
        return self.by_country.get(country or "", self.default)


class Rule(BaseModel, Generic[T]):
    """One configurable rule: its value, the sources it comes from, and an optional note."""

    model_config = ConfigDict(frozen=True)

    value: T
    sources: list[str] = Field(min_length=1)
    note: str = ""
    verified: bool = True  # False where no source confirms the rule: the simulator assumes it, and says so


class RefundTime(BaseModel):
    """How long a refund takes for one payment method, in business days."""

    model_config = ConfigDict(frozen=True)

    business_days: Span
    destination: str
    verified: bool = Field(description="False where no source covers AliExpress for this method")


class PolicyProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,40}$")]
    name: str
    summary: str
    default: bool = False

    # DOMAIN.md: Cancellation rules by status / Timers
    cancel_during_verification: Rule[bool]
    unpaid_close_days: Rule[Days]
    verification_max_hours: Rule[Annotated[float, Field(gt=0, le=240)]]
    cod_confirm_hours: Rule[Annotated[float, Field(gt=0, le=720)]]  # DOMAIN.md: Cash on delivery
    processing_days: Rule[Span]
    processing_days_max: Rule[Days]
    extend_processing_days: Rule[Days]
    seller_answer_hours: Rule[Annotated[float, Field(gt=0, le=720)]]
    one_request_per_order: Rule[bool]
    ship_by_runs_during_request: Rule[bool]
    delivery_guarantee_days: Rule[ByCountry]
    dispute_opens_after_shipping_days: Rule[Days]
    dispute_after_protection_days: Rule[Days]
    dispute_after_completion_days: Rule[Days]
    seller_dispute_answer_days: Rule[Days]
    contact_reply_hours: Rule[Span]
    refund_times: Rule[dict[PaymentMethod, RefundTime]]
    bank_extra_business_days: Rule[Span]

    # The seller-behaviour model (simulator assumptions; DOMAIN.md has no figures for these).
    default_response_rate: Rule[Share]
    default_ships_anyway_rate: Rule[Share]
    refuse_share: Rule[Share]
    after_refusal_agree_factor: Rule[Share]
    made_to_order_refuse_share: Rule[Share]
    miss_ship_by_rate: Rule[Share]
    partial_shipment_rate: Rule[Share]
    transit_days: Rule[Span]
    dispute_seller_agrees_rate: Rule[Share]
    dispute_buyer_wins_rate: Rule[Share]
    dispute_escalation_days: Rule[Span]
    freeze_days: Rule[Span]

    @model_validator(mode="after")
    def _every_payment_method_has_a_refund_time(self) -> Self:
        missing = set(PaymentMethod) - set(self.refund_times.value)
        if missing:
            raise ValueError(f"refund_times is missing {', '.join(sorted(missing))}")
        return self

    def protection_days(self, order: Order) -> float:
        """The buyer protection (delivery guarantee) of `order`, in days from shipping, by its country.

        DOMAIN.md: Timers / delivery guarantee (60 days, 90 for Russia, 120 for Brazil).
        """
        return self.delivery_guarantee_days.value.for_country(order.country)

    def dispute_window(self, order: Order) -> tuple[datetime, datetime] | None:
        """When the buyer may open a dispute on `order` (DOMAIN.md: Awaiting delivery; Completed), if ever."""
        if order.status is Status.COMPLETED and order.completed_at is not None:
            return order.completed_at, order.completed_at + timedelta(days=self.dispute_after_completion_days.value)
        if order.status in (Status.AWAITING_DELIVERY, Status.PARTIAL_SHIPMENT) and order.shipped_at is not None:
            protection_ends = order.shipped_at + timedelta(days=self.protection_days(order))
            # DOMAIN.md: Awaiting delivery: with normal tracking (the simulator's only kind) a "not received"
            # dispute opens when protection ends; a delivered item from the 11th day after shipping.
            opens = protection_ends
            if order.delivered_at is not None:
                opens = min(opens, order.shipped_at + timedelta(days=self.dispute_opens_after_shipping_days.value))
            return opens, protection_ends + timedelta(days=self.dispute_after_protection_days.value)
        return None

    def request_spent(self, order: Order) -> bool:
        """The order's cancellation request was refused and, one request per order assumed, cannot be sent again."""
        return order.cancel_refused_at is not None and self.one_request_per_order.value

    def rules(self) -> list[tuple[str, Rule[Any]]]:
        """Every rule of the profile, in file order, for the rules-and-sources page."""
        return [(name, value) for name, value in self if isinstance(value, Rule)]


def load_profiles() -> dict[str, PolicyProfile]:
    """All profiles shipped in guide/content/profiles, validated, their notes in the current language; exactly
    one is the default. Only words differ between languages: every value is the English file's."""
    return _profiles(current())


@cache
def _profiles(language: str) -> dict[str, PolicyProfile]:
    profiles = load_folder("profiles", PolicyProfile, language)
    defaults = [p.id for p in profiles.values() if p.default]
    if len(defaults) != 1:
        raise ValueError(f"exactly one profile must be the default, found {defaults or 'none'}")
    return profiles


def default_profile() -> PolicyProfile:
    return next(p for p in load_profiles().values() if p.default)


def get_profile(profile_id: str | None = None) -> PolicyProfile:
    """The named profile, or the default; an unknown id is a KeyError naming the known ones."""
    if profile_id is None:
        return default_profile()
    profiles = load_profiles()
    if profile_id not in profiles:
        raise KeyError(f"unknown policy profile {profile_id!r}; known: {', '.join(profiles)}")
    return profiles[profile_id]
