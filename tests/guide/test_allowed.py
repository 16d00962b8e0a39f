"""`lifecycle.allowed`: the one place that decides what may be done to an order now.

The UI draws every button from it (guide/ui/actions.py, guide/ui/order.py), and `act` asks it first, so
what the UI offers and what `act` accepts can never disagree: a property test walks every demo order through
random clock moves and actions and checks both directions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.content import cancel_reasons
from guide.demo import demo_orders
from guide.lifecycle import (
    Action,
    DomainError,
    OrderState,
    act,
    advance,
    allowed,
    apply_action,
    events_from_snapshot,
    replay,
)
from guide.profile import PolicyProfile, get_profile
from guide.ui.actions import BUTTONS, available_actions
from guide.ui.order import CANCEL_BUTTONS, cancel_action
from tests.guide.factories import CURRENT, STRICT, make_order
from tests.world import SEED, START

OFFERED_ANYWHERE = (*BUTTONS, *CANCEL_BUTTONS)
PARAMS = {"reason": next(iter(cancel_reasons())), "text": "Hello, can you cancel?"}


def offered(state: OrderState, at: datetime, profile: PolicyProfile) -> set[Action]:
    """Every action the UI shows a button for at `at`."""
    shown = set(available_actions(state, at, profile))
    cancel = cancel_action(state, at, profile)
    return shown | ({cancel} if cancel else set())


def accepted(state: OrderState, at: datetime, profile: PolicyProfile) -> set[Action]:
    """Every action `act` accepts at `at`, given valid input."""
    found = set()
    for action in OFFERED_ANYWHERE:
        try:
            act(state, action, at, profile, **PARAMS)
        except DomainError:
            continue
        found.add(action)
    return found


def _demo(profile_id: str) -> list[OrderState]:
    return demo_orders(SEED, START, get_profile(profile_id))


DEMO = {profile_id: _demo(profile_id) for profile_id in (CURRENT, STRICT)}
# Clock moves from none to a few days (longer ones only close orders), each followed by any action or none.
STEPS = st.lists(
    st.tuples(st.sampled_from([0, 0.5, 1, 6, 24, 72]) | st.floats(0, 24 * 10), st.sampled_from([None, *Action])),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    profile_id=st.sampled_from([CURRENT, STRICT]),
    index=st.integers(min_value=0, max_value=10_000),
    steps=STEPS,
)
def test_what_the_ui_offers_is_exactly_what_act_accepts(
    profile_id: str, index: int, steps: list[tuple[float, Action | None]]
) -> None:
    profile = get_profile(profile_id)
    orders = DEMO[profile_id]
    state = orders[index % len(orders)]
    clock = START
    for hours, action in steps:
        clock += timedelta(hours=hours)
        state = advance(state, clock, SEED, profile)
        assert offered(state, clock, profile) == accepted(state, clock, profile), state.order.status
        if action is not None and allowed(state, clock, profile)[action] is None:
            state = apply_action(state, action, clock, profile, **PARAMS)
            assert offered(state, clock, profile) == accepted(state, clock, profile), (action, state.order.status)


def test_every_refusal_act_gives_is_the_one_allowed_names() -> None:
    profile = get_profile(CURRENT)
    clock = START
    for state in DEMO[CURRENT]:
        for action, refusal in allowed(state, clock, profile).items():
            if refusal is None:
                continue
            try:
                act(state, action, clock, profile, **PARAMS)
            except DomainError as error:
                assert (error.key, str(error)) == (refusal.key, str(refusal))
            else:  # pragma: no cover - the assertion names what went wrong
                raise AssertionError(f"{action} was refused by allowed() but accepted by act()")


def test_extend_processing_time_is_offered_once_then_not_again() -> None:
    """Regression (issue 10): after "Extend processing time" the button stayed, and clicking it again said
    "already been extended"."""
    profile = get_profile(CURRENT)
    order = make_order("awaiting_shipment")
    state = replay(events_from_snapshot(order, profile))
    clock = state.now + timedelta(hours=1)
    assert Action.EXTEND_PROCESSING in available_actions(state, clock, profile)
    extended = apply_action(state, Action.EXTEND_PROCESSING, clock, profile)
    assert extended.processing_extended
    assert Action.EXTEND_PROCESSING not in available_actions(extended, clock, profile)
    refusal = allowed(extended, clock, profile)[Action.EXTEND_PROCESSING]
    assert refusal is not None
    assert refusal.key == "extend_once"


def test_nothing_is_allowed_before_the_last_event() -> None:
    profile = get_profile(CURRENT)
    state = DEMO[CURRENT][0]
    before = state.now - timedelta(seconds=1)
    refusals = allowed(state, before, profile).values()
    assert all(refusal is not None and refusal.key == "clock_back" for refusal in refusals)
    assert offered(state, before, profile) == set()
