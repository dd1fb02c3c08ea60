"""Suspected label errors in a dev set: the rows whose given label the model finds least likely
(confident learning with cleanlab), ranked, for a reviewer to re-check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.error_sample import is_predictions
from analysis.error_sheet import ID_COLUMN, IMAGE_COLUMN
from analysis.validation import check_array, check_binary, check_count, rows_preview, values_preview


@dataclass(frozen=True)
class LabelIssues:
    """Rows whose given label the model finds least likely (confident learning), ranked."""

    frame: pd.DataFrame
    n_checked: int
    split: str | None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _label_inputs_from_predictions(pred: Any, split: str | None):
    mapping = pred.mapping
    used_split = None
    if split is not None and split in pred.splits():
        pred, used_split = pred.subset(split), split
    frame = pred.frame
    ids = frame[mapping.example_id] if mapping.example_id else pd.Series(frame.index, index=frame.index)
    images = frame[mapping.image] if mapping.image else None
    if mapping.task == "binary":
        score = pred.score()
        if score is None:
            raise ValueError("these predictions have no score column: suspected label errors need "
                             "class probabilities (a score giving P(positive)).")
        labels = pred.y_true().astype(int)
        probs = np.column_stack([1.0 - score, score])
        classes = [0, 1]
    elif mapping.task == "multiclass":
        if not mapping.proba:
            raise ValueError("these predictions have no per-class probability columns: suspected "
                             "label errors need class probabilities.")
        classes = list(mapping.classes)
        probs = frame[list(mapping.proba)].to_numpy(dtype=float)
        labels = class_positions(pred.y_true(), classes)
    else:
        raise ValueError(f"suspected label errors work on binary or multiclass predictions, not "
                         f"{mapping.task!r}.")
    examples = pd.DataFrame({ID_COLUMN: ids.to_numpy()})
    if images is not None:
        examples[IMAGE_COLUMN] = images.to_numpy()
    examples["y_true"] = pred.y_true()
    examples["y_pred"] = pred.y_pred()
    return examples, labels, probs, classes, used_split


def class_positions(values: np.ndarray, classes: Sequence[object]) -> np.ndarray:
    """Each label's position among `classes` (compared as text); ValueError names unknown labels."""
    lookup = {str(c): i for i, c in enumerate(classes)}
    text = [str(v) for v in values]
    unknown = [i for i, v in enumerate(text) if v not in lookup]
    if unknown:
        raise ValueError(f"y_true has {len(unknown)} labels that are not among the classes "
                         f"{values_preview(list(classes), 10)}: {values_preview([text[i] for i in unknown])} "
                         f"({rows_preview(unknown)}).")
    return np.array([lookup[v] for v in text], dtype=int)


def _label_inputs_from_frame(frame: pd.DataFrame, split: str | None,
                             proba_columns: Sequence[str] | None):
    used_split = None
    if split is not None and "split" in frame.columns:
        rows = frame["split"].astype(str).str.strip().str.lower() == split
        if rows.any():
            frame, used_split = frame[rows], split
    if "y_true" not in frame.columns:
        raise ValueError("the table has no y_true column: suspected label errors need the given labels.")
    keep = [c for c in (ID_COLUMN, IMAGE_COLUMN, "y_true", "y_pred") if c in frame.columns]
    examples = frame[keep].reset_index(drop=True)
    if ID_COLUMN not in examples.columns:
        examples.insert(0, ID_COLUMN, frame.index)
    if proba_columns:
        missing = [c for c in proba_columns if c not in frame.columns]
        if missing:
            raise ValueError(f"proba_columns names columns the table lacks: {values_preview(missing)}.")
        classes = list(proba_columns)
        probs = frame[classes].to_numpy(dtype=float)
        labels = class_positions(frame["y_true"].to_numpy(), classes)
    elif "score" in frame.columns:
        labels = check_binary("y_true", frame["y_true"].to_numpy()).astype(int)
        score = check_array("score", frame["score"].to_numpy())
        probs = np.column_stack([1.0 - score, score])
        classes = [0, 1]
    else:
        raise ValueError("the table has no score column and no proba_columns: suspected label "
                         "errors need class probabilities.")
    return examples, labels, probs, classes, used_split


def has_class_probabilities(source: Any) -> bool:
    """True when `source` carries what suspected_label_errors needs."""
    if is_predictions(source):
        mapping = source.mapping
        return bool((mapping.task == "binary" and mapping.scores)
                    or (mapping.task == "multiclass" and mapping.proba))
    return isinstance(source, pd.DataFrame) and {"y_true", "score"} <= set(source.columns)


def suspected_label_errors(source: Any, *, split: str | None = "dev", max_rows: int = 50,
                           proba_columns: Sequence[str] | None = None) -> LabelIssues:
    """Rank rows whose given label the model finds least likely: candidates to re-check.

    Uses cleanlab's `find_label_issues` (confident learning), ranked by self-confidence, the
    probability the model gives the given label. For binary predictions the score is P(1), so
    the class probabilities are [1 - score, score]. Rows that the model got right are checked
    too (the course: when correcting labels, look at those as well).

    Parameters
    ----------
    source : Predictions or DataFrame
        Predictions with a score (binary) or per-class probabilities (multiclass), or a table
        with y_true and score (binary) or `proba_columns`.
    split : str or None
        Split to check ("dev"); None checks every row.
    max_rows : int
        Keep at most this many suspects, most suspicious first.
    proba_columns : list of str, optional
        For a table: its per-class probability columns, named by class.
    """
    from cleanlab.filter import find_label_issues  # imported late: cleanlab is slow to import

    limit = check_count("max_rows", max_rows, minimum=1)
    if is_predictions(source):
        examples, labels, probs, classes, used_split = _label_inputs_from_predictions(source, split)
    elif isinstance(source, pd.DataFrame):
        examples, labels, probs, classes, used_split = _label_inputs_from_frame(
            source, split, proba_columns)
    else:
        raise ValueError(f"source must be loaded predictions or a table, got {type(source).__name__}.")
    if np.any(~np.isfinite(probs)) or np.any(probs < 0) or np.any(probs > 1):
        raise ValueError("class probabilities must lie between 0 and 1 without gaps (NaN).")
    present = np.unique(labels)
    if len(present) < 2:
        raise ValueError("the given labels hold a single class: confident learning needs at "
                         "least two classes among the rows checked.")
    sums = probs.sum(axis=1, keepdims=True)
    probs = np.divide(probs, sums, out=np.full_like(probs, 1.0 / probs.shape[1]), where=sums > 0)
    ranked = find_label_issues(labels, probs, return_indices_ranked_by="self_confidence",
                               n_jobs=1)
    ranked = np.asarray(ranked, dtype=int)[:limit]
    frame = examples.iloc[ranked].reset_index(drop=True)
    frame["label_quality"] = probs[ranked, labels[ranked]]
    frame["suggested_label"] = [classes[i] for i in probs[ranked].argmax(axis=1)]
    notes = []
    if len(examples) < 100:
        notes.append(f"Only {len(examples)} rows checked: confident learning is rough on few rows.")
    return LabelIssues(frame=frame, n_checked=len(examples), split=used_split, warnings=tuple(notes))

