"""Check a predictions table against its column mapping and normalise it.

After validation the rest of the package does plain array arithmetic: binary labels are int8
0/1, multiclass labels text, scores finite floats in [0, 1], splits canonical names. Every
problem raises ValueError naming the column, the rows and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from analysis.export_shapes import (
    SCORE_TRANSFORMS,
    ClassColumns,
    class_of_column,
    class_of_label_column,
    normal,
    pair_score_column,
)
from analysis.label_codes import (
    choose_positive,
    decision_score_positive,
    distinct_labels,
    is_numeric_column,
    label_codes,
    take_labels,
)
from analysis.prediction_model import TASKS, ColumnMapping, Predictions, canonical_split
from analysis.validation import rows_preview

_MISSING_LABELS = ("", "?", "nan", "na", "n/a", "none", "null", "missing")


def require_columns(frame: pd.DataFrame, mapping: ColumnMapping, name: str) -> None:
    """Every mapped column must exist in the file."""
    listed = list(mapping.roles())
    missing = [c for c in listed if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column {missing[0]!r} (mapped as {mapping.roles()[missing[0]]}); "
                         f"its columns are {', '.join(map(repr, frame.columns[:12]))}.")


def _check_scores(frame: pd.DataFrame, column: str, what: str, *, bounded: bool = True) -> None:
    """Scores are finite numbers, probabilities in [0, 1] when `bounded` (logits must be
    squashed first: see score_transform)."""
    series = frame[column]
    if not is_numeric_column(series):
        numbers = pd.to_numeric(series, errors="coerce")
        bad = np.flatnonzero(numbers.isna() & series.notna())
        if len(bad):
            shown = series.iloc[bad[:3]].tolist()
            examples = ", ".join(repr(v) for v in shown)
            hint = ""
            if all(re.fullmatch(r"-?\d*,\d+", str(v).strip()) for v in shown):
                hint = (" They look like numbers with a decimal comma: export the file with a "
                        "point as the decimal separator (0.9, not 0,9).")
            raise ValueError(f"{what} column {column!r} has {len(bad)} values that are not numbers: "
                             f"{examples} ({rows_preview(bad)}).{hint}")
        frame[column] = series = numbers
    values = series.to_numpy(dtype=float)
    missing = np.flatnonzero(~np.isfinite(values))
    if len(missing):
        kind = "empty/NaN" if np.isnan(values[missing[0]]) else "infinite"
        raise ValueError(f"{what} column {column!r} has {len(missing)} {kind} or non-finite values "
                         f"({rows_preview(missing)}): fill or drop those rows.")
    outside = np.flatnonzero((values < 0) | (values > 1)) if bounded else []
    if len(outside):
        raise ValueError(
            f"{what} column {column!r} has {len(outside)} values outside [0, 1] (e.g. "
            f"{values[outside[0]]:g}, {rows_preview(outside)}): scores must be probabilities. "
            "If these are logits or decision scores, set score_transform to 'sigmoid' to "
            "apply a sigmoid, 'softmax' for one column per class, or 'rank' to use them as "
            "ranking scores (ROC and PR only; thresholds in score units).")
    frame[column] = values


def _check_labels_present(frame: pd.DataFrame, column: str,
                          what: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels) of a label column that must have a label in every row."""
    codes, labels = label_codes(frame[column])
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        raise ValueError(f"{what} column {column!r} has {len(missing)} empty cells "
                         f"({rows_preview(missing)}): every example needs a label.")
    return codes, labels


def _normalise_binary(frame: pd.DataFrame, mapping: ColumnMapping, name: str,
                      positive_label: str | None) -> tuple[ColumnMapping, list[str]]:
    true_codes, true_labels = _check_labels_present(frame, mapping.y_true, "true-label")
    seen = set(true_labels)
    if mapping.y_pred:
        pred_codes, pred_labels = _check_labels_present(frame, mapping.y_pred, "predicted-label")
        seen |= set(pred_labels)
    if len(seen) > 2:
        shown = ", ".join(map(repr, sorted(seen)[:6]))
        raise ValueError(f"labels in {mapping.y_true!r}"
                         f"{' and ' + repr(mapping.y_pred) if mapping.y_pred else ''} are not binary: "
                         f"{len(seen)} different values ({shown}). Choose the multiclass task, or "
                         "map a 0/1 column.")
    counts = np.bincount(true_codes, minlength=len(true_labels))
    true_counts = {str(label): int(n) for label, n in zip(true_labels, counts, strict=True)}
    if _decision_scores(mapping):
        positive, notes = decision_score_positive(sorted(seen), positive_label)
    else:
        positive, notes = choose_positive(sorted(seen), true_counts, positive_label)
    negative = next((v for v in sorted(seen) if v != positive), f"not {positive}")
    frame[mapping.y_true] = _is_label(true_codes, true_labels, positive)
    if mapping.y_pred:
        frame[mapping.y_pred] = _is_label(pred_codes, pred_labels, positive)
    mapping, pair_notes = _pair_positive(mapping, positive)
    notes += pair_notes
    for column in mapping.scores:
        _check_scores(frame, column, "score", bounded=mapping.score_transform != "rank")
    if not mapping.scores and not mapping.y_pred:
        raise ValueError(f"{name} has no predicted-label or score column: map the column holding "
                         "the model's prediction (a label or a probability).")
    return replace(mapping, positive_label=positive, classes=(negative, positive)), notes


def _decision_scores(mapping: ColumnMapping) -> bool:
    """One decision score or logit per model (values outside [0, 1], squashed or ranked), not a
    pair of class columns: the score belongs to scikit-learn's classes_[1]."""
    return (bool(mapping.scores) and mapping.score_transform in ("sigmoid", "rank")
            and len(mapping.proba) != 2)


def _is_label(codes: np.ndarray, labels: np.ndarray, label: str) -> np.ndarray:
    """int8 0/1: which rows hold `label`."""
    hits = np.flatnonzero(labels == label)
    return (codes == hits[0]).astype(np.int8) if len(hits) else np.zeros(len(codes), np.int8)


def _normalise_multiclass(frame: pd.DataFrame, mapping: ColumnMapping,
                          name: str) -> tuple[ColumnMapping, list[str]]:
    notes: list[str] = []
    true_codes, true_labels = _check_labels_present(frame, mapping.y_true, "true-label")
    frame[mapping.y_true] = take_labels(true_codes, true_labels, frame.index)
    classes = list(mapping.classes) or sorted(map(str, true_labels))
    if mapping.y_pred:
        pred_codes, pred_labels = _check_labels_present(frame, mapping.y_pred, "predicted-label")
        frame[mapping.y_pred] = take_labels(pred_codes, pred_labels, frame.index)
        classes = sorted(set(classes) | set(map(str, pred_labels)))
    if mapping.proba:
        if len(mapping.proba) != len(mapping.classes):
            raise ValueError(f"{len(mapping.proba)} probability columns are mapped for "
                             f"{len(mapping.classes)} classes: map one column per class.")
        ranked = mapping.score_transform == "rank"
        for column in mapping.proba:
            _check_scores(frame, column, "probability", bounded=not ranked)
        sums = frame[list(mapping.proba)].to_numpy(dtype=float).sum(axis=1)
        off = np.flatnonzero(np.abs(sums - 1) > 1e-3)
        notes += _matched_by_position(mapping)
        if len(off) and not ranked:
            notes.append(f"Class probabilities do not sum to 1 in {len(off)} rows "
                         f"({rows_preview(off)}); they are used as given.")
        classes = list(mapping.classes) + [c for c in classes if c not in mapping.classes]
    elif not mapping.y_pred:
        raise ValueError(f"{name} has no predicted-label column and no per-class probability "
                         "columns: map one of them.")
    if len(classes) < 2:
        notes.append("Only one class appears in the file.")
    return replace(mapping, classes=tuple(map(str, classes))), notes


def _normalise_multilabel(frame: pd.DataFrame, mapping: ColumnMapping,
                          name: str) -> tuple[ColumnMapping, list[str]]:
    if not mapping.task_labels:
        raise ValueError(f"{name}: a multi-label file needs one 0/1 column per task (e.g. y_car) "
                         "and a score column for each (e.g. p_car).")
    if len(mapping.task_labels) != len(mapping.task_scores):
        raise ValueError(f"{len(mapping.task_labels)} task label columns but "
                         f"{len(mapping.task_scores)} task score columns: map one score per task.")
    notes: list[str] = []
    for label_column, score_column in zip(mapping.task_labels, mapping.task_scores, strict=True):
        codes, labels = label_codes(frame[label_column])
        # Per distinct value: 0/1 as a number, NaN for a missing label, -1 for anything else.
        per_label = np.array([np.nan if text.lower() in _MISSING_LABELS
                              else {"0": 0.0, "1": 1.0}.get(text, -1.0)
                              for text in labels] + [np.nan])
        numbers = pd.Series(per_label[np.where(codes >= 0, codes, len(labels))], index=frame.index)
        missing = numbers.isna()
        bad = np.flatnonzero((numbers == -1).to_numpy())
        if len(bad):
            examples = ", ".join(repr(v) for v in frame[label_column].iloc[bad[:3]].tolist())
            raise ValueError(f"task column {label_column!r} has {len(bad)} values that are not "
                             f"0, 1 or empty (missing): {examples} ({rows_preview(bad)}).")
        frame[label_column] = numbers.astype(float).to_numpy()
        if missing.any():
            notes.append(f"{label_column}: {int(missing.sum())} missing labels are left out of "
                         "that task's metrics.")
        _check_scores(frame, score_column, "task score")
    return mapping, notes


def _normalise_split(frame: pd.DataFrame, column: str) -> None:
    codes, labels = label_codes(frame[column])
    canonical = [canonical_split(label) for label in labels]
    known = np.array([c is not None for c in canonical] + [False])
    unknown = np.flatnonzero(~known[np.where(codes >= 0, codes, len(labels))])
    if len(unknown):
        values = list(dict.fromkeys(frame[column].iloc[unknown[:1000]].tolist()))[:4]
        shown = ", ".join("an empty cell" if pd.isna(v) else repr(v) for v in values)
        raise ValueError(f"split column {column!r} has values the app does not know: "
                         f"{shown} ({rows_preview(unknown)}); use train, "
                         "train-dev, dev or test (synonyms like validation and holdout work too).")
    frame[column] = take_labels(codes, np.asarray(canonical, dtype=object), frame.index)


def _normalise_weight(frame: pd.DataFrame, column: str) -> None:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if len(bad):
        raise ValueError(f"weight column {column!r} has {len(bad)} values that are empty, "
                         f"negative or not numbers ({rows_preview(bad)}): weights must be 0 or more.")
    frame[column] = values


def apply_overrides(detected: ColumnMapping, overrides: Mapping[str, Any],
                     task: str | None) -> ColumnMapping:
    known = {f.name for f in fields(ColumnMapping)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown mapping option {unknown[0]!r}; the roles are "
                         f"{', '.join(sorted(known - {'task', 'classes', 'positive_label'}))}.")
    values = {}
    for key, value in overrides.items():
        if key in ("scores", "proba", "groups", "text", "task_labels", "task_scores", "classes",
                   "one_hot"):
            value = () if value is None else ((value,) if isinstance(value, str) else tuple(value))
        values[key] = value
    if "y_true" in overrides and "one_hot" not in overrides:
        values["one_hot"] = ()  # a label column chosen by hand replaces the one-hot columns
    if "proba" in overrides and "classes" not in overrides and values["proba"] != detected.proba:
        values["classes"] = tuple(class_of_column(c) for c in values["proba"])  # p_cat -> cat
    if "scores" in overrides and "proba" not in overrides and len(detected.proba) == 2:
        values.update(proba=(), classes=())  # a score chosen by hand is no longer one of a pair
    mapping = replace(detected, **values)
    if task is not None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}.")
        mapping = replace(mapping, task=task)
    return mapping


def infer_task(frame: pd.DataFrame, mapping: ColumnMapping) -> str:
    """The task the labels call for: multi-label as detected; one model's two complementary
    class columns, or at most two labels, binary; otherwise multiclass."""
    if mapping.task == "multilabel" or not mapping.y_true:
        return mapping.task
    if mapping.proba:
        return "binary" if len(mapping.proba) == 2 and mapping.scores else "multiclass"
    if mapping.one_hot:
        return "binary" if len(mapping.one_hot) == 2 else "multiclass"
    labels = set(distinct_labels(frame[mapping.y_true]))
    if mapping.y_pred:
        labels |= set(distinct_labels(frame[mapping.y_pred]))
    return "binary" if len(labels) <= 2 else "multiclass"


def validate_predictions(frame: pd.DataFrame, mapping: ColumnMapping, *, name: str = "the file",
                         positive_label: str | None = None) -> Predictions:
    """Check `frame` against `mapping` and return normalised Predictions (frame is copied)."""
    frame = frame.copy(deep=False)  # copy-on-write: replaced columns never reach the caller
    if mapping.task != "multilabel" and not mapping.y_true:
        raise ValueError(f"{name}: no true-label column was found; map the column that holds "
                         "the correct answer (e.g. 'y_true' or 'label').")
    require_columns(frame, mapping, name)
    notes = _labels_from_one_hot(frame, mapping) + _transform_scores(frame, mapping)
    if mapping.task == "binary":
        mapping, more = _normalise_binary(frame, mapping, name, positive_label)
    elif mapping.task == "multiclass":
        notes += _labels_as_class_names(frame, mapping)
        mapping, more = _normalise_multiclass(frame, mapping, name)
    else:
        mapping, more = _normalise_multilabel(frame, mapping, name)
    notes += more
    if mapping.split:
        _normalise_split(frame, mapping.split)
    if mapping.weight:
        _normalise_weight(frame, mapping.weight)
    if mapping.example_id and frame[mapping.example_id].duplicated().any():
        dupes = np.flatnonzero(frame[mapping.example_id].duplicated().to_numpy())
        notes.append(f"example ids in {mapping.example_id!r} repeat ({len(dupes)} duplicates, "
                     f"{rows_preview(dupes)}); rows are kept as separate examples.")
    if len(frame) == 1:
        notes.append("The file has a single row: every figure from it is a guess.")
    return Predictions(frame=frame, mapping=mapping, name=name, notes=tuple(notes))


# Real exports: one-hot labels, logits, one model's class columns ------------------------------


def _labels_from_one_hot(frame: pd.DataFrame, mapping: ColumnMapping) -> list[str]:
    """Build the y_true column from one 0/1 column per class (exactly one 1 per row)."""
    if not mapping.one_hot:
        return []
    columns = list(mapping.one_hot)
    values = frame[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isin(values, (0, 1)).all(axis=1) | (values.sum(axis=1) != 1))
    if len(bad):
        raise ValueError(f"the one-hot label columns {', '.join(map(repr, columns[:4]))} hold "
                         f"no 1 or several 1s (or other values) in {len(bad)} rows "
                         f"({rows_preview(bad)}): every example needs exactly one class; with "
                         "several classes per example choose the multilabel task.")
    classes = np.asarray([class_of_label_column(c) for c in columns], dtype=object)
    frame[mapping.y_true] = classes[values.argmax(axis=1)]
    return [f"True labels built from the one-hot columns {', '.join(map(repr, columns))} "
            f"(each row's class is its column holding 1), as {mapping.y_true!r}."]


def _columns_to_transform(mapping: ColumnMapping) -> list[str]:
    """The prediction columns a score transform applies to: the task scores (multi-label), the
    per-class columns (multiclass, or a softmax over a binary pair), else the score columns."""
    if mapping.task == "multilabel":
        return list(mapping.task_scores)
    if mapping.proba and (mapping.task == "multiclass" or mapping.score_transform == "softmax"):
        return list(mapping.proba)
    return list(mapping.scores)


def _transform_scores(frame: pd.DataFrame, mapping: ColumnMapping) -> list[str]:
    """Apply mapping.score_transform to the prediction columns; the note says what was done."""
    how = mapping.score_transform
    if how is None:
        return []
    if how not in SCORE_TRANSFORMS:
        raise ValueError(f"score_transform must be one of {', '.join(SCORE_TRANSFORMS)} or None "
                         f"(scores are probabilities); got {how!r}.")
    columns = _columns_to_transform(mapping)
    if how == "softmax" and len(columns) < 2:
        raise ValueError("score_transform 'softmax' needs one column per class (map them as "
                         "per-class columns, proba); for one logit or decision score per model "
                         "use 'sigmoid'.")
    for column in columns:
        _check_scores(frame, column, "score", bounded=False)
    shown = ", ".join(map(repr, columns[:4])) + (", ..." if len(columns) > 4 else "")
    if how == "rank":
        return [f"{shown}: used as ranking scores (score_transform 'rank'): ROC and PR curves "
                "need no probabilities; thresholds are in score units and calibration does "
                "not apply."]
    values = frame[columns].to_numpy(dtype=float)
    if how == "softmax":
        values = np.exp(values - values.max(axis=1, keepdims=True))
        values /= values.sum(axis=1, keepdims=True)
    else:
        values = special.expit(values)
    for position, column in enumerate(columns):
        frame[column] = values[:, position]
    return [f"{shown} held logits or decision scores (values outside [0, 1]): turned into "
            f"probabilities with a {how} (score_transform {how!r}). Set score_transform to "
            "'rank' to use them as ranking scores instead, or to None to refuse them."]


def _pair_positive(mapping: ColumnMapping, positive: str) -> tuple[ColumnMapping, list[str]]:
    """With one model's two complementary class columns, the score is the positive class's."""
    if len(mapping.proba) != 2 or len(mapping.scores) != 1 or mapping.scores[0] not in mapping.proba:
        return mapping, []
    column = pair_score_column(ClassColumns(mapping.proba, mapping.classes), positive)
    first, second = mapping.proba
    note = (f"{first!r} and {second!r} are one model's probabilities of the classes "
            f"{mapping.classes[0]!r} and {mapping.classes[1]!r} (every row sums to 1): "
            f"{column!r} is the score of the positive class {positive!r}. Choose another "
            "positive class in the column mapping to score the other class.")
    return replace(mapping, scores=(column,)), [note]


def _is_index(texts: Sequence[str], below: int) -> bool:
    return bool(texts) and all(re.fullmatch(r"\d+", t) and int(t) < below for t in texts)


def _labels_as_class_names(frame: pd.DataFrame, mapping: ColumnMapping) -> list[str]:
    """Labels that are class indices while the per-class columns carry names: label i is the
    class of the i-th probability column in the mapping's order (the file's order)."""
    classes = list(mapping.classes)
    columns = [c for c in (mapping.y_true, mapping.y_pred) if c]
    if not mapping.proba or _is_index(classes, len(classes)):
        return []
    seen = set().union(*(distinct_labels(frame[c]) for c in columns))
    if seen & set(classes) or not _is_index(sorted(seen), len(classes)):
        return []
    for column in columns:
        codes, texts = label_codes(frame[column])
        names = np.asarray([classes[int(t)] for t in texts], dtype=object)
        frame[column] = take_labels(codes, names, frame.index)
    shown = ", ".join(f"{i} = {c!r}" for i, c in enumerate(classes[:6]))
    return [f"Labels in {mapping.y_true!r} are class indices and the probability columns carry "
            f"names: label i was read as the class of the i-th probability column in file "
            f"order ({shown}). If your indices follow another order, reorder the probability "
            "columns in the column mapping."]


def _matched_by_position(mapping: ColumnMapping) -> list[str]:
    """A note when probability columns are not named after their classes (proba_0 -> 'bird')."""
    pairs = list(zip(mapping.proba, mapping.classes, strict=True))
    if all(normal(class_of_column(column)) == normal(cls) for column, cls in pairs):
        return []
    shown = ", ".join(f"{column!r} = {cls!r}" for column, cls in pairs[:6])
    return [f"Probability columns matched to classes by position ({shown}): column i is the "
            "i-th class in sorted order, as scikit-learn's classes_. If yours differ, reorder "
            "the classes in the column mapping."]
