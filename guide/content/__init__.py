"""Content: the words and data the app shows, loaded from the JSON files in this folder.

Code never spells out a label a person reads; it asks `text(section, key)`, in the current language
(guide.content.language). Data files keep their English; translatable.json names the fields people read,
and translations/<language>/ holds each language's words for them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from enum import Enum
from fnmatch import fnmatch
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guide.content.language import current, languages, reference
from guide.content.schema import AssessmentRules, LifecycleDiagram, Messages, TextFile, TrainingRules, UiSettings

ModelT = TypeVar("ModelT", bound=BaseModel)


class ContentError(ValueError):
    """A content file that does not fit its schema; the message names the file and each bad key."""


@cache
def load(name: str) -> Any:
    """One JSON file of this folder, parsed (cached: content does not change while running)."""
    return json.loads(resources.files(__name__).joinpath(name).read_text("utf-8"))


# --- the translatable fields of content files (translatable.json) and their translations --------------------


def _patterns(name: str) -> list[list[str]]:
    files: dict[str, list[str]] = load("translatable.json")["files"]
    return [p.split(".") for glob, paths in files.items() if fnmatch(name, glob) for p in paths]


def _named(node: Any) -> Iterator[tuple[str, Any]]:
    """A node's children by name: a dict's keys; a list's elements by their id, else their position."""
    if isinstance(node, dict):
        yield from ((str(k), v) for k, v in node.items())
    elif isinstance(node, list):
        for position, child in enumerate(node):
            named = isinstance(child, dict) and isinstance(child.get("id"), str)
            yield (child["id"] if named else str(position)), child


def _matches(path: tuple[str, ...], patterns: list[list[str]]) -> bool:
    return any(len(p) == len(path) and all(a in ("*", b) for a, b in zip(p, path, strict=True)) for p in patterns)


def _strings(node: Any, patterns: list[list[str]], path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    if isinstance(node, str) and _matches(path, patterns):
        yield ".".join(path), node
    for part, child in _named(node):
        yield from _strings(child, patterns, (*path, part))


def translatable(name: str, raw: Any = None) -> dict[str, str]:
    """The English texts of a content file (or of `raw`, read from it) that each language translates, by path."""
    return dict(_strings(load(name) if raw is None else raw, _patterns(name)))


def translation(name: str, language: str) -> dict[str, str]:
    """A language's translations of a content file's texts, by path (empty when the file has none)."""
    entry = resources.files(__name__).joinpath("translations", language, name)
    return dict(json.loads(entry.read_text("utf-8"))) if entry.is_file() else {}


def _put(node: Any, texts: dict[str, str], path: tuple[str, ...] = ()) -> Any:
    if isinstance(node, str):
        return texts.get(".".join(path), node)
    rebuilt = [(part, _put(child, texts, (*path, part))) for part, child in _named(node)]
    if isinstance(node, dict):
        return dict(rebuilt)
    return [child for _, child in rebuilt] if isinstance(node, list) else node


def localized(name: str, raw: Any = None, language: str | None = None) -> Any:
    """A content file (or `raw`, read from it) with its translatable texts in `language` (default: the current
    one); a text a translation lacks stays English, which the content tests forbid."""
    raw = load(name) if raw is None else raw
    code = language or current()
    if code == reference() or not _patterns(name):
        return raw
    return _put(copy.deepcopy(raw), {k: v for k, v in translation(name, code).items() if k in translatable(name, raw)})


def validated(name: str, model: type[ModelT], raw: Any = None) -> ModelT:
    """One JSON file of this folder (or `raw`, read from it) as `model`, or a ContentError naming the file
    and every bad key."""
    try:
        return model.model_validate(load(name) if raw is None else raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in detail['loc']) or '(whole file)'}: {detail['msg']}"
            for detail in error.errors(include_url=False)
        )
        raise ContentError(f"guide/content/{name}: {problems}") from error


# --- text files: text/<language>*.json ---------------------------------------------------------------------


@cache
def _text_files(language: str) -> dict[str, dict[str, str]]:
    """A language's own text files (text/es.json, text/es.ui.json, ...), merged, exactly as written."""
    folder = resources.files(__name__).joinpath("text")
    names = sorted(e.name for e in folder.iterdir() if e.name.split(".")[0] == language and e.name.endswith(".json"))
    merged: dict[str, dict[str, str]] = {}
    for name in names:
        for section, entries in validated(f"text/{name}", TextFile).root.items():
            if section in merged:
                raise ValueError(f"section {section!r} is in two text files")
            merged[section] = entries
    return merged


@cache
def _texts(language: str) -> dict[str, dict[str, str]]:
    """Every text of a language by section; a text the language lacks reads as the reference's (English),
    which the content tests forbid."""
    merged = {section: dict(entries) for section, entries in _text_files(reference()).items()}
    if language != reference():
        for section, entries in _text_files(language).items():
            merged.setdefault(section, {}).update(entries)
    return merged


def text(section: str, key: str | Enum, language: str | None = None, **values: Any) -> str:
    """The label or sentence `key` of `section` in `language` (default: the current one), with `{placeholders}`
    filled from `values`."""
    name = key.value if isinstance(key, Enum) else key
    template = _texts(language or current())[section][name]
    return template.format(**values) if values else template


def texts(section: str, language: str | None = None) -> dict[str, str]:
    """Every text of a section in `language` (default: the current one), by key."""
    return _texts(language or current())[section]


def load_folder(folder: str, model: type[ModelT], language: str | None = None) -> dict[str, ModelT]:
    """Every JSON file of a content folder validated as `model` in `language`, by its `id`, in file-name order."""
    found: dict[str, ModelT] = {}
    for entry in sorted(resources.files(__name__).joinpath(folder).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            name = f"{folder}/{entry.name}"
            item = validated(name, model, localized(name, json.loads(entry.read_text("utf-8")), language))
            key = item.model_dump(include={"id"}).get("id")
            if not isinstance(key, str):
                raise ValueError(f"{folder}/{entry.name} has no text id")
            if key in found:
                raise ValueError(f"two files in {folder}/ use the id {key!r}")
            found[key] = item
    return found


# --- product titles --------------------------------------------------------------------------------------

ITEM_TITLES = ("demo_catalogue.json", "scenarios")  # where the demo orders' and the cases' items come from


@cache
def _item_titles(language: str) -> dict[str, str]:
    """English product title -> its title in `language`, for every product of the demo catalogue and the cases."""
    cases = sorted(e.name for e in resources.files(__name__).joinpath(ITEM_TITLES[1]).iterdir())
    names = [ITEM_TITLES[0], *(f"{ITEM_TITLES[1]}/{name}" for name in cases)]
    found: dict[str, str] = {}
    for name in names:
        own = translation(name, language)
        found |= {
            english: own[path]
            for path, english in translatable(name).items()
            if path.endswith(".title") and path in own
        }
    return found


def item_title(title: str, language: str | None = None) -> str:
    """An item's title as the shopper reads it: a demo or case product in their language; any other title
    (an imported order's) as it was written."""
    code = language or current()
    return title if code == reference() else _item_titles(code).get(title, title)


# --- the schema'd files ------------------------------------------------------------------------------------


class CancelReason(BaseModel):
    """One reason in the Cancel order pop-up (DOMAIN.md: cancellation reasons)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z_]+$")
    label: str
    blames_seller: bool
    note: str
    source: str


@cache
def _cancel_reasons(language: str) -> dict[str, CancelReason]:
    reasons = [CancelReason.model_validate(raw) for raw in localized("cancel_reasons.json", language=language)]
    return {reason.id: reason for reason in reasons}


def cancel_reasons() -> dict[str, CancelReason]:
    """The reasons the pop-up lists, by id, in display order, in the current language."""
    return _cancel_reasons(current())


@cache
def assessment_rules() -> AssessmentRules:
    """assessment.json: the verdict floors and the DOMAIN.md rule behind each reason."""
    return validated("assessment.json", AssessmentRules)


@cache
def training_rules() -> TrainingRules:
    """training.json: the certificate's pass mark and the rule behind each training check."""
    return validated("training.json", TrainingRules)


@cache
def ui_settings() -> UiSettings:
    """ui.json: the order tabs, badge and diagram colours, and currency decimals."""
    return validated("ui.json", UiSettings)


@cache
def _messages(language: str) -> Messages:
    return validated("messages.json", Messages, localized("messages.json", language=language))


def messages() -> Messages:
    """messages.json: the buyer's message templates and the simulated seller's replies, in the current language."""
    return _messages(current())


@cache
def diagram_edges() -> tuple[tuple[str, str, str], ...]:
    """lifecycle_diagram.json: the arrows the lifecycle diagram draws, as (from status, event kind, to status)."""
    return validated("lifecycle_diagram.json", LifecycleDiagram).edges


def seller_reply(template: str | None, status: str | Enum, delivered: bool = False) -> str:
    """What the simulated seller answers to a message sent with `template`, given the order's status now."""
    return messages().reply(template, status.value if isinstance(status, Enum) else status, delivered)


def check() -> None:
    """Load and validate every schema'd content file in every language now, so a typo stops the app at
    start-up, not at a click."""
    for code in languages():
        _texts(code)
        _messages(code)
        _cancel_reasons(code)
    for accessor in (assessment_rules, training_rules, ui_settings, diagram_edges):
        accessor()


check()
