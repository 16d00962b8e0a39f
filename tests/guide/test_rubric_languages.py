"""The rubric scores a reply in every language the way it scores the same reply in English.

Each language's samples (replies_by_language/<language>.json) say the same things as the English ones;
each scenario's model reply is the scenario's own, in that language. A point earned, missed or broken in
English is earned, missed or broken in every language.
"""

from __future__ import annotations

import json
from pathlib import Path as FilePath
from typing import Any

import pytest

from guide.content import localized, messages
from guide.content.language import languages, speaking
from guide.models import Path
from guide.rubric import ReplyPoint, SellerPoint, broken, check_reply, check_seller_message
from guide.training import Question, RefundAnswer, builtin_scenarios
from tests.guide.languages import lang_id

LANGUAGES = list(languages())
HERE = FilePath(__file__).parent / "replies_by_language"
MUST_NOT = [p for p in ReplyPoint if p not in (ReplyPoint.NAMES_ACTION, ReplyPoint.NAMES_MONEY)]


def samples(language: str) -> dict[str, Any]:
    return dict(json.loads((HERE / f"{language}.json").read_text("utf-8")))


def outcome(reply: str, path: Path, money: str, language: str) -> dict[str, tuple[bool, bool]]:
    """Each point's (earned, broken): what the score and the feedback read."""
    return {f.point: (f.ok, broken(f)) for f in check_reply(reply, path, money, language)}


def case(scenario_id: str, language: str) -> tuple[str, Path, str]:
    scenario = builtin_scenarios(language)[scenario_id]
    return scenario.model_reply, Path(scenario.answers[Question.PATH].answer), scenario.answers[Question.REFUND].answer


IDS = list(builtin_scenarios("en"))


def test_every_language_has_its_samples_with_the_english_keys() -> None:
    english = samples("en")
    for language in LANGUAGES:
        own = samples(language)
        assert {k: set(v) if isinstance(v, dict) else None for k, v in own.items()} == {
            k: set(v) if isinstance(v, dict) else None for k, v in english.items()
        }, language


@pytest.mark.parametrize("language", LANGUAGES, ids=lang_id)
@pytest.mark.parametrize("scenario_id", IDS)
def test_a_scenarios_model_reply_earns_every_point_in_its_language(language: str, scenario_id: str) -> None:
    reply, path, money = case(scenario_id, language)
    assert outcome(reply, path, money, language) == dict.fromkeys((p.value for p in ReplyPoint), (True, False))


@pytest.mark.parametrize("language", LANGUAGES, ids=lang_id)
@pytest.mark.parametrize("scenario_id", IDS[::4])  # a sample: every fourth scenario
def test_a_bad_sentence_breaks_its_point_and_only_it_in_every_language(language: str, scenario_id: str) -> None:
    reply, path, money = case(scenario_id, language)
    for point, sentence in samples(language)["bad"].items():
        found = outcome(f"{reply} {sentence}", path, money, language)
        assert found[point] == (False, True), (point, sentence)
        assert all(found[p] == (True, False) for p in found if p != point), (point, found)


@pytest.mark.parametrize("language", LANGUAGES, ids=lang_id)
def test_each_paths_words_earn_that_path_only(language: str) -> None:
    only = samples(language)["only_action"]
    for path in Path:
        for other, reply in only.items():
            earned = outcome(reply, path, RefundAnswer.CARD.value, language)[ReplyPoint.NAMES_ACTION][0]
            assert earned is (other == path.value), (path.value, reply)


@pytest.mark.parametrize("language", LANGUAGES, ids=lang_id)
def test_each_refund_answers_words_earn_that_answer_only(language: str) -> None:
    for answer in RefundAnswer:
        for other, sample in samples(language)["money"].items():
            earned = outcome(sample, Path.WAIT, answer.value, language)[ReplyPoint.NAMES_MONEY][0]
            assert earned is (other == answer.value), (answer.value, sample)


@pytest.mark.parametrize("language", LANGUAGES, ids=lang_id)
def test_a_short_reply_earns_no_must_not_point_until_padded(language: str) -> None:
    own = samples(language)
    short = own["only_action"][Path.OPEN_DISPUTE.value]
    found = outcome(short, Path.OPEN_DISPUTE, RefundAnswer.CARD.value, language)
    assert found[ReplyPoint.NAMES_ACTION] == (True, False)
    assert all(found[p] == (False, False) for p in MUST_NOT)
    padded = outcome(f"{own['padding']} {short}", Path.OPEN_DISPUTE, RefundAnswer.CARD.value, language)
    assert all(padded[p] == (True, False) for p in MUST_NOT)


@pytest.mark.parametrize("language", LANGUAGES, ids=lang_id)
def test_a_negation_cancels_the_match(language: str) -> None:
    negated, plain = samples(language)["negated"]
    padding = samples(language)["padding"]
    assert outcome(f"{padding} {negated}", Path.WAIT, "card", language)[ReplyPoint.NO_CREDENTIALS] == (True, False)
    assert outcome(f"{padding} {plain}", Path.WAIT, "card", language)[ReplyPoint.NO_CREDENTIALS] == (False, True)


@pytest.mark.parametrize("language", LANGUAGES, ids=lang_id)
def test_the_buyer_templates_pass_every_seller_point_and_a_rude_one_does_not(language: str) -> None:
    with speaking(language):
        templates = messages().buyer_templates
    for template in templates:
        assert all(f.ok for f in check_seller_message(template.text, language)), template.text
    rude = {f.point: f for f in check_seller_message(samples(language)["rude"], language)}
    assert broken(rude[SellerPoint.COURTEOUS])


@pytest.mark.parametrize("language", LANGUAGES, ids=lang_id)
def test_the_translated_scenarios_keep_the_english_answers(language: str) -> None:
    """Only words are translated: answers, orders and clocks are the English file's."""
    for sid, english in builtin_scenarios("en").items():
        own = builtin_scenarios(language)[sid]
        assert own.answers.keys() == english.answers.keys()
        assert {q: a.answer for q, a in own.answers.items()} == {q: a.answer for q, a in english.answers.items()}
        assert (own.order.id, own.order.status, own.now, own.seed) == (
            english.order.id,
            english.order.status,
            english.now,
            english.seed,
        )
    assert localized("walkthrough.json", language="en") is not None
