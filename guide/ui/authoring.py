"""Placeholder until the trainer's authoring tab is built (issue 13)."""

from __future__ import annotations


def authoring_panel(class_id: str | None) -> None:
    del class_id
