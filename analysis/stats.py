"""Small-sample statistics every page uses: intervals around proportions.

Numbers shown to users carry their uncertainty where the sample is small, and the Wilson
score interval behaves well near 0% and 100%, where error rates live.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.validation import check_confidence


def two_sided_z(confidence: float) -> float:
    """The normal quantile z with P(-z < Z < z) = `confidence` (1.96 for 0.95).

    Examples
    --------
    >>> round(two_sided_z(0.95), 4)
    1.96
    """
    return float(stats.norm.ppf(0.5 + check_confidence(confidence) / 2))


def wilson_interval(successes: np.ndarray | float, n: np.ndarray | float, *,
                    confidence: float = 0.95) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Wilson score interval for a proportion successes / n, elementwise.

    Returns (low, high) as fractions in [0, 1]; where n == 0 both are NaN (nothing is known).

    Examples
    --------
    >>> low, high = wilson_interval(10, 100)
    >>> round(float(low), 4), round(float(high), 4)
    (0.0552, 0.1744)
    """
    z = two_sided_z(confidence)
    k = np.asarray(successes, dtype=float)
    total = np.asarray(n, dtype=float)
    if np.any(k < 0) or np.any(k > total):
        raise ValueError("successes must lie between 0 and n.")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / total
        denominator = 1 + z**2 / total
        centre = (p + z**2 / (2 * total)) / denominator
        half = z * np.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / denominator
        # At 0 and n successes the bounds are exactly 0 and 1 (rounding would leave 1e-17).
        low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(k == total, 1.0, np.clip(centre + half, 0.0, 1.0))
        low = np.where(total > 0, low, np.nan)
        high = np.where(total > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high
