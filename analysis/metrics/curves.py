"""Score curves: one sort of the rows gives ROC, PR, the threshold table and the confusion
matrix at any threshold, with scikit-learn's tie handling (a threshold t flags every example
with score >= t).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.metrics.inputs import check_scores, check_weights
from analysis.validation import check_binary, check_same_length


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
    values = check_scores("scores", scores)
    check_same_length(y_true=truth, scores=values)
    weights = check_weights(sample_weight, len(truth))
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
