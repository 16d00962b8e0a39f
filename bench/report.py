"""Printing figures as a Markdown table, and what every part's own command does around its run."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

from bench.common import Figure, load_average, machine


def value_text(figure: Figure) -> str:
    # three digits for a ratio: one just over its target must not print as on it
    digits = 3 if figure.unit == "x" else 2 if figure.value < 100 else 0
    return f"{figure.value:,.{digits}f} {figure.unit}".strip() if figure.unit else f"{figure.value:g}"


def result_text(figure: Figure) -> str:
    if figure.target in ("(reported)", "reference", "baseline"):
        return ""
    return "pass" if figure.passed else "FAIL"


def figure_table(figures: list[Figure]) -> str:
    lines = ["| figure | value | target | result |", "|---|---|---|---|"]
    lines += [f"| {f.name} | {value_text(f)} | {f.target} | {result_text(f)} |" for f in figures]
    return "\n".join(lines) + "\n"


def print_figures(figures: list[Figure]) -> None:
    print("\n" + figure_table(figures))


def part_arguments(doc: str, quick_help: str) -> argparse.ArgumentParser:
    """The options every part's command takes (`python -m bench.<part>`); a part may add its own."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--json", type=Path, help="also write the figures and raw numbers to this file")
    return parser


def print_machine() -> None:
    print(", ".join(f"{k}: {v}" for k, v in machine().items()), flush=True)


def finish(figures: list[Figure], raw: dict[str, Any], json_path: Path | None) -> NoReturn:
    """Print the table, write the raw numbers when asked, and exit 1 when a figure misses its target."""
    print(f"\nload average at the end (1, 5, 15 min): {load_average()}")
    print_figures(figures)
    if json_path:
        json_path.write_text(json.dumps({"figures": [asdict(f) for f in figures], **raw}, indent=2))
    raise SystemExit(0 if all(f.passed for f in figures) else 1)
