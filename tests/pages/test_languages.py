"""Every page in every language: no English sentence from the English files is shown, and the language sticks.

A "sentence" is any run of three or more words between the placeholders of an English text (text/en*.json
and the translatable fields of the data files). Names and brand words are not sentences to translate; the
few that make three words are listed in ALLOWED.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from guide.content import text
from guide.content.language import languages, reference, speaking
from guide.content.translate import reference_texts
from guide.models import Status
from guide.navigation import pages
from guide.store import Store
from guide.training import scenarios
from guide.training_store import TrainingStore
from guide.ui import passcode as passcode_ui
from tests.guide.languages import lang_id
from tests.pages.helpers import first_order, no_exception, open_page

OTHERS = [code for code in languages() if code != reference()]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# A word on its own: a hyphenated word is one ("ship-by"), and ids (awaiting_payment, rules-status-frozen,
# help.dsers.com) are no words at all.
WORDS = re.compile(r"(?<![\w.-])[A-Za-z][A-Za-z'-]*+(?![\w.-]\w)")
ALLOWED: frozenset[str] = frozenset()  # three-word English kept on purpose (none so far)
PASSCODE = "correct horse battery staple"


def english_sentences() -> set[str]:
    found = set()
    for _, _, english in reference_texts():
        for piece in PLACEHOLDER.split(english):
            words = WORDS.findall(piece)
            if len(words) >= 3:
                found.add(" ".join(words).casefold())
    return found - ALLOWED


SENTENCES = english_sentences()


def _strings(message: Message) -> Iterator[str]:
    for _, value in message.ListFields():
        repeated = isinstance(value, Sequence) and not isinstance(value, str | bytes)
        items = value if repeated else [value]
        for item in items:
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str):
                yield item


def shown_words(at: AppTest) -> str:
    """Every string the run sent (labels, help, options, bodies, table cells), as words only."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            texts.extend(_strings(proto))
        if type(node).__name__ in ("Dataframe", "Table"):
            frame = node.value
            texts.extend(str(c) for c in frame.columns)
            texts.extend(str(v) for v in frame.astype(str).to_numpy().ravel())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return " ".join(" ".join(WORDS.findall(t)) for t in texts).casefold()


def english_in(at: AppTest) -> list[str]:
    words = f" {shown_words(at)} "
    return sorted(s for s in SENTENCES if f" {s} " in words)


def views(store: Store, sandbox: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(what, page, query) for every page, every walkthrough step and an order of each status."""
    for page in pages():
        if page != "certificate":
            yield page, page, {}
    for step in range(1, 10):
        yield f"walkthrough step {step}", "walkthrough", {"step": str(step)}
    for status in (Status.AWAITING_SHIPMENT, Status.AWAITING_DELIVERY, Status.REFUND_IN_PROGRESS):
        order = first_order(store, sandbox, status)
        for page in ("order_details", "contact_seller", "refunds"):
            yield f"{page} of a {status.value} order", page, {"order": order.id}


@pytest.mark.parametrize("language", OTHERS, ids=lang_id)
def test_no_page_shows_an_english_sentence(store: Store, sandbox: str, language: str):
    found = {}
    for what, page, query in views(store, sandbox):
        at = open_page(page, sandbox, lang=language, **query)
        no_exception(at)
        if english := english_in(at):
            found[what] = english
    assert found == {}


@pytest.mark.parametrize("language", OTHERS, ids=lang_id)
def test_a_training_case_and_its_feedback_show_no_english(store: Store, language: str):
    training = TrainingStore(store)
    trainee = training.create_trainee("Ana", training.create_class("Class").id)
    scenario_id = "e02-earbuds-gift-duplicate"
    attempt = training.start_attempt(trainee.id, scenario_id)
    at = open_page("training", trainee=trainee.id, attempt=str(attempt.id), lang=language)
    at = at.button(key=f"train_{attempt.id}_details").click().run()
    no_exception(at)
    assert english_in(at) == []
    with speaking(language):  # AppTest formats a widget's options in this thread, in its language
        for question, key in scenarios()[scenario_id].answers.items():
            at.radio(key=f"answer_{attempt.id}_{question.value}").set_value(key.answer)
        at.text_area(key=f"answer_{attempt.id}_reply").set_value("x")
        [submit] = [b for b in at.button if b.label == text("trainee", "submit", language)]
        at = submit.click().run()
    no_exception(at)
    assert at.get("metric"), "the score is shown"
    assert english_in(at) == []


@pytest.mark.parametrize("language", OTHERS, ids=lang_id)
def test_the_trainer_dashboard_shows_no_english(store: Store, monkeypatch: pytest.MonkeyPatch, language: str):
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    monkeypatch.setattr(passcode_ui, "slow_down", lambda seconds: None)
    training = TrainingStore(store)
    trainee = training.create_trainee("Zoë")
    attempt = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    training.submit(
        trainee.id, attempt.id, {q: k.answer for q, k in scenarios()["e01-unpaid-wrong-size"].answers.items()}
    )
    at = open_page("trainer", lang=language)
    at.text_input(key="trainer_passcode_input").set_value(PASSCODE)
    [unlock] = [b for b in at.button if b.label == text("trainer", "unlock", language)]
    at = unlock.click().run()
    no_exception(at)
    assert english_in(at) == []


def test_the_check_finds_english_where_there_is_some(store: Store, sandbox: str):
    """The check is only as good as what it reads: in English, every page shows some of the English sentences."""
    at = open_page("walkthrough", sandbox, step="3")
    assert len(english_in(at)) >= 3


@pytest.mark.parametrize("language", OTHERS, ids=lang_id)
def test_the_language_comes_from_the_link_and_stays_in_it(store: Store, sandbox: str, language: str):
    at = open_page("my_orders", sandbox, lang=language)
    assert at.query_params["lang"] == language
    assert at.selectbox(key="language_picker").value == language
    at = at.selectbox(key="language_picker").set_value(reference()).run()
    assert at.query_params["lang"] == reference()


@pytest.mark.parametrize("wanted", ["xx", "", "EN-gb", "<script>", "pt", "ru_RU"])
def test_a_strange_lang_in_the_link_falls_back_without_an_error(store: Store, sandbox: str, wanted: str):
    at = open_page("my_orders", sandbox, lang=wanted)
    no_exception(at)
    expected = {"EN-gb": "en", "pt": "pt-BR", "ru_RU": "ru"}.get(wanted, reference())
    assert at.query_params["lang"] == expected


def test_a_strange_lang_in_the_link_keeps_the_language_chosen_before(store: Store, sandbox: str):
    at = open_page("my_orders", sandbox, lang="fr")
    at.query_params["lang"] = "xx"
    at = at.run()
    no_exception(at)
    assert at.query_params["lang"] == "fr"
