"""Printing figures as a Markdown table (the benchmarks' output and docs/PERFORMANCE.md's)."""

from __future__ import annotations

from bench.common import Figure


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
