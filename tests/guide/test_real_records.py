"""Issue 11: the real records a buyer or trainer imports are accepted (DESIGN.md: only a status whose stamps are
missing or out of order is refused), join the simulator through Store.import_orders on every backend, replay to
the order they came as, and are assessed in plain words. Plus cash on delivery's confirm step and a refused
delivery (DOMAIN.md: Cash on delivery; Awaiting delivery)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from guide.content import text
from guide.content.formats import when
from guide.demo import demo_orders
from guide.importing import ImportRejected
from guide.lifecycle import (
    Action,
    DomainError,
    OrderState,
    act,
    advance,
    allowed,
    apply_action,
    events_from_snapshot,
    fire,
    next_timer,
    replay,
)
from guide.models import Actor, CloseReason, Event, EventKind, Order, Path, Status, Verdict, field_errors
from guide.policy import assess
from guide.profile import PolicyProfile, get_profile, load_profiles
from guide.store import Store
from tests.guide.factories import T0, at, good_row, make_order, placed
from tests.world import SEED

CLOCK = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
K = EventKind
S = Status
COD: dict[str, Any] = {"payment_method": "cash_on_delivery", "paid_at": None, "verified_at": None}
SHIPPED = {"shipped_at": "2026-11-29T08:00:00+00:00"}


def imported(store: Store, **changes: Any) -> OrderState:
    """One good_row with `changes` (None removes a field), imported into a fresh sandbox at CLOCK and read back.
    The stored order replays from its log and keeps every field the row came with."""
    row = {k: v for k, v in good_row("900000100", **changes).items() if v is not None}
    sandbox = store.create_sandbox(seed=11, clock=CLOCK, demo=False)
    [added] = store.import_orders(sandbox.id, json.dumps([row]))
    state = store.get_order(sandbox.id, added.id)
    assert replay(state.events).order == state.order == added
    came_with = Order.model_validate(row).model_dump(exclude_none=True)
    assert {k: v for k, v in state.order.model_dump(exclude_none=True).items() if k in came_with} == came_with
    return state


def why(order: Order, now: datetime = CLOCK, profile: PolicyProfile | None = None) -> list[str]:
    return assess(order, now, profile).why


def rejected(**changes: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        Order.model_validate({k: v for k, v in good_row(**changes).items() if v is not None})
    return field_errors(caught.value)


# --- closed or being refunded with no close_reason ------------------------------------------------------


def test_a_closed_record_with_no_reason_imports_and_reads_closed(store: Store) -> None:
    state = imported(store, status="closed", closed_at="2026-11-29T10:00:00+00:00", **SHIPPED)
    assert state.order.close_reason is None and state.order.status is S.CLOSED
    result = assess(state.order, CLOCK)
    assert result.path is Path.NOTHING_TO_DO and result.verdict is Verdict.CERTAIN
    assert result.why[0] == text("why", "closed_no_reason")
    assert text("close_reason", CloseReason.CANCELLED_BY_BUYER) not in " ".join(result.why)
    assert state.events[-2].kind is K.CLOSED and "reason" not in state.events[-2].data


def test_a_refund_with_no_reason_imports_says_being_refunded_and_completes(store: Store) -> None:
    state = imported(store, status="refund_in_progress", refund_started_at="2026-11-29T10:00:00+00:00")
    assert state.order.close_reason is None
    result = assess(state.order, CLOCK)
    assert result.path is Path.NOTHING_TO_DO
    assert result.why[0] == text("why", "refund_no_reason")
    assert text("close_reason", CloseReason.CANCELLED_BY_BUYER) not in " ".join(result.why)
    done = advance(state, CLOCK + timedelta(days=60), seed=1)
    assert done.order.status is S.CLOSED and done.order.refund_amount == done.order.total


def test_an_unpaid_closed_record_with_no_reason_has_nothing_to_refund(store: Store) -> None:
    state = imported(store, status="closed", closed_at="2026-11-29T10:00:00+00:00", paid_at=None, verified_at=None)
    assert state.order.refund_amount is None and not state.order.has_paid


def test_a_shipped_card_order_was_paid():
    assert ("paid_at", "paid_at: is required when shipped_at is set") in rejected(
        status="closed", closed_at="2026-11-30T08:00:00+00:00", paid_at=None, verified_at=None, **SHIPPED
    )


# --- cancelled_by_buyer after verification (a request the seller approved) ------------------------------


@pytest.mark.parametrize("request_too", [False, True])
def test_cancelled_by_buyer_after_verification_keeps_its_stamps(store: Store, request_too: bool) -> None:
    request = {"cancel_requested_at": "2026-11-28T15:00:00+00:00"} if request_too else {}
    state = imported(
        store,
        status="refund_in_progress",
        close_reason="cancelled_by_buyer",
        refund_started_at="2026-11-29T10:00:00+00:00",
        **request,
    )
    assert state.order.verified_at == datetime(2026, 11, 28, 12, tzinfo=UTC)
    reason = text("close_reason", CloseReason.CANCELLED_BY_BUYER)
    assert assess(state.order, CLOCK).why[0] == text("why", "already_cancelled", reason=reason)


# --- charged but still shown "Awaiting payment" -----------------------------------------------------------


def test_charged_but_shown_unpaid_imports_and_is_advised(store: Store) -> None:
    state = imported(store, status="awaiting_payment", verified_at=None, ship_by=None)
    order = state.order
    assert order.status is S.AWAITING_PAYMENT and order.paid_at is not None and order.charged_but_shown_unpaid
    result = assess(order, CLOCK)
    assert result.path is Path.CANCEL_NOW and result.verdict is not Verdict.CERTAIN  # money was taken
    assert result.why[:2] == [text("why", "charged_shown_unpaid"), text("why", "charged_cancel_refunds")]
    assert text("why", "unpaid") not in result.why
    assert result.money_back is not None


def test_a_charged_order_is_not_paid_twice_and_cancelling_refunds_it():
    state = replay_of("awaiting_payment", paid_at=at(1))
    refused = allowed(state, at(2))[Action.PAY]
    assert refused is not None and refused.key == "pay_already_charged"
    assert str(refused) == text("errors", "pay_already_charged")
    cancelled = apply_action(state, Action.CANCEL, at(2), reason="no_longer_needed")
    assert cancelled.order.status is S.REFUND_IN_PROGRESS
    assert cancelled.order.close_reason is CloseReason.CANCELLED_BY_BUYER
    done = advance(cancelled, at(days=60), seed=2)
    assert done.order.status is S.CLOSED and done.order.refund_amount == done.order.total


def test_a_charged_order_catches_up_and_never_closes_unpaid(any_profile: PolicyProfile):
    state = replay_of("awaiting_payment", paid_at=at(1), profile=any_profile)
    due = next_timer(state, seed=3, profile=any_profile)
    assert due is not None and due.kind is K.VERIFIED
    assert due.at <= at(1) + timedelta(hours=any_profile.verification_max_hours.value)
    later = advance(state, at(days=40), seed=3, profile=any_profile)
    assert K.UNPAID_TIMEOUT not in [e.kind for e in later.events]


def replay_of(status: str, profile: PolicyProfile | None = None, **overrides: Any) -> OrderState:
    from_row = make_order(status, **overrides)
    state = replay(events_from_snapshot(from_row, profile))
    assert state.order == from_row
    return state


# --- partial shipment with the first parcel delivered ---------------------------------------------------


def test_partial_shipment_with_a_delivered_parcel_imports_and_moves_on(store: Store) -> None:
    state = imported(
        store,
        status="partial_shipment",
        delivered_at="2026-11-30T08:00:00+00:00",
        items=[
            {"title": "Lamp", "quantity": 1, "unit_price": "9.90"},
            {"title": "Bulb", "quantity": 2, "unit_price": "1"},
        ],
        **SHIPPED,
    )
    assert state.order.delivered_at is not None
    assert assess(state.order, CLOCK).why[0] == text("why", "shipped_no_cancel")
    later = advance(state, CLOCK + timedelta(days=200), seed=4)
    assert later.order.status is S.COMPLETED and later.order.delivered_at == state.order.delivered_at


# --- cash on delivery: cancelled, refused at the door, completed ----------------------------------------


def test_a_cod_order_the_buyer_cancelled_imports(store: Store) -> None:
    state = imported(store, status="closed", close_reason="cancelled_by_buyer", closed_at=CLOCK.isoformat(), **COD)
    reason = text("close_reason", CloseReason.CANCELLED_BY_BUYER)
    assert why(state.order)[0] == text("why", "closed", reason=reason)


def test_a_cod_delivery_refused_at_the_door_imports_and_closes_without_a_refund(store: Store) -> None:
    state = imported(
        store, status="closed", close_reason="delivery_refused", closed_at=CLOCK.isoformat(), **COD, **SHIPPED
    )
    assert state.order.refund_amount is None and state.order.refund_started_at is None
    assert why(state.order)[0] == text("why", "closed", reason=text("close_reason", "delivery_refused"))


def test_a_card_delivery_refused_at_the_door_is_refunded(store: Store) -> None:
    state = imported(
        store,
        status="refund_in_progress",
        close_reason="delivery_refused",
        refund_started_at=CLOCK.isoformat(),
        **SHIPPED,
    )
    assert advance(state, CLOCK + timedelta(days=60), seed=5).order.refund_amount == state.order.total


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "shipped_at"),  # refused at the door: it was sent
        ({**SHIPPED, "delivered_at": "2026-11-30T08:00:00+00:00"}, "delivered_at"),  # delivered: a return instead
        ({**SHIPPED, "paid_at": None, "verified_at": None}, "paid_at"),  # a card order ships once paid
    ],
)
def test_a_refused_delivery_needs_a_parcel_that_never_arrived(changes: dict[str, Any], field: str):
    errors = rejected(status="closed", close_reason="delivery_refused", closed_at=CLOCK.isoformat(), **changes)
    assert field in [f for f, _ in errors]


def test_a_completed_cod_order_was_paid_at_the_door(store: Store) -> None:
    delivered = {**COD, **SHIPPED, "delivered_at": "2026-11-30T08:00:00+00:00"}
    completed = {"status": "completed", "completed_at": CLOCK.isoformat()}
    errors = rejected(**completed, **delivered)
    assert errors == [("paid_at", "paid_at: " + text("validation", "cod_paid_when_completed"))]
    sandbox = store.create_sandbox(seed=12, clock=CLOCK, demo=False)
    row = {k: v for k, v in good_row("900000101", **completed, **delivered).items() if v is not None}
    with pytest.raises(ImportRejected) as caught:
        store.import_orders(sandbox.id, json.dumps([row]))
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "paid_at")]


def test_refuse_the_delivery_in_the_simulator():
    card = replay_of("awaiting_delivery")
    refunded = apply_action(card, Action.REFUSE_DELIVERY, at(days=3))
    assert refunded.order.status is S.REFUND_IN_PROGRESS
    assert refunded.order.close_reason is CloseReason.DELIVERY_REFUSED
    cod = replay_of("awaiting_delivery", **COD, confirmed_at=at(1))
    closed = apply_action(cod, Action.REFUSE_DELIVERY, at(days=3))
    assert closed.order.status is S.CLOSED and closed.order.refund_amount is None
    delivered = replay_of("awaiting_delivery", delivered_at=at(days=4))
    refused = allowed(delivered, at(days=5))[Action.REFUSE_DELIVERY]
    assert refused is not None and refused.key == "refuse_delivery_delivered"
    not_shipped = allowed(replay_of("awaiting_shipment"), at(30))[Action.REFUSE_DELIVERY]
    assert not_shipped is not None and not_shipped.key == "refuse_delivery_not_possible"


def test_an_unpaid_cod_parcel_that_never_arrives_closes_when_protection_ends():
    state = replay_of("awaiting_delivery", **COD, confirmed_at=at(1))
    ends = state.order.shipped_at
    assert ends is not None
    at_end = ends + timedelta(days=get_profile().protection_days(state.order))
    expired = Event(seq=len(state.events), at=at_end, kind=K.PROTECTION_EXPIRED, actor=Actor.PLATFORM)
    done = fire(state, expired)  # never delivered: nothing paid at the door, nothing to complete or refund
    assert done.order.status is S.CLOSED and done.order.close_reason is None and not done.order.has_paid


# --- cash on delivery: the confirm step -------------------------------------------------------------------


def cod_placed() -> OrderState:
    return placed(payment_method="cash_on_delivery")


def test_a_new_cod_order_waits_for_the_buyers_confirmation(any_profile: PolicyProfile):
    state = cod_placed()
    assert state.order.awaiting_confirmation
    can = allowed(state, at(1), any_profile)
    assert can[Action.CANCEL] is None and can[Action.CONFIRM_ORDER] is None
    request = can[Action.REQUEST_CANCELLATION]
    assert request is not None and request.key == "request_use_cancel"
    due = next_timer(state, seed=0, profile=any_profile)
    assert due is not None and due.kind is K.CONFIRM_EXPIRED  # the seller does not ship before it
    assert due.at == T0 + timedelta(hours=any_profile.cod_confirm_hours.value)
    expired = advance(state, due.at, seed=0, profile=any_profile)
    assert expired.order.status is S.CLOSED
    assert expired.order.close_reason is CloseReason.CANCELLED_BY_BUYER and expired.order.refund_amount is None


def test_cancelling_before_confirming_is_free_and_at_once():
    done = apply_action(cod_placed(), Action.CANCEL, at(1), reason="no_longer_needed")
    assert done.order.status is S.CLOSED and done.order.close_reason is CloseReason.CANCELLED_BY_BUYER


def test_a_confirmed_cod_order_is_cancelled_by_a_request():
    confirmed = apply_action(cod_placed(), Action.CONFIRM_ORDER, at(1))
    assert confirmed.order.confirmed_at == at(1) and not confirmed.order.awaiting_confirmation
    can = allowed(confirmed, at(2))
    assert can[Action.REQUEST_CANCELLATION] is None and can[Action.CONFIRM_ORDER] is not None
    cancel = can[Action.CANCEL]
    assert cancel is not None and cancel.key == "cancel_use_request"
    due = next_timer(confirmed, seed=0)
    assert due is None or due.kind is not K.CONFIRM_EXPIRED


def test_an_order_awaiting_confirmation_is_assessed_certain(any_profile: PolicyProfile):
    order = cod_placed().order
    result = assess(order, at(2), any_profile)
    assert result.path is Path.CANCEL_NOW and result.verdict is Verdict.CERTAIN and result.likelihood == 1.0
    expires = T0 + timedelta(hours=any_profile.cod_confirm_hours.value)
    assert result.why[0] == text("why", "cod_awaiting_confirmation", when=when(expires))
    assert result.waiting is None


def test_an_imported_cod_order_is_taken_as_confirmed_when_placed(store: Store) -> None:
    state = imported(store, **COD)
    assert state.order.confirmed_at == state.order.placed_at
    later = advance(state, CLOCK + timedelta(days=5), seed=6)
    assert K.CONFIRM_EXPIRED not in [e.kind for e in later.events]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"confirmed_at": "2026-11-28T11:00:00+00:00"}, "confirmed_at"),  # a card order has no confirm step
        ({**COD, "confirmed_at": "2026-11-28T09:00:00+00:00"}, "confirmed_at"),  # before placed_at
        (
            {**COD, "status": "awaiting_delivery", "confirmed_at": "2026-11-29T09:00:00+00:00", **SHIPPED},
            "shipped_at",  # shipped before the buyer confirmed
        ),
    ],
)
def test_confirmed_at_must_fit(changes: dict[str, Any], field: str):
    assert field in [f for f, _ in rejected(**changes)]


def test_both_profiles_say_the_confirm_time_is_an_assumption():
    for profile in load_profiles().values():
        rule = profile.cod_confirm_hours
        assert rule.value > 0 and not rule.verified
        assert "Cancel Coach simulator assumption (no public figure; see DOMAIN.md)" in rule.sources
        assert "no time" in rule.note


def test_demo_cod_orders_are_mostly_confirmed():
    cod = [s.order for s in demo_orders(SEED, CLOCK, get_profile()) if s.order.is_cash_on_delivery]
    waiting = [o for o in cod if o.awaiting_confirmation]
    requestable = [o for o in cod if o.status is S.AWAITING_SHIPMENT and not o.awaiting_confirmation]
    assert len(waiting) == 1 and len(requestable) >= 2


def test_act_refuses_confirming_a_card_order():
    with pytest.raises(DomainError, match="cash-on-delivery"):
        act(replay_of("awaiting_shipment"), Action.CONFIRM_ORDER, at(30))
