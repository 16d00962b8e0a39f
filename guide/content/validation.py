"""Validation errors in people's words: a pydantic error (its type and context) as a sentence from content.

guide/models.py raises errors with a stable type (pydantic's own, or ours such as "currency") and context
values; the sentences live in the "validation" text section, so they can be translated like any other text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guide.content import text, texts

SECTION = "validation"
CONSISTENCY = "order_consistency"  # one order's fields disagree; context "code" names which rule
FALLBACK = "other"  # a pydantic error type the section does not list


def template(code: str, language: str | None = None) -> str:
    """The unfilled sentence for `code`: pydantic fills its `{placeholders}` from the error's context."""
    return text(SECTION, code, language)


def sentence(error_type: str, context: Mapping[str, Any] | None = None, language: str | None = None) -> str:
    """The person-facing sentence for one error; the generic one when the type is not listed or its
    context lacks a value the sentence needs."""
    values = dict(context or {})
    if error_type == CONSISTENCY:
        problem = _filled(str(values.get("code", FALLBACK)), values, language)
        return text(SECTION, CONSISTENCY, language, field=values.get("field", ""), problem=problem)
    return _filled(error_type, values, language)


def _filled(code: str, values: dict[str, Any], language: str | None) -> str:
    sentences = texts(SECTION, language)
    limit = next((v for v in values.values() if isinstance(v, int) and not isinstance(v, bool)), None)
    key = f"{code}_one" if limit == 1 and f"{code}_one" in sentences else code  # "1 item", "4 items"
    if key not in sentences:
        return sentences[FALLBACK]
    try:
        return sentences[key].format(**values)
    except (KeyError, IndexError, ValueError):
        return sentences[FALLBACK]
