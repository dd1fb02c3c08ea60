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

from analysis.label_codes import distinct_labels, is_numeric_column, label_codes, take_labels
from analysis.prediction_model import TASKS, ColumnMapping, Predictions, canonical_split
from analysis.validation import rows_preview

_POSITIVE_WORDS = ("1", "true", "yes", "y", "positive", "pos")
_NEGATIVE_PREFIXES = ("not", "non", "no_", "no-", "no ")
_MISSING_LABELS = ("", "?", "nan", "na", "n/a", "none", "null", "missing")


def require_columns(frame: pd.DataFrame, mapping: ColumnMapping, name: str) -> None:
    """Every mapped column must exist in the file."""
    listed = list(mapping.roles())
    missing = [c for c in listed if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column {missing[0]!r} (mapped as {mapping.roles()[missing[0]]}); "
                         f"its columns are {', '.join(map(repr, frame.columns[:12]))}.")


def _check_scores(frame: pd.DataFrame, column: str, what: str) -> None:
    """Scores are finite probabilities in [0, 1]; logits must be squashed first."""
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
    outside = np.flatnonzero((values < 0) | (values > 1))
    if len(outside):
        raise ValueError(
            f"{what} column {column!r} has {len(outside)} values outside [0, 1] (e.g. "
            f"{values[outside[0]]:g}, {rows_preview(outside)}): scores must be probabilities; "
            "if these are logits, apply a sigmoid (or softmax) first.")
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


def _choose_positive(values: Sequence[str], true_counts: Mapping[str, int],
                     positive_label: str | None) -> tuple[str, list[str]]:
    """Pick the positive class of a binary problem, and a note when it was a guess.

    1 / true / yes / positive win; else the label that is not "not x" / "non-x"; else the
    rarer class (the usual convention: positives are what we look for).
    """
    distinct = sorted(set(values))
    if positive_label is not None:
        if str(positive_label) not in distinct:
            raise ValueError(f"positive_label {positive_label!r} is not among the labels "
                             f"{', '.join(map(repr, distinct))}.")
        return str(positive_label), _one_class_note(distinct)
    for value in distinct:
        if value.lower() in _POSITIVE_WORDS:
            return value, _one_class_note(distinct)
    negatives = [v for v in distinct if v.lower().startswith(_NEGATIVE_PREFIXES)]
    if len(distinct) == 2 and len(negatives) == 1:
        return next(v for v in distinct if v != negatives[0]), []
    if len(distinct) == 1:
        if distinct[0].lower() in ("0", "false", "no", "n", "negative", "neg"):
            return "1", _one_class_note(distinct)
        return distinct[0], [*_one_class_note(distinct), f"{distinct[0]!r} is taken as positive."]
    if len(true_counts) == 2:
        chosen = min(sorted(true_counts), key=lambda label: true_counts[label])
    else:
        chosen = distinct[-1]
    return chosen, [f"Positive class taken as {chosen!r} (the rarer one); choose another in the "
                    "column mapping if that is wrong."]


def _one_class_note(distinct: Sequence[str]) -> list[str]:
    if len(distinct) != 1:
        return []
    return [f"Only the label {distinct[0]!r} appears (one class only): error and accuracy are "
            "defined, but precision, recall and ROC need both classes."]


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
    positive, notes = _choose_positive(sorted(seen), true_counts, positive_label)
    negative = next((v for v in sorted(seen) if v != positive), f"not {positive}")
    frame[mapping.y_true] = _is_label(true_codes, true_labels, positive)
    if mapping.y_pred:
        frame[mapping.y_pred] = _is_label(pred_codes, pred_labels, positive)
    for column in mapping.scores:
        _check_scores(frame, column, "score")
    if not mapping.scores and not mapping.y_pred:
        raise ValueError(f"{name} has no predicted-label or score column: map the column holding "
                         "the model's prediction (a label or a probability).")
    return replace(mapping, positive_label=positive, classes=(negative, positive)), notes


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
        for column in mapping.proba:
            _check_scores(frame, column, "probability")
        sums = frame[list(mapping.proba)].to_numpy(dtype=float).sum(axis=1)
        off = np.flatnonzero(np.abs(sums - 1) > 1e-3)
        if len(off):
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
        if key in ("scores", "proba", "groups", "text", "task_labels", "task_scores", "classes"):
            value = () if value is None else ((value,) if isinstance(value, str) else tuple(value))
        values[key] = value
    mapping = replace(detected, **values)
    if task is not None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}.")
        mapping = replace(mapping, task=task)
    return mapping


def infer_task(frame: pd.DataFrame, mapping: ColumnMapping) -> str:
    if mapping.task == "multilabel" or not mapping.y_true:
        return mapping.task
    if mapping.proba:
        return "multiclass"
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
    if mapping.task == "binary":
        mapping, notes = _normalise_binary(frame, mapping, name, positive_label)
    elif mapping.task == "multiclass":
        mapping, notes = _normalise_multiclass(frame, mapping, name)
    else:
        mapping, notes = _normalise_multilabel(frame, mapping, name)
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
