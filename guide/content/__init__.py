"""Content: the words and data the app shows, loaded from the JSON files in this folder.

Code never spells out a label a person reads; it asks `text(section, key)`.
"""

from __future__ import annotations

import json
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

LANGUAGE = "en"
ModelT = TypeVar("ModelT", bound=BaseModel)


@cache
def load(name: str) -> Any:
    """One JSON file of this folder, parsed (cached: content does not change while running)."""
    return json.loads(resources.files(__name__).joinpath(name).read_text("utf-8"))


@cache
def _texts(language: str) -> dict[str, dict[str, str]]:
    """Every text file of a language (text/en.json, text/en.ui.json, ...) as one set of sections."""
    folder = resources.files(__name__).joinpath("text")
    names = sorted(e.name for e in folder.iterdir() if e.name.split(".")[0] == language and e.name.endswith(".json"))
    merged: dict[str, dict[str, str]] = {}
    for name in names:
        for section, entries in load(f"text/{name}").items():
            if section in merged:
                raise ValueError(f"section {section!r} is in two text files")
            merged[section] = entries
    return merged


def load_folder(folder: str, model: type[ModelT]) -> dict[str, ModelT]:
    """Every JSON file of a content folder validated as `model`, by its `id`, in file-name order."""
    found: dict[str, ModelT] = {}
    for entry in sorted(resources.files(__name__).joinpath(folder).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            item = model.model_validate(json.loads(entry.read_text("utf-8")))
            key = item.id  # type: ignore[attr-defined]
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


def seller_reply(template: str | None, status: str | Enum) -> str:
    """What the simulated seller answers to a message sent with `template`, given the order's status now."""
    messages = load("messages.json")
    status_value = status.value if isinstance(status, Enum) else status
    replies = messages["seller_replies"].get(template or "", messages["seller_replies"]["free_text"])
    return replies[messages["status_group"][status_value]]
