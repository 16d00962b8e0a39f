"""Every benchmark in one run: figures against their targets in docs/PERFORMANCE.md, raw numbers in JSON.

    .venv/bin/python -m bench            # full run (builds the 10,000-sandbox database once: ~100 s)
    .venv/bin/python -m bench --quick    # smaller databases and fewer repeats: within a minute
    .venv/bin/python -m bench --only pages,load --no-write   # some parts, docs left as they are

Parts, in order: domain (assess, the Monte Carlo, search by database size, sandbox creation), pages
(every page's script run under AppTest), languages (the same runs in Russian against English), training
(the trainer dashboard), browser (Chromium: first render and click-to-update), load (many websocket
sessions at once); replicas (the load through HAProxy, deploy/serve.sh, about 25 minutes) runs only
when named in --only. Each part's figures are
measured against a baseline of the same run (the bare app, the smallest database), because the
machine is shared. The run replaces the generated part of docs/PERFORMANCE.md (between its markers)
and writes docs/performance.json; it exits 1 when any figure misses its target or a part fails.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import ROOT, Figure, load_average, machine
from bench.report import figure_table, print_figures

DOC = ROOT / "docs" / "PERFORMANCE.md"
RAW = ROOT / "docs" / "performance.json"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
PARTS = ("domain", "pages", "languages", "training", "browser", "load", "replicas")
DEFAULT_PARTS = PARTS[:-1]  # replicas needs HAProxy, PostgreSQL and its own ports: only when asked for
TITLES = {
    "domain": "Domain",
    "pages": "Page script runs (AppTest)",
    "languages": "Page script runs in Russian against English (AppTest)",
    "training": "Trainer dashboard (AppTest)",
    "browser": "Browser (Chromium)",
    "load": "Load (websocket sessions)",
    "replicas": "Load across replicas (HAProxy)",
}


def part_runner(name: str) -> Callable[[bool], tuple[list[Figure], dict[str, Any]]]:
    """The part's run(quick), imported only when it runs."""
    import importlib

    run: Callable[[bool], tuple[list[Figure], dict[str, Any]]] = importlib.import_module(f"bench.{name}").run
    return run


def generated_section(info: dict[str, str], quick: bool, results: dict[str, dict[str, Any]]) -> str:
    lines = [
        BEGIN,
        "## Latest run",
        "",
        f"Written by `python -m bench{' --quick' if quick else ''}` on {info['date']} "
        f"({info['duration']}). Machine: {info['machine']}, {info['cpus']} CPUs, Python {info['python']}, "
        f"Streamlit {info['streamlit']}; load average {info['load average at start (1, 5, 15 min)']} at the "
        f"start, {info['load average at end']} at the end (1, 5, 15 min). Raw numbers: `docs/performance.json`.",
        "",
    ]
    for name, result in results.items():
        lines += [f"### {TITLES[name]}", ""]
        if result.get("date") != info["date"]:  # kept from an earlier run (--only ran other parts)
            lines += [f"From the run of {result['date']} (load average {result['load average']} at its start).", ""]
        if result.get("error"):
            lines += [f"The part failed: `{result['error']}`", ""]
            continue
        lines += [figure_table([Figure(**f) for f in result["figures"]]), ""]
    lines.append(END)
    return "\n".join(lines) + "\n"


def kept_parts(path: Path, quick: bool, results: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """This run's parts, with the parts it did not run kept from the last run of the same mode, in order."""
    try:
        earlier = json.loads(path.read_text())
    except (OSError, ValueError):
        return results
    if earlier.get("quick") != quick:
        return results
    machine_then = earlier.get("machine", {})
    kept = {
        name: {
            "date": machine_then.get("date", "?"),
            "load average": machine_then.get("load average at start (1, 5, 15 min)", "?"),
            **part,
        }
        for name, part in earlier.get("parts", {}).items()
        if name in PARTS
    }
    merged = {**kept, **results}
    return {name: merged[name] for name in PARTS if name in merged}


def write_doc(section: str) -> None:
    """Replace the generated section of docs/PERFORMANCE.md, keeping the written parts around it."""
    doc = DOC.read_text() if DOC.exists() else "# Performance\n\n"
    if BEGIN in doc and END in doc:
        before, rest = doc.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        DOC.write_text(before + section + ("\n" + after if after else ""))
    else:
        DOC.write_text(doc.rstrip("\n") + "\n\n" + section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller databases and fewer repeats (within a minute)")
    parser.add_argument("--only", help=f"comma-separated parts of: {', '.join(PARTS)}")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ as it is")
    parser.add_argument("--json", type=Path, default=RAW, help=f"raw numbers file (default {RAW.relative_to(ROOT)})")
    args = parser.parse_args()
    parts = DEFAULT_PARTS if not args.only else tuple(p.strip() for p in args.only.split(","))
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; the parts are {', '.join(PARTS)}")
    if isinstance(sys.stdout, io.TextIOWrapper):  # what a console or pipe gives; reconfigure is its method
        sys.stdout.reconfigure(line_buffering=True)

    info = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), **machine()}
    print(", ".join(f"{k}: {v}" for k, v in info.items()))
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    for name in parts:
        print(f"\n== {name} ==")
        part_started, part_load = time.perf_counter(), load_average()
        try:
            figures, raw = part_runner(name)(args.quick)
        except Exception as error:  # a broken part is reported, and the other parts still run
            traceback.print_exc()
            error_text = f"{type(error).__name__}: {error}"
            results[name] = {"date": info["date"], "load average": part_load, "error": error_text}
            continue
        results[name] = {
            "date": info["date"],
            "load average": part_load,
            "seconds": round(time.perf_counter() - part_started, 1),
            "figures": [asdict(f) for f in figures],
            "raw": raw,
        }
        print(f"  {name}: {results[name]['seconds']} s")
    info["load average at end"] = load_average()
    info["duration"] = f"{time.perf_counter() - started:.0f} s"

    every = [Figure(**f) for r in results.values() for f in r.get("figures", [])]
    print_figures(every)
    failed = [f.name for f in every if not f.passed] + [f"part {n}" for n, r in results.items() if "error" in r]
    print(f"{len(every)} figures in {info['duration']}; " + (f"FAILED: {'; '.join(failed)}" if failed else "all pass"))
    if not args.no_write:
        results = kept_parts(args.json, args.quick, results)
        write_doc(generated_section(info, args.quick, results))
        everything = {"machine": info, "quick": args.quick, "parts": results}
        args.json.write_text(json.dumps(everything, separators=(",", ":")))  # compact: it holds every sample
        print(f"wrote {DOC.relative_to(ROOT)} and {args.json}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
