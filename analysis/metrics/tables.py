"""Results turned into the tables other pages take: the misclassified rows an error-analysis
sheet starts from (all of them, one confusion cell, or one class's false positives or false
negatives), and the model table in percent.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics.binary import BinaryMetrics
from analysis.metrics.inputs import check_labels, check_scores, optional_array
from analysis.validation import check_choice, check_number, check_same_length, values_preview

ERROR_KINDS = ("false_positive", "false_negative")


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
    truth, predicted = _labels_pair(y_true, y_pred)
    n = check_same_length(y_true=truth, y_pred=predicted, scores=optional_array(scores),
                          example_ids=optional_array(example_ids), image_paths=optional_array(image_paths))
    ids = np.arange(1, n + 1) if example_ids is None else np.asarray(example_ids)
    wrong = np.flatnonzero(truth != predicted)
    frame = pd.DataFrame({"example_id": ids[wrong]})
    if image_paths is not None:
        frame["image_path"] = np.asarray(image_paths)[wrong]
    frame["y_true"] = truth[wrong]
    frame["y_pred"] = predicted[wrong]
    if scores is not None:
        values = check_scores("scores", scores)[wrong]
        frame["score"] = values
        # the most confident mistakes first: the ones most worth a look
        frame = frame.iloc[np.argsort(-np.abs(values - 0.5), kind="stable")].reset_index(drop=True)
    if limit is not None:
        frame = frame.head(int(check_number("limit", limit, low=1)))
    return frame


def metrics_table(results: dict[str, BinaryMetrics]) -> pd.DataFrame:
    """One row per model (in percent, for a model table the user can extend by typing):
    accuracy, error, precision, recall, F1, ROC AUC.

    Examples
    --------
    >>> from analysis.metrics import binary_metrics
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


def _labels_pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    truth, predicted = check_labels("y_true", y_true), check_labels("y_pred", y_pred)
    if truth.dtype.kind != predicted.dtype.kind:
        truth, predicted = truth.astype(str), predicted.astype(str)
    check_same_length(y_true=truth, y_pred=predicted)
    return truth, predicted


def _is_class(values: np.ndarray, cls: object) -> np.ndarray:
    """Rows whose label is `cls`; a class picked from a table arrives as text ('1' for 1)."""
    if values.dtype.kind in "iuf":
        try:
            return values == float(cls)
        except (TypeError, ValueError):
            return np.zeros(len(values), dtype=bool)
    return values == str(cls)


def _check_class(name: str, cls: object, truth: np.ndarray, predicted: np.ndarray) -> None:
    if not (_is_class(truth, cls).any() or _is_class(predicted, cls).any()):
        seen = np.unique(np.concatenate((truth, predicted))).tolist()
        raise ValueError(f"{name} {cls!r} is neither a true nor a predicted label; the labels "
                         f"are {values_preview(seen, limit=8)}.")


def confusion_cell_examples(y_true: object, y_pred: object, true_class: object,
                            predicted_class: object) -> np.ndarray:
    """Row indices (0-based) of the confusion-matrix cell true = `true_class`, predicted =
    `predicted_class`: what a page sends to an error-analysis sheet when a cell is picked.

    Examples
    --------
    >>> confusion_cell_examples(["cat", "dog", "dog", "cat"], ["cat", "cat", "dog", "dog"],
    ...                         "dog", "cat").tolist()
    [1]
    """
    truth, predicted = _labels_pair(y_true, y_pred)
    _check_class("true_class", true_class, truth, predicted)
    _check_class("predicted_class", predicted_class, truth, predicted)
    return np.flatnonzero(_is_class(truth, true_class) & _is_class(predicted, predicted_class))


def error_examples(y_true: object, y_pred: object, *, kind: str, cls: object = 1) -> np.ndarray:
    """Row indices of the false positives of class `cls` (predicted `cls`, truly another
    class) or its false negatives (truly `cls`, predicted another class).

    Examples
    --------
    >>> error_examples([1, 0, 1, 0], [1, 1, 0, 0], kind="false_positive").tolist()
    [1]
    >>> error_examples(["a", "b", "c"], ["b", "b", "a"], kind="false_negative", cls="a").tolist()
    [0]
    """
    choice = check_choice("kind", kind, ERROR_KINDS)
    truth, predicted = _labels_pair(y_true, y_pred)
    _check_class("cls", cls, truth, predicted)
    is_true, is_predicted = _is_class(truth, cls), _is_class(predicted, cls)
    wrong = is_predicted & ~is_true if choice == "false_positive" else is_true & ~is_predicted
    return np.flatnonzero(wrong)
