"""The training case page's script run under AppTest, for comparing two versions of the code.

    .venv/bin/python -m bench.training_case                 # 5 scenarios, 30 timed runs each
    .venv/bin/python -m bench.training_case --runs 10       # fewer runs
    PYTHONPATH=/path/to/other/checkout .venv/bin/python -m bench.training_case --app /path/to/other/checkout

A trainee opens a case (the order's details opened and its status read, so the whole case panel draws) on five
scenarios of every level, and the page's script is rerun with the case open. Only public names that every
version since issue 10 has (TrainingStore.create_trainee / start_attempt, Store.record) are used, so the
same file times an older checkout. The figure is the median wall time of `at.run()`; `farm-bench` or two runs
in one session pair the versions, as the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

CASES = (
    "e01-unpaid-wrong-size",
    "e05-shipped-phone-case",
    "m04-seller-out-of-stock",
    "h01-ship-by-in-hours",
    "h08-seller-refused",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--app", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    os.environ["CANCEL_COACH_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-case-")
    sys.path.insert(0, str(args.app))

    from streamlit.testing.v1 import AppTest

    from guide.store import Store
    from guide.training_store import TrainingStore

    store = Store()
    training = TrainingStore(store)
    trainee = training.create_trainee("Bench")
    medians = []
    for scenario_id in CASES:
        attempt = training.start_attempt(trainee.id, scenario_id)
        for fact in ("opened_order", "read_status"):
            store.record(attempt.sandbox_id, fact, attempt.scenario.order.id)
        at = AppTest.from_file(str(args.app / "streamlit_app.py"), default_timeout=60)
        at.query_params.update({"trainee": trainee.id, "attempt": str(attempt.id)})
        at.switch_page("pages/training.py")
        at.run()
        assert not at.exception, at.exception
        for _ in range(3):
            at.run()
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            at.run()
            samples.append((time.perf_counter() - start) * 1000)
        medians.append(statistics.median(samples))
        print(f"{scenario_id:32} median {medians[-1]:6.1f} ms")
    print(f"case page script run: median of the five medians {statistics.median(medians):.1f} ms")


if __name__ == "__main__":
    main()
