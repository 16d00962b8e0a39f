"""The one fixed world every test folder starts from: one seed, one start time, one demo buyer.

The start is a Monday morning, so business-day arithmetic starts on a working day. A sandbox's demo
orders are built relative to its clock and its sellers act from its seed, so the same seed and start
tell the same story on every run (tests/guide builds orders at START; tests/pages and tests/journeys
open sandboxes made by `world_sandbox`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from guide.store import Sandbox, Store

SEED = 20250303
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
BUYER = "maria"  # a demo buyer (guide/content/demo_buyers.json): Maria Lopez


def world_sandbox(
    store: Store, signed_in: bool = True, seed: int = SEED, clock: datetime = START, profile_id: str | None = None
) -> Sandbox:
    """A sandbox of the fixed world (another seed or clock when a test needs several); BUYER signed in unless told."""
    sandbox = store.create_sandbox(seed=seed, clock=clock, profile_id=profile_id)
    if signed_in:
        store.record(sandbox.id, "signed_in", BUYER)
    return sandbox
