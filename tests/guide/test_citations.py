"""Every DOMAIN.md citation training shows resolves to a rule of content/cited_rules.json, and each rule there
is cited, titled and stated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guide.citations import PREFIX, all_cited, cited
from guide.content import text, training_rules
from guide.training import scenarios

CONTENT = Path(__file__).resolve().parents[2] / "guide" / "content"
TRAINING_FILES = [CONTENT / "training.json", *sorted((CONTENT / "scenarios").glob("*.json"))]


def strings(value: Any) -> list[str]:
    """Every string inside a parsed JSON value, keys aside."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def citations() -> set[str]:
    """Every DOMAIN.md citation in the training files, whichever field holds it (new rubrics included)."""
    found = set()
    for path in TRAINING_FILES:
        found |= {s for s in strings(json.loads(path.read_text("utf-8"))) if s.startswith(PREFIX)}
    return found


def test_the_scan_finds_every_citation_the_loaders_read():
    loaded = {key.rule for scenario in scenarios().values() for key in scenario.answers.values()}
    loaded |= set(training_rules().check_rules.values())
    loaded |= {error.rule for error in training_rules().scoring.critical.values()}
    assert loaded <= citations()
    assert len(citations()) > 30


@pytest.mark.parametrize("citation", sorted(citations()))
def test_every_citation_resolves(citation: str):
    assert cited(citation)


def test_every_rule_is_cited():
    used = {rule.id for citation in citations() for rule in cited(citation)}
    assert [rule.id for rule in all_cited() if rule.id not in used] == [], "dead entries in cited_rules.json"


def test_every_rule_has_a_title_and_a_text_and_a_unique_anchor():
    rules = all_cited()
    for rule in rules:
        assert text("cited_rule_title", rule.key) and text("cited_rule_text", rule.key)
    assert len({rule.id for rule in rules}) == len(rules)
    keys = {rule.key for rule in rules}
    assert set(text_section("cited_rule_title")) == keys == set(text_section("cited_rule_text")), "no orphan texts"


def text_section(section: str) -> dict[str, str]:
    return dict(json.loads((CONTENT / "text" / "en.cited_rules.json").read_text("utf-8"))[section])


def test_a_citation_drops_its_detail_and_names_each_rule_it_joins():
    two = cited("DOMAIN.md: Cancellation rules by status / Awaiting shipment (ship = refused); Cancellation reasons")
    assert [rule.id for rule in two] == ["rules-cancel-awaiting-shipment", "rules-cancellation-reasons"]
    (section,) = cited("DOMAIN.md: Cancellation rules by status")
    assert section.item is None and section.id == "rules-cancelling"
    (slashed,) = cited("DOMAIN.md: Buyer-facing statuses / Fund processing / refund in progress")
    assert slashed.item == "Fund processing / refund in progress"


@pytest.mark.parametrize(
    "citation",
    [
        "DOMAIN.md: Cancellation rules by status / Awaiting teleportation",
        "DOMAIN.md: Cancellation rules by status / Awaiting shipment; Made-up section",
        "Cancellation rules by status / Awaiting shipment",
        "DOMAIN.md: ",
    ],
)
def test_a_made_up_citation_raises_naming_it(citation: str):
    with pytest.raises(KeyError) as raised:
        cited(citation)
    assert repr(citation) in raised.value.args[0]
