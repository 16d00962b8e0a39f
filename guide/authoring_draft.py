"""A scenario a trainer writes, before it is stored (guide/authoring.py stores it): the draft from the form,
the scenario it makes, and the checks every built-in scenario passes in tests (the key against
`rule_answers()`, every rule citation, the model reply against the rubric), each problem named by its field.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from guide.citations import cited
from guide.content import text
from guide.content.validation import sentence
from guide.models import Order, Path
from guide.profile import load_profiles
from guide.rubric import ReplyPoint, check_reply
from guide.scoring import CANCELLING, Check, Critical
from guide.training import Question, Scenario, option_label, options, rule_answers

PREFIX = "a-"
TEXTS = ("title", "customer", "message", "model_reply")  # refused when only spaces
# Texts and a key that pass validation, to ask the rules about an order whose draft has bad texts or key.
STAND_IN: dict[str, Any] = {
    "title": "-" * 3,
    "customer": "-",
    "message": "-" * 10,
    "model_reply": "-" * 40,
    "answers": {q.value: {"answer": options(q)[0], "why": "-" * 10, "rule": "DOMAIN.md: -"} for q in Question},
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: the field (a path such as "answers.path.rule") and what is wrong; `row`
    is the scenario's place (1-based) in an import file."""

    field: str
    message: str
    row: int | None = None


class AuthoringRefused(ValueError):
    """The scenario (or the whole file) was refused; `problems` names every bad field. Nothing was saved."""

    def __init__(self, problems: Sequence[Problem], summary: str | None = None) -> None:
        super().__init__(summary or text("authoring_errors", "refused", count=len(problems)))
        self.problems = list(problems)


@dataclass(frozen=True)
class OrderChoice:
    """An order a case can be built from, with the moment and seed the case starts from."""

    key: str
    source: str  # "class" (the class's imported orders) or "sandbox" (the trainer's demo sandbox)
    order: Order
    now: datetime
    seed: int


@dataclass(frozen=True)
class Draft:
    """What the trainer filled in; `keys` holds (answer, why, rule citation) for each question."""

    choice: OrderChoice
    class_id: str | None
    title: str
    customer: str
    message: str
    level: str
    profile: str
    keys: Mapping[Question, tuple[str, str, str]]
    seller_at_fault: bool
    model_reply: str


@dataclass(frozen=True)
class Preview:
    """What the rules say for the draft's order (None when the draft is too broken to ask) and every problem."""

    rules: dict[Question, str] | None
    problems: list[Problem] = field(default_factory=list)


def field_label(name: str) -> str:
    """A problem's field in words: "answers.path.rule" is the question with its part."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "answers" and parts[1] in {q.value for q in Question}:
        part = text("authoring_field", parts[2]) if parts[2] in ("answer", "why", "rule") else parts[2]
        return text("authoring_field", "key", question=text("question", parts[1]), part=part)
    try:
        return text("authoring_field", parts[0]) + (f" ({'.'.join(parts[1:])})" if parts[1:] else "")
    except KeyError:
        return name


def problem_text(problem: Problem) -> str:
    """A problem in words: the field and what is wrong, after the scenario's place in a file if it has one."""
    said = text("authoring_errors", "problem", field=field_label(problem.field), message=problem.message)
    return said if problem.row is None else text("authoring_errors", "in_row", row=problem.row, problem=said)


# --- checking a scenario ---------------------------------------------------------------------------


def _prechecks(raw: Mapping[str, Any]) -> list[Problem]:
    """What pydantic would miss or name poorly: blank texts, an unknown profile, answers and citations."""
    found = [
        Problem(n, text("authoring_errors", "empty"))
        for n in TEXTS
        if isinstance(raw.get(n), str) and not raw[n].strip()
    ]
    profile = raw.get("profile")
    if isinstance(profile, str) and profile not in load_profiles():
        found.append(Problem("profile", text("authoring_errors", "profile_unknown", profile=profile)))
    keys = raw.get("answers")
    keys = keys if isinstance(keys, dict) else {}
    for question in Question:
        key = keys.get(question.value)
        if not isinstance(key, dict):
            continue
        answer, rule = key.get("answer"), key.get("rule")
        if isinstance(answer, str) and answer not in options(question):
            message = text("authoring_errors", "answer_unknown", answer=answer)
            found.append(Problem(f"answers.{question.value}.answer", message))
        if isinstance(rule, str) and not _resolves(rule):
            found.append(Problem(f"answers.{question.value}.rule", text("authoring_errors", "rule_unknown", rule=rule)))
    return found


def _resolves(citation: str) -> bool:
    try:
        cited(citation)
    except KeyError:
        return False
    return True


def _validation_problems(error: ValidationError, named: set[str]) -> list[Problem]:
    """Each field pydantic refused that is not named yet; a whole-scenario error only when nothing else is."""
    found = []
    for detail in error.errors(include_url=False):
        name = ".".join(str(part) for part in detail["loc"])
        if name in named or (not name and named):
            continue
        message = sentence(detail["type"], detail.get("ctx"))
        if not name and detail["type"] == "value_error":
            message = text("authoring_errors", "invalid", detail=str(detail.get("ctx", {}).get("error", "")))
        found.append(Problem(name or "scenario", message))
    return found


def validate(raw: Mapping[str, Any]) -> tuple[Scenario | None, list[Problem]]:
    """The scenario `raw` describes (None when it does not even validate) and every problem with it: it may be
    saved only when there is none."""
    problems = _prechecks(raw)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        return None, problems + _validation_problems(error, {p.field for p in problems})
    named = {p.field for p in problems}
    return scenario, problems + [p for p in against_rules(scenario) if p.field not in named]


def against_rules(scenario: Scenario) -> list[Problem]:
    """The checks the built-in scenarios pass in tests: the key agrees with the rules, every rule resolves,
    and the model reply meets every point of the checklist for the key's path and refund."""
    found = [
        Problem(f"answers.{q.value}.rule", text("authoring_errors", "rule_unknown", rule=key.rule))
        for q, key in scenario.answers.items()
        if not _resolves(key.rule)
    ]
    for question, says in rule_answers(scenario).items():
        given = scenario.answers[question].answer
        if given != says:
            message = text(
                "authoring_errors",
                "disagrees",
                question=text("question", question),
                given=option_label(question, given),
                rules=option_label(question, says),
            )
            found.append(Problem(f"answers.{question.value}.answer", message))
    path, refund = scenario.answers[Question.PATH].answer, scenario.answers[Question.REFUND].answer
    for finding in check_reply(scenario.model_reply, Path(path), refund):
        if not finding.ok:
            point = text("reply_point", finding.point)
            found.append(Problem("model_reply", text("authoring_errors", "reply_point", point=point)))
    return found


def draft_raw(draft: Draft, scenario_id: str) -> dict[str, Any]:
    """The draft as Scenario JSON, texts trimmed."""
    choice = draft.choice
    return {
        "id": scenario_id,
        "title": draft.title.strip(),
        "difficulty": draft.level,
        "customer": draft.customer.strip(),
        "message": draft.message.strip(),
        "profile": draft.profile,
        "seed": choice.seed,
        "now": choice.now,
        "order": choice.order.to_json_dict(),
        "seller_at_fault": draft.seller_at_fault,
        "model_reply": draft.model_reply.strip(),
        "answers": {q.value: {"answer": a, "why": w.strip(), "rule": r} for q, (a, w, r) in draft.keys.items()},
        "class_id": draft.class_id,
        "authored": True,
    }


def build_scenario(draft: Draft, scenario_id: str | None = None) -> Scenario:
    """The scenario the draft describes, or AuthoringRefused naming every problem."""
    scenario, problems = validate(draft_raw(draft, scenario_id or new_id()))
    if scenario is None or problems:
        raise AuthoringRefused(problems)
    return scenario


def preview(draft: Draft) -> Preview:
    """The "Check against the rules" step: what the rules say for the order, and every problem of the draft."""
    raw = draft_raw(draft, new_id())
    scenario, problems = validate(raw)
    if scenario is None:
        # The rules can still be asked when only the texts or the key are wrong: the rules read none of them.
        try:
            scenario = Scenario.model_validate(raw | STAND_IN)
        except ValidationError:
            return Preview(None, problems)
    return Preview(rule_answers(scenario), problems)


def rule_lines(result: Preview, draft: Draft) -> list[str]:
    """Each question with what the rules say and whether the draft's key agrees, in words."""
    lines = []
    for question, says in (result.rules or {}).items():
        given = draft.keys[question][0]
        words = {"question": text("question", question), "rules": option_label(question, says)}
        if given == says:
            lines.append(text("authoring", "rule_agrees", **words))
        else:
            given_words = option_label(question, given) if given in options(question) else given
            lines.append(text("authoring", "rule_disagrees", given=given_words, **words))
    return lines


@dataclass(frozen=True)
class Applies:
    """A critical error or mark of the rubric, and whether (and why) it applies to the case."""

    item: str
    applies: bool
    because: str


def what_applies(order: Order, path: str, refund: str, seller_at_fault: bool) -> list[Applies]:
    """Which critical errors and marks scoring will apply, from the order and the key (guide/scoring.py)."""
    facts = {
        Critical.CANCEL_SHIPPED.value: order.shipped_at is not None,
        Critical.BLAMES_SELLER.value: not seller_at_fault,
        Critical.PAYMENT.value: not order.has_paid,
        Critical.PROMISE.value: True,
        Critical.CREDENTIALS.value: True,
        Check.FAIR_REASON.value: path in CANCELLING,
    }
    found = []
    for item, applies in facts.items():
        title = text("critical", item) if item in {c.value for c in Critical} else text("check", item)
        found.append(
            Applies(item, applies, text("authoring_applies", f"{item}_{'yes' if applies else 'no'}", title=title))
        )
    words = {"path": option_label(Question.PATH, path), "refund": option_label(Question.REFUND, refund)}
    for point in (ReplyPoint.NAMES_ACTION, ReplyPoint.NAMES_MONEY):
        found.append(Applies(point.value, True, text("authoring_applies", f"{point.value}_yes", **words)))
    return found


def new_id() -> str:
    return PREFIX + secrets.token_hex(5)


def stable_seed(order_id: str) -> int:
    """An imported order's seed: the same on every check and save (the case's sellers act from it)."""
    return zlib.crc32(order_id.encode("utf-8"))
