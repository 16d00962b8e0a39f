"""Content: the words and data the app shows, loaded from the JSON files in this folder.

Code never spells out a label a person reads; it asks `text(section, key)`.
"""

from __future__ import annotations

import json
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guide.content.schema import AssessmentRules, LifecycleDiagram, Messages, TextFile, TrainingRules, UiSettings

LANGUAGE = "en"
ModelT = TypeVar("ModelT", bound=BaseModel)


class ContentError(ValueError):
    """A content file that does not fit its schema; the message names the file and each bad key."""


@cache
def load(name: str) -> Any:
    """One JSON file of this folder, parsed (cached: content does not change while running)."""
    return json.loads(resources.files(__name__).joinpath(name).read_text("utf-8"))


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


@cache
def _texts(language: str) -> dict[str, dict[str, str]]:
    """Every text file of a language (text/en.json, text/en.ui.json, ...) as one set of sections."""
    folder = resources.files(__name__).joinpath("text")
    names = sorted(e.name for e in folder.iterdir() if e.name.split(".")[0] == language and e.name.endswith(".json"))
    merged: dict[str, dict[str, str]] = {}
    for name in names:
        for section, entries in validated(f"text/{name}", TextFile).root.items():
            if section in merged:
                raise ValueError(f"section {section!r} is in two text files")
            merged[section] = entries
    return merged


def load_folder(folder: str, model: type[ModelT]) -> dict[str, ModelT]:
    """Every JSON file of a content folder validated as `model`, by its `id`, in file-name order."""
    found: dict[str, ModelT] = {}
    for entry in sorted(resources.files(__name__).joinpath(folder).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            item = validated(f"{folder}/{entry.name}", model, json.loads(entry.read_text("utf-8")))
            key = item.model_dump(include={"id"}).get("id")
            if not isinstance(key, str):
                raise ValueError(f"{folder}/{entry.name} has no text id")
            if key in found:
                raise ValueError(f"two files in {folder}/ use the id {key!r}")
            found[key] = item
    return found


def text(section: str, key: str | Enum, language: str = LANGUAGE, **values: Any) -> str:
    """The label or sentence `key` of `section`, with `{placeholders}` filled from `values`."""
    name = key.value if isinstance(key, Enum) else key
    template = _texts(language)[section][name]
    return template.format(**values) if values else template


class CancelReason(BaseModel):
    """One reason in the Cancel order pop-up (DOMAIN.md: cancellation reasons)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z_]+$")
    label: str
    blames_seller: bool
    note: str
    source: str


@cache
def cancel_reasons() -> dict[str, CancelReason]:
    """The reasons the pop-up lists, by id, in display order."""
    reasons = [CancelReason.model_validate(raw) for raw in load("cancel_reasons.json")]
    return {reason.id: reason for reason in reasons}


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
def messages() -> Messages:
    """messages.json: the buyer's message templates and the simulated seller's replies."""
    return validated("messages.json", Messages)


@cache
def diagram_edges() -> tuple[tuple[str, str, str], ...]:
    """lifecycle_diagram.json: the arrows the lifecycle diagram draws, as (from status, event kind, to status)."""
    return validated("lifecycle_diagram.json", LifecycleDiagram).edges


def seller_reply(template: str | None, status: str | Enum, delivered: bool = False) -> str:
    """What the simulated seller answers to a message sent with `template`, given the order's status now."""
    return messages().reply(template, status.value if isinstance(status, Enum) else status, delivered)


def check() -> None:
    """Load and validate every schema'd content file now, so a typo stops the app at start-up, not at a click."""
    _texts(LANGUAGE)
    for accessor in (assessment_rules, training_rules, ui_settings, messages, diagram_edges, cancel_reasons):
        accessor()


check()
