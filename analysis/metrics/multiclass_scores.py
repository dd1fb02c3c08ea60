"""Multiclass metrics that need one probability column per class: top-k accuracy and a
one-vs-rest threshold per class (each class's column read as a binary score).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.metrics.calibration import check_probability_matrix, class_indices
from analysis.metrics.curves import score_curve
from analysis.metrics.estimate import Estimate, ratio_estimate
from analysis.metrics.thresholds import best_f1_threshold
from analysis.validation import check_confidence, check_count, check_same_length


def top_k_accuracy(y_true: object, proba: object, *, k: int = 2,
                   classes: Sequence[object] | None = None, confidence: float = 0.95) -> Estimate:
    """Share of examples whose true class is among the k highest-scored classes (Wilson interval).

    Ties are broken as `sklearn.metrics.top_k_accuracy_score` breaks them (a stable sort,
    reversed: among equal scores the later column ranks higher), without sorting: the true
    class is in the top k when fewer than k classes rank above it.

    Examples
    --------
    >>> top_k_accuracy([0, 1, 2], [[0.5, 0.3, 0.2], [0.5, 0.3, 0.2], [0.5, 0.3, 0.2]], k=2).value
    0.6666666666666666
    """
    matrix = check_probability_matrix("proba", proba)
    n_classes = matrix.shape[1]
    top = check_count("k", k, minimum=1)
    if top > n_classes:
        raise ValueError(f"k must be at most the number of classes ({n_classes}); got {k!r}.")
    codes = class_indices(y_true, n_classes, classes)
    check_same_length(y_true=codes, proba=matrix)
    rows = np.arange(len(codes))
    own = matrix[rows, codes][:, None]
    later = np.arange(n_classes)[None, :] > codes[:, None]
    above = (matrix > own) | ((matrix == own) & later)
    hits = float((above.sum(axis=1) < top).sum())
    return ratio_estimate(f"top_{top}_accuracy", hits, float(len(codes)),
                          reason="there are no examples", zero_division=None,
                          confidence=check_confidence(confidence))


def per_class_thresholds(y_true: object, proba: object, *,
                         classes: Sequence[object] | None = None) -> pd.DataFrame:
    """For each class, its column as a one-vs-rest score and the threshold with the best F1.

    One row per class: class, support, threshold (NaN when the class never occurs), the
    precision, recall and F1 there, and why when no threshold is given.

    Examples
    --------
    >>> t = per_class_thresholds([0, 1, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1],
    ...                                          [0.5, 0.4, 0.1], [0.1, 0.2, 0.7]])
    >>> t[["class", "threshold", "f1"]].values.tolist()
    [['0', 0.8, 1.0], ['1', 0.4, 1.0], ['2', 0.7, 1.0]]
    """
    matrix = check_probability_matrix("proba", proba)
    codes = class_indices(y_true, matrix.shape[1], classes)
    check_same_length(y_true=codes, proba=matrix)
    names = [str(c) for c in (classes if classes is not None else range(matrix.shape[1]))]
    rows = []
    for column, name in enumerate(names):
        is_class = (codes == column).astype(np.int8)
        choice = best_f1_threshold(score_curve(is_class, matrix[:, column]))
        rows.append({"class": name, "support": int(is_class.sum()),
                     "threshold": np.nan if choice.threshold is None else choice.threshold,
                     "precision": choice.precision, "recall": choice.recall, "f1": choice.f1,
                     "reason": choice.reason})
    return pd.DataFrame(rows)
