"""The models the metrics page compares: score columns of one file, plus other loaded files of
the same examples, lined up row by row (by example id when both files have one).

No metric is computed here: this only gathers aligned arrays for analysis.metrics/selection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from analysis.predictions import Predictions


@dataclass(frozen=True, eq=False)
class ModelRows:
    """Aligned arrays of one binary problem: truth, each model's scores or labels, and context."""

    y_true: np.ndarray
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    labels: dict[str, np.ndarray] = field(default_factory=dict)
    example_ids: np.ndarray | None = None
    image_paths: np.ndarray | None = None
    split: np.ndarray | None = None
    groups: dict[str, np.ndarray] = field(default_factory=dict)
    weights: np.ndarray | None = None

    @property
    def names(self) -> list[str]:
        return [*self.scores, *self.labels]

    def predicted(self, name: str, threshold: float) -> np.ndarray:
        """0/1 predictions of a model: its scores >= threshold, or its label column."""
        if name in self.scores:
            return (self.scores[name] >= threshold).astype(np.int8)
        return self.labels[name]


def _subset(predictions: Predictions, split: str | None) -> Predictions:
    if split is None or not predictions.mapping.split:
        return predictions
    return predictions.subset(split)


def _column(predictions: Predictions, role: str | None) -> np.ndarray | None:
    return None if role is None else predictions.frame[role].to_numpy()


def _model_name(file_name: str, column: str, several: bool) -> str:
    """Another file's model is named after the file (and the column when it has several)."""
    return f"{file_name}: {column}" if several else file_name


def align_rows(primary: Predictions, other: Predictions) -> np.ndarray:
    """Row positions in `other` of each row of `primary` (the same examples, same order)."""
    left, right = primary.mapping.example_id, other.mapping.example_id
    if left and right:
        positions = {value: i for i, value in enumerate(other.frame[right].astype(str))}
        wanted = primary.frame[left].astype(str)
        missing = [value for value in wanted if value not in positions]
        if missing:
            raise ValueError(f"{other.name} lacks {len(missing)} of the examples in {primary.name} "
                             f"(e.g. {missing[0]!r}): compare models on the same examples.")
        return np.array([positions[value] for value in wanted], dtype=np.intp)
    if other.n_rows != primary.n_rows:
        raise ValueError(f"{other.name} has {other.n_rows:,} rows but {primary.name} has "
                         f"{primary.n_rows:,}, and they have no example id column to match rows: "
                         "map an example id in both files or compare files of the same rows.")
    return np.arange(primary.n_rows)


def binary_models(primary: Predictions, *, split: str | None = None,
                  others: Mapping[str, Predictions] | None = None) -> ModelRows:
    """Every model of a binary problem on the rows of `split` (None = all rows).

    Raises ValueError when another file does not hold the same examples with the same labels.
    """
    base = _subset(primary, split)
    if base.n_rows == 0:
        raise ValueError(f"{primary.name} has no rows in the {split!r} split: choose another split.")
    mapping = base.mapping
    y_true = base.y_true().astype(np.int8)
    scores: dict[str, np.ndarray] = {}
    labels: dict[str, np.ndarray] = {}
    for column in mapping.scores:  # the primary file's models are named by their column
        scores[column] = base.score(column)
    if not mapping.scores and mapping.y_pred:
        labels[mapping.y_pred] = base.frame[mapping.y_pred].to_numpy(dtype=np.int8)
    for other in (others or {}).values():
        rows = _subset(other, split)
        order = align_rows(base, rows)
        if not np.array_equal(rows.y_true()[order].astype(np.int8), y_true):
            raise ValueError(f"{other.name} gives different true labels for the same examples as "
                             f"{primary.name}: both files must describe the same examples.")
        several_other = len(rows.mapping.scores) > 1
        for column in rows.mapping.scores:
            scores[_model_name(other.name, column, several_other)] = rows.score(column)[order]
        if not rows.mapping.scores and rows.mapping.y_pred:
            labels[other.name] = rows.frame[rows.mapping.y_pred].to_numpy(dtype=np.int8)[order]
    groups = {column: base.frame[column].astype(str).to_numpy() for column in mapping.groups}
    weights = None if mapping.weight is None else base.frame[mapping.weight].to_numpy(dtype=float)
    return ModelRows(y_true, scores, labels, _column(base, mapping.example_id),
                     _column(base, mapping.image), _column(base, mapping.split), groups, weights)
