"""Domain benchmarks (issue 2): assess(), search across database sizes, sandbox creation.

    .venv/bin/python -m bench.domain            # full: 10 vs 10,000 sandboxes (about 400,000 orders)
    .venv/bin/python -m bench.domain --quick    # 10 vs 1,000 sandboxes, fewer repeats

Figures are medians over many runs, measured in this process on this machine; the search figure is
also given as a ratio against the small database measured in the same run. The large database is
built once under bench/.data/ and reused while the schema and demo recipes stay the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bench.common import DATA, Figure, p95, timed
from guide.content import load
from guide.policy import assess, default_profile
from guide.store import Sandbox, Store, _event_row, events, orders, sandboxes

CLOCK = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TEMPLATES = 40  # distinct seeded demo sets, copied across the big database


def _fingerprint() -> str:
    """Changes when the schema or the demo data change, so a stale database is rebuilt."""
    parts = [str(sorted(t.name for t in (sandboxes, orders, events)))]
    parts += [json.dumps(load(name), sort_keys=True) for name in ("demo_orders.json", "demo_catalogue.json")]
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:12]


def filled_store(count: int) -> tuple[Store, list[str]]:
    """A SQLite store holding `count` sandboxes of demo orders (built once, then reused)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"search-{count}-{_fingerprint()}.sqlite3"
    ready = path.with_suffix(".ready")
    store = Store(f"sqlite:///{path}")
    if not ready.exists():
        path.unlink(missing_ok=True)
        store.dispose()
        store = Store(f"sqlite:///{path}")
        _fill(store, count)
        ready.write_text(str(count))
    with store.engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sandboxes.select().with_only_columns(sandboxes.c.id))]
    return store, ids


def _fill(store: Store, count: int) -> None:
    """Copy TEMPLATES seeded demo sets under `count` sandbox ids, in large transactions."""
    from guide.demo import demo_orders

    profile = default_profile()
    templates = [demo_orders(seed, CLOCK, profile) for seed in range(TEMPLATES)]
    started = time.perf_counter()
    batch = 500
    for offset in range(0, count, batch):
        sandbox_rows, order_rows, event_rows = [], [], []
        for index in range(offset, min(offset + batch, count)):
            sandbox = Sandbox(f"bench{index:017d}xxxxx", index, CLOCK, profile.id, CLOCK)
            sandbox_rows.append({**sandbox.__dict__, "version": 0})
            for state in templates[index % TEMPLATES]:
                order_rows.append(store._order_row(sandbox, state, profile))
                event_rows.extend(_event_row(sandbox.id, state.order.id, e) for e in state.events)
        with store.engine.begin() as conn:
            conn.execute(insert(sandboxes), sandbox_rows)
            conn.execute(insert(orders), order_rows)
            conn.execute(insert(events), event_rows)
    print(f"  filled {count:,} sandboxes in {time.perf_counter() - started:.1f} s")


def search_figures(store: Store, ids: list[str], repeat: int) -> list[float]:
    """Median-friendly samples of searches by order id, item title and seller in random sandboxes."""
    rng = random.Random(7)
    picked = [rng.choice(ids) for _ in range(20)]
    queries = []
    for sandbox_id in picked:
        order = rng.choice(store.list_orders(sandbox_id))
        queries += [
            (sandbox_id, order.id[-5:]),
            (sandbox_id, order.items[0].title.split()[0]),
            (sandbox_id, order.seller.name[:8]),
        ]
    cycle = iter(queries * (repeat // len(queries) + 2))

    def one() -> None:
        sandbox_id, query = next(cycle)
        store.search_orders(sandbox_id, query)

    return timed(one, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 vs 1,000 sandboxes and fewer repeats")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args()
    large = 1_000 if args.quick else 10_000
    repeat = 100 if args.quick else 400
    figures: list[Figure] = []

    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    profile = default_profile()
    small_store, small_ids = filled_store(10)
    order = next(o for o in small_store.list_orders(small_ids[0]) if o.status.value == "awaiting_shipment")
    assess_ms = timed(lambda: assess(order, CLOCK, profile, samples=10_000), repeat)
    figures.append(
        Figure(
            "assess() with 10,000 futures, median",
            statistics.median(assess_ms),
            "ms",
            "<= 20 ms",
            statistics.median(assess_ms) <= 20,
        )
    )

    small = search_figures(small_store, small_ids, repeat)
    big_store, big_ids = filled_store(large)
    big = search_figures(big_store, big_ids, repeat)
    small_median, big_median = statistics.median(small), statistics.median(big)
    figures.append(Figure("search, 10 sandboxes, median", small_median, "ms", "baseline", True))
    figures.append(Figure(f"search, {large:,} sandboxes, median", big_median, "ms", "<= 5 ms", big_median <= 5))
    figures.append(Figure(f"search, {large:,} sandboxes, p95", p95(big), "ms", "(reported)", True))
    ratio = big_median / small_median
    figures.append(Figure(f"search ratio {large:,} / 10 sandboxes", ratio, "x", "<= 1.5", ratio <= 1.5))

    create_store = Store(f"sqlite:///{DATA / 'create.sqlite3'}")
    create_ms = timed(lambda: create_store.create_sandbox(clock=CLOCK), max(repeat // 4, 25))
    figures.append(
        Figure(
            "create a sandbox, median",
            statistics.median(create_ms),
            "ms",
            "<= 50 ms",
            statistics.median(create_ms) <= 50,
        )
    )
    create_store.dispose()
    (DATA / "create.sqlite3").unlink(missing_ok=True)

    print("\n| figure | value | target | |\n|---|---|---|---|")
    for f in figures:
        print(f"| {f.name} | {f.value:.2f} {f.unit} | {f.target} | {'pass' if f.passed else 'FAIL'} |")
    if args.json:
        args.json.write_text(json.dumps([f.__dict__ for f in figures], indent=2))
    raise SystemExit(0 if all(f.passed for f in figures) else 1)


if __name__ == "__main__":
    main()
