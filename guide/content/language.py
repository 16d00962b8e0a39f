"""Which language the words are in: the offered languages (languages.json), the choice rule, and the current one.

The current language is asked for, not passed through every call: the UI registers where to read it
(the visitor's session), a caller may set it for a block (`speaking("es")`), and English is the fallback
of code run outside a visit (a script, a test of the domain).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field


class Language(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    locale: str = Field(pattern=r"^[a-z]{2}_[A-Z]{2}$")
    name: str = Field(min_length=1)


@cache
def languages() -> dict[str, Language]:
    """The offered languages by code, the reference (default) first."""
    raw = json.loads(resources.files("guide.content").joinpath("languages.json").read_text("utf-8"))
    return {entry.code: entry for entry in (Language.model_validate(item) for item in raw["languages"])}


def reference() -> str:
    """The language every other one is checked against, and the fallback: the first listed."""
    return next(iter(languages()))


def supported(tag: str | None) -> str | None:
    """The offered language a tag names ("es", "pt-br", "ru_RU", "fr-CA"), or None.

    An exact code wins; otherwise the first offered language with the same primary subtag
    (so "pt-PT" reads Brazilian Portuguese rather than English)."""
    if not tag:
        return None
    wanted = tag.strip().replace("_", "-").lower()
    by_lower = {code.lower(): code for code in languages()}
    if wanted in by_lower:
        return by_lower[wanted]
    primary = wanted.split("-")[0]
    return next((code for code in languages() if code.split("-")[0].lower() == primary), None)


def choose(*wanted: str | None) -> str:
    """The first offered language among `wanted` (a visit's: the link's ?lang=, the session's choice, the
    browser's), else the reference."""
    return next((code for code in map(supported, wanted) if code), reference())


_chosen: ContextVar[str | None] = ContextVar("language", default=None)
_source: list[Callable[[], str | None]] = []


def read_from(source: Callable[[], str | None]) -> None:
    """Where the current language comes from when no block set one (the UI: the visitor's session)."""
    _source[:] = [source]


def current() -> str:
    """The language words are shown in now."""
    chosen = _chosen.get() or (_source[0]() if _source else None)
    return chosen if chosen in languages() else reference()


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Words in `code` for the length of a block (an export in the trainer's language, a test)."""
    if code not in languages():
        raise KeyError(f"not an offered language: {code!r}")
    token = _chosen.set(code)
    try:
        yield
    finally:
        _chosen.reset(token)
