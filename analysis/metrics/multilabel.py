"""Multi-label (multi-task) metrics: binary metrics per task, each on the rows where that
task's label is known.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics.binary import BinaryMetrics, binary_metrics
from analysis.metrics.inputs import UNDEFINED
from analysis.metrics.multiclass import nan_average
from analysis.validation import check_array, rows_preview


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

    @property
    def averages(self) -> pd.DataFrame:
        """Precision, recall and F1 over the tasks: macro (each task counts once, NaN-skipping)
        and micro (true/false positives and misses pooled over every known label), as
        scikit-learn's average='macro' / 'micro' on a multilabel indicator matrix.

        Examples
        --------
        >>> m = multilabel_metrics([[1, 0], [0, 1], [1, 1]], y_pred=[[1, 0], [1, 1], [0, 1]])
        >>> float(m.averages.set_index("average").loc["micro", "precision"])
        0.75
        """
        tp = sum(d.tp for d in self.details)
        fp = sum(d.fp for d in self.details)
        fn = sum(d.fn for d in self.details)
        micro_p = tp / (tp + fp) if tp + fp else math.nan
        micro_r = tp / (tp + fn) if tp + fn else math.nan
        micro_f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
        return pd.DataFrame({"average": ["macro", "micro"],
                             "precision": [self.average.get("precision", math.nan), micro_p],
                             "recall": [self.average.get("recall", math.nan), micro_r],
                             "f1": [self.average.get("f1", math.nan), micro_f]})


_TASK_COLUMNS = ("accuracy", "error_rate", "precision", "recall", "f1", "roc_auc", "average_precision")


def multilabel_metrics(y_true: object, *, scores: object = None, y_pred: object = None,
                       threshold: float = 0.5, task_names: Sequence[str] | None = None,
                       zero_division: float | str = UNDEFINED,
                       confidence: float = 0.95) -> MultiLabelMetrics:
    """Metrics per task for several 0/1 labels per example; a missing label (NaN) is left out
    of that task only (the other tasks still use that row).

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
    average = {c: nan_average(per_task[c].to_numpy(dtype=float)) for c in _TASK_COLUMNS} \
        if rows else {}
    return MultiLabelMetrics(tuple(per_task["task"]) if rows else (), per_task, average,
                             tuple(details), tuple(warnings))
