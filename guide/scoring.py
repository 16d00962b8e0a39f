"""Scoring a training attempt: weighted marks that are earned, and critical errors that fail it.

Every weight, the cap a critical error puts on the score, and each critical error's rule are data in
guide/content/training.json. No mark is free: a mark is earned by what the trainee did, and a mark that does
not apply to the case (a fair reason where no reason is needed) is left out rather than given.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from guide.content import cancel_reasons, text, training_rules
from guide.models import Actor, Event, EventKind, Path
from guide.rubric import Finding, ReplyPoint, SellerPoint, broken, check_reply, check_seller_message
from guide.training import Question, Scenario, option_label


class Check(StrEnum):
    """What the trainee should have done in the simulator."""

    OPENED_DETAILS = "opened_details"
    CHECKED_STATUS = "checked_status"
    RIGHT_PATH = "right_path"
    FAIR_REASON = "fair_reason"


class Critical(StrEnum):
    """Mistakes that fail an attempt whatever else is right."""

    CANCEL_SHIPPED = "cancel_shipped"  # told to cancel an order that has shipped
    BLAMES_SELLER = "blames_seller"  # a reason that blames a seller who did nothing wrong
    PAYMENT = "payment"  # paid an order the customer wants to cancel (a second payment if charged)
    PROMISE = "promise"  # promised the customer a refund date or a guaranteed outcome
    CREDENTIALS = "credentials"  # asked for (or passed on) a password, card number or security code


PATH_ACTIONS: dict[Path, frozenset[EventKind]] = {
    Path.CANCEL_NOW: frozenset({EventKind.CANCELLED}),
    Path.REQUEST_CANCELLATION: frozenset({EventKind.CANCEL_REQUESTED}),
    Path.CONTACT_SELLER: frozenset({EventKind.MESSAGE_SENT}),
    Path.OPEN_DISPUTE: frozenset({EventKind.DISPUTE_OPENED}),
    Path.WAIT: frozenset(),
    Path.NOTHING_TO_DO: frozenset(),
}
# What counts as acting on a case: on a wait case, any of these is the wrong path.
ACTING = frozenset(
    {EventKind.CANCELLED, EventKind.CANCEL_REQUESTED, EventKind.DISPUTE_OPENED, EventKind.MESSAGE_SENT, EventKind.PAID}
)
DONE, NOT_DONE = "done", "not_done"  # a check's answer, as stored (text section "check_answer")
CANCELLING = (Path.CANCEL_NOW.value, Path.REQUEST_CANCELLATION.value)
REASON_KINDS = (EventKind.CANCELLED, EventKind.CANCEL_REQUESTED)


WHY = "why"  # a Said of this section is the scenario's own `why` for the question its key names


class Said(BaseModel):
    """A text by reference, put in words when it is read: feedback reads in the reader's language, not the one
    the attempt was scored in. `values` fill the text's placeholders, each itself a (section, key) text."""

    model_config = ConfigDict(frozen=True)

    section: str
    key: str
    values: dict[str, tuple[str, str]] = {}


class Mark(BaseModel):
    """One scored item: what was expected, what the trainee did, the feedback with its rule, and its weight.
    A critical mark weighs nothing; it caps the attempt's score instead."""

    model_config = ConfigDict(frozen=True)

    item: str
    correct: bool
    given: str
    expected: str
    feedback: str  # in the language it was scored in: what older records, without `said`, show
    rule: str
    weight: float = 1.0
    critical: bool = False
    matched: list[str] = []  # for a written text: the words that decided the mark, shown back to the trainee
    said: list[Said] = []  # the feedback by reference (`feedback_in` reads it)


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)

    marks: list[Mark]

    @property
    def score(self) -> float:
        """The weighted share of marks earned, capped below the pass mark by any critical error."""
        total = sum(m.weight for m in self.marks)
        earned = sum(m.weight for m in self.marks if m.correct) / total if total else 0.0
        if any(m.critical for m in self.marks):
            return min(earned, critical_cap())
        return earned


def critical_cap() -> float:
    """The highest score an attempt with a critical error can have (below the pass mark)."""
    return training_rules().scoring.critical_cap


def score(
    scenario: Scenario,
    answers: dict[Question, str],
    facts: dict[str, str],
    trainee_events: Sequence[Event],
    reply: str = "",
) -> Result:
    """Score the answers, the reply to the customer, the messages sent to the seller and the actions the trainee
    took (events after the case started)."""
    weights = training_rules().scoring.weights
    marks = []
    for question in Question:
        key = scenario.answers[question]
        given = answers.get(question, "")
        correct = given == key.answer
        said = [Said(section="training", key="right" if correct else "wrong"), Said(section=WHY, key=question.value)]
        marks.append(
            Mark(
                item=question.value,
                correct=correct,
                given=given,
                expected=key.answer,
                feedback=_words(said, scenario),
                said=said,
                rule=key.rule,
                weight=weights[question.value],
            )
        )
    marks.extend(_action_marks(scenario, answers, facts, trainee_events))
    reply_findings = check_reply(reply, _expected_path(scenario), scenario.answers[Question.REFUND].answer)
    seller_findings = _seller_findings(trainee_events)
    marks.extend(_written_marks([*reply_findings, *seller_findings]))
    marks.extend(_critical_marks(scenario, answers, trainee_events, reply, [*reply_findings, *seller_findings]))
    return Result(marks=marks)


def _expected_path(scenario: Scenario) -> Path:
    return Path(scenario.answers[Question.PATH].answer)


def sent_to_seller(events: Sequence[Event]) -> list[str]:
    """What the trainee wrote to the seller in the case."""
    return [str(e.data.get("text", "")) for e in events if e.kind is EventKind.MESSAGE_SENT and e.actor is Actor.BUYER]


def _seller_findings(events: Sequence[Event]) -> list[Finding]:
    """Each point over every message sent: earned only if every message earns it. No message, no marks (the path
    mark already says whether a message was needed)."""
    per_message = [check_seller_message(message) for message in sent_to_seller(events)]
    if not per_message:
        return []
    combined = []
    for n, point in enumerate(SellerPoint):
        ok = all(findings[n].ok for findings in per_message)
        # The words shown are those that decided it: from every message if earned, else from the ones that failed.
        words = {word for findings in per_message if ok or not findings[n].ok for word in findings[n].matched}
        combined.append(Finding(point=point.value, ok=ok, matched=sorted(words)))
    return combined


def _written_marks(findings: Sequence[Finding]) -> list[Mark]:
    rules, weights = training_rules().written_rules, training_rules().scoring.weights
    return [
        Mark(
            item=finding.point,
            correct=finding.ok,
            given=", ".join(finding.matched),
            expected="",
            feedback=text("reply_point_ok" if finding.ok else "reply_point_missed", finding.point),
            said=[Said(section="reply_point_ok" if finding.ok else "reply_point_missed", key=finding.point)],
            rule=rules[finding.point],
            weight=weights[finding.point],
            matched=finding.matched,
        )
        for finding in findings
    ]


def _reasons(events: Sequence[Event]) -> list[str]:
    return [str(e.data.get("reason")) for e in events if e.kind in REASON_KINDS]


def _blames(scenario: Scenario, events: Sequence[Event]) -> bool:
    """A reason picked that counts against a seller who did nothing wrong."""
    reasons = cancel_reasons()
    return not scenario.seller_at_fault and any(reasons[r].blames_seller for r in _reasons(events) if r in reasons)


def _right_path(expected: Path, answers: dict[Question, str], done: set[EventKind]) -> bool:
    """The path's action was done and nothing else was; where the path is to do nothing, doing nothing counts
    only with the path answered right, so an empty attempt earns nothing here."""
    wanted = PATH_ACTIONS[expected]
    if wanted:
        return bool(wanted & done) and not (done & ACTING - wanted)
    return answers.get(Question.PATH) == expected.value and not (done & ACTING)


def _action_marks(
    scenario: Scenario, answers: dict[Question, str], facts: dict[str, str], events: Sequence[Event]
) -> list[Mark]:
    order_id = scenario.order.id
    expected_path = _expected_path(scenario)
    rules, weights = training_rules().check_rules, training_rules().scoring.weights
    done = {e.kind for e in events}
    checks: dict[Check, bool] = {
        Check.OPENED_DETAILS: facts.get("opened_order") == order_id,
        Check.CHECKED_STATUS: facts.get("read_status") == order_id,
        Check.RIGHT_PATH: _right_path(expected_path, answers, done),
    }
    if expected_path.value in CANCELLING:  # a reason is only asked for when cancelling: else no mark
        checks[Check.FAIR_REASON] = bool(_reasons(events)) and not _blames(scenario, events)
    did = ",".join(sorted(done & ACTING))  # event kinds, put in words where the mark is shown
    return [
        Mark(
            item=check.value,
            correct=ok,
            given=did if check is Check.RIGHT_PATH else (DONE if ok else NOT_DONE),
            expected=expected_path.value if check is Check.RIGHT_PATH else DONE,
            feedback=_words(said := _check_said(check, ok, events, expected_path)),
            said=said,
            rule=rules[check.value],
            weight=weights[check.value],
        )
        for check, ok in checks.items()
    ]


def _check_said(check: Check, ok: bool, events: Sequence[Event], expected_path: Path) -> list[Said]:
    return [
        Said(section="check_feedback", key=_feedback_key(check, ok, events), values={"path": ("path", expected_path)})
    ]


def _feedback_key(check: Check, ok: bool, events: Sequence[Event]) -> str:
    if check is Check.FAIR_REASON and not ok and not _reasons(events):
        return "fair_reason_none"
    return f"{check.value}_{'ok' if ok else 'missed'}"


def _tells_to_cancel(reply: str, money: str) -> bool:
    """The reply tells the customer to cancel (or to request it): on a shipped order, a critical error."""
    return any(
        finding.ok
        for path in (Path.CANCEL_NOW, Path.REQUEST_CANCELLATION)
        for finding in check_reply(reply, path, money)
        if finding.point == ReplyPoint.NAMES_ACTION
    )


def _critical_marks(
    scenario: Scenario,
    answers: dict[Question, str],
    events: Sequence[Event],
    reply: str,
    findings: Sequence[Finding],
) -> list[Mark]:
    """One mark for each critical error made; none when there is none."""
    shipped = scenario.order.shipped_at is not None
    broke = {finding.point for finding in findings if broken(finding)}
    made = {
        Critical.CANCEL_SHIPPED: shipped
        and (
            answers.get(Question.PATH) in CANCELLING
            or _tells_to_cancel(reply, scenario.answers[Question.REFUND].answer)
        ),
        Critical.BLAMES_SELLER: _blames(scenario, events),
        Critical.PAYMENT: any(e.kind is EventKind.PAID for e in events),
        Critical.PROMISE: bool(broke & {ReplyPoint.NO_PROMISE_DATE.value, ReplyPoint.NO_PROMISE_OUTCOME.value}),
        Critical.CREDENTIALS: bool(
            broke & {ReplyPoint.NO_CREDENTIALS.value, SellerPoint.NO_CREDENTIALS_TO_SELLER.value}
        ),
    }
    critical = training_rules().scoring.critical
    return [
        Mark(
            item=error.value,
            correct=False,
            given=text("critical", error.value),
            expected=text("training", "no_critical"),
            feedback=text("critical_feedback", error.value),
            said=[Said(section="critical_feedback", key=error.value)],
            rule=critical[error.value].rule,
            weight=0.0,
            critical=True,
        )
        for error, happened in made.items()
        if happened
    ]


def _words(said: Sequence[Said], scenario: Scenario | None = None) -> str:
    parts = []
    for part in said:
        if part.section == WHY:
            parts.append(scenario.answers[Question(part.key)].why if scenario is not None else "")
        else:
            parts.append(text(part.section, part.key, **{name: text(*ref) for name, ref in part.values.items()}))
    return " ".join(p for p in parts if p)


def feedback_in(mark: Mark, scenario: Scenario | None) -> str:
    """A mark's feedback in the current language (`scenario`, as the reader reads it, gives a question's why); a
    mark stored before feedback was kept by reference reads as it was written."""
    return _words(mark.said, scenario) if mark.said else mark.feedback


# --- marks in words ----------------------------------------------------------------------------

QUESTIONS, CHECKS = frozenset(q.value for q in Question), frozenset(c.value for c in Check)
PATHS, EVENT_KINDS = frozenset(p.value for p in Path), frozenset(k.value for k in EventKind)


def mark_title(mark: Mark) -> str:
    """What a mark is about: the question, the check, the point of the rubric, or the critical error."""
    if mark.critical:
        return f"{text('training', 'critical_label')}: {text('critical', mark.item)}"
    if mark.item in QUESTIONS:
        return text("question", mark.item)
    if mark.item in CHECKS:
        return text("check", mark.item)
    return text("reply_point", mark.item)


def answer_shown(mark: Mark, value: str) -> str:
    """A mark's answer (the trainee's or the expected one) in words, as the trainee saw the options."""
    if mark.item in QUESTIONS:
        return option_label(Question(mark.item), value) if value else text("training", "no_answer")
    if mark.item == Check.RIGHT_PATH.value:
        if value in PATHS:
            return text("path", value)
        kinds = [kind for kind in value.split(",") if kind in EVENT_KINDS]
        return ", ".join(text("event", kind) for kind in kinds) or text("training", "no_action")
    if mark.item in CHECKS:
        return text("check_answer", DONE if value in (DONE, "yes") else NOT_DONE)  # "yes": a mark from before ids
    return value
