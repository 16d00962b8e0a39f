"""Placeholder until the trainer's exports tab is built (issue 13)."""

from __future__ import annotations


def export_panel(class_id: str | None) -> None:
    del class_id
