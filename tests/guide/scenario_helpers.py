"""The scenario files as the training and scoring tests read them."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from guide.training import Difficulty, Question, Scenario

CURRENT = "current-guides"
STRICT = "help-centre-2020"
FOLDER = resources.files("guide.content").joinpath("scenarios")
FILES = sorted(entry.name for entry in FOLDER.iterdir() if entry.name.endswith(".json"))
# The headings of DOMAIN.md a key's rule may rest on (the file lives outside the repository).
DOMAIN_SECTIONS = (
    "The seed guide's path",
    "Buyer-facing statuses",
    "Cancellation rules by status",
    "Cancellation reasons",
    "Timers",
    "Refunds",
    "Plain-language rules for what the app says",
)
PREFIX_LEVEL = {"e": Difficulty.EASY, "m": Difficulty.MEDIUM, "h": Difficulty.HARD}


@cache
def raw(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FOLDER.joinpath(name).read_text("utf-8"))
    return data


IDS = [raw(name)["id"] for name in FILES]


@cache
def scenario(scenario_id: str) -> Scenario:
    return Scenario.model_validate(raw(f"{scenario_id}.json"))


def every() -> list[Scenario]:
    return [scenario(i) for i in IDS]


def expected(s: Scenario, question: Question) -> str:
    return s.answers[question].answer


def where(**answers: str) -> list[Scenario]:
    """Scenarios whose key gives these answers (status=..., path=..., refund=...)."""
    return [s for s in every() if all(expected(s, Question(q)) == a for q, a in answers.items())]
