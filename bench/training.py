"""Trainer dashboard benchmark: the script run of pages/trainer.py under AppTest, 45,000 scored attempts.

    .venv/bin/python -m bench.training            # full: 45,000 attempts, 40 timed reruns a view
    .venv/bin/python -m bench.training --quick    # 2 of the 10 classes (9,000 attempts), 10 reruns a view
    .venv/bin/python -m bench.training --profile  # also cProfile the warm reruns (script thread)

The database (SQLite, built once under bench/.data/ and reused while the schema and the scenario ids
stay the same) holds 10 classes of 50 trainees; each trainee has 30 scenario slots x 3 scored
attempts = 90 attempts, 45,000 in all. There are 28 scenarios, so the slots cycle through them and
the first two scenarios fill slots 29 and 30 as well (those two have 6 attempts per trainee).
Answers are right about 70% of the time, else a random other option of training.options(); the
four simulator checks likewise; the score is the share of the 7 marks that are correct, as submit()
stores it.

The figure is the wall time around `at.run()`: the page's first run with empty Streamlit caches
(cold: the st.cache_data miss that reads and shapes the view's data), then reruns (warm: the cache
hit path a trainer sees on every click), for four views: the roster of all 500 trainees and of one
class, the attempts tab of one class, and one attempt in detail (`?attempt_detail=`). Like tests/pages, the
AppTest runs as a warmed-up server does (no legacy `pages/` mode; see guide/ui/legacy_pages.py).
The home page runs once first (st.navigation must register the pages before AppTest can switch), so
"cold" is the trainer page's first run with empty st.cache_data and no TrainingStore yet. "Script
CPU" is the CPU time of the script thread: when other processes load the machine the wall time rises
and this holds still (the load average is printed at the start and the end).
"""

from __future__ import annotations

import contextlib
import cProfile
import hashlib
import io
import json
import logging
import os
import pstats
import random
import re
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.common import DATA, Figure, p95
from bench.domain import CLOCK
from bench.pages import RunMarks, served_apptest
from bench.report import finish, part_arguments, print_machine

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
CLASSES, QUICK_CLASSES, PER_CLASS, SLOTS, TRIES = 10, 2, 50, 30, 3
TARGET_MS = 200.0
COLD_TARGET_MS = 1000.0
COLD_TARGET = f"<= {COLD_TARGET_MS:.0f} ms"
PASSCODE = "bench-passcode"
RIGHT_SHARE = 0.7
SEED = 2026
FIRST = "Ana Ben Chen Dara Eli Fatima Goran Hana Ivan Jun Kofi Lena Mateo Nia Omar Priya Quinn Rosa Sven Tariq Uma"
LAST = "Almeida Brandt Costa Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Lopez Moreau Novak Okafor"


# --- the database -----------------------------------------------------------------------------------


def _fingerprint(class_count: int) -> str:
    """Changes when the tables (columns, indexes) or the scenario ids change, so a stale database is rebuilt."""
    from guide.db import metadata
    from guide.training import scenarios

    tables = [
        (t.name, [(c.name, str(c.type)) for c in t.columns], sorted(str(i.name) for i in t.indexes))
        for t in metadata.sorted_tables
    ]
    recipe = [class_count, PER_CLASS, SLOTS, TRIES, RIGHT_SHARE, SEED, FIRST, LAST]
    parts = [json.dumps(tables), json.dumps(list(scenarios())), json.dumps(recipe)]
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:12]


def filled_training(class_count: int) -> tuple[str, str, list[str]]:
    """(database URL, a sandbox id for the visit, the class ids), building the database once."""
    from guide.db import sandboxes
    from guide.store import Store
    from guide.training_records import classes
    from guide.training_store import TrainingStore

    DATA.mkdir(exist_ok=True)
    path = DATA / f"training-{class_count}-{_fingerprint(class_count)}.sqlite3"
    ready = path.with_suffix(".ready")
    url = f"sqlite:///{path}"
    if not ready.exists():
        for stale in DATA.glob(f"training-{class_count}-*"):  # this database half-built, or one of an older fingerprint
            stale.unlink()
        store = Store(url)
        TrainingStore(store)  # creates the training tables
        started = time.perf_counter()
        _fill(store, class_count)
        store.create_sandbox(clock=CLOCK)  # the trainer's own visit (demo orders), so no run writes one
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"  filled {class_count * PER_CLASS * SLOTS * TRIES:,} attempts in {time.perf_counter() - started:.1f} s")
        store.dispose()
        ready.write_text("ok")
    store = Store(url)
    with store.engine.connect() as conn:
        sandbox = conn.execute(select(sandboxes.c.id).order_by(sandboxes.c.id)).scalars().first()
        class_ids = list(conn.execute(select(classes.c.id).order_by(classes.c.created_at)).scalars())
    store.dispose()
    assert sandbox is not None and len(class_ids) == class_count
    return url, sandbox, class_ids


def _marks(scenario: Any, rng: random.Random) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Answers and the 7 marks of one attempt, shaped as TrainingStore.submit() stores them."""
    from guide.content import text, training_rules
    from guide.models import Path as NextStep
    from guide.scoring import Check, Mark
    from guide.training import Question, options

    answers: dict[str, str] = {}
    marks: list[Mark] = []
    for question in Question:
        key = scenario.answers[question]
        right = rng.random() < RIGHT_SHARE
        given = key.answer if right else rng.choice([o for o in options(question) if o != key.answer])
        answers[question.value] = given
        feedback = (text("training", "right") if right else text("training", "wrong")) + " " + key.why
        marks.append(
            Mark(item=question.value, correct=right, given=given, expected=key.answer, feedback=feedback, rule=key.rule)
        )
    rules = training_rules().check_rules
    path = NextStep(scenario.answers[Question.PATH].answer)
    for check in Check:
        ok = rng.random() < RIGHT_SHARE
        marks.append(
            Mark(
                item=check.value,
                correct=ok,
                given=(text("training", "no_action") if check is Check.RIGHT_PATH else ("yes" if ok else "no")),
                expected=text("path", path) if check is Check.RIGHT_PATH else "yes",
                feedback=text("check_feedback", f"{check.value}_{'ok' if ok else 'missed'}", path=text("path", path)),
                rule=rules[check.value],
            )
        )
    return answers, [m.model_dump() for m in marks]


def _fill(store: Any, class_count: int) -> None:
    """`class_count` classes of 50 trainees, 4,500 scored attempts a class: bulk inserts, one transaction a class."""
    from guide.training import scenarios
    from guide.training_records import attempts, classes, trainees

    rng = random.Random(SEED)
    firsts, lasts = FIRST.split(), LAST.split()
    every = list(scenarios().values())
    slots = [every[i % len(every)] for i in range(SLOTS)]  # 28 scenarios, then the first two again
    base = CLOCK - timedelta(days=60)
    for c in range(class_count):
        class_id = f"benchclass{c:02d}{'x' * 8}"
        trainee_rows, attempt_rows = [], []
        for t in range(PER_CLASS):
            index = c * PER_CLASS + t
            trainee_id = f"benchtrainee{index:05d}{'x' * 8}"
            name = f"{rng.choice(firsts)} {rng.choice(lasts)} {index:03d}"
            joined = base + timedelta(days=rng.uniform(0, 5))
            trainee_rows.append({"id": trainee_id, "name": name, "class_id": class_id, "created_at": joined})
            moment = joined
            for slot, scenario in enumerate(slots):
                for attempt in range(TRIES):
                    moment += timedelta(minutes=rng.uniform(5, 60))
                    answers, marks = _marks(scenario, rng)
                    missed = [m["item"] for m in marks if not m["correct"]]
                    attempt_rows.append(
                        {
                            "trainee_id": trainee_id,
                            "scenario_id": scenario.id,
                            "sandbox_id": f"benchsandbox{index:05d}s{slot:02d}a{attempt}",
                            "start_seq": rng.randint(1, 8),
                            "started_at": moment,
                            "submitted_at": moment + timedelta(minutes=rng.uniform(2, 20)),
                            "answers": json.dumps(answers),
                            "marks": json.dumps(marks),
                            "score": sum(m["correct"] for m in marks) / len(marks),
                            "mode": "practice",
                            "missed": json.dumps(missed),
                        }
                    )
        with store.engine.begin() as conn:
            conn.execute(
                insert(classes),
                [
                    {
                        "id": class_id,
                        "name": f"Cohort {c + 1:02d}",
                        "scenario_ids": "[]",
                        "orders": "[]",
                        "created_at": base + timedelta(seconds=c),
                    }
                ],
            )
            conn.execute(insert(trainees), trainee_rows)
            conn.execute(insert(attempts), attempt_rows)


# --- AppTest ----------------------------------------------------------------------------------------


def fresh_process_state(url: str) -> None:
    """The bench database and passcode in the environment, and Streamlit's caches emptied."""
    import streamlit as st

    from guide.ui.state import get_store

    os.environ["CANCEL_COACH_DB_URL"] = url  # first: get_store() below must not open the default data folder
    os.environ["CANCEL_COACH_TRAINER_PASSCODE"] = PASSCODE
    with contextlib.suppress(Exception):
        get_store().dispose()  # close a previous measurement's pooled connections
    st.cache_resource.clear()
    st.cache_data.clear()


def timed_run(at: Any, cpu: list[float] | None = None) -> float:
    """Wall ms of at.run(); the script thread's CPU ms (steadier on a busy machine) appended to `cpu`."""
    RunMarks.cpu = 0.0
    start = time.perf_counter()
    at.run()
    wall = (time.perf_counter() - start) * 1000
    if cpu is not None:
        cpu.append((RunMarks.cpu or 0.0) * 1000)
    return wall


def check(at: Any, view: str, rows: int) -> None:
    """The dashboard rendered unlocked, the view's table holding every row it should: the roster a row a
    trainee; the attempts tab every attempt; the drill-down every mark of the attempt opened."""
    from guide.content import text

    if at.exception:
        raise RuntimeError(f"the trainer page raised: {at.exception[0].value}")
    titles = [t.value for t in at.title]
    if titles != [text("trainer", "title")]:
        raise RuntimeError(f"unexpected page title(s) {titles}")
    sizes = [len(frame.value) for frame in at.dataframe]
    if rows not in sizes:
        raise RuntimeError(f"{view}: no table of {rows} rows (tables of {sizes})")
    if view.startswith("drill-down") and not any(text("trainer", "detail") == h.value for h in at.subheader):
        raise RuntimeError("no drill-down")


def new_dashboard(sandbox: str, tab: str, class_id: str | None, detail: int | None) -> Any:
    """An AppTest on the trainer page, unlocked, on `tab` (and `class_id`, and an attempt in detail), after
    one run of the home page (st.navigation needs it)."""
    from streamlit.testing.v1 import AppTest

    from guide.content import text
    from guide.navigation import pages
    from guide.ui.passcode import UNLOCKED

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params = {"sandbox": sandbox}
    at.session_state[UNLOCKED] = True
    at.run()
    if at.exception:
        raise RuntimeError(f"the home page raised: {at.exception[0].value}")
    at.query_params["trainer_tab"] = text("trainer", f"tab_{tab}")
    if detail is not None:
        at.query_params["attempt_detail"] = str(detail)
    if class_id is not None:
        at.session_state["trainer_class"] = class_id
    at.switch_page(pages()["trainer"].file)
    return at


def first_attempt_of(url: str, class_id: str) -> int:
    from sqlalchemy import create_engine

    from guide.training_records import attempts, trainees

    engine = create_engine(url)
    with engine.connect() as conn:
        query = select(attempts.c.id).join(trainees, trainees.c.id == attempts.c.trainee_id)
        query = query.where(trainees.c.class_id == class_id).order_by(attempts.c.id).limit(1)
        found: int = conn.execute(query).scalar_one()
    engine.dispose()
    return int(found)


def measure(url: str, sandbox: str, class_ids: list[str], repeat: int) -> dict[str, dict[str, Any]]:
    """Cold (empty caches, a new process state) and warm wall times of each view."""
    per_class = PER_CLASS * SLOTS * TRIES
    detail = first_attempt_of(url, class_ids[0])
    views = (
        ("roster, all trainees", "roster", None, None, len(class_ids) * PER_CLASS),
        ("roster, one class", "roster", class_ids[0], None, PER_CLASS),
        ("attempts, one class", "attempts", class_ids[0], None, per_class),
        ("drill-down, one class", "attempts", class_ids[0], detail, 7),
    )
    results: dict[str, dict[str, Any]] = {}
    for view, tab, class_id, opened, rows in views:
        fresh_process_state(url)
        at = new_dashboard(sandbox, tab, class_id, opened)
        cold_cpu: list[float] = []
        cold = timed_run(at, cold_cpu)
        check(at, view, rows)
        timed_run(at)  # one more warm-up rerun
        cpu: list[float] = []
        warm = [timed_run(at, cpu) for _ in range(repeat)]
        check(at, view, rows)
        results[view] = {"rows": rows, "cold": cold, "cold_cpu": cold_cpu[0], "warm": warm, "warm_cpu": cpu}
        print(
            f"  {view}: cold {cold:.0f} ms, warm median {statistics.median(warm):.0f} ms "
            f"(script CPU {statistics.median(cpu):.0f} ms) over {repeat} reruns"
        )
    return results


def profile_warm(url: str, sandbox: str, repeat: int, top: int = 25) -> str:
    """cProfile of the script thread over `repeat` warm reruns (all trainees): own time, then cumulative."""
    fresh_process_state(url)
    at = new_dashboard(sandbox, "roster", None, None)
    timed_run(at)
    timed_run(at)
    profiler = cProfile.Profile()
    RunMarks.profiler = profiler
    try:
        walls = [timed_run(at) for _ in range(repeat)]
    finally:
        RunMarks.profiler = None
    out = io.StringIO()
    out.write(f"profile: warm reruns, all trainees, {repeat} runs, median wall {statistics.median(walls):.1f} ms ")
    out.write("(under cProfile; times are totals over all runs)\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    out.write("app code only (guide/, pages/), cumulative:\n")
    stats.sort_stats("cumulative").print_stats(re.escape(str(ROOT)) + r"/(guide|pages)", top)
    return out.getvalue()


def figures_of(results: dict[str, dict[str, Any]]) -> list[Figure]:
    figures: list[Figure] = []
    for view, r in results.items():
        median = statistics.median(r["warm"])
        label = f"trainer dashboard, {view} ({r['rows']:,} rows)"
        figures += [
            Figure(f"{label}: warm rerun, median", median, "ms", f"<= {TARGET_MS:.0f} ms", median <= TARGET_MS),
            Figure(f"{label}: warm rerun, p95", p95(r["warm"]), "ms", "(reported)", True),
            Figure(
                f"{label}: warm rerun, script CPU, median", statistics.median(r["warm_cpu"]), "ms", "(reported)", True
            ),
            Figure(
                f"{label}: cold first run", r["cold"], "ms", f"<= {COLD_TARGET_MS:.0f} ms", r["cold"] <= COLD_TARGET_MS
            ),
            Figure(f"{label}: cold first run, script CPU", r["cold_cpu"], "ms", "(reported)", True),
        ]
    return figures


def run(quick: bool, profile: bool = False) -> tuple[list[Figure], dict[str, Any]]:
    """The dashboard figures and their raw samples: 10 classes (45,000 attempts), or 2 (9,000) when quick."""
    repeat = 10 if quick else 40
    quiet = ("missing ScriptRunContext", "No runtime found")  # st.cache_*.clear() outside a script run
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).addFilter(lambda record: not any(q in record.getMessage() for q in quiet))
    url, sandbox, class_ids = filled_training(QUICK_CLASSES if quick else CLASSES)
    saved_url = os.environ.get("CANCEL_COACH_DB_URL")
    try:
        with served_apptest():
            results = measure(url, sandbox, class_ids, repeat)
            if profile:
                print(profile_warm(url, sandbox, max(repeat // 2, 5)))
    finally:
        if saved_url is None:
            os.environ.pop("CANCEL_COACH_DB_URL", None)
        else:
            os.environ["CANCEL_COACH_DB_URL"] = saved_url
    raw = {view: {**r, "median": statistics.median(r["warm"])} for view, r in results.items()}
    return figures_of(results), {"samples": raw}


def main() -> None:
    parser = part_arguments(__doc__, "2 classes (9,000 attempts), 10 timed reruns a view")
    parser.add_argument("--profile", action="store_true", help="also cProfile the warm reruns and print the top")
    args = parser.parse_args()
    print_machine()
    finish(*run(args.quick, args.profile), args.json)


if __name__ == "__main__":
    main()
