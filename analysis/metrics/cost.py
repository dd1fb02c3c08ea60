"""Cost of errors: what each kind of mistake costs, the expected cost per example against
the threshold, the threshold that minimises it (with a seeded bootstrap interval), and for
multiclass the saving of deciding by least expected cost instead of by the top class.

Binary: cost(t) = (c_fp * FP(t) + c_fn * FN(t)) / N, read off the one-sort score curve.
With calibrated probabilities the cheapest rule is to flag p >= c_fp / (c_fp + c_fn)
(the Bayes threshold): flagging costs (1 - p) c_fp in expectation, not flagging p c_fn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics.calibration import check_probability_matrix, class_indices
from analysis.metrics.curves import ScoreCurve, score_curve
from analysis.metrics.estimate import Estimate, too_few_positives
from analysis.metrics.inputs import check_scores
from analysis.metrics.resample import percentile_interval, row_resamples
from analysis.validation import (
    check_array,
    check_binary,
    check_confidence,
    check_count,
    check_number,
    check_same_length,
)


# --------------------------------------------------------------------------- input checks
def check_costs(cost_fp: object, cost_fn: object) -> tuple[float, float]:
    """Two non-negative costs, not both 0 (then every threshold would cost nothing)."""
    fp = check_number("cost_fp", cost_fp, low=0.0)
    fn = check_number("cost_fn", cost_fn, low=0.0)
    if fp == 0 and fn == 0:
        raise ValueError("cost_fp and cost_fn are both 0: give at least one mistake a cost "
                         "(e.g. cost_fp=1, cost_fn=5 when a missed positive hurts 5 times more).")
    return fp, fn


def check_cost_matrix(cost_matrix: object, n_classes: int) -> np.ndarray:
    """K x K costs (rows = true class, columns = predicted class), all >= 0, not all 0."""
    matrix = check_array("cost_matrix", cost_matrix, dtype=float, ndim=2)
    if matrix.shape != (n_classes, n_classes):
        raise ValueError(f"cost_matrix must be {n_classes} x {n_classes} (rows = true class, "
                         f"columns = predicted class); got {matrix.shape[0]} x {matrix.shape[1]}.")
    negative = np.argwhere(matrix < 0)
    if negative.size:
        i, j = negative[0]
        raise ValueError(f"cost_matrix has {len(negative)} negative costs, e.g. row {i + 1}, "
                         f"column {j + 1} = {matrix[i, j]:g}: costs must be 0 or more.")
    if not matrix.any():
        raise ValueError("cost_matrix is all zeros: give the mistakes (off-diagonal cells) a cost.")
    return matrix


# --------------------------------------------------------------------------- binary
@dataclass(frozen=True, eq=False)
class ErrorCost:
    """Expected cost per example against the threshold, and the threshold minimising it.

    `thresholds` / `cost` / `fp` / `fn` run from the highest threshold down; the first
    threshold lies just above the highest score (flag nothing). `best_threshold` carries the
    bootstrap interval of the minimiser (or why none is given); `bayes_threshold` is
    c_fp / (c_fp + c_fn), the minimiser when the scores are calibrated probabilities (None
    for scores outside [0, 1]).
    """

    cost_fp: float
    cost_fn: float
    n: int
    thresholds: np.ndarray
    cost: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    best_threshold: Estimate
    best_cost: float
    current_threshold: float
    current_cost: float
    bayes_threshold: float | None
    verdict: str

    @property
    def saving(self) -> float:
        """Cost per example saved by moving from the current threshold to the best one."""
        return self.current_cost - self.best_cost

    def table(self) -> pd.DataFrame:
        """One row per distinct threshold: threshold, expected cost per example, FP, FN."""
        return pd.DataFrame({"threshold": self.thresholds, "cost": self.cost, "fp": self.fp,
                             "fn": self.fn})

    def to_dict(self) -> dict[str, Any]:
        return {"cost_fp": self.cost_fp, "cost_fn": self.cost_fn, "n": self.n,
                "best_threshold": self.best_threshold.to_dict(), "best_cost": self.best_cost,
                "current_threshold": self.current_threshold, "current_cost": self.current_cost,
                "bayes_threshold": self.bayes_threshold, "saving": self.saving,
                "verdict": self.verdict}


def _cost_path(curve: ScoreCurve) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, FP, FN) at 'flag nothing' and then at every distinct score, highest first."""
    top = np.nextafter(curve.thresholds[0], np.inf)
    thresholds = np.concatenate(([top], curve.thresholds))
    fp = np.concatenate(([0.0], curve.fps))
    fn = curve.n_pos - np.concatenate(([0.0], curve.tps))
    return thresholds, fp, fn


def _cheapest(cost: np.ndarray) -> np.ndarray:
    """Index of the minimum along the last axis; on ties the highest threshold (fewest flagged)."""
    return np.argmin(cost, axis=-1)


def _bootstrap_thresholds(truth: np.ndarray, scores: np.ndarray, thresholds: np.ndarray,
                          costs: tuple[float, float], n_boot: int, seed: int) -> np.ndarray:
    """The cost-minimising threshold of `n_boot` resamples of the rows.

    Each row belongs to one distinct-score group of the full curve. Up to a constant
    (c_fn times the positives, the same at every threshold), flagging a row adds c_fp when
    it is negative and -c_fn when it is positive; so one weighted bincount over (replicate,
    group) cells and one cumulative sum give every replicate's whole cost curve at once.
    """
    groups = len(thresholds)  # group 0 = 'flag nothing' holds no rows
    group_of = np.searchsorted(-thresholds[1:], -scores) + 1
    c_fp, c_fn = costs
    added = np.where(truth == 1, -c_fn, c_fp)
    best = np.empty(n_boot)
    for where, rows in row_resamples(len(truth), n_boot, seed):
        b = rows.shape[0]
        cells = (np.arange(b)[:, None] * groups + group_of[rows]).ravel()
        step = np.bincount(cells, weights=added[rows].ravel(), minlength=b * groups)
        relative_cost = np.cumsum(step.reshape(b, groups), axis=1)
        best[where] = thresholds[_cheapest(relative_cost)]
    return best


def _cost_verdict(best: Estimate, best_cost: float, current: float, current_cost: float) -> str:
    interval = ("" if best.low is None
                else f" (interval {best.low:.3g}-{best.high:.3g})")
    if current_cost <= best_cost:
        return (f"The current threshold {current:g} is already the cheapest: {current_cost:.4g} "
                f"per example.")
    return (f"Moving the threshold from {current:g} to {best.value:.3g}{interval} lowers the "
            f"expected cost from {current_cost:.4g} to {best_cost:.4g} per example.")


def error_cost(y_true: object, scores: object, *, cost_fp: float, cost_fn: float,
               threshold: float = 0.5, n_boot: int = 200, seed: int = 0,
               confidence: float = 0.95) -> ErrorCost:
    """Expected cost per example at every threshold, the cheapest threshold with a bootstrap
    interval, and the cost at the current `threshold`.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : array-like of float, higher = more likely positive (any real numbers)
    cost_fp, cost_fn : float >= 0
        Cost of flagging a negative, and of missing a positive.
    threshold : float, default 0.5
        The threshold in use now (an example is flagged when score >= threshold).
    n_boot, seed : bootstrap resamples of the rows (default 200) and their seed.
    confidence : level of the interval of the cheapest threshold.

    Examples
    --------
    >>> c = error_cost([0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.6, 0.7, 0.9], cost_fp=1, cost_fn=3)
    >>> c.best_threshold.value, round(c.best_cost, 4), round(c.current_cost, 4)
    (0.3, 0.1667, 0.6667)
    """
    c_fp, c_fn = check_costs(cost_fp, cost_fn)
    current = check_number("threshold", threshold)
    level = check_confidence(confidence)
    draws = check_count("n_boot", n_boot, minimum=20)
    truth, values = check_binary("y_true", y_true), check_scores("scores", scores)
    check_same_length(y_true=truth, scores=values)
    curve = score_curve(truth, values)
    thresholds, fp, fn = _cost_path(curve)
    cost = (c_fp * fp + c_fn * fn) / curve.n_rows
    at = int(_cheapest(cost))
    replicates = _bootstrap_thresholds(truth, values, thresholds, (c_fp, c_fn), draws, seed)
    interval = too_few_positives(curve.n_pos) or percentile_interval(replicates, level)
    value = float(thresholds[at])
    best = (Estimate("cost_minimising_threshold", value, method="bootstrap", reason=interval)
            if isinstance(interval, str) else
            Estimate("cost_minimising_threshold", value, min(interval[0], value),
                     max(interval[1], value), method="bootstrap"))
    counts = curve.counts_at(current)
    current_cost = (c_fp * counts["fp"] + c_fn * counts["fn"]) / curve.n_rows
    in_unit = values.min() >= 0 and values.max() <= 1
    bayes = c_fp / (c_fp + c_fn) if in_unit else None
    return ErrorCost(c_fp, c_fn, curve.n_rows, thresholds, cost, fp, fn, best, float(cost[at]),
                     current, float(current_cost), bayes,
                     _cost_verdict(best, float(cost[at]), current, float(current_cost)))


# --------------------------------------------------------------------------- multiclass
@dataclass(frozen=True, eq=False)
class DecisionCost:
    """Expected cost per example when each example gets its top class (argmax) versus the
    class with the least expected cost under its probabilities (argmin of P @ C).

    `saving` = cost_argmax - cost_min_expected, with a paired bootstrap interval;
    `changed` counts the examples whose decision differs.
    """

    labels: tuple[str, ...]
    cost_matrix: np.ndarray
    cost_argmax: float
    cost_min_expected: float
    saving: Estimate
    changed: int
    decisions: np.ndarray
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "cost_matrix": self.cost_matrix.tolist(),
                "cost_argmax": self.cost_argmax, "cost_min_expected": self.cost_min_expected,
                "saving": self.saving.to_dict(), "changed": self.changed, "verdict": self.verdict}


def decision_cost(y_true: object, proba: object, cost_matrix: object, *,
                  classes: Sequence[object] | None = None, n_boot: int = 200, seed: int = 0,
                  confidence: float = 0.95) -> DecisionCost:
    """Cost of argmax decisions vs least-expected-cost decisions on multiclass probabilities.

    Parameters
    ----------
    y_true : class labels (column indices unless `classes` names the columns)
    proba : array-like, shape (n, K), rows summing to 1
    cost_matrix : array-like, shape (K, K)
        cost_matrix[i, j] = cost of predicting class j when the truth is i (>= 0; the
        diagonal is usually 0).
    classes, n_boot, seed, confidence : as in `calibration_metrics`.

    Examples
    --------
    >>> d = decision_cost([0, 1], [[0.6, 0.4], [0.3, 0.7]], [[0, 1], [10, 0]])
    >>> d.decisions.tolist(), d.cost_argmax, d.cost_min_expected
    ([1, 1], 0.0, 0.5)
    """
    matrix = check_probability_matrix("proba", proba)
    k = matrix.shape[1]
    costs = check_cost_matrix(cost_matrix, k)
    codes = class_indices(y_true, k, classes)
    check_same_length(y_true=codes, proba=matrix)
    level = check_confidence(confidence)
    draws = check_count("n_boot", n_boot, minimum=20)
    argmax = matrix.argmax(axis=1)
    cheapest = (matrix @ costs).argmin(axis=1)
    paid_argmax, paid_cheapest = costs[codes, argmax], costs[codes, cheapest]
    difference = paid_argmax - paid_cheapest
    replicates = np.empty(draws)
    for where, rows in row_resamples(len(codes), draws, seed):
        replicates[where] = difference[rows].mean(axis=1)
    saving_value = float(difference.mean())
    interval = percentile_interval(replicates, level)
    saving = (Estimate("saving", saving_value, method="bootstrap", reason=interval)
              if isinstance(interval, str) else
              Estimate("saving", saving_value, interval[0], interval[1], method="bootstrap"))
    labels = tuple(str(c) for c in (classes if classes is not None else range(k)))
    changed = int((argmax != cheapest).sum())
    verdict = (f"Deciding by least expected cost changes {changed:,} of {len(codes):,} decisions; "
               f"cost per example {paid_argmax.mean():.4g} (top class) -> "
               f"{paid_cheapest.mean():.4g}.")
    return DecisionCost(labels, costs, float(paid_argmax.mean()), float(paid_cheapest.mean()),
                        saving, changed, cheapest, verdict)
