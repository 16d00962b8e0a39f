"""A checklist rubric for what a trainee writes: the reply to the customer, and any message to the seller.

Deterministic on purpose, so a trainee can see why: the patterns of content/rubric/<language>.json are matched on
normalised text, and a match with a negation just before it in the same clause ("I can't promise") does
not count. No free marks: empty text earns nothing, and text too short to say anything earns no
"must not" point for what it failed to say wrong.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from guide.content import validated
from guide.content.language import current, languages
from guide.models import Path
from guide.training import RefundAnswer


class ReplyPoint(StrEnum):
    """What the reply to the customer is checked for, in the order findings are given."""

    NAMES_ACTION = "names_action"
    NAMES_MONEY = "names_money"
    NO_PROMISE_DATE = "no_promise_date"
    NO_PROMISE_OUTCOME = "no_promise_outcome"
    NO_CANCEL_CLAIM = "no_cancel_claim"
    NO_CREDENTIALS = "no_credentials"


class SellerPoint(StrEnum):
    """What a message to the seller is checked for."""

    ASKS_CLEARLY = "asks_clearly"
    COURTEOUS = "courteous"
    NO_CREDENTIALS_TO_SELLER = "no_credentials_to_seller"


# --- rubric/<language>.json --------------------------------------------------------------------------------


def _compiled(value: object) -> re.Pattern[str]:
    """A pattern compiled at load, so a bad one stops the app at start-up, not at a trainee's answer."""
    if not isinstance(value, str):
        raise ValueError("a pattern must be a string")
    try:
        pattern = re.compile(value, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"not a regular expression: {error}") from error
    if pattern.search("") is not None:  # it would match every text, even an empty one
        raise ValueError("a pattern must not match empty text")
    return pattern


Regex = Annotated[re.Pattern[str], PlainValidator(_compiled)]
Patterns = Annotated[tuple[Regex, ...], Field(min_length=1)]
Phrase = Annotated[str, Field(pattern=r"^[\w']+( [\w']+)*$")]  # plain words, matched whole


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MustNot(_Strict):
    promise_date: Patterns
    promise_outcome: Patterns
    cancel_claim: Patterns
    credentials: Patterns


class SellerRules(_Strict):
    min_words: int = Field(ge=1)
    asks: Patterns
    rude: Patterns


class LanguageRules(_Strict):
    """One language's rubric; every language has the same keys."""

    reply_min_words: int = Field(ge=1)
    negation_window: int = Field(ge=1, le=10)  # words before a match that a negation may sit in
    negations: tuple[Phrase, ...] = Field(min_length=1)
    action: dict[Path, Patterns]
    money: dict[RefundAnswer, Patterns]
    must_not: MustNot
    seller: SellerRules

    @model_validator(mode="after")
    def _complete(self) -> Self:
        for name, keys, members in (("action", self.action, list(Path)), ("money", self.money, list(RefundAnswer))):
            missing = [member.value for member in members if member not in keys]
            if missing:
                raise ValueError(f"{name} lacks {missing}")
        too_long = [phrase for phrase in self.negations if len(phrase.split()) > self.negation_window]
        if too_long:
            raise ValueError(f"negations longer than the window of {self.negation_window} words: {too_long}")
        return self

    def negation(self) -> re.Pattern[str]:
        """Any negation as a whole word or phrase, longest first ("do not" before "no")."""
        phrases = sorted(self.negations, key=len, reverse=True)
        return re.compile(r"(?<![\w'])(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w'])", re.IGNORECASE)


RULES: dict[str, LanguageRules] = {code: validated(f"rubric/{code}.json", LanguageRules) for code in languages()}
NEGATION: dict[str, re.Pattern[str]] = {language: rules.negation() for language, rules in RULES.items()}

# --- matching --------------------------------------------------------------------------------------

WORD = re.compile(r"[\w']+")
CLAUSE_END = re.compile(r"[.!?;:,()\[\]\u2013\u2014]|\s-\s")  # a negation does not reach across these
LOOKBACK = 400  # characters before a match searched for its clause: far more than a few words take
_QUOTES = str.maketrans(dict.fromkeys("‘’‚‛′`´", "'") | dict.fromkeys("“”„‟″", '"'))


class Finding(BaseModel):
    """One point of the rubric for one text: met or not, and the words of the text that decided it."""

    model_config = ConfigDict(frozen=True)

    point: str  # a ReplyPoint or SellerPoint value
    ok: bool
    matched: list[str]  # as they appear in the normalised text; [] when nothing matched


def normalise(text: str) -> str:
    """NFKC, casefolded, straight quotes, no invisible format characters, single spaces: what is matched."""
    folded = unicodedata.normalize("NFKC", text.translate(_QUOTES)).casefold()  # before NFKC splits "´" up
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")  # a zero-width space hides nothing
    return " ".join(visible.split())


def _negated(text: str, start: int, rules: LanguageRules, negation: re.Pattern[str]) -> bool:
    clause = CLAUSE_END.split(text[max(start - LOOKBACK, 0) : start])[-1]
    window = WORD.findall(clause)[-rules.negation_window :]
    return negation.search(" ".join(window)) is not None


def _hits(patterns: tuple[re.Pattern[str], ...], text: str, language: str) -> list[str]:
    """The words of every match no negation cancels, in the order of the text; overlapping matches of
    several patterns are shown as the one stretch of text they cover, and each wording once."""
    rules, negation = RULES[language], NEGATION[language]
    spans = sorted(
        match.span()
        for pattern in patterns
        for match in pattern.finditer(text)
        if not _negated(text, match.start(), rules, negation)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return list(dict.fromkeys(text[start:end] for start, end in merged))


def _must(point: StrEnum, patterns: tuple[re.Pattern[str], ...], text: str, language: str, counts: bool) -> Finding:
    """Met when the text counts and something says it; matched is what said it."""
    hits = _hits(patterns, text, language) if counts else []
    return Finding(point=point.value, ok=bool(hits), matched=hits)


def _must_not(point: StrEnum, patterns: tuple[re.Pattern[str], ...], text: str, language: str, counts: bool) -> Finding:
    """Met when the text counts and nothing breaks it; matched is what broke it, even in a short text."""
    hits = _hits(patterns, text, language)
    return Finding(point=point.value, ok=counts and not hits, matched=hits)


def check_reply(reply: str, path: Path, money: str, language: str | None = None) -> list[Finding]:
    """One finding per ReplyPoint, in its order, for a reply on a case whose answers are `path` and
    `money` (a RefundAnswer value), by the rubric of the language it is written in (default: the current
    one). An unknown language raises KeyError."""
    language = language or current()
    rules = RULES[language]
    text = normalise(reply)
    long_enough = len(WORD.findall(text)) >= rules.reply_min_words
    never = rules.must_not
    return [
        _must(ReplyPoint.NAMES_ACTION, rules.action[Path(path)], text, language, bool(text)),
        _must(ReplyPoint.NAMES_MONEY, rules.money[RefundAnswer(money)], text, language, bool(text)),
        _must_not(ReplyPoint.NO_PROMISE_DATE, never.promise_date, text, language, long_enough),
        _must_not(ReplyPoint.NO_PROMISE_OUTCOME, never.promise_outcome, text, language, long_enough),
        _must_not(ReplyPoint.NO_CANCEL_CLAIM, never.cancel_claim, text, language, long_enough),
        _must_not(ReplyPoint.NO_CREDENTIALS, never.credentials, text, language, long_enough),
    ]


def check_seller_message(message: str, language: str | None = None) -> list[Finding]:
    """One finding per SellerPoint, in its order. A message shorter than the seller's `min_words` earns none."""
    language = language or current()
    rules = RULES[language]
    text = normalise(message)
    long_enough = len(WORD.findall(text)) >= rules.seller.min_words
    return [
        _must(SellerPoint.ASKS_CLEARLY, rules.seller.asks, text, language, long_enough),
        _must_not(SellerPoint.COURTEOUS, rules.seller.rude, text, language, long_enough),
        _must_not(SellerPoint.NO_CREDENTIALS_TO_SELLER, rules.must_not.credentials, text, language, long_enough),
    ]


def broken(finding: Finding) -> bool:
    """A must-not point the text really broke, not one merely unearned (empty or short text)."""
    return not finding.ok and bool(finding.matched)
