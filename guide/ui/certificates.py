"""Placeholder until the trainer's certificates tab is built (issue 13)."""

from __future__ import annotations


def certificates_panel(class_id: str | None) -> None:
    del class_id
