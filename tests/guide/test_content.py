"""Content has a schema: each file loads into its model, every text the code asks for exists, every section
keyed by an enum covers it, the lifecycle diagram draws only transitions the lifecycle makes, and
validation errors read as content's sentences."""

from __future__ import annotations

import ast
import string
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import guide.content as content
from guide.content import (
    ContentError,
    assessment_rules,
    diagram_edges,
    messages,
    text,
    training_rules,
    ui_settings,
    validated,
)
from guide.content.formats import day, money, stamp, when
from guide.content.language import reference, speaking
from guide.content.schema import TextFile, UiSettings
from guide.content.validation import sentence
from guide.lifecycle import ALLOWED_FROM, DomainError, events_from_snapshot, fire, replay
from guide.models import (
    Actor,
    CloseReason,
    Event,
    EventKind,
    Order,
    PaymentMethod,
    Status,
    Verdict,
    field_errors,
)
from guide.models import (
    Path as NextStep,
)
from guide.profile import PolicyProfile
from guide.scoring import Check, Critical
from guide.training import Difficulty, Question, RefundAnswer
from guide.ui.actions import BUTTONS
from tests.guide.factories import T0, item, order_json, seller

ROOT = Path(__file__).resolve().parents[2]
TEXTS = content._texts(reference())


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


# --- the schema: a typo fails at load, naming the file and the key ------------------------------------


def test_every_file_loads_into_its_model():
    assert assessment_rules().verdict_floor.certain > 0
    assert training_rules().certificate.pass_mark > 0
    assert ui_settings().decimals("JPY") == 0 and ui_settings().decimals("EUR") == 2
    assert {t.id for t in messages().buyer_templates} <= set(messages().seller_replies)
    assert diagram_edges()
    content.check()


def test_a_misspelt_key_names_the_file_and_the_key(monkeypatch: pytest.MonkeyPatch):
    raw = dict(content.load("ui.json"))
    raw["status_colur"] = raw.pop("status_colour")
    monkeypatch.setattr(content, "load", lambda name: raw)
    with pytest.raises(ContentError) as caught:
        validated("ui.json", UiSettings)
    message = str(caught.value)
    assert message.startswith("guide/content/ui.json: ")
    assert "status_colur" in message and "status_colour" in message


def test_a_wrong_value_names_its_key(monkeypatch: pytest.MonkeyPatch):
    raw = dict(content.load("ui.json"))
    raw["verdict_colour"] = {**raw["verdict_colour"], "likely": "greenish"}
    monkeypatch.setattr(content, "load", lambda name: raw)
    with pytest.raises(ContentError, match=r"ui\.json: verdict_colour\.likely: "):
        validated("ui.json", UiSettings)


@pytest.mark.parametrize("bad", ["Until {when", "Until {}", "Until {0}", "Until when}"])
def test_a_broken_placeholder_fails_at_load(monkeypatch: pytest.MonkeyPatch, bad: str):
    monkeypatch.setattr(content, "load", lambda name: {"app": {"simulated_time": bad}})
    with pytest.raises(ContentError, match=r"text/en\.ui\.json: app\.simulated_time: "):
        validated("text/en.ui.json", TextFile)


def test_text_sections_are_dicts_of_strings():
    for section, entries in TEXTS.items():
        assert isinstance(entries, dict), section
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in entries.items()), section


def test_every_placeholder_is_well_formed():
    for section, entries in TEXTS.items():
        for key, template in entries.items():
            for _, name, spec, conversion in string.Formatter().parse(template):
                if name is None:
                    continue
                assert name.isidentifier(), (section, key, name)
                assert conversion is None, (section, key, name)
                if spec:
                    format(1.5, spec)  # a spec that formats a number (e.g. {hours:g}); raises if malformed


# --- every literal text("section", "key") the code asks for exists --------------------------------------


def text_calls() -> list[tuple[str, int, str, str | None, set[str] | None]]:
    """(file, line, section, key or None, keyword names or None when **values are passed) of every
    `text("section", ...)` call in guide/ and pages/ whose section is a literal."""
    found = []
    for path in sorted([*(ROOT / "guide").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "text"):
                continue
            args = node.args
            if not args or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
                continue
            second = args[1] if len(args) > 1 else None
            key = second.value if isinstance(second, ast.Constant) and isinstance(second.value, str) else None
            names = None if any(k.arg is None for k in node.keywords) else {str(k.arg) for k in node.keywords}
            found.append((str(path.relative_to(ROOT)), node.lineno, args[0].value, key, names))
    return found


def test_the_scan_finds_the_calls():
    calls = text_calls()
    assert len(calls) > 200
    assert any(c[2:4] == ("app", "simulated_time") for c in calls)


def test_every_literal_text_key_exists():
    missing = [
        f"{file}:{line}: text({section!r}, {key!r})"
        for file, line, section, key, _ in text_calls()
        if section not in TEXTS or (key is not None and key not in TEXTS[section])
    ]
    assert not missing, "\n".join(missing)


def test_every_literal_text_call_fills_its_placeholders():
    """A call that passes values passes every value its sentence needs (a call with none gets the template)."""
    unfilled = [
        f"{file}:{line}: text({section!r}, {key!r}) lacks {sorted(placeholders(TEXTS[section][key]) - names)}"
        for file, line, section, key, names in text_calls()
        if key is not None and names and not placeholders(TEXTS[section][key]) <= names
    ]
    assert not unfilled, "\n".join(unfilled)


# --- sections keyed by an enum cover every member ---------------------------------------------------------

ENUM_SECTIONS: dict[str, type[StrEnum] | tuple[str, ...]] = {
    "status": Status,
    "status_meaning": Status,
    "path": NextStep,
    "next_action": NextStep,
    "verdict": Verdict,
    "event": EventKind,
    "actor": Actor,
    "close_reason": CloseReason,
    "payment_method": PaymentMethod,
    "action": tuple(a.value for a in BUTTONS),
    "action_help": tuple(a.value for a in BUTTONS),
    "question": Question,
    "check": Check,
    "critical": Critical,
    "critical_feedback": Critical,
    "difficulty": Difficulty,
    "refund_answer": RefundAnswer,
    "tabs": tuple(tab.id for tab in ui_settings().tabs),
}


def members(keys: type[StrEnum] | tuple[str, ...]) -> set[str]:
    return set(keys) if isinstance(keys, tuple) else {member.value for member in keys}


@pytest.mark.parametrize("section", ENUM_SECTIONS)
def test_enum_sections_cover_every_member(section: str):
    missing = members(ENUM_SECTIONS[section]) - set(TEXTS[section])
    assert not missing, f"text section {section!r} lacks {sorted(missing)}"


def test_data_keyed_by_status_and_verdict_covers_them():
    statuses, verdicts = members(Status), members(Verdict)
    assert set(ui_settings().status_colour) == statuses
    assert set(ui_settings().verdict_colour) == verdicts
    assert set(messages().status_group) == statuses
    assert {s for tab in ui_settings().tabs for s in tab.statuses} == statuses
    assert set(assessment_rules().verdict_floor.model_dump()) == verdicts - {Verdict.IMPOSSIBLE.value}
    assert set(training_rules().check_rules) == members(Check)


# --- the lifecycle diagram (lifecycle_diagram.json's promise) --------------------------------------------

# The data the events of a kind carry; shipping and a closed dispute go one of two ways.
VARIANTS: list[dict[str, Any]] = [
    {"partial": partial, "refund": refund, "by": "seller", "amount": "1.00", "reason": "no_longer_needed"}
    for partial in (False, True)
    for refund in (False, True)
]


def targets(source: Status, kind: EventKind) -> set[Status]:
    """Where an event of `kind` takes a typical order in `source`, as the lifecycle's replay applies it."""
    state = replay(events_from_snapshot(Order.model_validate(order_json(source.value))))
    assert state.order.status is source
    reached = set()
    for data in VARIANTS:
        ship_by = (state.now + timedelta(days=7)).isoformat()
        event = Event(seq=len(state.events), at=state.now + timedelta(hours=1), kind=kind, actor=Actor.PLATFORM,
                      data={**data, "ship_by": ship_by})  # fmt: skip
        try:
            reached.add(fire(state, event).order.status)
        except (DomainError, ValidationError):
            continue
    return reached


def diagram_problems(edges: tuple[tuple[str, str, str], ...]) -> list[str]:
    problems = []
    for source, kind, target in edges:
        edge = f"{source} --{kind}--> {target}"
        if kind not in members(EventKind) or source not in members(Status) or target not in members(Status):
            problems.append(f"{edge}: not a status or an event kind")
        elif Status(source) not in ALLOWED_FROM[EventKind(kind)]:
            problems.append(f"{edge}: ALLOWED_FROM[{kind}] does not include {source}")
        elif Status(target) not in targets(Status(source), EventKind(kind)):
            problems.append(f"{edge}: the lifecycle goes to {sorted(targets(Status(source), EventKind(kind)))}")
    return problems


def test_every_diagram_edge_is_a_transition_the_lifecycle_makes():
    assert not diagram_problems(diagram_edges()), "\n".join(diagram_problems(diagram_edges()))


def test_the_diagram_shows_every_status():
    assert {s for edge in diagram_edges() for s in (edge[0], edge[2])} == members(Status)


@pytest.mark.parametrize(
    "wrong",
    [
        ("awaiting_payment", "paid", "closed"),  # a real event, the wrong target
        ("awaiting_delivery", "cancelled", "closed"),  # not allowed from there
        ("awaiting_shipment", "teleported", "completed"),  # no such event
    ],
)
def test_the_diagram_check_fails_on_a_wrong_edge(wrong: tuple[str, str, str]):
    assert diagram_problems((*diagram_edges(), wrong))


# --- validation errors in content's words ----------------------------------------------------------------


def model_codes() -> set[str]:
    """Every literal error code guide/models/ raises (`_problem("code")`, `_field_error(field, "code", ...)`)."""
    trees = [ast.parse(path.read_text("utf-8")) for path in sorted((ROOT / "guide" / "models").glob("*.py"))]
    codes = set()
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            position = {"_problem": 0, "_field_error": 1}.get(node.func.id)
            code = node.args[position] if position is not None and len(node.args) > position else None
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                codes.add(code.value)
    return codes


def test_every_error_code_of_the_models_has_a_sentence():
    codes = model_codes()
    assert len(codes) > 20
    assert not codes - set(TEXTS["validation"])


def test_a_consistency_error_reads_field_then_problem():
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(order_json("awaiting_payment", verified_at=T0.isoformat()))
    expected = ("verified_at", "verified_at: must be empty while the status is awaiting_payment")
    assert field_errors(caught.value) == [expected]


def test_an_unlisted_error_type_gets_the_generic_sentence():
    assert sentence("url_too_long", {"max_length": 3}) == text("validation", "other")
    assert sentence("greater_than_equal", {}) == text("validation", "other")  # a context value missing


def test_pydantic_limits_read_in_the_singular_and_the_plural():
    one, many = {"min_length": 1, "actual_length": 0}, {"max_length": 200, "actual_length": 201}
    assert sentence("too_short", one) == "List should have at least 1 item after validation, not 0"
    assert sentence("too_long", many) == "List should have at most 200 items after validation, not 201"
    assert sentence("less_than_equal", {"le": 1.0}) == "Input should be less than or equal to 1"


BAD_FIELDS: list[dict[str, Any]] = [
    {"id": 123}, {"id": "x"}, {"status": "cancelled"}, {"placed_at": "yesterday"}, {"placed_at": 1764489600},
    {"placed_at": "2025-01-01T00:00:00"}, {"seller": "shop"}, {"seller": seller(response_rate=1.5)},
    {"seller": seller(name="")}, {"items": []}, {"items": "lamp"}, {"items": [item(quantity=0)]},
    {"items": [item(quantity=1.5)]}, {"items": [item(quantity="many")]}, {"items": [item(unit_price="cheap")]},
    {"items": [item(unit_price="NaN")]}, {"items": [item(unit_price="1.23456")]}, {"items": [item(title="x" * 501)]},
    {"items": [item(made_to_order="maybe")]}, {"currency": "XYZ"}, {"country": "de"}, {"payment_method": "bitcoin"},
    {"items": [item(quantity="9" * 5000)]}, {"seller": seller(name="Shop\x00")},
]  # fmt: skip


VALIDATION_PLACEHOLDERS = {name for template in TEXTS["validation"].values() for name in placeholders(template)}


@pytest.mark.parametrize("bad", BAD_FIELDS, ids=lambda bad: next(iter(bad)))
def test_common_import_mistakes_get_a_specific_sentence(bad: dict[str, Any]):
    with pytest.raises(ValidationError) as caught:
        Order.model_validate({**order_json(), **bad})
    for field, message in field_errors(caught.value):
        assert message != text("validation", "other"), (field, caught.value.errors())
        assert not any(f"{{{name}}}" in message for name in VALIDATION_PLACEHOLDERS), message


# --- one date, time and money formatter -----------------------------------------------------------------


def test_the_formats_come_from_content():
    assert when(T0) == "3 Mar 2025, 09:00 UTC"
    assert day(T0) == "3 Mar 2025"
    assert stamp(T0) == "2025-03-03 09:00"


def test_money_has_the_currencys_decimals():
    assert money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert money(Decimal("1234.4"), "JPY") == "JP¥1,234"
    assert money(Decimal("2.5"), "KWD") == "KWD2.500"


@pytest.mark.parametrize(
    ("language", "written", "wanted"),
    [
        ("es", lambda: when(datetime(2026, 12, 1, 20, 21, tzinfo=UTC)), "1 dic 2026, 20:21 UTC"),
        ("pt-BR", lambda: money(Decimal("1234.56"), "BRL"), "R$\xa01.234,56"),
        ("fr", lambda: money(Decimal("30.99"), "AUD"), "30,99\xa0$AU"),  # CLDR writes the AUD "$AU" in French
        ("ru", lambda: money(Decimal("1234.56"), "RUB"), "1\xa0234,56\xa0₽"),
        ("ru", lambda: money(Decimal("1234"), "JPY"), "1\xa0234\xa0¥"),
    ],
)
def test_dates_and_money_follow_the_language(language: str, written: Any, wanted: str):
    with speaking(language):
        assert written() == wanted


def test_a_bad_profile_file_is_named():
    """Folders of content (profiles, scenarios) name the file too."""
    with pytest.raises(ContentError, match=r"^guide/content/profiles/x\.json: id: "):
        validated("profiles/x.json", PolicyProfile, {"id": 7})
