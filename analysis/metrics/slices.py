"""Error per slice of the data (e.g. region) and the weighted error where some mistakes
weigh more than others.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
        return slice_metrics_from_counts(slices.tolist(), rows_per_slice, confusion=cells,
                                         column=column, confidence=level)
    total = np.bincount(codes, weights=weights, minlength=k).astype(float)
    wrong = np.bincount(codes, weights=(truth != predicted) * (1.0 if weights is None else weights),
                        minlength=k)
    return slice_metrics_from_counts(slices.tolist(), rows_per_slice, total=total, wrong=wrong,
                                     column=column, confidence=level)


def slice_metrics_from_counts(slices: Sequence[str], rows: object, *,
                              confusion: object = None, total: object = None,
                              wrong: object = None, column: str = "slice",
                              confidence: float = 0.95) -> SliceMetrics:
    """The per-slice table from counts: every slice's (weighted) confusion cells
    [TN, FP, FN, TP] for binary labels, or its total and wrong (weighted) counts otherwise.

    `slice_metrics` counts the rows in memory and an engine counts them where they live
    (sources/); both end here, so their numbers agree by construction. `rows` is the plain
    row count of each slice, in the order of `slices` (sorted, as np.unique gives them).

    Examples
    --------
    >>> s = slice_metrics_from_counts(["India", "US"], [2, 2], total=[2, 2], wrong=[1, 0])
    >>> s.table["error_rate"].tolist(), s.worst_slice
    ([0.5, 0.0], 'India')
    """
    level = check_confidence(confidence)
    names = [str(name) for name in slices]
    if not names:
        raise ValueError("There are no rows to cut into slices.")
    if confusion is not None:
        cells = np.asarray(confusion, dtype=float).reshape(len(names), 4)
        _tn, fp, fn, tp = cells.T
        total, wrong = cells.sum(axis=1), fp + fn
    elif total is None or wrong is None:
        raise ValueError("slice_metrics_from_counts needs confusion cells, or total and wrong.")
    total, wrong = np.asarray(total, dtype=float), np.asarray(wrong, dtype=float)
    error = safe_divide(wrong, total, math.nan)
    low, high = wilson_interval(wrong, total, confidence=level)
    table = pd.DataFrame({column: names, "n": np.asarray(rows, dtype=np.int64), "errors": wrong,
                          "error_rate": error, "error_low": low, "error_high": high,
                          "accuracy": 1 - error})
    if confusion is not None:
        table["precision"] = safe_divide(tp, tp + fp, math.nan)
        table["recall"] = safe_divide(tp, tp + fn, math.nan)
        table["f1"] = safe_divide(2 * tp, 2 * tp + fp + fn, math.nan)
    defined = np.isfinite(error)  # a slice whose weights sum to 0 has no error rate
    if not defined.any():
        raise ValueError("Every slice's weights sum to 0: no slice has an error rate.")
    worst = names[int(np.nanargmax(error))]
    return SliceMetrics(column, table, float(error[defined].mean()),
                        float(wrong.sum() / total.sum()), worst)


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

    @classmethod
    def from_counts(cls, *, n: int, mistakes: int, weighted_mistakes: float,
                    total_weight: float, heavy_mistakes: int) -> WeightedError:
        """The weighted error from its sums, counted in memory or by an engine (sources/)."""
        if not n or total_weight <= 0:
            raise ValueError("The weights sum to 0 (or there are no rows): at least one row "
                             "needs a positive weight.")
        return cls(float(weighted_mistakes / total_weight), float(mistakes / n), int(mistakes),
                   float(weighted_mistakes), float(total_weight), int(n), int(heavy_mistakes))


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
    return WeightedError.from_counts(n=len(truth), mistakes=int(wrong.sum()),
                                     weighted_mistakes=float(w[wrong].sum()),
                                     total_weight=float(w.sum()),
                                     heavy_mistakes=int((wrong & (w > 1)).sum()))
