"""Every language has every English text, no other, with the same placeholders, and not much longer."""

from __future__ import annotations

import string

import pytest

from guide.content import localized, translatable
from guide.content.language import languages, reference
from guide.content.translate import data_files, reference_texts, translated_texts
from tests.guide.languages import lang_id

OTHERS = [code for code in languages() if code != reference()]
MAX_RATIO = 1.6  # a text longer than this times its English does not fit the layout
ENGLISH = {(file, key): value for file, key, value in reference_texts()}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("language", OTHERS, ids=lang_id)
def test_a_language_has_exactly_the_english_keys(language: str) -> None:
    own = translated_texts(language)
    assert sorted(ENGLISH.keys() - own.keys()) == [], "missing"
    assert sorted(own.keys() - ENGLISH.keys()) == [], "extra"


@pytest.mark.parametrize("language", OTHERS, ids=lang_id)
def test_placeholders_are_the_english_ones(language: str) -> None:
    own = translated_texts(language)
    wrong = {
        key: own[key] for key in ENGLISH.keys() & own.keys() if placeholders(own[key]) != placeholders(ENGLISH[key])
    }
    assert wrong == {}


@pytest.mark.parametrize("language", OTHERS, ids=lang_id)
def test_no_text_is_much_longer_than_its_english(language: str) -> None:
    own = translated_texts(language)
    # Short labels may grow past the ratio by a few letters ("Back" -> "Atrás"): allow 8 characters of slack.
    long = {key: own[key] for key in ENGLISH.keys() & own.keys() if len(own[key]) > MAX_RATIO * len(ENGLISH[key]) + 8}
    assert long == {}


def test_the_checks_see_a_missing_an_extra_and_a_wrong_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above are only as good as translated_texts: it must report what a file really holds."""
    name = data_files()[0]
    english = translatable(name)
    first = next(iter(english))
    broken = {k: v for k, v in english.items() if k != first} | {"no.such.path": "x"}
    monkeypatch.setattr("guide.content.translate.translation", lambda n, lang: broken if n == name else {})
    own = translated_texts(OTHERS[0])
    assert (name, first) not in own and (name, "no.such.path") in own


def test_placeholders_compare_names_not_text() -> None:
    assert placeholders("{count} orders for {name}") == {"count", "name"}
    assert placeholders("{{literal}} only") == set()


@pytest.mark.parametrize("language", OTHERS, ids=lang_id)
def test_a_translated_file_reads_in_its_language(language: str) -> None:
    """localized() puts each translation where its English was, and nothing else moves."""
    for name in data_files():
        english, own = translatable(name), translatable(name, localized(name, language=language))
        assert own.keys() == english.keys()
        wanted = {path: value for path, value in own.items() if value != english[path]}
        from guide.content import translation

        assert wanted.items() <= translation(name, language).items()
