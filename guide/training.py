"""Training for support staff: scenarios as data, the starting order they describe, and scoring.

A scenario is a customer's message plus an order (Order JSON v1) and any actions to replay on it.
The trainee answers three questions (what the status means, what to do, what to say about refund
timing) and works the case in the simulator; guide/scoring.py scores them. The answer key is checked
against `assess()` by a test.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from guide import lifecycle
from guide.content import load_folder, text, training_rules
from guide.content.language import current
from guide.content.schema import Certificate
from guide.lifecycle import Action, OrderState
from guide.models import Order, Path, PaymentMethod, Status
from guide.policy import assess
from guide.profile import get_profile, load_profiles


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Mode(StrEnum):
    """How a class trains: practice shows every hint and counts the best attempt; an assessment hides the hints
    and counts only the first attempt of each scenario (later ones are practice)."""

    PRACTICE = "practice"
    ASSESSMENT = "assessment"


class Question(StrEnum):
    STATUS = "status"  # what the status means
    PATH = "path"  # what to do
    REFUND = "refund"  # what to tell the customer about refund timing


class RefundAnswer(StrEnum):
    """What to tell the customer about the money (DOMAIN.md: Refunds)."""

    NOTHING_PAID = "nothing_paid"
    CARD = "card"
    BALANCE = "balance"
    ALIPAY_ACCOUNT = "alipay_account"
    COUPON = "coupon"
    UNVERIFIED = "unverified"


REFUND_BY_METHOD: dict[PaymentMethod, RefundAnswer] = {
    PaymentMethod.CARD: RefundAnswer.CARD,
    PaymentMethod.BALANCE: RefundAnswer.BALANCE,
    PaymentMethod.BANK_TRANSFER: RefundAnswer.ALIPAY_ACCOUNT,
    PaymentMethod.CASH_ON_DELIVERY: RefundAnswer.COUPON,
    PaymentMethod.PAYPAL: RefundAnswer.UNVERIFIED,
    PaymentMethod.KLARNA: RefundAnswer.UNVERIFIED,
}


class ReplayStep(BaseModel):
    """One thing that happened before the case reached the trainee: a buyer action, or the clock moving on."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    action: Action | None = None  # None: only let the clock run to `at`
    params: dict[str, Any] = Field(default_factory=dict)


class Key(BaseModel):
    """The expected answer to one question, why, and the DOMAIN.md rule that says so."""

    model_config = ConfigDict(frozen=True)

    answer: str
    why: str = Field(min_length=10)
    rule: Annotated[str, Field(pattern=r"^DOMAIN\.md: .+")]


class Scenario(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]{3,60}$")]
    title: str = Field(min_length=3, max_length=120)
    difficulty: Difficulty
    customer: str = Field(min_length=1, max_length=60)
    message: str = Field(min_length=10, max_length=1500)
    profile: str
    seed: int = Field(ge=0)
    now: AwareDatetime
    order: Order
    replay: list[ReplayStep] = Field(default_factory=list)
    seller_at_fault: bool = False
    # A reply a careful agent would send: shown once the attempt is closed (tests check it meets the rubric).
    model_reply: str = Field(min_length=40, max_length=1500)
    answers: dict[Question, Key]
    # A scenario a trainer wrote (guide/authoring.py) belongs to the class it was written for (None: no class).
    class_id: str | None = None
    authored: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.profile not in load_profiles():
            raise ValueError(f"unknown profile {self.profile!r}")
        if set(self.answers) != set(Question):
            raise ValueError("answers must cover status, path and refund")
        Status(self.answers[Question.STATUS].answer)
        Path(self.answers[Question.PATH].answer)
        RefundAnswer(self.answers[Question.REFUND].answer)
        if any(step.at > self.now for step in self.replay):
            raise ValueError("every replayed step must happen before `now`")
        # The case starts after everything the order records (ship_by is a deadline, not a stamp), and the
        # replay runs forward from there: else the simulator would hold events from the trainee's future.
        stamps = self.order.stamps()
        last = max(stamps, key=lambda name: stamps[name])
        if self.now < stamps[last]:
            raise ValueError(f"`now` must not be before the order's {last}")
        moments = [step.at for step in self.replay]
        if moments != sorted(moments) or (moments and moments[0] < stamps[last]):
            raise ValueError(f"replayed steps must be in time order, after the order's {last}")
        return self

    def starting_state(self) -> OrderState:
        """The order as the trainee finds it: imported, then the replay steps, then the clock run to `now`."""
        profile = get_profile(self.profile)
        state = lifecycle.replay(lifecycle.events_from_snapshot(self.order, profile))
        for step in self.replay:
            state = lifecycle.advance(state, step.at, self.seed, profile)
            if step.action is not None:
                state = lifecycle.apply_action(state, step.action, step.at, profile, **step.params)
        return lifecycle.advance(state, self.now, self.seed, profile)


AuthoredSource = Callable[[], dict[str, Scenario]]


class _Authored:
    """The registered source of authored scenarios, and the last merge (read as one attribute: threads)."""

    source: AuthoredSource | None = None
    merged: tuple[dict[str, Scenario], dict[str, Scenario], dict[str, Scenario]] | None = (
        None  # (source's, built-in, merge)
    )


@cache
def _builtin(language: str) -> dict[str, Scenario]:
    return load_folder("scenarios", Scenario, language)


def builtin_scenarios(language: str | None = None) -> dict[str, Scenario]:
    """Every scenario in content/scenarios/, validated, in file-name order, its words in `language` (default:
    the current one). Only words differ between languages: the answers and the order are the same."""
    return _builtin(language or current())


def register_authored(source: AuthoredSource | None) -> None:
    """Where authored scenarios come from (guide/authoring.py registers its store), so this module needs no
    store; None forgets it. The source must be cheap: every scenarios() call asks it."""
    _Authored.merged = None
    _Authored.source = source


def scenarios() -> dict[str, Scenario]:
    """The built-in scenarios, then the authored ones (which can never replace a built-in id)."""
    builtin, source = builtin_scenarios(), _Authored.source
    if source is None:
        return builtin
    authored, known = source(), _Authored.merged
    if known is not None and known[0] is authored and known[1] is builtin:  # the same dicts until a set changes
        return known[2]
    merged = builtin | {sid: s for sid, s in authored.items() if sid not in builtin}
    _Authored.merged = (authored, builtin, merged)
    return merged


def rule_answers(scenario: Scenario) -> dict[Question, str]:
    """What the rules themselves say for the scenario's starting order: the key must agree."""
    state = scenario.starting_state()
    order = state.order
    result = assess(order, scenario.now, get_profile(scenario.profile))
    refund = REFUND_BY_METHOD[order.payment_method] if order.has_paid else RefundAnswer.NOTHING_PAID
    return {Question.STATUS: order.status.value, Question.PATH: result.path.value, Question.REFUND: refund.value}


def options(question: Question, shuffle_seed: int | None = None) -> list[str]:
    """Every answer a trainee can pick for a question: in a stable order, or shuffled by the attempt's seed
    (an assessment), so an answer's place gives nothing away and a reload shows the same order."""
    values = _options(question)
    if shuffle_seed is not None:
        random.Random(f"{shuffle_seed}:{question.value}").shuffle(values)
    return values


def _options(question: Question) -> list[str]:
    match question:
        case Question.STATUS:
            return [s.value for s in Status]
        case Question.PATH:
            return [p.value for p in Path]
        case Question.REFUND:
            return [r.value for r in RefundAnswer]


def option_label(question: Question, value: str, hints: bool = True) -> str:
    """An answer in words; without hints a status is its meaning only, not the badge's words beside it."""
    match question:
        case Question.STATUS:
            meaning = text("status_meaning", value)
            return f"{text('status', value)}: {meaning}" if hints else meaning
        case Question.PATH:
            return text("next_action", value)
        case Question.REFUND:
            return text("refund_answer", value)


ATTEMPT_LINK = re.compile(r"[0-9]{1,11}")  # digits only (not isdigit(): "²"), and no 5,000-digit number


def attempt_in_link(raw: str | None) -> int | None:
    """The attempt id a training link's `?attempt=` holds, or None when it cannot be one."""
    return int(raw) if raw is not None and ATTEMPT_LINK.fullmatch(raw) else None


def certificate_rule() -> Certificate:
    """What the certificate asks (DESIGN: certificate): the pass mark on every level, each over at least
    `min_scenarios_per_level` scenarios. Everything that needs the pass mark reads it here."""
    return training_rules().certificate


def level_scores(best: dict[str, float]) -> dict[Difficulty, float | None]:
    """Each difficulty's mean of the best score per scenario tried (None when too few were tried)."""
    needed = certificate_rule().min_scenarios_per_level
    by_level: dict[Difficulty, list[float]] = {d: [] for d in Difficulty}
    for scenario_id, value in best.items():
        scenario = scenarios().get(scenario_id)
        if scenario is not None:
            by_level[scenario.difficulty].append(value)
    return {d: (sum(v) / len(v) if len(v) >= needed else None) for d, v in by_level.items()}


def certified(best: dict[str, float]) -> bool:
    """At least the pass mark on every difficulty level (DESIGN: certificate)."""
    mark = certificate_rule().pass_mark
    # A mean is a float: (1.0 + 0.7 + 0.7) / 3 is 0.7999999999999999, which is the pass mark all the same.
    return all(value is not None and round(value, 9) >= mark for value in level_scores(best).values())


class LevelProgress(BaseModel):
    """One difficulty level for a trainee: its score (None until enough were tried), how many of the
    trainee's scenarios were tried, and how many more the level needs before it has a score."""

    model_config = ConfigDict(frozen=True)

    score: float | None
    tried: int
    to_go: int


def level_progress(scenario_set: Sequence[Scenario], best: dict[str, float]) -> dict[Difficulty, LevelProgress]:
    """Every level's progress, easiest first, over the trainee's own scenario set: a level needs
    `min_scenarios_per_level` tried, or every one the set has when it has fewer (a class's small set)."""
    needed = certificate_rule().min_scenarios_per_level
    progress = {}
    for level in Difficulty:
        mine = [best[s.id] for s in scenario_set if s.difficulty is level and s.id in best]
        available = sum(1 for s in scenario_set if s.difficulty is level)
        wanted = min(needed, available)
        score = sum(mine) / len(mine) if mine and len(mine) >= wanted else None
        progress[level] = LevelProgress(score=score, tried=len(mine), to_go=max(wanted - len(mine), 0))
    return progress


def next_scenario(scenario_set: Sequence[Scenario], best: dict[str, float]) -> str | None:
    """The first scenario not yet passed, easiest first (then by id); None once every one is."""
    mark = certificate_rule().pass_mark
    rank = {level: n for n, level in enumerate(Difficulty)}
    for scenario in sorted(scenario_set, key=lambda s: (rank[s.difficulty], s.id)):
        if best.get(scenario.id, 0.0) < mark:
            return scenario.id
    return None


def practised_profiles(best: dict[str, float]) -> list[str]:
    """The names of the policy profiles of the scenarios tried, sorted (the certificate lists them)."""
    return sorted({get_profile(scenarios()[sid].profile).name for sid in best})
