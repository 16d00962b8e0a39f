"""Domain benchmark: assess(), the Monte Carlo's rate, scoring an attempt, search across database sizes, sandbox
creation.

    .venv/bin/python -m bench.domain            # search with 10, 100, 1,000 and 10,000 sandboxes
    .venv/bin/python -m bench.domain --quick    # 10 and 200 sandboxes, fewer repeats

Figures are medians over many runs, measured in this process; the search figures are also given as
ratios against the 10-sandbox database measured in the same run (the cost per query must stay flat).
The databases are built once under bench/.data/ and reused while the schema and demo recipes stay
the same (10,000 sandboxes take about 100 s to build the first time).
"""

from __future__ import annotations

import hashlib
import json
import random
import statistics
import time
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import insert

from bench.common import DATA, Figure, p95, timed
from bench.report import finish, part_arguments, print_machine
from guide.content import load
from guide.db import event_row, events, order_row, orders, sandboxes
from guide.likelihood import forecast
from guide.models import Actor, Event, EventKind
from guide.policy import assess
from guide.profile import default_profile
from guide.scoring import score
from guide.store import Sandbox, Store
from guide.training import scenarios

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
        sandbox_rows: list[dict[str, Any]] = []
        order_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        for index in range(offset, min(offset + batch, count)):
            sandbox = Sandbox(f"bench{index:017d}xxxxx", index, CLOCK, profile.id, CLOCK)
            sandbox_rows.append({**sandbox.__dict__, "version": 0})
            for state in templates[index % TEMPLATES]:
                order_rows.append(order_row(sandbox.id, sandbox.seed, state, profile))
                event_rows.extend(event_row(sandbox.id, state.order.id, e) for e in state.events)
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


# A long, careful reply (about 110 words): the rubric's patterns run over all of it.
REPLY = (
    "Hello, thank you for writing to us, and I am sorry for the trouble with this order. I have checked it: the "
    "seller has not shipped it yet, so you can still ask to cancel. Open the order in My Orders and use Request "
    "Cancellation, with the reason that you no longer need the item, so the seller is not penalised. The seller "
    "then has a few days to agree; if they agree, the money goes back to your card, which usually takes some "
    "business days, and your bank may add a few more. If the seller does not answer in time, the request may be "
    "approved on its own. Please never share your password or card details with anyone. Kind regards."
)
REASON = "no_longer_needed"
MESSAGE = "Hello, please do not ship this order: I have asked to cancel it. Thank you for your understanding."


def scoring_figures(repeat: int) -> dict[str, float]:
    """score() of a full attempt on every scenario (the key's answers, the path done, a message to the seller,
    a long reply): median ms by scenario."""
    medians = {}
    for scenario in scenarios().values():
        answers = {q: k.answer for q, k in scenario.answers.items()}
        facts = {"opened_order": scenario.order.id, "read_status": scenario.order.id}
        at = scenario.now
        done = [
            Event(seq=90, at=at, kind=EventKind.MESSAGE_SENT, actor=Actor.BUYER, data={"text": MESSAGE}),
            Event(
                seq=91, at=at, kind=EventKind.CANCEL_REQUESTED, actor=Actor.BUYER, data={"reason": "no_longer_needed"}
            ),
        ]
        medians[scenario.id] = statistics.median(timed(partial(score, scenario, answers, facts, done, REPLY), repeat))
    return medians


def run(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    """The domain figures and their raw samples."""
    sizes = [10, 200] if quick else [10, 100, 1_000, 10_000]
    repeat = 50 if quick else 400
    figures: list[Figure] = []
    raw: dict[str, Any] = {}

    profile = default_profile()
    small_store, small_ids = filled_store(10)
    order = next(o for o in small_store.list_orders(small_ids[0]) if o.status.value == "awaiting_shipment")
    assess_ms = timed(lambda: assess(order, CLOCK, profile, samples=10_000), repeat)
    raw["assess_ms"] = assess_ms
    median = statistics.median(assess_ms)
    figures.append(Figure("assess() with 10,000 futures, median", median, "ms", "<= 20 ms", median <= 20))
    by_status = {o.status.value: o for o in small_store.list_orders(small_ids[0], limit=1_000)}
    status_ms = {
        status: statistics.median(timed(partial(assess, o, CLOCK, profile, samples=10_000), max(repeat // 10, 5)))
        for status, o in by_status.items()
    }
    raw["assess_ms_by_status"] = status_ms
    slowest = max(status_ms, key=lambda status: status_ms[status])
    worst = status_ms[slowest]
    figures.append(Figure(f"assess(), slowest status ({slowest}), median", worst, "ms", "<= 20 ms", worst <= 20))

    # The Monte Carlo alone, on a large draw so the fixed cost of a call does not hide the rate.
    draw = 1_000_000
    forecast_ms = timed(lambda: forecast(order, CLOCK, profile, samples=draw), max(repeat // 20, 5), warmup=1)
    raw["forecast_1m_ms"] = forecast_ms
    rate = draw / (statistics.median(forecast_ms) / 1000)
    figures.append(Figure("Monte Carlo futures per second (1,000,000 a call)", rate / 1e6, "M/s", "(reported)", True))

    searches: dict[int, list[float]] = {}
    for size in sizes:
        store, ids = filled_store(size)
        searches[size] = search_figures(store, ids, repeat)
        store.dispose()
    raw["search_ms"] = {str(size): samples for size, samples in searches.items()}
    base = statistics.median(searches[sizes[0]])
    for size in sizes:
        median = statistics.median(searches[size])
        if size == sizes[0]:
            figures.append(Figure(f"search, {size:,} sandboxes, median", median, "ms", "baseline", True))
            continue
        figures.append(Figure(f"search, {size:,} sandboxes, median", median, "ms", "<= 5 ms", median <= 5))
        figures.append(Figure(f"search, {size:,} sandboxes, p95", p95(searches[size]), "ms", "(reported)", True))
        ratio = median / base
        figures.append(Figure(f"search ratio {size:,} / 10 sandboxes", ratio, "x", "<= 1.5", ratio <= 1.5))

    score_ms = scoring_figures(max(repeat // 4, 25))
    raw["score_ms_by_scenario"] = score_ms
    slowest = max(score_ms, key=lambda sid: score_ms[sid])
    worst = score_ms[slowest]
    figures.append(
        Figure(f"score() an attempt, slowest scenario ({slowest}), median", worst, "ms", "<= 5 ms", worst <= 5)
    )

    create_store = Store(f"sqlite:///{DATA / 'create.sqlite3'}")
    create_ms = timed(lambda: create_store.create_sandbox(clock=CLOCK), max(repeat // 4, 25))
    create_store.dispose()
    (DATA / "create.sqlite3").unlink(missing_ok=True)
    raw["create_sandbox_ms"] = create_ms
    median = statistics.median(create_ms)
    figures.append(Figure("create a sandbox (45 orders), median", median, "ms", "<= 50 ms", median <= 50))
    return figures, raw


def main() -> None:
    args = part_arguments(__doc__, "10 vs 200 sandboxes and fewer repeats").parse_args()
    print_machine()
    finish(*run(args.quick), args.json)


if __name__ == "__main__":
    main()
