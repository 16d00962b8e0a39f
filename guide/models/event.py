"""One entry of an order's event log."""

from __future__ import annotations

from typing import Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
)

from guide.models.enums import Actor, EventKind


class Event(BaseModel):
    """One entry of an order's log. `data` holds what the kind needs (reason, text, amount...)."""

    model_config = ConfigDict(frozen=True)

    seq: int = Field(ge=0)
    at: AwareDatetime
    kind: EventKind
    actor: Actor
    data: dict[str, Any] = Field(default_factory=dict)
