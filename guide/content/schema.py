"""The shape of each content file, as pydantic models: a typo in a key fails when the file is loaded.

Only stdlib and pydantic here: content sits below everything else in guide/, so the enums the files are
keyed by (statuses, verdicts...) are checked against guide.models by tests, not here.
"""

from __future__ import annotations

import string
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$")]
Probability = Annotated[float, Field(ge=0, le=1)]
Source = Annotated[str, Field(pattern=r"^DOMAIN\.md: .+")]  # every rule cites the part of DOMAIN.md it rests on
BadgeColour = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]
HexColour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
StatusGroup = Literal["before_shipping", "shipped", "after"]


class _Content(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _well_formed(template: str) -> str:
    """Placeholders are named (`{when}`, `{hours:g}`): a stray or unnamed brace fails at load, not at format."""
    for _, name, _, _ in string.Formatter().parse(template):  # raises ValueError on an unbalanced brace
        if name is not None and not name.isidentifier():
            raise ValueError(f"placeholder {{{name}}} is not a name")
    return template


Template = Annotated[str, AfterValidator(_well_formed)]


class TextFile(RootModel[dict[Key, dict[Key, Template]]]):
    """One text file (text/en.json, text/en.ui.json...): sections of key -> sentence."""

    model_config = ConfigDict(frozen=True)


# --- assessment.json ---------------------------------------------------------------------------


class VerdictFloor(_Content):
    """The lowest likelihood each verdict word stands for."""

    certain: Probability
    likely: Probability
    possible: Probability
    unlikely: Probability

    @model_validator(mode="after")
    def _from_best_to_worst(self) -> Self:
        if not self.certain > self.likely > self.possible > self.unlikely:
            raise ValueError("floors must fall from certain to unlikely")
        return self

    def floor(self, verdict: str) -> float:
        return float(getattr(self, verdict))


class AssessmentRules(_Content):
    verdict_floor: VerdictFloor
    # How long a wait the details page weighs against acting now ("what waiting costs").
    compare_wait_hours: Annotated[float, Field(gt=0, le=240)]
    rules: dict[Key, Source]  # reason key -> the DOMAIN.md rule it rests on


# --- training.json -----------------------------------------------------------------------------


class Certificate(_Content):
    pass_mark: Probability
    min_scenarios_per_level: int = Field(ge=1)


class CriticalError(_Content):
    """A mistake that fails an attempt whatever else is right, with the rule it breaks."""

    rule: Source


class Scoring(_Content):
    """How an attempt is scored: a weight per mark, and the cap a critical error puts on the score."""

    weights: dict[Key, Annotated[float, Field(gt=0, le=100)]]
    critical_cap: Probability
    critical: dict[Key, CriticalError]


class TrainingRules(_Content):
    certificate: Certificate
    check_rules: dict[Key, Source]
    written_rules: dict[Key, Source]  # each point of the rubric for what the trainee writes -> its rule
    scoring: Scoring
    # "Let time pass" in a case: the steps offered, in hours (besides "next event").
    case_time_steps_hours: tuple[Annotated[int, Field(gt=0, le=240)], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _critical_fails(self) -> Self:
        if self.scoring.critical_cap >= self.certificate.pass_mark:
            raise ValueError("scoring.critical_cap must be below the pass mark: a critical error fails the attempt")
        return self


# --- ui.json -----------------------------------------------------------------------------------


class Tab(_Content):
    id: Key
    statuses: tuple[Key, ...]


class DiagramColour(_Content):
    current: HexColour
    current_text: HexColour


class ChartColour(_Content):
    """The trainer's charts' colours on the page's white: a bar at least 3:1 (WCAG 1.4.11, graphical objects), the
    axes' and legend's words at least 4.5:1 (1.4.3); tests/guide/test_chart_colours.py works the ratios out."""

    text: HexColour  # axis and legend labels and titles (Streamlit's chart grey is 3.7:1)
    bar: HexColour  # a chart of one series (the mean by scenario)
    mark_kind: dict[Key, HexColour]  # the mistakes chart, one colour a kind of mark (its label names the kind too)


class UiSettings(_Content):
    tabs: tuple[Tab, ...]
    status_colour: dict[Key, BadgeColour]
    verdict_colour: dict[Key, BadgeColour]
    diagram_colour: DiagramColour
    chart_colour: ChartColour
    currency_decimals: dict[Annotated[str, Field(pattern=r"^[A-Z]{3}$")], Annotated[int, Field(ge=0, le=4)]]

    @field_validator("currency_decimals", mode="before")
    @classmethod
    def _without_note(cls, value: object) -> object:
        """The file's "about" line explains the table; it is not a currency."""
        return {k: v for k, v in value.items() if k != "about"} if isinstance(value, dict) else value

    def decimals(self, currency: str) -> int:
        """ISO 4217 minor units: 2 unless the table says otherwise."""
        return self.currency_decimals.get(currency, 2)


# --- messages.json -----------------------------------------------------------------------------


class BuyerTemplate(_Content):
    id: Key
    label: str = Field(min_length=1)
    text: str = Field(min_length=1)


class SellerReplies(_Content):
    """What the simulated seller answers, by how far the order has gone."""

    before_shipping: str = Field(min_length=1)
    shipped: str = Field(min_length=1)
    delivered: str = Field(min_length=1)  # shipped and arrived: a return or refund, never "refuse the delivery"
    after: str = Field(min_length=1)


class Messages(_Content):
    buyer_templates: tuple[BuyerTemplate, ...]
    seller_replies: dict[Key, SellerReplies]  # by buyer template id, plus "free_text"
    status_group: dict[Key, StatusGroup]

    @model_validator(mode="after")
    def _every_template_is_answered(self) -> Self:
        missing = [t.id for t in self.buyer_templates if t.id not in self.seller_replies]
        if missing or "free_text" not in self.seller_replies:
            raise ValueError(f"seller_replies needs an entry for {missing or ['free_text']}")
        return self

    def reply(self, template: str | None, status: str, delivered: bool = False) -> str:
        replies = self.seller_replies.get(template or "", self.seller_replies["free_text"])
        group = self.status_group[status]
        # DOMAIN.md: Awaiting delivery: once an item is delivered the buyer asks for a return or refund.
        return str(getattr(replies, "delivered" if delivered and group == "shipped" else group))


# --- lifecycle_diagram.json --------------------------------------------------------------------


class LifecycleDiagram(_Content):
    about: str
    edges: tuple[tuple[Key, Key, Key], ...]  # (from status, event kind, to status)
