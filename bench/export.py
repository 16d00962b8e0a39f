"""Export benchmark: every scored attempt as xAPI statements (a JSON file) and as the trainer's CSV.

    .venv/bin/python -m bench.export            # 45,000 attempts (bench/training.py's database, 10 classes)
    .venv/bin/python -m bench.export --quick    # 9,000 attempts (2 classes)

Each export is timed (wall seconds, best of `repeat` runs) without tracemalloc, then run once more under
tracemalloc for its peak of Python allocations. The file itself is in that peak (the functions return the
whole file as bytes), so the peak is also given per MB of output: memory held besides the file stays
bounded when rows stream in chunks. The same export of one class shows whether the peak grows with the
number of attempts beyond the output's own size.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from bench.common import Figure
from bench.report import finish, part_arguments, print_machine
from bench.training import CLASSES, QUICK_CLASSES, filled_training

XAPI_TARGET_S = 5.0
BASE_URL = "https://coach.example.org"
MB = 1024 * 1024


def measure(label: str, make: Callable[[], bytes], repeat: int) -> dict[str, Any]:
    """Best wall seconds of `repeat` runs, then one traced run's peak (MB) and the output's size (MB)."""
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = make()
        walls.append(time.perf_counter() - start)
    tracemalloc.start()
    try:
        out = make()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    result = {"seconds": min(walls), "walls": walls, "peak_mb": peak / MB, "size_mb": len(out) / MB}
    print(
        f"  {label}: {result['seconds']:.2f} s (best of {repeat}), tracemalloc peak {result['peak_mb']:.1f} MB "
        f"for {result['size_mb']:.1f} MB of output",
        flush=True,
    )
    return result


def run(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    from guide import attempt_export
    from guide.store import Store

    class_count = QUICK_CLASSES if quick else CLASSES
    url, _, class_ids = filled_training(class_count)
    store = Store(url)
    repeat = 2 if quick else 3
    try:
        count = sum(1 for _ in attempt_export.xapi_statements(store, None, BASE_URL))  # a warm-up, too
        print(f"  {count:,} scored attempts", flush=True)
        results = {
            "xapi, every class": measure("xAPI file", lambda: attempt_export.xapi_file(store, None, BASE_URL), repeat),
            "csv, every class": measure("CSV", lambda: attempt_export.attempts_csv(store, None), repeat),
            "xapi, one class": measure(
                "xAPI file, one class", lambda: attempt_export.xapi_file(store, class_ids[0], BASE_URL), repeat
            ),
        }
    finally:
        store.dispose()
    xapi, csv, one = results["xapi, every class"], results["csv, every class"], results["xapi, one class"]
    name = f"{count:,} attempts"
    figures = [
        Figure(
            f"xAPI export, {name}", xapi["seconds"], "s", f"<= {XAPI_TARGET_S:.0f} s", xapi["seconds"] <= XAPI_TARGET_S
        ),
        Figure(f"xAPI export, {name}: tracemalloc peak", xapi["peak_mb"], "MB", "(reported)", True),
        Figure(
            f"xAPI export, {name}: peak beyond the file", xapi["peak_mb"] - xapi["size_mb"], "MB", "(reported)", True
        ),
        Figure(
            "xAPI export, one class: peak beyond the file", one["peak_mb"] - one["size_mb"], "MB", "(reported)", True
        ),
        Figure(f"CSV export, {name}", csv["seconds"], "s", "(reported)", True),
        Figure(f"CSV export, {name}: tracemalloc peak", csv["peak_mb"], "MB", "(reported)", True),
    ]
    return figures, {"export": results, "attempts": count}


def main() -> None:
    parser = part_arguments(__doc__, "2 classes (9,000 attempts)")
    args = parser.parse_args()
    print_machine()
    finish(*run(args.quick), args.json)


if __name__ == "__main__":
    main()
