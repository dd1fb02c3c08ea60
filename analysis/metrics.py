"""One number to decide with (DOMAIN.md section 1): confusion-matrix metrics with intervals,
threshold analysis, ROC/PR curves, slices and weighted error.

Everything is vectorised numpy: one `np.bincount` builds a confusion matrix, one sort builds
every score curve (ROC, PR, precision/recall/F1/queue rate against the threshold), and the
confusion matrix at any threshold is then read off the sorted curve without touching the rows
again. Values agree with scikit-learn (same tie handling: a threshold t flags every example
with score >= t). Undefined values (precision with no predicted positives, ...) are reported
with a reason, or replaced by an explicit `zero_division` number, never a crash.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats import wilson_interval
from analysis.validation import (
    check_array,
    check_binary,
    check_choice,
    check_fraction,
    check_number,
    check_same_length,
    rows_preview,
)

UNDEFINED = "undefined"
_SIGN_BIT = np.uint64(1 << 63)


# --------------------------------------------------------------------------- input checks
def _check_zero_division(zero_division: object) -> float | None:
    """Return None for "undefined" (report a reason), else the number that replaces 0/0."""
    if isinstance(zero_division, str):
        check_choice("zero_division", zero_division, (UNDEFINED,))
        return None
    if isinstance(zero_division, bool) or zero_division not in (0, 1):
        raise ValueError(f"zero_division must be 'undefined', 0 or 1; got {zero_division!r}. "
                         "Use 'undefined' to see why a value cannot be computed.")
    return float(zero_division)


def _check_scores(name: str, scores: object) -> np.ndarray:
    """Scores are any finite numbers (probabilities or decision values), one per row."""
    return check_array(name, scores, dtype=float)


def _check_weights(sample_weight: object, n_rows: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    weights = check_array("sample_weight", sample_weight, dtype=float)
    check_same_length(rows=np.empty(n_rows), sample_weight=weights)
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        raise ValueError(f"sample_weight has {negative.size} negative values "
                         f"({rows_preview(negative)}): weights must be 0 or more.")
    if weights.sum() <= 0:
        raise ValueError("sample_weight sums to 0: at least one row needs a positive weight.")
    return weights


def _check_confidence(confidence: object) -> float:
    value = check_fraction("confidence", confidence)
    if value is None or not 0 < value < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1 (e.g. 0.95); got {confidence!r}.")
    return value


# --------------------------------------------------------------------------- estimates
@dataclass(frozen=True)
class Estimate:
    """One metric value with its interval and the counts behind it.

    `value` is None when the metric is undefined (then `reason` says why). When
    `zero_division` replaced an undefined value, `value` is that number and `reason` still
    explains it. `low`/`high` bound the value at the result's confidence level.
    """

    name: str
    value: float | None
    low: float | None = None
    high: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    reason: str | None = None
    method: str = "wilson"

    @property
    def defined(self) -> bool:
        return self.value is not None and self.reason is None

    def text(self, digits: int = 1) -> str:
        """'92.0% (95% CI 90.1-93.6%)', or 'undefined: <reason>'."""
        if self.value is None:
            return f"undefined: {self.reason}"
        shown = f"{100 * self.value:.{digits}f}%"
        if self.low is not None and self.high is not None:
            shown += f" (CI {100 * self.low:.{digits}f}-{100 * self.high:.{digits}f}%)"
        return shown

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(name: str, numerator: float, denominator: float, *, reason: str,
           zero_division: float | None, n_eff: float | None = None,
           confidence: float = 0.95) -> Estimate:
    """numerator / denominator with a Wilson interval; a 0/0 becomes undefined or `zero_division`.

    With sample weights the interval uses Kish's effective sample size `n_eff`.
    """
    if denominator <= 0:
        return Estimate(name, zero_division, None, None, float(numerator), float(denominator),
                        reason=reason)
    value = numerator / denominator
    n = denominator if n_eff is None else n_eff
    low, high = wilson_interval(value * n, n, confidence=confidence)
    return Estimate(name, float(value), float(low), float(high), float(numerator),
                    float(denominator))


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _f_beta(tp: float, fp: float, fn: float, beta: float, *, zero_division: float | None,
            confidence: float) -> Estimate:
    """F-beta from counts, (1+b^2)TP / ((1+b^2)TP + b^2 FN + FP), as scikit-learn computes it.

    Interval: delta method on the counts (F is scale-free in TP, FP, FN, so TN drops out):
    var = sum_i (dF/dc_i)^2 c_i.
    """
    name = "f1" if beta == 1 else f"f{beta:g}"
    k = 1 + beta**2
    denominator = k * tp + beta**2 * fn + fp
    if denominator <= 0:
        return Estimate(name, zero_division, numerator=0.0, denominator=0.0, method="delta",
                        reason="there are no positive examples and none was predicted positive "
                               "(TP + FP + FN = 0)")
    value = k * tp / denominator
    grad_tp = k * (fp + beta**2 * fn) / denominator**2
    grad_fp = -k * tp / denominator**2
    grad_fn = -k * beta**2 * tp / denominator**2
    half = _z(confidence) * math.sqrt(grad_tp**2 * tp + grad_fp**2 * fp + grad_fn**2 * fn)
    return Estimate(name, value, max(0.0, value - half), min(1.0, value + half),
                    k * tp, denominator, method="delta")


def _balanced_accuracy(recall: Estimate, specificity: Estimate, confidence: float) -> Estimate:
    """Mean of recall and specificity; like scikit-learn, a class absent from y_true is skipped."""
    parts = [e for e in (recall, specificity) if e.denominator]
    if len(parts) == 1:
        only = parts[0]
        return Estimate("balanced_accuracy", only.value, only.low, only.high, method=only.method,
                        reason=None)
    value = (recall.value + specificity.value) / 2
    variance = sum(e.value * (1 - e.value) / e.denominator for e in parts) / 4
    half = _z(confidence) * math.sqrt(variance)
    return Estimate("balanced_accuracy", value, max(0.0, value - half), min(1.0, value + half),
                    method="normal")


def _roc_auc_estimate(auc: float | None, n_pos: float, n_neg: float, confidence: float) -> Estimate:
    """ROC AUC with the Hanley-McNeil (1982) standard error."""
    if auc is None:
        return Estimate("roc_auc", None, reason="only one class is present, so no pair of a "
                        "positive and a negative example can be ranked", method="hanley-mcneil")
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (n_pos * n_neg)
    half = _z(confidence) * math.sqrt(max(variance, 0.0))
    return Estimate("roc_auc", auc, max(0.0, auc - half), min(1.0, auc + half),
                    method="hanley-mcneil")


# --------------------------------------------------------------------------- score curves
@dataclass(frozen=True, eq=False)
class ScoreCurve:
    """Cumulative confusion counts at every distinct score, highest first (one sort of the rows).

    `tps[i]` / `fps[i]` count (or sum the weights of) positives / negatives with
    score >= `thresholds[i]`, exactly as scikit-learn's `confusion_matrix_at_thresholds`.
    `tps_sq` / `fps_sq` hold the matching sums of squared weights (only when weighted) for
    effective sample sizes.
    """

    thresholds: np.ndarray
    tps: np.ndarray
    fps: np.ndarray
    n_rows: int
    tps_sq: np.ndarray | None = None
    fps_sq: np.ndarray | None = None

    @property
    def n_pos(self) -> float:
        return float(self.tps[-1])

    @property
    def n_neg(self) -> float:
        return float(self.fps[-1])

    @property
    def total(self) -> float:
        return self.n_pos + self.n_neg

    @property
    def weighted(self) -> bool:
        return self.tps_sq is not None

    def _flagged(self, threshold: float) -> int:
        """How many distinct thresholds are >= `threshold` (the prefix of the curve flagged)."""
        return len(self.thresholds) - int(np.searchsorted(self.thresholds[::-1], threshold, "left"))

    def counts_at(self, threshold: float) -> dict[str, float]:
        """tp, fp, tn, fn when every score >= threshold is predicted positive."""
        i = self._flagged(threshold)
        tp = float(self.tps[i - 1]) if i else 0.0
        fp = float(self.fps[i - 1]) if i else 0.0
        counts = {"tp": tp, "fp": fp, "tn": self.n_neg - fp, "fn": self.n_pos - tp}
        if self.weighted:
            tp_sq = float(self.tps_sq[i - 1]) if i else 0.0
            fp_sq = float(self.fps_sq[i - 1]) if i else 0.0
            counts |= {"tp_sq": tp_sq, "fp_sq": fp_sq, "tn_sq": float(self.fps_sq[-1]) - fp_sq,
                       "fn_sq": float(self.tps_sq[-1]) - tp_sq}
        return counts

    def roc(self, *, drop_intermediate: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(fpr, tpr, thresholds) exactly as `sklearn.metrics.roc_curve`; NaN rates when a class is absent."""
        fps, tps, thresholds = self.fps, self.tps, self.thresholds
        keep = None
        if drop_intermediate and len(fps) > 2:
            # keep corners only: collinear points change neither the drawing nor the AUC
            corner = np.ones(len(fps), dtype=bool)
            np.not_equal(np.diff(fps, 2), 0, out=corner[1:-1])
            corner[1:-1] |= np.diff(tps, 2) != 0
            keep = np.flatnonzero(corner)
        points = len(fps) if keep is None else len(keep)
        fpr, tpr, cuts = np.empty(points + 1), np.empty(points + 1), np.empty(points + 1)
        fpr[0] = tpr[0] = 0.0
        cuts[0] = np.inf
        for source, target in ((fps, fpr), (tps, tpr), (thresholds, cuts)):
            if keep is None:
                target[1:] = source
            else:
                np.take(source, keep, out=target[1:])
        for total, rate in ((fps[-1], fpr), (tps[-1], tpr)):
            if total > 0:
                rate /= total
            else:
                rate[:] = np.nan
        return fpr, tpr, cuts

    def pr(self, *, drop_intermediate: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(precision, recall, thresholds) exactly as `sklearn.metrics.precision_recall_curve`."""
        fps, tps, thresholds = self.fps, self.tps, self.thresholds
        if drop_intermediate and len(fps) > 2:
            keep = np.flatnonzero(np.concatenate(
                ([True], np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), [True])))
            fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
        # every distinct threshold flags at least one row, so tps + fps > 0
        precision = np.empty(len(tps) + 1)
        np.divide(tps[::-1], (tps + fps)[::-1], out=precision[:-1])
        precision[-1] = 1.0
        recall = np.empty(len(tps) + 1)
        if tps[-1] == 0:
            recall[:-1] = 1.0
        else:
            np.divide(tps[::-1], tps[-1], out=recall[:-1])
        recall[-1] = 0.0
        return precision, recall, thresholds[::-1].copy()

    def roc_auc(self) -> float | None:
        """Area under the ROC curve (trapezoids); None when only one class is present."""
        return self._areas[0]

    def average_precision(self) -> float | None:
        """Sum over thresholds of (R_n - R_{n-1}) P_n (not interpolated); None without positives."""
        return self._areas[1]

    @cached_property
    def _areas(self) -> tuple[float | None, float | None]:
        # computed once per curve (a threshold slider asks on every move), straight from the
        # cumulative counts: the trapezoids of every ROC point, and AP's precision-weighted
        # recall steps; collinear points add nothing, so this equals scikit-learn's values
        auc = ap = None
        tps, fps = self.tps, self.fps
        if self.n_pos > 0 and self.n_neg > 0:
            heights = tps[1:] + tps[:-1]
            twice_area = fps[0] * tps[0] + np.dot(np.diff(fps), heights)
            auc = float(twice_area / (2 * self.n_pos * self.n_neg))
        if self.n_pos > 0:
            precision = tps + fps
            np.divide(tps, precision, out=precision)
            steps = tps[0] * precision[0] + np.dot(np.diff(tps), precision[1:])
            ap = float(max(0.0, steps / self.n_pos))
        return auc, ap

    def threshold_table(self) -> pd.DataFrame:
        """Precision, recall, F1 and queue rate (share flagged positive) at every distinct threshold.

        Precision and F1 are NaN where nothing is flagged or they are 0/0.
        """
        flagged = self.tps + self.fps
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = self.tps / flagged
            recall = self.tps / self.n_pos if self.n_pos > 0 else np.full(len(self.tps), np.nan)
            f1 = 2 * self.tps / (flagged + self.n_pos)
        return pd.DataFrame({"threshold": self.thresholds, "precision": precision,
                             "recall": recall, "f1": f1, "queue_rate": flagged / self.total,
                             "tp": self.tps, "fp": self.fps})


_CHUNK = 1 << 20


def _group_ends(keys: np.ndarray) -> np.ndarray:
    """Positions i where keys[i] and keys[i + 1] hold different scores (label bit ignored).

    Worked through in chunks so that no n-sized 64-bit temporary is allocated.
    """
    changes = np.empty(len(keys) - 1, dtype=bool)
    scratch = np.empty(min(_CHUNK, len(changes)), dtype=np.uint64)
    for lo in range(0, len(changes), _CHUNK):
        hi = min(lo + _CHUNK, len(changes))
        part = scratch[: hi - lo]
        np.bitwise_xor(keys[lo + 1: hi + 1], keys[lo:hi], out=part)
        np.greater(part, np.uint64(1), out=changes[lo:hi])
    return np.flatnonzero(changes)


def _sorted_cumulative_unweighted(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, ...]:
    """Curve counts from ONE value sort of (score bits, label) packed in a uint64.

    For scores >= 0 the IEEE-754 bit pattern orders like the number, and the sign bit is free:
    shifting left by one makes room for the 0/1 label in the lowest bit (and turns -0.0 into
    0.0). Sorting these keys (a plain value sort, far faster than an argsort) groups ties
    together; inside a tie group the label order does not matter because counts are read at
    group boundaries only. After the sort: a few linear passes writing into preallocated
    outputs (fresh n-sized arrays cost page faults on every call, so there are few of them).
    """
    n = len(scores)
    keys = np.left_shift(scores.view(np.uint64), np.uint64(1))
    np.bitwise_or(keys, truth.view(np.uint8), out=keys)
    keys.sort()
    ends = _group_ends(keys)              # ascending; the last group ends at n - 1
    groups = len(ends) + 1
    # outputs run from the highest score down (scikit-learn's order)
    thresholds = np.empty(groups, dtype=np.uint64)
    thresholds[0] = keys[-1]
    np.take(keys, ends[::-1], out=thresholds[1:])
    np.right_shift(thresholds, np.uint64(1), out=thresholds)
    # the label is the lowest bit: read it from the lowest byte, then reuse the keys' memory
    labels = keys.view(np.uint8)[::8] & np.uint8(1) if sys.byteorder == "little" \
        else (keys & np.uint64(1)).astype(np.uint8)
    positives_through = keys.view(np.float64)
    np.cumsum(labels, dtype=np.float64, out=positives_through)  # exact below 2**53 rows
    n_pos = positives_through[-1]
    tps = np.empty(groups)
    tps[-1] = n_pos
    np.take(positives_through, ends[::-1], out=tps[:-1])       # positives below each group
    np.subtract(n_pos, tps[:-1], out=tps[:-1])                  # positives at or above it
    fps = np.empty(groups)
    fps[-1] = n - n_pos
    np.subtract(n - 1, ends[::-1], out=fps[:-1])                # rows at or above each group
    np.subtract(fps[:-1], tps[:-1], out=fps[:-1])
    return thresholds.view(np.float64), tps, fps


def _sorted_cumulative(truth: np.ndarray, scores: np.ndarray,
                       weights: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """General path (negative scores or weights): one stable argsort, as scikit-learn does."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    positive = truth[order].astype(np.float64)
    w = np.ones(len(order)) if weights is None else weights[order]
    ends = np.append(np.flatnonzero(np.diff(sorted_scores)), len(order) - 1)
    tps = np.cumsum(positive * w)[ends]
    fps = np.cumsum((1 - positive) * w)[ends]
    extra: tuple[np.ndarray, ...] = ()
    if weights is not None:
        extra = (np.cumsum(positive * w**2)[ends], np.cumsum((1 - positive) * w**2)[ends])
    return (sorted_scores[ends], tps, fps, *extra)


def score_curve(y_true: object, scores: object, *, sample_weight: object = None) -> ScoreCurve:
    """Sort once and count positives/negatives above every distinct score.

    Parameters
    ----------
    y_true : array-like of 0/1 (1 = positive class)
    scores : array-like of float, higher = more likely positive
    sample_weight : array-like of float >= 0, optional (rows with weight 0 are left out,
        as scikit-learn does)

    Examples
    --------
    >>> curve = score_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> curve.thresholds.tolist(), curve.tps.tolist(), curve.fps.tolist()
    ([0.8, 0.4, 0.35, 0.1], [1.0, 1.0, 2.0, 2.0], [0.0, 1.0, 1.0, 2.0])
    >>> round(curve.roc_auc(), 2), round(curve.average_precision(), 2)
    (0.75, 0.83)
    """
    truth = check_binary("y_true", y_true)
    values = _check_scores("scores", scores)
    check_same_length(y_true=truth, scores=values)
    weights = _check_weights(sample_weight, len(truth))
    if weights is not None:
        kept = weights != 0
        truth, values, weights = truth[kept], values[kept], weights[kept]
        thresholds, tps, fps, tps_sq, fps_sq = _sorted_cumulative(truth, values, weights)
        return ScoreCurve(thresholds, tps, fps, int(kept.sum()), tps_sq, fps_sq)
    if values.min() >= 0:
        thresholds, tps, fps = _sorted_cumulative_unweighted(truth, values)
    else:
        thresholds, tps, fps = _sorted_cumulative(truth, values, None)
    return ScoreCurve(thresholds, tps, fps, len(truth))


# --------------------------------------------------------------------------- binary metrics
@dataclass(frozen=True)
class BinaryMetrics:
    """Confusion counts and every rate derived from them, each with an interval.

    Counts are sums of weights when `weighted`. `roc_auc` / `average_precision` are present
    only when scores were given (threshold-free). `warnings` lists what a reader must know.
    """

    tp: float
    fp: float
    tn: float
    fn: float
    threshold: float | None
    accuracy: Estimate
    error_rate: Estimate
    precision: Estimate
    recall: Estimate
    f1: Estimate
    specificity: Estimate
    balanced_accuracy: Estimate
    f_beta: Estimate | None = None
    roc_auc: Estimate | None = None
    average_precision: Estimate | None = None
    weighted: bool = False
    confidence: float = 0.95
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n(self) -> float:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def queue_rate(self) -> float:
        """Share of examples predicted positive (what a review queue would receive)."""
        return (self.tp + self.fp) / self.n

    def estimates(self) -> list[Estimate]:
        found = [self.accuracy, self.error_rate, self.precision, self.recall, self.f1,
                 self.f_beta, self.specificity, self.balanced_accuracy, self.roc_auc,
                 self.average_precision]
        return [e for e in found if e is not None]

    def table(self) -> pd.DataFrame:
        """One row per metric: value, interval, the counts behind it and any reason."""
        return pd.DataFrame([e.to_dict() for e in self.estimates()])

    def confusion(self) -> np.ndarray:
        """[[TN, FP], [FN, TP]] (rows = truth, columns = prediction), scikit-learn's layout."""
        return np.array([[self.tn, self.fp], [self.fn, self.tp]])

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if not isinstance(v, dict)}
        data |= {e.name: e.to_dict() for e in self.estimates()}
        data["warnings"] = list(self.warnings)
        return data


def _binary_from_counts(counts: dict[str, float], *, threshold: float | None, beta: float | None,
                        zero_division: float | None, confidence: float, weighted: bool,
                        roc_auc: float | None = None, average_precision: float | None = None,
                        with_scores: bool = False) -> BinaryMetrics:
    tp, fp, tn, fn = counts["tp"], counts["fp"], counts["tn"], counts["fn"]
    where = f" at threshold {threshold:g}" if threshold is not None else ""

    def n_eff(*cells: str) -> float | None:
        # Kish's effective sample size: weighted proportions carry less information
        if not weighted:
            return None
        total = sum(counts[c] for c in cells)
        squares = sum(counts[c + "_sq"] for c in cells)
        return total**2 / squares if squares > 0 else None

    def ratio(name: str, num: float, den: float, cells: tuple[str, ...], reason: str) -> Estimate:
        return _ratio(name, num, den, reason=reason, zero_division=zero_division,
                      n_eff=n_eff(*cells), confidence=confidence)

    everything = ("tp", "fp", "tn", "fn")
    n = tp + fp + tn + fn
    accuracy = ratio("accuracy", tp + tn, n, everything, "there are no examples")
    error_rate = ratio("error_rate", fp + fn, n, everything, "there are no examples")
    precision = ratio("precision", tp, tp + fp, ("tp", "fp"),
                      f"no example was predicted positive{where} (TP + FP = 0)")
    recall = ratio("recall", tp, tp + fn, ("tp", "fn"),
                   "there are no positive examples (TP + FN = 0)")
    specificity = ratio("specificity", tn, tn + fp, ("tn", "fp"),
                        "there are no negative examples (TN + FP = 0)")
    f1 = _f_beta(tp, fp, fn, 1.0, zero_division=zero_division, confidence=confidence)
    f_beta = None if beta is None else _f_beta(tp, fp, fn, beta, zero_division=zero_division,
                                               confidence=confidence)
    balanced = _balanced_accuracy(recall, specificity, confidence)
    warnings = [f"{e.name.replace('_', ' ')} is undefined: {e.reason}"
                + ("" if e.value is None else f"; shown as {e.value:g} (zero_division)")
                for e in (precision, recall, specificity, f1) if e.reason]
    if (tp + fn) * (tn + fp) == 0:
        warnings.append("only one class is present in y_true: balanced accuracy is the rate "
                        "of that class alone")
    auc = ap = None
    if with_scores:
        auc = _roc_auc_estimate(roc_auc, tp + fn, tn + fp, confidence)
        ap = Estimate("average_precision", average_precision, method="point",
                      reason=None if average_precision is not None
                      else "there are no positive examples to rank")
        warnings += [f"{e.name.replace('_', ' ')} is undefined: {e.reason}" for e in (auc, ap)
                     if e.value is None]
    return BinaryMetrics(tp, fp, tn, fn, threshold, accuracy, error_rate, precision, recall, f1,
                         specificity, balanced, f_beta, auc, ap, weighted, confidence,
                         tuple(warnings))


def _check_beta(beta: object) -> float | None:
    if beta is None:
        return None
    value = check_number("beta", beta, low=0.0)
    if value == 0 or value is None:
        raise ValueError(f"beta must be greater than 0 (e.g. 2 to weigh recall higher); got {beta!r}.")
    return value


def metrics_at_threshold(curve: ScoreCurve, *, threshold: float = 0.5, beta: float | None = None,
                         zero_division: float | str = UNDEFINED,
                         confidence: float = 0.95) -> BinaryMetrics:
    """Every binary metric at `threshold` read off an already sorted curve (no pass over rows).

    A threshold slider calls this on each move; the one sort happened in `score_curve`.

    Examples
    --------
    >>> curve = score_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> m = metrics_at_threshold(curve, threshold=0.4)
    >>> m.tp, m.fp, m.precision.value, m.recall.value
    (1.0, 1.0, 0.5, 0.5)
    """
    if not isinstance(curve, ScoreCurve):
        raise ValueError(f"curve must come from score_curve(...); got {type(curve).__name__}.")
    cut = check_number("threshold", threshold)
    return _binary_from_counts(curve.counts_at(cut), threshold=cut, beta=_check_beta(beta),
                               zero_division=_check_zero_division(zero_division),
                               confidence=_check_confidence(confidence), weighted=curve.weighted,
                               roc_auc=curve.roc_auc(),
                               average_precision=curve.average_precision(), with_scores=True)


def binary_metrics(y_true: object, y_pred: object = None, *, scores: object = None,
                   threshold: float = 0.5, sample_weight: object = None,
                   beta: float | None = None, zero_division: float | str = UNDEFINED,
                   confidence: float = 0.95) -> BinaryMetrics:
    """Confusion counts, accuracy, error, precision, recall, F1, specificity, balanced accuracy
    (each with an interval), plus ROC AUC and average precision when `scores` are given.

    Parameters
    ----------
    y_true : array-like of 0/1 (1 = positive class)
    y_pred : array-like of 0/1, optional
        Predicted labels. When omitted, `scores >= threshold` is the prediction.
    scores : array-like of float, optional
        Score of the positive class; enables ROC AUC and average precision.
    threshold : float, default 0.5
        Used only when predictions come from `scores`.
    sample_weight : array-like of float >= 0, optional
    beta : float, optional
        Also report F-beta (beta > 1 weighs recall higher).
    zero_division : 'undefined', 0 or 1, default 'undefined'
        What a 0/0 rate becomes: 'undefined' reports no value and the reason; a number is
        used in its place (scikit-learn's `zero_division`), the reason is still kept.
    confidence : float, default 0.95
        Confidence level of the intervals (Wilson for rates, delta method for F-scores).

    Examples
    --------
    >>> m = binary_metrics([1, 1, 0, 0, 1], [1, 0, 0, 1, 1])
    >>> m.tp, m.fp, m.fn, round(m.precision.value, 3), round(m.f1.value, 3)
    (2.0, 1.0, 1.0, 0.667, 0.667)
    >>> binary_metrics([1, 0], [0, 0]).precision.reason
    'no example was predicted positive (TP + FP = 0)'
    """
    truth = check_binary("y_true", y_true)
    zero = _check_zero_division(zero_division)
    level = _check_confidence(confidence)
    beta_value = _check_beta(beta)
    if y_pred is None and scores is None:
        raise ValueError("binary_metrics needs y_pred (predicted 0/1 labels) or scores "
                         "(positive-class scores to threshold); got neither.")
    if y_pred is None:
        curve = score_curve(truth, scores, sample_weight=sample_weight)
        return metrics_at_threshold(curve, threshold=threshold, beta=beta_value,
                                    zero_division=zero_division, confidence=level)
    predicted = check_binary("y_pred", y_pred)
    check_same_length(y_true=truth, y_pred=predicted)
    weights = _check_weights(sample_weight, len(truth))
    # one bincount: cell 0 = TN, 1 = FP, 2 = FN, 3 = TP
    cells = 2 * truth.astype(np.intp) + predicted
    counts = np.bincount(cells, weights=weights, minlength=4).astype(float)
    named = dict(zip(("tn", "fp", "fn", "tp"), counts.tolist(), strict=True))
    if weights is not None:
        squares = np.bincount(cells, weights=weights**2, minlength=4)
        named |= dict(zip(("tn_sq", "fp_sq", "fn_sq", "tp_sq"), squares.tolist(), strict=True))
    auc = ap = None
    if scores is not None:
        curve = score_curve(truth, scores, sample_weight=weights)
        auc, ap = curve.roc_auc(), curve.average_precision()
    return _binary_from_counts(named, threshold=None, beta=beta_value, zero_division=zero,
                               confidence=level, weighted=weights is not None, roc_auc=auc,
                               average_precision=ap, with_scores=scores is not None)


# --------------------------------------------------------------------------- thresholds
@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold picked for a goal, with what it achieves (or why no threshold can)."""

    goal: str
    threshold: float | None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    queue_rate: float | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choice(goal: str, table: pd.DataFrame, row: int, reason: str) -> ThresholdChoice:
    picked = table.iloc[row]
    return ThresholdChoice(goal, float(picked["threshold"]), float(picked["precision"]),
                           float(picked["recall"]), float(picked["f1"]),
                           float(picked["queue_rate"]), reason)


def best_f1_threshold(curve: ScoreCurve) -> ThresholdChoice:
    """The threshold with the highest F1 (the highest such threshold on ties).

    Examples
    --------
    >>> best_f1_threshold(score_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).threshold
    0.35
    """
    table = curve.threshold_table()
    f1 = table["f1"].to_numpy()
    if curve.n_pos <= 0 or np.all(np.isnan(f1)):
        return ThresholdChoice("best F1", None, reason="there are no positive examples, so F1 "
                               "is 0 or undefined at every threshold")
    row = int(np.nanargmax(f1))
    return _choice("best F1", table, row, f"F1 peaks at {f1[row]:.3f}")


def threshold_for_target(curve: ScoreCurve, *, precision: float | None = None,
                         recall: float | None = None) -> ThresholdChoice:
    """The threshold that meets a target precision (keeping the most recall) or a target
    recall (flagging the fewest examples).

    Examples
    --------
    >>> curve = score_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> threshold_for_target(curve, recall=1.0).threshold
    0.35
    >>> threshold_for_target(curve, precision=0.9).threshold
    0.8
    """
    if (precision is None) == (recall is None):
        raise ValueError("threshold_for_target needs exactly one of precision= or recall= "
                         f"(a fraction such as 0.9); got precision={precision!r}, recall={recall!r}.")
    table = curve.threshold_table()
    if curve.n_pos <= 0:
        return ThresholdChoice("target", None, reason="there are no positive examples")
    if precision is not None:
        target = check_fraction("precision", precision)
        goal = f"precision >= {target:.0%}"
        meets = np.flatnonzero(table["precision"].to_numpy() >= target)
        if not meets.size:
            best = np.nanmax(table["precision"].to_numpy())
            return ThresholdChoice(goal, None, reason=f"no threshold reaches precision {target:.1%}; "
                                   f"the best is {best:.1%}")
        # lowest qualifying threshold = most recall among those meeting the target
        return _choice(goal, table, int(meets[-1]), "the lowest threshold meeting the precision "
                       "target, so recall is as high as it can be")
    target = check_fraction("recall", recall)
    goal = f"recall >= {target:.0%}"
    meets = np.flatnonzero(table["recall"].to_numpy() >= target)
    # recall only grows as the threshold drops, so the first qualifying row is the highest threshold
    return _choice(goal, table, int(meets[0]), "the highest threshold meeting the recall target, "
                   "so the fewest examples are flagged")


def downsample_curve(x: object, y: object, *, max_points: int = 2000) -> np.ndarray:
    """Indices of at most `max_points` points that keep the drawn shape of a curve (for drawing only).

    The curve is cut into buckets of equal arc length (steep parts get as many points as flat
    ones); each bucket keeps its first, last, lowest and highest point (M4), so steps and peaks
    survive. The first and last points are always kept.

    Examples
    --------
    >>> x = np.linspace(0, 1, 100_000)
    >>> keep = downsample_curve(x, x**2, max_points=400)
    >>> len(keep) <= 400, int(keep[0]), int(keep[-1])
    (True, 0, 99999)
    """
    xs = check_array("x", x, dtype=float, allow_nan=True)
    ys = check_array("y", y, dtype=float, allow_nan=True)
    check_same_length(x=xs, y=ys)
    budget = int(check_number("max_points", max_points, low=8))
    n = len(xs)
    if n <= budget:
        return np.arange(n)
    buckets = budget // 4
    xs_f, ys_f = np.nan_to_num(xs), np.nan_to_num(ys)
    span_x = np.ptp(xs_f) or 1.0
    span_y = np.ptp(ys_f) or 1.0
    steps = np.hypot(np.diff(xs_f) / span_x, np.diff(ys_f) / span_y)
    length = np.concatenate(([0.0], np.cumsum(steps)))
    if length[-1] == 0:
        length = np.arange(n, dtype=float)
    bucket = np.minimum((length / length[-1] * buckets).astype(np.intp), buckets - 1)
    starts = np.flatnonzero(np.diff(bucket, prepend=-1))
    ends = np.append(starts[1:] - 1, n - 1)
    index = np.arange(n)
    sizes = np.diff(np.append(starts, n))
    low_at = np.minimum.reduceat(np.where(ys_f == np.repeat(np.minimum.reduceat(ys_f, starts), sizes),
                                          index, n), starts)
    high_at = np.minimum.reduceat(np.where(ys_f == np.repeat(np.maximum.reduceat(ys_f, starts), sizes),
                                           index, n), starts)
    return np.unique(np.concatenate((starts, ends, low_at, high_at)))


# --------------------------------------------------------------------------- multiclass
def _encode_labels(y_true: np.ndarray, y_pred: np.ndarray,
                   labels: Sequence[object] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes 0..K-1 for both label arrays (K = len(labels) or the sorted union)."""
    if labels is None:
        classes, codes = np.unique(np.concatenate((y_true, y_pred)), return_inverse=True)
        return classes, codes[: len(y_true)], codes[len(y_true):]
    # build the class array from the labels themselves: the data's fixed-width string dtype
    # would truncate a longer class name that never occurs in the data
    classes = np.asarray([str(c) for c in labels] if y_true.dtype.kind in "US" else list(labels))
    if len(classes) == 0 or len(set(classes.tolist())) != len(classes):
        raise ValueError(f"labels must list each class once; got {list(labels)!r}.")
    order = np.argsort(classes)
    ranked = classes[order]

    def encode(name: str, values: np.ndarray) -> np.ndarray:
        at = np.clip(np.searchsorted(ranked, values), 0, len(ranked) - 1)
        unknown = np.flatnonzero(ranked[at] != values)
        if unknown.size:
            seen = list(dict.fromkeys(values[unknown].tolist()))[:3]
            raise ValueError(f"{name} has {unknown.size} values not in labels: {seen} "
                             f"({rows_preview(unknown)}); add them to labels or fix the rows.")
        return order[at]

    return classes, encode("y_true", y_true), encode("y_pred", y_pred)


def check_labels(name: str, values: object) -> np.ndarray:
    """Class labels (text or numbers), one per example, none empty; text comes back as str."""
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty one-dimensional list of labels; got shape {array.shape}.")
    if array.dtype == object or array.dtype.kind == "T":
        missing = np.flatnonzero(pd.isna(array))
        if missing.size:
            raise ValueError(f"{name} has {missing.size} empty labels ({rows_preview(missing)}): "
                             "fill or drop those rows.")
        array = array.astype(str)
    if array.dtype.kind == "f" and np.isnan(array).any():
        missing = np.flatnonzero(np.isnan(array))
        raise ValueError(f"{name} has {missing.size} empty labels ({rows_preview(missing)}).")
    return array


@dataclass(frozen=True, eq=False)
class MulticlassMetrics:
    """K x K confusion matrix (rows = truth, columns = prediction), per-class and averaged metrics.

    `per_class` has one row per class (precision, recall, f1 NaN where undefined, with Wilson
    intervals); `averages` has rows macro / micro / weighted; `top_confusions` lists the most
    frequent true -> predicted mistakes.
    """

    labels: tuple[str, ...]
    confusion: np.ndarray
    accuracy: Estimate
    error_rate: Estimate
    per_class: pd.DataFrame
    averages: pd.DataFrame
    top_confusions: pd.DataFrame
    warnings: tuple[str, ...] = ()

    def normalised(self, by: str = "true") -> np.ndarray:
        """Confusion divided by row sums ('true': recall view) or column sums ('pred')."""
        check_choice("by", by, ("true", "pred"))
        axis = 1 if by == "true" else 0
        with np.errstate(divide="ignore", invalid="ignore"):
            sums = self.confusion.sum(axis=axis, keepdims=True)
            return np.where(sums > 0, self.confusion / np.where(sums > 0, sums, 1), np.nan)

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "confusion": self.confusion.tolist(),
                "accuracy": self.accuracy.to_dict(), "error_rate": self.error_rate.to_dict(),
                "per_class": self.per_class.to_dict(orient="records"),
                "averages": self.averages.to_dict(orient="records"),
                "top_confusions": self.top_confusions.to_dict(orient="records"),
                "warnings": list(self.warnings)}


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray, fill: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), fill)


def _nan_average(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Average ignoring NaN (undefined) entries, as scikit-learn with zero_division=np.nan."""
    keep = ~np.isnan(values)
    if not keep.any():
        return math.nan
    if weights is None or weights[keep].sum() == 0:
        return float(values[keep].mean())
    return float(np.average(values[keep], weights=weights[keep]))


def multiclass_metrics(y_true: object, y_pred: object, *, labels: Sequence[object] | None = None,
                       sample_weight: object = None, zero_division: float | str = UNDEFINED,
                       top: int = 10, confidence: float = 0.95) -> MulticlassMetrics:
    """Confusion matrix (one bincount), per-class precision/recall/F1/support, macro, micro and
    weighted averages, and the most frequent confusions.

    Parameters
    ----------
    y_true, y_pred : array-like of labels (strings or numbers)
    labels : sequence, optional
        Classes in display order; default: the sorted union of both columns. A class listed
        here but absent from the data gets support 0 and undefined recall.
    sample_weight : array-like of float >= 0, optional
    zero_division : 'undefined', 0 or 1
        'undefined' leaves 0/0 values out of the averages (scikit-learn's np.nan).
    top : int, default 10
        How many confusions to list.

    Examples
    --------
    >>> m = multiclass_metrics(["cat", "dog", "dog", "bird"], ["cat", "dog", "cat", "bird"])
    >>> m.confusion.tolist()
    [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    >>> m.top_confusions[["true", "predicted", "count"]].values.tolist()
    [['dog', 'cat', 1]]
    """
    truth = check_labels("y_true", y_true)
    predicted = check_labels("y_pred", y_pred)
    check_same_length(y_true=truth, y_pred=predicted)
    if truth.dtype.kind != predicted.dtype.kind:
        truth, predicted = truth.astype(str), predicted.astype(str)
    zero = _check_zero_division(zero_division)
    level = _check_confidence(confidence)
    shown = int(check_number("top", top, low=0))
    weights = _check_weights(sample_weight, len(truth))
    classes, t_codes, p_codes = _encode_labels(truth, predicted, labels)
    k = len(classes)
    flat = np.bincount(t_codes * k + p_codes, weights=weights, minlength=k * k)
    confusion = flat.reshape(k, k) if weights is not None else flat.reshape(k, k).astype(np.int64)
    tp = np.diag(confusion).astype(float)
    support = confusion.sum(axis=1).astype(float)
    predicted_count = confusion.sum(axis=0).astype(float)
    fill = math.nan if zero is None else zero
    precision = _safe_divide(tp, predicted_count, fill)
    recall = _safe_divide(tp, support, fill)
    f1 = _safe_divide(2 * tp, support + predicted_count, fill)
    p_low, p_high = wilson_interval(tp, predicted_count, confidence=level)
    r_low, r_high = wilson_interval(tp, support, confidence=level)
    names = tuple(str(c) for c in classes)
    per_class = pd.DataFrame({"class": list(names), "support": support, "predicted": predicted_count,
                              "tp": tp, "precision": precision, "precision_low": p_low,
                              "precision_high": p_high, "recall": recall, "recall_low": r_low,
                              "recall_high": r_high, "f1": f1})
    micro_p = float(_safe_divide(tp.sum(), predicted_count.sum(), fill))
    micro_r = float(_safe_divide(tp.sum(), support.sum(), fill))
    micro_f = float(_safe_divide(2 * tp.sum(), support.sum() + predicted_count.sum(), fill))
    averages = pd.DataFrame({
        "average": ["macro", "micro", "weighted"],
        "precision": [_nan_average(precision), micro_p, _nan_average(precision, support)],
        "recall": [_nan_average(recall), micro_r, _nan_average(recall, support)],
        "f1": [_nan_average(f1), micro_f, _nan_average(f1, support)],
    })
    total = float(confusion.sum())
    correct = float(tp.sum())
    n_eff = None if weights is None else weights.sum() ** 2 / (weights**2).sum()
    accuracy = _ratio("accuracy", correct, total, reason="there are no examples",
                      zero_division=zero, n_eff=n_eff, confidence=level)
    error_rate = _ratio("error_rate", total - correct, total, reason="there are no examples",
                        zero_division=zero, n_eff=n_eff, confidence=level)
    warnings = [f"class {names[i]!r} never occurs in y_true: its recall is undefined"
                for i in np.flatnonzero(support == 0)]
    warnings += [f"class {names[i]!r} is never predicted: its precision is undefined"
                 for i in np.flatnonzero(predicted_count == 0)]
    return MulticlassMetrics(names, confusion, accuracy, error_rate, per_class, averages,
                             _top_confusions(confusion, names, support, shown), tuple(warnings))


def _top_confusions(confusion: np.ndarray, names: tuple[str, ...], support: np.ndarray,
                    top: int) -> pd.DataFrame:
    off = confusion.astype(float).copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(-off, axis=None, kind="stable")[:top]
    rows, cols = np.unravel_index(order, off.shape)
    keep = off[rows, cols] > 0
    rows, cols = rows[keep], cols[keep]
    counts = confusion[rows, cols]
    errors = off.sum()
    return pd.DataFrame({"true": [names[i] for i in rows], "predicted": [names[j] for j in cols],
                         "count": counts,
                         "share_of_errors": counts / errors if errors else np.zeros(len(rows)),
                         "share_of_true_class": counts / support[rows]})


# --------------------------------------------------------------------------- multi-label
@dataclass(frozen=True, eq=False)
class MultiLabelMetrics:
    """Per-task binary metrics of a multi-task model, each on the rows where that label is known.

    `per_task` has one row per task; `average` is the unweighted mean across tasks (NaN-skipping).
    """

    tasks: tuple[str, ...]
    per_task: pd.DataFrame
    average: dict[str, float]
    details: tuple[BinaryMetrics, ...]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"tasks": list(self.tasks), "per_task": self.per_task.to_dict(orient="records"),
                "average": self.average, "warnings": list(self.warnings)}


_TASK_COLUMNS = ("accuracy", "error_rate", "precision", "recall", "f1", "roc_auc", "average_precision")


def multilabel_metrics(y_true: object, *, scores: object = None, y_pred: object = None,
                       threshold: float = 0.5, task_names: Sequence[str] | None = None,
                       zero_division: float | str = UNDEFINED,
                       confidence: float = 0.95) -> MultiLabelMetrics:
    """Metrics per task for several 0/1 labels per example; a missing label (NaN) is left out
    of that task only (DOMAIN.md section 5).

    Parameters
    ----------
    y_true : 2-D array (rows x tasks) of 0, 1 or NaN (missing)
    scores : 2-D array of task scores, same shape (or give y_pred)
    y_pred : 2-D array of 0/1 predictions, same shape
    threshold : float, default 0.5 (applied to scores)
    task_names : names of the tasks (columns)

    Examples
    --------
    >>> nan = float("nan")
    >>> m = multilabel_metrics([[1, 0], [0, nan], [1, 1]], y_pred=[[1, 0], [1, 1], [0, 1]],
    ...                        task_names=["car", "stop_sign"])
    >>> m.per_task[["task", "labelled", "missing", "accuracy"]].values.tolist()
    [['car', 3, 0, 0.3333333333333333], ['stop_sign', 2, 1, 1.0]]
    """
    truth = check_array("y_true", y_true, dtype=float, allow_nan=True, ndim=2)
    if (scores is None) == (y_pred is None):
        raise ValueError("multilabel_metrics needs exactly one of scores= or y_pred= (a 2-D array "
                         "with one column per task).")
    given = scores if scores is not None else y_pred
    name = "scores" if scores is not None else "y_pred"
    values = check_array(name, given, dtype=float, ndim=2)
    if values.shape != truth.shape:
        raise ValueError(f"{name} has shape {values.shape} but y_true has {truth.shape}: give one "
                         "column per task, in the same order.")
    known = ~np.isnan(truth)
    bad = known & (truth != 0) & (truth != 1)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        raise ValueError(f"y_true has {int(bad.sum())} labels that are not 0, 1 or missing "
                         f"({rows_preview(rows)}).")
    n_tasks = truth.shape[1]
    names = tuple(task_names) if task_names is not None else tuple(f"task {i + 1}" for i in range(n_tasks))
    if len(names) != n_tasks:
        raise ValueError(f"task_names has {len(names)} names but there are {n_tasks} task columns.")
    rows, details, warnings = [], [], []
    for j, task in enumerate(names):
        mask = known[:, j]
        if not mask.any():
            warnings.append(f"task {task!r} has no known labels: it is left out")
            continue
        kwargs = {"scores": values[mask, j], "threshold": threshold} if scores is not None \
            else {"y_pred": values[mask, j]}
        metrics = binary_metrics(truth[mask, j], zero_division=zero_division,
                                 confidence=confidence, **kwargs)
        details.append(metrics)
        warnings += [f"{task}: {w}" for w in metrics.warnings]
        row: dict[str, Any] = {"task": task, "labelled": int(mask.sum()),
                               "missing": int((~mask).sum()), "positives": int(metrics.tp + metrics.fn)}
        for column in _TASK_COLUMNS:
            estimate = getattr(metrics, column)
            row[column] = math.nan if estimate is None or estimate.value is None else estimate.value
        row["error_low"], row["error_high"] = metrics.error_rate.low, metrics.error_rate.high
        rows.append(row)
    per_task = pd.DataFrame(rows)
    average = {c: _nan_average(per_task[c].to_numpy(dtype=float)) for c in _TASK_COLUMNS} \
        if rows else {}
    return MultiLabelMetrics(tuple(per_task["task"]) if rows else (), per_task, average,
                             tuple(details), tuple(warnings))


# --------------------------------------------------------------------------- slices and weights
@dataclass(frozen=True, eq=False)
class SliceMetrics:
    """Metrics per value of a group column (e.g. region), and one number across slices.

    `average_error` is the plain mean of the per-slice error rates (each slice counts once,
    DOMAIN.md section 1); `overall_error` pools every row.
    """

    column: str
    table: pd.DataFrame
    average_error: float
    overall_error: float
    worst_slice: str

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "table": self.table.to_dict(orient="records"),
                "average_error": self.average_error, "overall_error": self.overall_error,
                "worst_slice": self.worst_slice}


def slice_metrics(y_true: object, y_pred: object, groups: object, *, column: str = "slice",
                  binary: bool = True, sample_weight: object = None,
                  confidence: float = 0.95) -> SliceMetrics:
    """Error (with interval), accuracy and, for binary labels, precision/recall/F1 per slice.

    One bincount over (slice, truth, prediction) cells gives every slice's confusion matrix.

    Examples
    --------
    >>> s = slice_metrics([1, 0, 1, 1], [1, 1, 1, 0], ["US", "US", "India", "India"], column="region")
    >>> s.table[["region", "n", "error_rate"]].values.tolist()
    [['India', 2, 0.5], ['US', 2, 0.5]]
    """
    level = _check_confidence(confidence)
    names = check_labels("groups", groups).astype(str)
    if binary:
        truth, predicted = check_binary("y_true", y_true), check_binary("y_pred", y_pred)
    else:
        truth, predicted = check_labels("y_true", y_true), check_labels("y_pred", y_pred)
    check_same_length(y_true=truth, y_pred=predicted, groups=names)
    weights = _check_weights(sample_weight, len(truth))
    slices, codes = np.unique(names, return_inverse=True)
    k = len(slices)
    rows_per_slice = np.bincount(codes, minlength=k)
    if binary:
        cells = np.bincount(codes * 4 + 2 * truth.astype(np.intp) + predicted, weights=weights,
                            minlength=4 * k).reshape(k, 4).astype(float)
        _tn, fp, fn, tp = cells.T
        total, wrong = cells.sum(axis=1), fp + fn
    else:
        total = np.bincount(codes, weights=weights, minlength=k).astype(float)
        wrong = np.bincount(codes, weights=(truth != predicted) * (1.0 if weights is None else weights),
                            minlength=k)
    error = wrong / total
    low, high = wilson_interval(wrong, total, confidence=level)
    table = pd.DataFrame({column: slices.tolist(), "n": rows_per_slice, "errors": wrong,
                          "error_rate": error, "error_low": low, "error_high": high,
                          "accuracy": 1 - error})
    if binary:
        table["precision"] = _safe_divide(tp, tp + fp, math.nan)
        table["recall"] = _safe_divide(tp, tp + fn, math.nan)
        table["f1"] = _safe_divide(2 * tp, 2 * tp + fp + fn, math.nan)
    worst = str(slices[int(np.argmax(error))])
    return SliceMetrics(column, table, float(error.mean()), float(wrong.sum() / total.sum()), worst)


@dataclass(frozen=True)
class WeightedError:
    """sum(w_i [pred_i != y_i]) / sum(w_i) beside the plain error it replaces."""

    error: float
    unweighted_error: float
    mistakes: int
    weighted_mistakes: float
    total_weight: float
    n: int
    heavy_mistakes: int

    @property
    def explanation(self) -> str:
        return (f"{self.mistakes} of {self.n} examples are wrong ({self.unweighted_error:.1%}); "
                f"{self.heavy_mistakes} of them carry a weight above 1, so the weighted error is "
                f"{self.error:.1%} ({self.weighted_mistakes:g} of {self.total_weight:g} weight).")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"explanation": self.explanation}


def weighted_error(y_true: object, y_pred: object, *, weights: object) -> WeightedError:
    """The error where unacceptable mistakes weigh more (DOMAIN.md section 1).

    Examples
    --------
    >>> w = weighted_error([0, 0, 1, 1], [1, 0, 1, 0], weights=[10, 1, 1, 1])
    >>> round(w.error, 4), w.unweighted_error
    (0.8462, 0.5)
    """
    truth, predicted = check_labels("y_true", y_true), check_labels("y_pred", y_pred)
    if truth.dtype.kind != predicted.dtype.kind:
        truth, predicted = truth.astype(str), predicted.astype(str)
    check_same_length(y_true=truth, y_pred=predicted)
    w = _check_weights(weights, len(truth))
    wrong = truth != predicted
    return WeightedError(float(w[wrong].sum() / w.sum()), float(wrong.mean()), int(wrong.sum()),
                         float(w[wrong].sum()), float(w.sum()), len(truth),
                         int((wrong & (w > 1)).sum()))


# --------------------------------------------------------------------------- hand-offs and tables
def misclassified_examples(y_true: object, y_pred: object, *, scores: object = None,
                           example_ids: object = None, image_paths: object = None,
                           limit: int | None = None) -> pd.DataFrame:
    """The rows a model gets wrong, as the error-analysis sheet wants them: example_id,
    image_path (when given), y_true, y_pred, score (when given); most confident mistakes first.

    Examples
    --------
    >>> misclassified_examples([1, 0, 1], [1, 1, 0], scores=[0.9, 0.7, 0.2],
    ...                        example_ids=["a", "b", "c"]).values.tolist()
    [['c', 1, 0, 0.2], ['b', 0, 1, 0.7]]
    """
    truth, predicted = check_labels("y_true", y_true), check_labels("y_pred", y_pred)
    if truth.dtype.kind != predicted.dtype.kind:
        truth, predicted = truth.astype(str), predicted.astype(str)
    n = check_same_length(y_true=truth, y_pred=predicted, scores=_optional(scores),
                          example_ids=_optional(example_ids), image_paths=_optional(image_paths))
    ids = np.arange(1, n + 1) if example_ids is None else np.asarray(example_ids)
    wrong = np.flatnonzero(truth != predicted)
    frame = pd.DataFrame({"example_id": ids[wrong]})
    if image_paths is not None:
        frame["image_path"] = np.asarray(image_paths)[wrong]
    frame["y_true"] = truth[wrong]
    frame["y_pred"] = predicted[wrong]
    if scores is not None:
        values = _check_scores("scores", scores)[wrong]
        frame["score"] = values
        # the most confident mistakes first: the ones most worth a look
        frame = frame.iloc[np.argsort(-np.abs(values - 0.5), kind="stable")].reset_index(drop=True)
    if limit is not None:
        frame = frame.head(int(check_number("limit", limit, low=1)))
    return frame


def _optional(values: object) -> np.ndarray | None:
    return None if values is None else np.asarray(values)


def metrics_table(results: dict[str, BinaryMetrics]) -> pd.DataFrame:
    """One row per model (in percent, for a model table the user can extend by typing):
    accuracy, error, precision, recall, F1, ROC AUC.

    Examples
    --------
    >>> metrics_table({"A": binary_metrics([1, 0, 1, 1], [1, 0, 0, 1])})[["model", "accuracy"]].values.tolist()
    [['A', 75.0]]
    """
    rows = []
    for name, result in results.items():
        row: dict[str, Any] = {"model": name}
        for column in ("accuracy", "error_rate", "precision", "recall", "f1", "roc_auc"):
            estimate = getattr(result, column)
            value = None if estimate is None else estimate.value
            row[column] = math.nan if value is None else round(100 * value, 2)
        rows.append(row)
    return pd.DataFrame(rows)
