"""Three kinds of agent over every scenario, scored by guide.scoring: what each earns (issue 12's figures).

    .venv/bin/python -m bench.training_agents

- careful: every answer right, the details opened and the status read, the path done in the simulator (a
  neutral reason, a clear message to the seller) and the scenario's model reply;
- careless: the status and the decision wrong, nothing looked at, a request with a reason that blames the
  seller, and a reply that promises a refund date;
- mixed: every answer right but the status never read, the path done on every other case, and on those
  cases a vague reply that names neither the next step nor the money.
Scoring is deterministic, so one pass is the figure; the time of score() is bench.domain's.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import timedelta

from guide.content import cancel_reasons, training_rules
from guide.models import Actor, Event, EventKind, Path
from guide.scoring import Result, score
from guide.training import Question, Scenario, options, scenarios

NEUTRAL = next(r.id for r in cancel_reasons().values() if not r.blames_seller)
BLAMING = next(r.id for r in cancel_reasons().values() if r.blames_seller)
MESSAGE = "Hello, please do not ship this order: I have asked to cancel it. Thank you for your understanding."
CARELESS_REPLY = "Don't worry, you will get your refund by Friday, guaranteed."
VAGUE_REPLY = "Thank you for your message, we are looking into it and will get back to you soon."
PATH_EVENT = {
    Path.CANCEL_NOW: EventKind.CANCELLED,
    Path.REQUEST_CANCELLATION: EventKind.CANCEL_REQUESTED,
    Path.CONTACT_SELLER: EventKind.MESSAGE_SENT,
    Path.OPEN_DISPUTE: EventKind.DISPUTE_OPENED,
}


def acted(s: Scenario, kind: EventKind | None, reason: str = NEUTRAL) -> list[Event]:
    if kind is None:
        return []
    data = {EventKind.MESSAGE_SENT: {"text": MESSAGE}}.get(kind, {})
    if kind in (EventKind.CANCELLED, EventKind.CANCEL_REQUESTED):
        data = {"reason": reason}
    return [Event(seq=90, at=s.now + timedelta(minutes=5), kind=kind, actor=Actor.BUYER, data=data)]


def key(s: Scenario) -> dict[Question, str]:
    return {q: k.answer for q, k in s.answers.items()}


def careful(s: Scenario, _: int) -> Result:
    looked = {"opened_order": s.order.id, "read_status": s.order.id}
    return score(s, key(s), looked, acted(s, PATH_EVENT.get(Path(key(s)[Question.PATH]))), s.model_reply)


def careless(s: Scenario, _: int) -> Result:
    right = key(s)
    status = next(v for v in options(Question.STATUS) if v != right[Question.STATUS])
    path = Path.CONTACT_SELLER if right[Question.PATH] == Path.CANCEL_NOW else Path.CANCEL_NOW
    answers = {**right, Question.STATUS: status, Question.PATH: path.value}
    return score(s, answers, {}, acted(s, EventKind.CANCEL_REQUESTED, BLAMING), CARELESS_REPLY)


def mixed(s: Scenario, n: int) -> Result:
    looked = {"opened_order": s.order.id}
    if n % 2:
        return score(s, key(s), looked, [], VAGUE_REPLY)
    return score(s, key(s), looked, acted(s, PATH_EVENT.get(Path(key(s)[Question.PATH]))), s.model_reply)


def main() -> None:
    mark = training_rules().certificate.pass_mark
    agents: dict[str, Callable[[Scenario, int], Result]] = {"careful": careful, "careless": careless, "mixed": mixed}
    every = list(scenarios().values())
    print(f"{len(every)} scenarios, pass mark {mark:.0%}")
    for name, agent in agents.items():
        results = [agent(s, n) for n, s in enumerate(every)]
        values = [r.score for r in results]
        passed = sum(round(v, 9) >= mark for v in values)
        critical = sum(1 for r in results for m in r.marks if m.critical)
        print(
            f"{name:9} mean {statistics.mean(values):.0%}, {min(values):.0%} to {max(values):.0%}, "
            f"{passed}/{len(values)} passed, {critical} critical errors"
        )


if __name__ == "__main__":
    main()
