"""Order JSON v1 as pydantic models, plus the enums the rest of the domain speaks in.

- `enums`: Status, CloseReason, PaymentMethod, Path, Verdict, Actor, EventKind.
- `fields`: the value types (times, ids, money, ISO codes, text), Seller and Item.
- `order`: Order and the rules that keep its timestamps consistent with its status.
- `event`: one entry of an order's log.
"""

from guide.models.enums import MESSAGE_KINDS, Actor, CloseReason, EventKind, Path, PaymentMethod, Status, Verdict
from guide.models.event import Event
from guide.models.fields import Item, Seller, iso_codes
from guide.models.order import TIME_CHAIN, TIMESTAMPS, Order, field_errors, known

__all__ = [
    "MESSAGE_KINDS",
    "TIMESTAMPS",
    "TIME_CHAIN",
    "Actor",
    "CloseReason",
    "Event",
    "EventKind",
    "Item",
    "Order",
    "Path",
    "PaymentMethod",
    "Seller",
    "Status",
    "Verdict",
    "field_errors",
    "iso_codes",
    "known",
]
