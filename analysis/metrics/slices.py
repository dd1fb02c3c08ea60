"""Error per slice of the data (e.g. region) and the weighted error where some mistakes
weigh more than others.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics.inputs import check_labels, check_weights
from analysis.metrics.multiclass import safe_divide
from analysis.stats import wilson_interval
from analysis.validation import check_binary, check_confidence, check_same_length


@dataclass(frozen=True, eq=False)
class SliceMetrics:
    """Metrics per value of a group column (e.g. region), and one number across slices.

    `average_error` is the plain mean of the per-slice error rates (each slice counts once,
    so a small slice weighs as much as a big one); `overall_error` pools every row.
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
    level = check_confidence(confidence)
    names = check_labels("groups", groups).astype(str)
    if binary:
        truth, predicted = check_binary("y_true", y_true), check_binary("y_pred", y_pred)
    else:
        truth, predicted = check_labels("y_true", y_true), check_labels("y_pred", y_pred)
    check_same_length(y_true=truth, y_pred=predicted, groups=names)
    weights = check_weights(sample_weight, len(truth))
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
        table["precision"] = safe_divide(tp, tp + fp, math.nan)
        table["recall"] = safe_divide(tp, tp + fn, math.nan)
        table["f1"] = safe_divide(2 * tp, 2 * tp + fp + fn, math.nan)
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
    """The error where unacceptable mistakes weigh more: sum(w_i [pred_i != y_i]) / sum(w_i).

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
    w = check_weights(weights, len(truth))
    wrong = truth != predicted
    return WeightedError(float(w[wrong].sum() / w.sum()), float(wrong.mean()), int(wrong.sum()),
                         float(w[wrong].sum()), float(w.sum()), len(truth),
                         int((wrong & (w > 1)).sum()))
