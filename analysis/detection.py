"""Guess which column of a predictions table plays which role, from names and content.

The detector is only a first guess: every role it picks is a ColumnMapping field the user may
override. Names are compared lower-cased with spaces and dashes as underscores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.label_codes import distinct_labels, is_numeric_column
from analysis.prediction_model import ColumnMapping

# Column names the detector recognises for each single-column role, in order of preference.
_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "y_true": ("y_true", "true_label", "label", "labels", "target", "truth", "ground_truth",
               "actual", "gold", "y", "true", "class", "true_class"),
    "y_pred": ("y_pred", "predicted_label", "pred_label", "prediction", "predicted", "pred",
               "y_hat", "yhat", "predicted_class", "pred_class"),
    "split": ("split", "subset", "partition", "set", "dataset", "fold", "data_split"),
    "weight": ("weight", "sample_weight", "weights", "w", "cost"),
    "example_id": ("example_id", "id", "image_id", "uid", "row_id", "key", "sample_id", "item_id"),
    "image": ("image_path", "image", "image_url", "img", "path", "file", "filename", "url",
              "filepath"),
}
_SCORE_NAMES = ("score", "scores", "y_score", "y_prob", "prob", "proba", "probability",
                "p", "confidence", "p_1", "prob_1", "proba_1", "p_positive", "score_1")
_SCORE_PREFIXES = ("score_", "prob_", "proba_", "p_", "probability_")
_SCORE_SUFFIXES = ("_score", "_prob", "_proba", "_probability")
_TRUTH_PREFIXES = ("y_", "true_", "label_", "gt_")
_MAX_GROUP_VALUES = 50
_TEXT_WORDS = ("description", "comment", "caption", "note", "text", "remark", "transcript")

def _normal(column: str) -> str:
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def _find_named(columns: Sequence[str], names: Sequence[str], taken: set[str]) -> str | None:
    by_normal = {_normal(c): c for c in columns if c not in taken}
    for candidate in names:
        if candidate in by_normal:
            return by_normal[candidate]
    return None



def _score_like(column: str) -> bool:
    key = _normal(column)
    return (key in _SCORE_NAMES or key.startswith(_SCORE_PREFIXES)
            or key.endswith(_SCORE_SUFFIXES))


def _strip_affixes(key: str, prefixes: Sequence[str], suffixes: Sequence[str] = ()) -> str | None:
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):]
    for suffix in suffixes:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return None


def _detect_multilabel(frame: pd.DataFrame) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pairs (truth column, score column) such as y_car / p_car, when there are two or more."""
    by_task_score: dict[str, str] = {}
    for column in frame.columns:
        task = _strip_affixes(_normal(column), (*_SCORE_PREFIXES, "pred_"),
                              (*_SCORE_SUFFIXES, "_pred"))
        if task and is_numeric_column(frame[column]):
            by_task_score.setdefault(task, column)
    labels, scores = [], []
    for column in frame.columns:
        key = _normal(column)
        if key in ("y_true", "y_pred", "y_score", "y_prob"):
            continue
        task = _strip_affixes(key, _TRUTH_PREFIXES)
        if task and task in by_task_score and by_task_score[task] != column:
            labels.append(column)
            scores.append(by_task_score[task])
    if len(labels) >= 2:
        return tuple(labels), tuple(scores)
    return (), ()



def detect_proba(frame: pd.DataFrame, classes: Sequence[str], taken: set[str]) -> tuple[str, ...]:
    """Per-class probability columns named p_<class>, prob_<class>, <class>_score, ..."""
    wanted = {_normal(str(c)): str(c) for c in classes}
    found: dict[str, str] = {}
    for column in frame.columns:
        if column in taken or not is_numeric_column(frame[column]):
            continue
        cls = _strip_affixes(_normal(column), _SCORE_PREFIXES, _SCORE_SUFFIXES)
        if cls in wanted:
            found.setdefault(wanted[cls], column)
    if found and len(found) == len(wanted):
        return tuple(found[str(c)] for c in classes)
    return ()


def detect_columns(frame: pd.DataFrame) -> ColumnMapping:
    """Guess the role of each column from its name and content; the user may override it."""
    columns = list(frame.columns)
    taken: set[str] = set()
    found: dict[str, Any] = {}
    task_labels, task_scores = _detect_multilabel(frame)
    if task_labels:
        found.update(task="multilabel", task_labels=task_labels, task_scores=task_scores)
        taken.update(task_labels + task_scores)
    for role in ("y_true", "y_pred", "split", "weight", "example_id", "image"):
        if role in ("y_true", "y_pred") and task_labels:
            continue
        column = _find_named(columns, _ROLE_NAMES[role], taken)
        if role == "weight" and column and not is_numeric_column(frame[column]):
            column = None
        if column:
            found[role] = column
            taken.add(column)
    if not task_labels:
        distinct = distinct_labels(frame[found["y_true"]]) if "y_true" in found else []
        proba = detect_proba(frame, distinct, taken) if len(distinct) > 2 else ()
        if proba:
            found.update(proba=proba, classes=tuple(distinct))
            taken.update(proba)
        else:
            # By name only: a score column holding text is reported by validation, not ignored.
            scores = tuple(c for c in columns if c not in taken and _score_like(c))
            found["scores"] = scores
            taken.update(scores)
    groups, text = [], []
    for column in columns:
        if column in taken:
            continue
        series = frame[column]
        if is_numeric_column(series):
            continue
        distinct_count = series.nunique(dropna=True)
        if any(word in _normal(column) for word in _TEXT_WORDS):
            text.append(column)
        elif 2 <= distinct_count <= min(_MAX_GROUP_VALUES, max(2, len(frame) // 2)):
            groups.append(column)
        elif distinct_count > 1:
            text.append(column)
    found["groups"], found["text"] = tuple(groups), tuple(text)
    found.setdefault("task", "binary")
    return ColumnMapping(**found)
