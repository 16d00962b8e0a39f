"""Language benchmark: every page's script run in Russian against the same page in English, under AppTest.

    .venv/bin/python -m bench.languages            # 12 timed runs a view and language
    .venv/bin/python -m bench.languages --quick    # walkthrough steps 1, 3, 5; 4 runs

The views are bench.pages' (a demo buyer signed in, one order opened, checked and assessed), on a database of
10 sandboxes, each in English and in Russian (?lang=ru), interleaved so that drift hits both alike. Russian
reads other text files, translation overlays and Babel's ru_RU data; the figure is what that costs: the sum
over all views of the median script-thread CPU time in Russian over the same sum in English (CPU time holds
still when other processes load the machine; wall time is in the raw numbers).
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import sys
from dataclasses import asdict
from typing import Any

from bench.common import Figure
from bench.pages import (
    BARE,
    DB_URL,
    Samples,
    View,
    check,
    forget_facts,
    measure_apptest,
    prepare,
    run_once,
    served_apptest,
    views,
)
from bench.report import finish, part_arguments, print_machine

REFERENCE, OTHER = "en", "ru"
RATIO_TARGET = 1.1  # a page in Russian costs at most 10% more than in English


def language_views(order: str, quick: bool) -> list[View]:
    """Each page view twice, in English and in Russian, English first."""
    found = [v for v in views(order, quick) if v.name != BARE]
    return [
        View(f"{language}: {v.name}", v.page, {**v.params, "lang": language})
        for v in found
        for language in (REFERENCE, OTHER)
    ]


def in_language(function: Any) -> Any:
    """bench.pages' function of (at, view, ...) run in the view's language in this thread: AppTest words a
    widget's options here (its format_func) between runs, and check() reads the expected titles."""
    from guide.content.language import speaking

    def wrapped(at: Any, view: View, *rest: Any) -> Any:
        with speaking(view.params["lang"]):
            return function(at, view, *rest)

    return wrapped


def figures_of(results: dict[str, Samples], all_views: list[View]) -> tuple[list[Figure], list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    for view in all_views:
        if view.params["lang"] != OTHER:
            continue
        english = results[view.name.replace(f"{OTHER}: ", f"{REFERENCE}: ", 1)]
        russian = results[view.name]
        rows.append(
            {
                "view": view.name.removeprefix(f"{OTHER}: "),
                "cpu_en": statistics.median(english.cpu),
                "cpu_ru": statistics.median(russian.cpu),
                "wall_en": statistics.median(english.wall),
                "wall_ru": statistics.median(russian.wall),
            }
        )
    total_en, total_ru = sum(r["cpu_en"] for r in rows), sum(r["cpu_ru"] for r in rows)
    worst = max(rows, key=lambda r: r["cpu_ru"] / r["cpu_en"])
    ratio = total_ru / total_en
    figures = [
        Figure(f"all {len(rows)} views: script CPU, English, sum of medians", total_en, "ms", "baseline", True),
        Figure(f"all {len(rows)} views: script CPU, Russian, sum of medians", total_ru, "ms", "(reported)", True),
        Figure("script CPU, Russian / English", ratio, "x", f"<= {RATIO_TARGET}", ratio <= RATIO_TARGET),
        Figure(
            f"slowest view in Russian relative to English ({worst['view']})",
            worst["cpu_ru"] / worst["cpu_en"],
            "x",
            "(reported)",
            True,
        ),
    ]
    return figures, rows


def run(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    from unittest import mock

    import bench.pages as pages_bench
    from guide.ui.state import get_store

    repeat, blocks = (4, 2) if quick else (12, 4)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()  # AppTest outside a run
    )
    saved_url = os.environ.get(DB_URL)
    database = prepare(10)
    try:
        all_views = language_views(database.order, quick)
        with (
            served_apptest(),
            mock.patch.object(pages_bench, "check", in_language(check)),
            mock.patch.object(pages_bench, "run_once", in_language(run_once)),
        ):
            print(f"AppTest: {len(all_views)} views ({REFERENCE} and {OTHER}), {repeat} runs each")
            results = measure_apptest([database], all_views, repeat, blocks)[database.label]
    finally:
        get_store.clear()
        forget_facts(database)
        if saved_url is None:
            os.environ.pop(DB_URL, None)
        else:
            os.environ[DB_URL] = saved_url
    figures, rows = figures_of(results, all_views)
    for r in rows:
        ratio = r["cpu_ru"] / r["cpu_en"]
        print(f"  {r['view']:<45} en {r['cpu_en']:7.1f} ms   ru {r['cpu_ru']:7.1f} ms   x{ratio:.2f}")
    return figures, {"views": rows, "samples": {name: asdict(s) for name, s in results.items()}}


def main() -> None:
    parser = part_arguments(__doc__, "walkthrough steps 1, 3, 5 only, 4 runs a view")
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    print_machine()
    figures, raw = run(args.quick)
    finish(figures, raw, args.json)


if __name__ == "__main__":
    main()
