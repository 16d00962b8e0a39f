"""The walkthrough as data: the seed guide's nine steps, and which of them the visitor has done.

Steps are content (content/walkthrough.json). A step is done only when the visitor did it in the
simulator: each step names the fact that proves it, recorded by the simulator when it happens.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict

from guide.content import localized
from guide.content.language import current
from guide.models import Order, Path

# Facts about one order: they count only for the order the walkthrough is working on.
ORDER_FACTS = frozenset(
    {
        "opened_order",
        "read_status",
        "checked_eligibility",
        "opened_cancel",
        "picked_reason",
        "submitted",
        "messaged_seller",
        "viewed_refund",
    }
)
CANCEL_STEPS = frozenset({"open_cancel", "submit"})
CONTACT_STEP = "contact_seller"
SELF_SERVICE = frozenset({Path.CANCEL_NOW, Path.REQUEST_CANCELLATION})


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    instruction: str
    why: str
    watch_for: str
    done_when: str
    panel: str


class StepState(StrEnum):
    DONE = "done"
    TO_DO = "to_do"
    SKIPPED = "skipped"


def steps() -> tuple[Step, ...]:
    """The walkthrough's steps, in the current language."""
    return _steps(current())


@cache
def _steps(language: str) -> tuple[Step, ...]:
    return tuple(Step.model_validate(raw) for raw in localized("walkthrough.json", language=language)["steps"])


def step_number(step_id: str) -> int | None:
    """1-based number of a step id, or None if there is no such step."""
    return next((n for n, s in enumerate(steps(), start=1) if s.id == step_id), None)


def can_self_cancel(facts: dict[str, str], order: Order | None, path: Path | None) -> bool:
    """Does this order take the cancel path (steps 6-7) rather than contacting the seller (step 8)?"""
    if order is None:
        return True
    return facts.get("submitted") == order.id or path in SELF_SERVICE


def progress(facts: dict[str, str], order: Order | None, path: Path | None) -> list[StepState]:
    """Each step's state from what the visitor did; the branch follows the order's assessment."""
    cancel_path = can_self_cancel(facts, order, path)
    states = []
    for step in steps():
        if order is not None and (
            (step.id in CANCEL_STEPS and not cancel_path) or (step.id == CONTACT_STEP and cancel_path)
        ):
            states.append(StepState.SKIPPED)
            continue
        value = facts.get(step.done_when)
        if step.done_when in ORDER_FACTS:
            done = order is not None and value == order.id
        else:
            done = value is not None
        states.append(StepState.DONE if done else StepState.TO_DO)
    return states


def resume_at(states: list[StepState]) -> int:
    """The 1-based step to show when the URL names none: the first one still to do."""
    return next((n for n, state in enumerate(states, start=1) if state is StepState.TO_DO), len(states))


def tally(states: list[StepState]) -> tuple[int, int]:
    """Steps done, and steps that count (every one not skipped): the guide is finished when they are equal."""
    return sum(s is StepState.DONE for s in states), sum(s is not StepState.SKIPPED for s in states)
