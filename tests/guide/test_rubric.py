"""The written-answer rubric: good replies pass, each bad sentence breaks its point, empty or short text earns
nothing, negations cancel a match, seller messages are checked, and a bad rubric file fails at load."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import guide.content as content
from guide import rubric
from guide.content import ContentError, messages, text, validated
from guide.content.language import languages
from guide.models import Path
from guide.rubric import (
    Finding,
    LanguageRules,
    ReplyPoint,
    SellerPoint,
    broken,
    check_reply,
    check_seller_message,
    normalise,
)
from guide.training import Question, RefundAnswer, Scenario, scenarios
from tests.guide.replies import BAD, GOOD_REPLIES, ONLY_ACTION, PADDING

IDS = list(scenarios())
MUST_NOT = [p for p in ReplyPoint if p not in (ReplyPoint.NAMES_ACTION, ReplyPoint.NAMES_MONEY)]


def key(scenario_id: str) -> tuple[Scenario, Path, str]:
    scenario = scenarios()[scenario_id]
    return scenario, Path(scenario.answers[Question.PATH].answer), scenario.answers[Question.REFUND].answer


def by_point(findings: list[Finding]) -> dict[str, Finding]:
    return {f.point: f for f in findings}


def reply_for(scenario_id: str, reply: str) -> dict[str, Finding]:
    _, path, money = key(scenario_id)
    return by_point(check_reply(reply, path, money))


# --- good replies -------------------------------------------------------------------------------------


def test_there_is_a_good_reply_for_every_scenario_and_no_other():
    assert set(GOOD_REPLIES) == set(IDS)


@pytest.mark.parametrize("scenario_id", IDS)
def test_a_good_reply_passes_every_point(scenario_id: str):
    _, path, money = key(scenario_id)
    findings = check_reply(GOOD_REPLIES[scenario_id], path, money)
    assert [f.point for f in findings] == [p.value for p in ReplyPoint]
    failed = {f.point: f.matched for f in findings if not f.ok}
    assert not failed, failed
    assert all(f.matched for f in findings[:2])  # the must points say which words earned them


# --- bad replies --------------------------------------------------------------------------------------


@pytest.mark.parametrize("point", list(BAD))
@pytest.mark.parametrize("scenario_id", IDS)
def test_a_bad_sentence_breaks_its_point_and_only_it(scenario_id: str, point: ReplyPoint):
    found = reply_for(scenario_id, f"{GOOD_REPLIES[scenario_id]} {BAD[point]}")
    assert not found[point].ok and broken(found[point]), found[point]
    assert all(normalise(words) in normalise(BAD[point]) for words in found[point].matched)
    others = [f for name, f in found.items() if name != point and not f.ok]
    assert not others, others


@pytest.mark.parametrize("scenario_id", IDS)
@pytest.mark.parametrize("reply", ["", "   \n\t ", "asdf qwerty"])
def test_empty_or_meaningless_text_earns_nothing(scenario_id: str, reply: str):
    findings = list(reply_for(scenario_id, reply).values())
    assert [(f.ok, f.matched) for f in findings] == [(False, [])] * len(ReplyPoint)
    assert not any(broken(f) for f in findings)


def test_a_short_reply_earns_its_must_points_but_no_must_not_point():
    found = by_point(check_reply("Please open a dispute.", Path.OPEN_DISPUTE, RefundAnswer.CARD))
    assert found[ReplyPoint.NAMES_ACTION].ok
    assert not any(found[p].ok or broken(found[p]) for p in MUST_NOT)
    # Long enough, the same words earn them: the length is what held them back.
    padded = by_point(check_reply(f"{PADDING} Please open a dispute.", Path.OPEN_DISPUTE, RefundAnswer.CARD))
    assert all(padded[p].ok for p in MUST_NOT)


def test_a_short_reply_that_breaks_a_point_is_still_broken():
    found = by_point(check_reply("I cancelled it.", Path.WAIT, RefundAnswer.CARD))
    assert broken(found[ReplyPoint.NO_CANCEL_CLAIM]) and found[ReplyPoint.NO_CANCEL_CLAIM].matched == ["i cancelled"]


@pytest.mark.parametrize("scenario_id", IDS)
def test_naming_another_paths_action_only_misses_the_action(scenario_id: str):
    _, path, money = key(scenario_id)
    assert by_point(check_reply(ONLY_ACTION[path], path, money))[ReplyPoint.NAMES_ACTION].ok
    for other, reply in ONLY_ACTION.items():
        if other is not path:
            assert not by_point(check_reply(reply, path, money))[ReplyPoint.NAMES_ACTION].ok, (other, reply)


@pytest.mark.parametrize("answer", list(RefundAnswer))
def test_the_money_point_is_about_this_cases_money(answer: RefundAnswer):
    """Each refund answer's words earn its own point and no other's."""
    samples = {
        RefundAnswer.NOTHING_PAID: "Nothing was paid.",
        RefundAnswer.CARD: "It goes back to your card.",
        RefundAnswer.BALANCE: "It goes to your AliExpress balance.",
        RefundAnswer.ALIPAY_ACCOUNT: "It goes to your Alipay account.",
        RefundAnswer.COUPON: "It comes back as a coupon.",
        RefundAnswer.UNVERIFIED: "It goes back to the original payment method.",
    }
    for other, sample in samples.items():
        found = by_point(check_reply(sample, Path.WAIT, answer))[ReplyPoint.NAMES_MONEY]
        assert found.ok is (other is answer), (answer, sample)


# --- negation -----------------------------------------------------------------------------------------

NEGATED = [
    # (negated text, the same without the negation, the path, the point it decides)
    ("I can't promise a date.", "I can promise a date.", Path.WAIT, ReplyPoint.NO_PROMISE_OUTCOME),
    ("We will never ask for your password.", "We will ask for your password.", Path.WAIT, ReplyPoint.NO_CREDENTIALS),
    ("Please don't cancel yet.", "Please cancel yet.", Path.CANCEL_NOW, ReplyPoint.NAMES_ACTION),
]


@pytest.mark.parametrize(("negated", "plain", "path", "point"), NEGATED)
def test_a_negation_just_before_cancels_the_match(negated: str, plain: str, path: Path, point: ReplyPoint):
    without = by_point(check_reply(f"{PADDING} {negated}", path, RefundAnswer.CARD))
    assert not any(f.matched for f in without.values()), without
    assert all(without[p].ok for p in MUST_NOT)
    with_it = by_point(check_reply(f"{PADDING} {plain}", path, RefundAnswer.CARD))[point]
    assert with_it.matched and (with_it.ok if point is ReplyPoint.NAMES_ACTION else broken(with_it))


@pytest.mark.parametrize(
    "reply",
    [
        "No worries, I have cancelled the order for you.",  # a comma ends the negation's clause
        "We did not forget you, and now we will ask for your password.",  # "not" is too far back
        "Never mind. I have cancelled the order for you.",  # another sentence
    ],
)
def test_a_negation_out_of_reach_does_not_cancel(reply: str):
    found = check_reply(reply, Path.WAIT, RefundAnswer.CARD)
    assert any(broken(f) for f in found), found


# --- matched words ------------------------------------------------------------------------------------


def test_matched_holds_the_words_as_they_appear_normalised():
    reply = f"{PADDING} I’ve  CANCELLED\u200b the order; it comes back to your ＣＡＲＤ."
    found = by_point(check_reply(reply, Path.WAIT, RefundAnswer.CARD))
    assert found[ReplyPoint.NO_CANCEL_CLAIM].matched == ["i've cancelled"]
    assert found[ReplyPoint.NAMES_MONEY].matched == ["back to your card"]
    assert all(words in normalise(reply) for f in found.values() for words in f.matched)


def test_normalise_folds_case_quotes_width_and_spaces():
    assert normalise("  It’s “DONE”\u00a0\n now\u200b ") == 'it\'s "done" now'


# --- seller messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("template", messages().buyer_templates, ids=lambda t: t.id)
def test_every_buyer_template_passes_every_seller_point(template: Any):
    findings = check_seller_message(template.text)
    assert [f.point for f in findings] == [p.value for p in SellerPoint]
    assert all(f.ok for f in findings), findings


@pytest.mark.parametrize("message", ["", "asdf qwerty", "Cancel!"])
def test_a_seller_message_with_nothing_clear_earns_nothing(message: str):
    findings = check_seller_message(message)
    assert not any(f.ok or broken(f) for f in findings), findings


def test_a_rude_message_is_not_courteous_and_shows_the_words():
    found = by_point(check_seller_message("You are a SCAMMER and a liar, cancel my order now."))
    assert found[SellerPoint.ASKS_CLEARLY].ok
    courteous = found[SellerPoint.COURTEOUS]
    assert broken(courteous) and courteous.matched == ["scammer", "liar"]


@pytest.mark.parametrize(
    "message",
    [
        "Hello, please cancel and refund it, my card number is 4111 1111 1111 1111.",
        "Hello, please cancel the order and refund card 4111111111111111 thank you.",
        "Hello, if you need my card details to refund me, just ask.",
    ],
)
def test_sharing_card_details_with_the_seller_is_caught(message: str):
    found = by_point(check_seller_message(message))
    assert broken(found[SellerPoint.NO_CREDENTIALS_TO_SELLER]), found


# --- the API's edges ----------------------------------------------------------------------------------


def test_an_unknown_language_raises_key_error():
    with pytest.raises(KeyError):
        check_reply(GOOD_REPLIES[IDS[0]], Path.WAIT, RefundAnswer.CARD, language="xx")
    with pytest.raises(KeyError):
        check_seller_message("Hello, please cancel my order.", language="xx")


def test_an_unknown_refund_answer_is_refused():
    with pytest.raises(ValueError):
        check_reply(GOOD_REPLIES[IDS[0]], Path.WAIT, "cash")


def test_every_point_has_its_texts():
    for point in [*ReplyPoint, *SellerPoint]:
        for section in ("reply_point", "reply_point_ok", "reply_point_missed"):
            assert text(section, point)
    assert text("rubric", "matched", words="scam") == "Found: scam"
    assert text("rubric", "nothing_matched")


# --- the data file ------------------------------------------------------------------------------------


def data() -> dict[str, Any]:
    return copy.deepcopy(content.load("rubric/en.json"))


def test_every_language_has_its_rubric_file_and_the_module_uses_them():
    assert rubric.RULES.keys() == set(languages())
    assert rubric.RULES["en"] == validated("rubric/en.json", LanguageRules)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["action"]["cancel_now"].append("(unclosed"), "action.cancel_now.3"),
        (lambda d: d["must_not"].update(promise_time=["\\bsoon\\b"]), "promise_time"),
        (lambda d: d["action"].update(cancel_nwo=d["action"].pop("cancel_now")), "cancel_nwo"),
        (lambda d: d["money"].pop("coupon"), "coupon"),
        (lambda d: d["seller"]["rude"].append("x*"), "seller.rude"),
        (lambda d: d["negations"].append("not at all ever"), "negations"),
        (lambda d: d.update(english=d["action"]), "english"),
    ],
)
def test_a_bad_rubric_fails_validation_naming_the_key(change: Any, named: str):
    raw = data()
    change(raw)
    with pytest.raises(ContentError, match=r"^guide/content/rubric/en\.json: ") as caught:
        validated("rubric/en.json", LanguageRules, raw)
    assert named in str(caught.value)
