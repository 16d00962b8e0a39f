"""The DOMAIN.md rules training cites (content/cited_rules.json), and which of them a citation names.

A citation reads "DOMAIN.md: Section / Item (detail)", or two such joined by "; ". The detail narrows
the rule down for the reader; it is not a rule of its own.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from guide.content import validated

PREFIX = "DOMAIN.md: "
_DETAIL = re.compile(r"\s*\([^()]*\)$")  # a trailing "(detail)"


class CitedRule(BaseModel):
    """One DOMAIN.md rule: a section (a ## heading) and an item of it, or the section as a whole."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^rules-[a-z0-9]+(-[a-z0-9]+)*$")  # its anchor on the Rules & sources page
    section: str = Field(min_length=1)
    item: str | None = Field(default=None, min_length=1)

    @property
    def key(self) -> str:
        """Its key in the text sections (text keys are snake_case, anchors are not)."""
        return self.id.replace("-", "_")

    @property
    def path(self) -> str:
        """The heading path a citation names it by."""
        return self.section if self.item is None else f"{self.section} / {self.item}"


class CitedRules(RootModel[tuple[CitedRule, ...]]):
    model_config = ConfigDict(frozen=True)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        for field in ("id", "path"):
            values = [getattr(rule, field) for rule in self.root]
            if len(set(values)) != len(values):
                raise ValueError(f"two rules share a {field}")
        return self


@cache
def _by_path() -> dict[str, CitedRule]:
    return {rule.path: rule for rule in validated("cited_rules.json", CitedRules).root}


def all_cited() -> list[CitedRule]:
    """Every cited rule, in the order DOMAIN.md has them (the page's order)."""
    return list(_by_path().values())


def cited(citation: str) -> list[CitedRule]:
    """The rules a citation names; a KeyError naming the citation when a part of it names none."""
    if not citation.startswith(PREFIX):
        raise KeyError(f"not a DOMAIN.md citation: {citation!r}")
    found = []
    for part in citation.removeprefix(PREFIX).split("; "):
        rule = _by_path().get(_DETAIL.sub("", part.strip()))
        if rule is None:
            raise KeyError(f"{citation!r}: no cited rule is {part!r} (guide/content/cited_rules.json)")
        found.append(rule)
    return found
