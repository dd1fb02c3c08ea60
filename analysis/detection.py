"""Guess which column of a predictions table plays which role, from names and content.

The detector is only a first guess: every role it picks is a ColumnMapping field the user may
override. Names are compared lower-cased with spaces and dashes as underscores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from analysis.export_shapes import (
    SCORE_PREFIXES,
    SCORE_SUFFIXES,
    TRUTH_PREFIXES,
    ClassColumns,
    find_class_columns,
    find_one_hot,
    looks_like_logits,
    normal,
    pair_score_column,
    rows_sum_to_one,
)
from analysis.label_codes import (
    choose_positive,
    distinct_labels,
    is_numeric_column,
    label_counts,
)
from analysis.prediction_model import ColumnMapping
from analysis.predictions_validation import apply_overrides, infer_task, require_columns

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
                "p", "confidence", "p_1", "prob_1", "proba_1", "p_positive", "score_1",
                "logit", "logits", "decision", "decision_function", "decision_score", "margin")
_SCORE_PREFIXES, _SCORE_SUFFIXES, _TRUTH_PREFIXES = SCORE_PREFIXES, SCORE_SUFFIXES, TRUTH_PREFIXES
_MAX_GROUP_VALUES = 50
_TEXT_WORDS = ("description", "comment", "caption", "note", "text", "remark", "transcript")

def _find_named(columns: Sequence[str], names: Sequence[str], taken: set[str]) -> str | None:
    by_normal = {normal(c): c for c in columns if c not in taken}
    for candidate in names:
        if candidate in by_normal:
            return by_normal[candidate]
    return None



def column_for_role(columns: Sequence[str], role: str, taken: Sequence[str] = ()) -> str | None:
    """The column the detector picks for `role` ('score' or a single-column role such as
    'y_true', 'weight') from names alone: a data source's mapping reads no rows to guess."""
    if role == "score":
        return next((c for c in columns if c not in taken and _score_like(c)), None)
    return _find_named(columns, _ROLE_NAMES[role], set(taken))


def _score_like(column: str) -> bool:
    key = normal(column)
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
        task = _strip_affixes(normal(column), (*_SCORE_PREFIXES, "pred_"),
                              (*_SCORE_SUFFIXES, "_pred"))
        if task and is_numeric_column(frame[column]):
            by_task_score.setdefault(task, column)
    labels, scores = [], []
    for column in frame.columns:
        key = normal(column)
        if key in ("y_true", "y_pred", "y_score", "y_prob"):
            continue
        task = _strip_affixes(key, _TRUTH_PREFIXES)
        if task and task in by_task_score and by_task_score[task] != column:
            labels.append(column)
            scores.append(by_task_score[task])
    if len(labels) >= 2:
        return tuple(labels), tuple(scores)
    return (), ()



def _one_model(frame: pd.DataFrame, counts: dict[str, int], taken: set[str]) -> dict[str, Any]:
    """Per-class columns of one model for the true labels (label -> count): probabilities for
    3+ classes; for two, only complementary columns (rows sum to 1), and the positive class's
    column (chosen as validation will: 1, yes, ..., else the rarer class) is the score."""
    labels = sorted(counts)
    found = find_class_columns(frame, labels, taken)
    if found is None or (len(found.classes) == 2 and not rows_sum_to_one(frame, found.columns)):
        return {}
    if len(found.classes) > 2:
        return {"proba": found.columns, "classes": found.classes}
    positive = choose_positive(labels, counts, None)[0]
    return {"proba": found.columns, "classes": found.classes,
            "scores": (pair_score_column(found, positive),)}


def detect_columns(frame: pd.DataFrame) -> ColumnMapping:
    """Guess the role of each column from its name and content; the user may override it."""
    columns = list(frame.columns)
    found: dict[str, Any] = {}
    one_hot = find_one_hot(frame)
    task_labels, task_scores = ((), ()) if one_hot else _detect_multilabel(frame)
    if one_hot:
        found.update(one_hot=one_hot.columns, y_true=_free_name(columns, "y_true"))
    if task_labels:
        found.update(task="multilabel", task_labels=task_labels, task_scores=task_scores)
    taken = set(task_labels + task_scores) | set(found.get("one_hot", ()))
    for role in ("y_true", "y_pred", "split", "weight", "example_id", "image"):
        if role in found or (role in ("y_true", "y_pred") and task_labels):
            continue
        column = _find_named(columns, _ROLE_NAMES[role], taken)
        if role == "weight" and column and not is_numeric_column(frame[column]):
            column = None
        if column:
            found[role] = column
            taken.add(column)
    if not task_labels:
        found.update(_predictions(frame, found, one_hot, taken))
        taken.update(found.get("proba", ()), found.get("scores", ()))
    found.update(_groups_and_text(frame, taken))
    found.setdefault("task", "binary")
    return ColumnMapping(**found)


def _free_name(columns: Sequence[str], wanted: str) -> str:
    """`wanted`, or `wanted (one-hot)` when the file already has a column of that name."""
    return wanted if wanted not in columns else f"{wanted} (one-hot)"


def _predictions(frame: pd.DataFrame, found: dict[str, Any], one_hot: ClassColumns | None,
                 taken: set[str]) -> dict[str, Any]:
    """The prediction columns: one model's per-class columns, else score columns by name."""
    if one_hot:
        sums = frame[list(one_hot.columns)].to_numpy(dtype=float).sum(axis=0)
        counts = {label: int(n) for label, n in zip(one_hot.classes, sums, strict=True)}
    else:
        counts = label_counts(frame[found["y_true"]]) if "y_true" in found else {}
    shape = _one_model(frame, counts, taken)
    if shape:
        return shape
    # By name only: a score column holding text is reported by validation, not ignored.
    return {"scores": tuple(c for c in frame.columns if c not in taken and _score_like(c))}


def _groups_and_text(frame: pd.DataFrame, taken: set[str]) -> dict[str, tuple[str, ...]]:
    """Text columns with few distinct values are slices (groups); the others are free text."""
    groups, text = [], []
    for column in frame.columns:
        if column in taken:
            continue
        series = frame[column]
        if is_numeric_column(series):
            continue
        distinct_count = series.nunique(dropna=True)
        if any(word in normal(column) for word in _TEXT_WORDS):
            text.append(column)
        elif 2 <= distinct_count <= min(_MAX_GROUP_VALUES, max(2, len(frame) // 2)):
            groups.append(column)
        elif distinct_count > 1:
            text.append(column)
    return {"groups": tuple(groups), "text": tuple(text)}


def _suggest_transform(frame: pd.DataFrame, mapping: ColumnMapping) -> str | None:
    """softmax for per-class logits, sigmoid for one logit or decision score per model."""
    if mapping.task == "multiclass" and looks_like_logits(frame, mapping.proba):
        return "softmax"
    if mapping.task == "binary":
        if len(mapping.proba) == 2 and looks_like_logits(frame, mapping.proba):
            return "softmax"
        # Every model's column must look like logits: one squashed probability column
        # next to a logit column would change its threshold's meaning.
        if mapping.scores and all(looks_like_logits(frame, [c]) for c in mapping.scores):
            return "sigmoid"
    return None


def suggest_mapping(frame: pd.DataFrame, *, name: str = "the file", task: str | None = None,
                    **mapping: Any) -> ColumnMapping:
    """The mapping read_predictions would use: detected roles, the task inferred from the
    labels, per-class probability columns found; `mapping` overrides roles as there.

    Raises ValueError when no mapping can work: text labels of several classes whose only
    prediction is one binary score column.

    Examples
    --------
    >>> frame = pd.DataFrame({"y_true": ["cat", "dog", "bird"], "y_pred": ["cat", "dog", "cat"]})
    >>> suggest_mapping(frame).task
    'multiclass'
    """
    chosen = apply_overrides(detect_columns(frame), mapping, None)
    require_columns(frame, chosen, name)
    if task is None:
        chosen = replace(chosen, task=infer_task(frame, chosen))
    else:
        chosen = apply_overrides(chosen, {}, task)
    if chosen.task == "multiclass" and not chosen.proba and chosen.y_true and "proba" not in mapping:
        labels = distinct_labels(frame[chosen.y_true])
        found = find_class_columns(frame, labels, set(chosen.roles()) - set(chosen.scores))
        if found:
            chosen = replace(chosen, proba=found.columns, classes=found.classes, scores=())
    if chosen.task == "multiclass" and chosen.scores and "scores" not in mapping:
        if not chosen.y_pred and not chosen.proba and task is None:
            labels = distinct_labels(frame[chosen.y_true])
            raise ValueError(
                f"labels in {chosen.y_true!r} are not binary: {len(labels)} different values "
                f"({', '.join(map(repr, labels[:6]))}), but the only prediction is the score "
                f"column {chosen.scores[0]!r} (one probability per row). Fix the labels to two "
                "values (e.g. 0/1), or add one probability column per class (p_<class>).")
        chosen = replace(chosen, scores=())
    if "score_transform" not in mapping:
        chosen = replace(chosen, score_transform=_suggest_transform(frame, chosen))
    return chosen
