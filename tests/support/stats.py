"""Statistics for tests that compare the forecast's exact chances with counted simulated stories."""

from __future__ import annotations

import math

Z_95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval (95% by default): honest at 0 and 1, unlike the normal approximation."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n * n)) / denominator
    # Rounding can leave p a hair outside at 0 and 1: the interval always contains the estimate.
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))
