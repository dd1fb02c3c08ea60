"""Small-sample statistics every page uses: intervals around proportions, and the tests that
say whether a cohort's error rate stands out (Fisher exact, Holm's correction).

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


def holm_adjust(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control under any dependence).

    The i-th smallest of m p-values becomes max over j <= i of min(1, (m - j + 1) p_(j)).

    Examples
    --------
    >>> holm_adjust(np.array([0.01, 0.04, 0.03])).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def fisher_greater(errors: np.ndarray, n: np.ndarray, total_errors: int,
                   total: int) -> np.ndarray:
    """One-sided Fisher exact p-values that each slice's error rate exceeds the rest's.

    The same as scipy.stats.fisher_exact([[e, n - e], [E - e, N - n - E + e]],
    alternative="greater"), vectorised as the hypergeometric tail P(X >= e).
    """
    return np.clip(stats.hypergeom.sf(errors - 1, total, total_errors, n), 0.0, 1.0)
