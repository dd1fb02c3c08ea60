"""Binary metrics: confusion counts and every rate derived from them, each with an interval,
from 0/1 predictions (one bincount) or read off a sorted score curve at a threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics.curves import ScoreCurve, score_curve
from analysis.metrics.estimate import (
    Estimate,
    balanced_accuracy_estimate,
    f_beta_estimate,
    ratio_estimate,
    require_positives,
    roc_auc_estimate,
)
from analysis.metrics.inputs import UNDEFINED, check_beta, check_weights, check_zero_division
from analysis.validation import check_binary, check_confidence, check_number, check_same_length


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
        return ratio_estimate(name, num, den, reason=reason, zero_division=zero_division,
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
    f1 = f_beta_estimate(tp, fp, fn, 1.0, zero_division=zero_division, confidence=confidence)
    f_beta = None if beta is None else f_beta_estimate(tp, fp, fn, beta, zero_division=zero_division,
                                               confidence=confidence)
    balanced = balanced_accuracy_estimate(recall, specificity, confidence)
    warnings = [f"{e.name.replace('_', ' ')} is undefined: {e.reason}"
                + ("" if e.value is None else f"; shown as {e.value:g} (zero_division)")
                for e in (precision, recall, specificity, f1) if e.reason]
    if (tp + fn) * (tn + fp) == 0:
        warnings.append("only one class is present in y_true: balanced accuracy is the rate "
                        "of that class alone")
    auc = ap = None
    if with_scores:
        auc = roc_auc_estimate(roc_auc, tp + fn, tn + fp, confidence)
        ap = Estimate("average_precision", average_precision, method="point",
                      reason=None if average_precision is not None
                      else "there are no positive examples to rank")
        warnings += [f"{e.name.replace('_', ' ')} is undefined: {e.reason}" for e in (auc, ap)
                     if e.value is None]
    # metrics about the positive class rest on its examples: too few of them, no interval
    positives = n_eff("tp", "fn") or (tp + fn)
    precision, recall, f1, balanced = (require_positives(e, positives)
                                       for e in (precision, recall, f1, balanced))
    f_beta = None if f_beta is None else require_positives(f_beta, positives)
    auc = None if auc is None else require_positives(auc, positives)
    return BinaryMetrics(tp, fp, tn, fn, threshold, accuracy, error_rate, precision, recall, f1,
                         specificity, balanced, f_beta, auc, ap, weighted, confidence,
                         tuple(warnings))


def binary_from_counts(*, tp: float, fp: float, tn: float, fn: float,
                       zero_division: float | str = UNDEFINED,
                       confidence: float = 0.95) -> BinaryMetrics:
    """Every threshold metric from plain confusion counts, as `binary_metrics` gives them for
    predicted labels: an engine counts the four cells where the rows live (sources/).

    Examples
    --------
    >>> m = binary_from_counts(tp=2, fp=1, tn=1, fn=1)
    >>> round(m.precision.value, 3), m.n
    (0.667, 5.0)
    """
    counts = {"tp": float(tp), "fp": float(fp), "tn": float(tn), "fn": float(fn)}
    if min(counts.values()) < 0:
        raise ValueError(f"confusion counts must be 0 or more; got {counts}.")
    return _binary_from_counts(counts, threshold=None, beta=None,
                               zero_division=check_zero_division(zero_division),
                               confidence=check_confidence(confidence), weighted=False)


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
    return _binary_from_counts(curve.counts_at(cut), threshold=cut, beta=check_beta(beta),
                               zero_division=check_zero_division(zero_division),
                               confidence=check_confidence(confidence), weighted=curve.weighted,
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
    zero = check_zero_division(zero_division)
    level = check_confidence(confidence)
    beta_value = check_beta(beta)
    if y_pred is None and scores is None:
        raise ValueError("binary_metrics needs y_pred (predicted 0/1 labels) or scores "
                         "(positive-class scores to threshold); got neither.")
    if y_pred is None:
        curve = score_curve(truth, scores, sample_weight=sample_weight)
        return metrics_at_threshold(curve, threshold=threshold, beta=beta_value,
                                    zero_division=zero_division, confidence=level)
    predicted = check_binary("y_pred", y_pred)
    check_same_length(y_true=truth, y_pred=predicted)
    weights = check_weights(sample_weight, len(truth))
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
