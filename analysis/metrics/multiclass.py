"""Multiclass metrics: a K x K confusion matrix (one bincount), per-class precision, recall
and F1 with intervals, macro / micro / weighted averages and the most frequent confusions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics.estimate import Estimate, ratio_estimate
from analysis.metrics.inputs import UNDEFINED, check_labels, check_weights, check_zero_division
from analysis.stats import wilson_interval
from analysis.validation import (
    check_choice,
    check_confidence,
    check_number,
    check_same_length,
    rows_preview,
)


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


def safe_divide(numerator: np.ndarray, denominator: np.ndarray, fill: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), fill)


def nan_average(values: np.ndarray, weights: np.ndarray | None = None) -> float:
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
    level = check_confidence(confidence)
    shown = int(check_number("top", top, low=0))
    weights = check_weights(sample_weight, len(truth))
    classes, t_codes, p_codes = _encode_labels(truth, predicted, labels)
    k = len(classes)
    flat = np.bincount(t_codes * k + p_codes, weights=weights, minlength=k * k)
    confusion = flat.reshape(k, k) if weights is not None else flat.reshape(k, k).astype(np.int64)
    n_eff = None if weights is None else weights.sum() ** 2 / (weights**2).sum()
    return multiclass_from_confusion(confusion, [str(c) for c in classes],
                                     zero_division=zero_division, top=shown, confidence=level,
                                     n_eff=n_eff)


def multiclass_from_confusion(confusion: object, labels: Sequence[str], *,
                              zero_division: float | str = UNDEFINED, top: int = 10,
                              confidence: float = 0.95,
                              n_eff: float | None = None) -> MulticlassMetrics:
    """Every multiclass metric from a K x K confusion matrix (rows = truth, columns =
    prediction) in the order of `labels`: counted in memory (`multiclass_metrics`) or by an
    engine's GROUP BY (y_true, y_pred) (sources/), so both give the same numbers.

    `n_eff` is Kish's effective sample size of weighted counts (None: plain counts).

    Examples
    --------
    >>> m = multiclass_from_confusion([[1, 0], [1, 2]], ["cat", "dog"])
    >>> m.accuracy.value, m.per_class["recall"].tolist()
    (0.75, [1.0, 0.6666666666666666])
    """
    matrix = np.asarray(confusion)
    names = tuple(str(c) for c in labels)
    if matrix.ndim != 2 or matrix.shape != (len(names), len(names)) or not names:
        raise ValueError(f"confusion must be a {len(names)} x {len(names)} matrix (one row and "
                         f"column per label); got shape {matrix.shape}.")
    zero = check_zero_division(zero_division)
    level = check_confidence(confidence)
    shown = int(check_number("top", top, low=0))
    fill = math.nan if zero is None else zero
    per_class = _per_class(matrix, names, fill, level)
    accuracy, error_rate = _overall(matrix, n_eff, zero, level)
    warnings = [f"class {names[i]!r} never occurs in y_true: its recall is undefined"
                for i in np.flatnonzero(per_class["support"].to_numpy() == 0)]
    warnings += [f"class {names[i]!r} is never predicted: its precision is undefined"
                 for i in np.flatnonzero(per_class["predicted"].to_numpy() == 0)]
    return MulticlassMetrics(names, matrix, accuracy, error_rate, per_class,
                             _averages(per_class, fill=fill),
                             _top_confusions(matrix, names, per_class["support"].to_numpy(),
                                             shown),
                             tuple(warnings))


def _per_class(confusion: np.ndarray, names: tuple[str, ...], fill: float,
               level: float) -> pd.DataFrame:
    """One row per class: support, predicted count, precision and recall with Wilson bounds, F1."""
    tp = np.diag(confusion).astype(float)
    support = confusion.sum(axis=1).astype(float)
    predicted_count = confusion.sum(axis=0).astype(float)
    p_low, p_high = wilson_interval(tp, predicted_count, confidence=level)
    r_low, r_high = wilson_interval(tp, support, confidence=level)
    return pd.DataFrame({"class": list(names), "support": support, "predicted": predicted_count,
                         "tp": tp, "precision": safe_divide(tp, predicted_count, fill),
                         "precision_low": p_low, "precision_high": p_high,
                         "recall": safe_divide(tp, support, fill), "recall_low": r_low,
                         "recall_high": r_high,
                         "f1": safe_divide(2 * tp, support + predicted_count, fill)})


def _averages(per_class: pd.DataFrame, *, fill: float) -> pd.DataFrame:
    """Macro (classes count once), micro (pooled counts) and support-weighted averages."""
    tp, support, predicted_count = (per_class[c].to_numpy() for c in ("tp", "support", "predicted"))
    precision, recall, f1 = (per_class[c].to_numpy() for c in ("precision", "recall", "f1"))
    micro_p = float(safe_divide(tp.sum(), predicted_count.sum(), fill))
    micro_r = float(safe_divide(tp.sum(), support.sum(), fill))
    micro_f = float(safe_divide(2 * tp.sum(), support.sum() + predicted_count.sum(), fill))
    return pd.DataFrame({
        "average": ["macro", "micro", "weighted"],
        "precision": [nan_average(precision), micro_p, nan_average(precision, support)],
        "recall": [nan_average(recall), micro_r, nan_average(recall, support)],
        "f1": [nan_average(f1), micro_f, nan_average(f1, support)],
    })


def _overall(confusion: np.ndarray, n_eff: float | None, zero: float | None,
             level: float) -> tuple[Estimate, Estimate]:
    """Accuracy and error rate with Wilson intervals (Kish's effective n when weighted)."""
    total = float(confusion.sum())
    correct = float(np.diag(confusion).astype(float).sum())
    accuracy = ratio_estimate("accuracy", correct, total, reason="there are no examples",
                              zero_division=zero, n_eff=n_eff, confidence=level)
    error_rate = ratio_estimate("error_rate", total - correct, total,
                                reason="there are no examples", zero_division=zero,
                                n_eff=n_eff, confidence=level)
    return accuracy, error_rate


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
