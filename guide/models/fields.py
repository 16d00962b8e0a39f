"""The value types of Order JSON v1 (times, ids, money, codes, text) and its seller and items."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
)
from pydantic_core import PydanticCustomError

from guide.content import validation


@cache
def iso_codes() -> dict[str, frozenset[str]]:
    """ISO 4217 currencies and ISO 3166-1 alpha-2 countries, from content data."""
    raw = json.loads(resources.files("guide.content").joinpath("iso_codes.json").read_text("utf-8"))
    return {key: frozenset(values) for key, values in raw.items()}


def _problem(error_type: str, /, **context: Any) -> PydanticCustomError:
    """An error of a stable type; its sentence is content's (guide/content/validation.py), filled from `context`."""
    return PydanticCustomError(error_type, validation.template(error_type), context)


def _known_currency(code: str) -> str:
    if code not in iso_codes()["currencies"]:
        raise _problem("currency", code=code)
    return code


def _known_country(code: str) -> str:
    if code not in iso_codes()["countries"]:
        raise _problem("country", code=code)
    return code


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise _problem("decimal_finite")
    return value


def _not_a_number(value: Any) -> Any:
    if isinstance(value, int | float):
        raise _problem("datetime_iso")
    return value


# Order JSON v1 times are ISO 8601 with an offset; pydantic would also take Unix seconds.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]
OrderId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$", description="digits only, 1-20 characters")]
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=4),
    AfterValidator(_finite),
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
]
Rate = Annotated[float, Field(ge=0, le=1)]


CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")  # exactly Unicode's category Cc


def _no_control_characters(value: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise _problem("control_characters")
    return value


Text = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_no_control_characters)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$"), AfterValidator(_known_country)]


class Seller(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    name: Text
    response_rate: Rate | None = None
    ships_anyway_rate: Rate | None = None


class Item(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    title: Text
    quantity: int = Field(ge=1, le=10_000)
    unit_price: Money
    # Optional extra: customised and pre-sale items may not be cancellable (DOMAIN.md).
    made_to_order: bool = False

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity
