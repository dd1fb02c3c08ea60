"""Recognise the shapes training scripts really export, so the reader maps them without help.

scikit-learn's ``predict_proba`` gives one column per class, in ``classes_`` order (sorted);
scripts name those columns after the class (``cat``, ``p_cat``, ``cat_proba``) or after its
index (``proba_0``); ``decision_function`` gives logits; labels may be one 0/1 column per class
(one-hot). Every guess made here is a ColumnMapping field the user can override.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.label_codes import is_numeric_column

SCORE_PREFIXES = ("score_", "prob_", "proba_", "p_", "probability_", "logit_")
SCORE_SUFFIXES = ("_score", "_prob", "_proba", "_probability", "_logit")
TRUTH_PREFIXES = ("y_", "true_", "label_", "gt_")
SCORE_TRANSFORMS = ("sigmoid", "softmax", "rank")
SUM_TOLERANCE = 0.01  # rows of one model's class probabilities sum to 1 within this
LOGIT_SHARE = 0.25  # at least this share of values outside [0, 1], some negative: logits
# Single-column names that are never one class of a one-hot group.
_NOT_ONE_HOT = ("y_true", "y_pred", "y_score", "y_prob", "y_hat", "true_label", "true_class",
                "label_id")


@dataclass(frozen=True)
class ClassColumns:
    """Per-class columns of one model and the class each holds, in the same order.

    `how` says in words how columns were matched to classes, for the notes.
    """

    columns: tuple[str, ...]
    classes: tuple[str, ...]
    how: str = "by name"


def normal(column: str) -> str:
    """A column name compared loosely: lower case, spaces and dashes as underscores."""
    return re.sub(r"[\s\-]+", "_", str(column).strip().lower())


def _affix_match(column: str, prefixes: Sequence[str],
                 suffixes: Sequence[str]) -> tuple[str, str] | None:
    """(affix, rest) when `column` starts with a prefix or ends with a suffix; case kept."""
    text = str(column).strip()
    for prefix in prefixes:
        found = re.match(rf"(?i)^{re.escape(prefix[:-1])}[\s_\-]+(.+)$", text)
        if found:
            return prefix, found.group(1)
    for suffix in suffixes:
        found = re.match(rf"(?i)^(.+?)[\s_\-]+{re.escape(suffix[1:])}$", text)
        if found:
            return suffix, found.group(1)
    return None


def class_of_column(column: str) -> str:
    """The class a per-class probability (or score, or logit) column is for.

    The affixes prob_, p_, proba_, probability_, score_, logit_ and _prob, _proba,
    _probability, _score, _logit are removed (any case, separated by _ - or a space); a
    column without one is named after its class already.

    Examples
    --------
    >>> [class_of_column(c) for c in ["p_cat", "cat_prob", "Proba Dog", "bird", "proba_0"]]
    ['cat', 'cat', 'Dog', 'bird', '0']
    """
    found = _affix_match(column, SCORE_PREFIXES, SCORE_SUFFIXES)
    return found[1] if found else str(column).strip()


def class_of_label_column(column: str) -> str:
    """The class a one-hot label column is for: 'label_cat' -> 'cat', 'true_0' -> '0'.

    Examples
    --------
    >>> class_of_label_column("label_cat"), class_of_label_column("y_0")
    ('cat', '0')
    """
    found = _affix_match(column, TRUTH_PREFIXES, ())
    return found[1] if found else str(column).strip()


def pair_score_column(pair: ClassColumns, positive: str) -> str:
    """The column of the `positive` class among one model's two complementary columns.

    `positive` is a label of the file: a class name, or an index (0/1) when the labels are
    indices, which picks the column at that position.

    Examples
    --------
    >>> pair = ClassColumns(("p_cat", "p_dog"), ("cat", "dog"))
    >>> pair_score_column(pair, "dog"), pair_score_column(pair, "0")
    ('p_dog', 'p_cat')
    """
    if positive in pair.classes:
        return pair.columns[pair.classes.index(positive)]
    if positive in ("0", "1"):
        return pair.columns[int(positive)]
    return pair.columns[-1]


def _class_key(column: str) -> str:
    return normal(class_of_column(column))


def _is_index_labels(labels: Sequence[str]) -> bool:
    return bool(labels) and all(re.fullmatch(r"\d+", label) for label in labels)


def _by_name(candidates: Sequence[str], labels: Sequence[str]) -> ClassColumns | None:
    """A column for every label, named after it (with or without an affix)."""
    found: dict[str, str] = {}
    wanted = {normal(label): label for label in labels}
    for column in candidates:
        label = wanted.get(_class_key(column))
        if label is not None:
            found.setdefault(label, column)
    if len(found) < 2 or len(found) != len(wanted):
        return None
    return ClassColumns(tuple(found[label] for label in labels), tuple(labels))


def _by_index(candidates: Sequence[str], labels: Sequence[str]) -> ClassColumns | None:
    """Named labels, columns named 0..k-1: column i is the i-th class in sorted order, as in
    scikit-learn's classes_."""
    by_index = {int(key): c for c in candidates if re.fullmatch(r"\d+", key := _class_key(c))}
    if len(labels) < 2 or sorted(by_index) != list(range(len(labels))):
        return None
    return ClassColumns(tuple(by_index[i] for i in range(len(labels))), tuple(sorted(labels)),
                        "column index i = the i-th class in sorted order")


def _named_for_indices(candidates: Sequence[str], labels: Sequence[str]) -> ClassColumns | None:
    """Labels 0..k-1, columns named after classes with one shared affix: label i is the i-th
    of those columns in file order."""
    groups: dict[str, list[str]] = {}
    for column in candidates:
        found = _affix_match(column, SCORE_PREFIXES, SCORE_SUFFIXES)
        if found:
            groups.setdefault(found[0], []).append(column)
    # Exactly as many columns as the largest index calls for: three score_<model> columns
    # next to 0/1 labels are three models, not three classes.
    needed = max(int(label) for label in labels) + 1
    for columns in groups.values():
        if len(columns) == max(2, needed):
            return ClassColumns(tuple(columns), tuple(class_of_column(c) for c in columns),
                                "label i = the i-th probability column in file order")
    return None


def find_class_columns(frame: pd.DataFrame, labels: Sequence[str],
                       taken: set[str]) -> ClassColumns | None:
    """One model's per-class columns for the true `labels`, or None.

    Matched by class name first; else, for named labels, by class index in sorted order; else,
    for labels that are indices, by position among columns sharing one affix (p_cat, p_dog).
    """
    candidates = [c for c in frame.columns if c not in taken and is_numeric_column(frame[c])]
    if len(labels) < 2 or len(candidates) < 2:
        return None
    found = _by_name(candidates, labels)
    if found is None and not _is_index_labels(labels):
        found = _by_index(candidates, labels)
    if found is None and _is_index_labels(labels):
        found = _named_for_indices(candidates, labels)
    return found


def rows_sum_to_one(frame: pd.DataFrame, columns: Sequence[str]) -> bool:
    """True when every row of `columns` sums to 1 within SUM_TOLERANCE (one model's classes)."""
    values = frame[list(columns)].to_numpy(dtype=float)
    sums = values.sum(axis=1)
    return bool(np.isfinite(sums).all() and (np.abs(sums - 1) <= SUM_TOLERANCE).all())


def looks_like_logits(frame: pd.DataFrame, columns: Sequence[str]) -> bool:
    """Logits or decision scores rather than probabilities: numbers of both signs, a good
    share (LOGIT_SHARE) of them outside [0, 1]. A few stray values are an error, not logits."""
    if not columns or not all(is_numeric_column(frame[c]) for c in columns):
        return False
    values = frame[list(columns)].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    if not len(values) or values.min() >= 0:
        return False
    return bool(np.mean((values < 0) | (values > 1)) >= LOGIT_SHARE)


def find_one_hot(frame: pd.DataFrame) -> ClassColumns | None:
    """Label columns given one per class (label_cat, label_dog or true_0..true_k), 0/1, with
    exactly one 1 in every row; None when there is no such group (multi-hot is multi-label)."""
    groups: dict[str, list[str]] = {}
    for column in frame.columns:
        if normal(column) in _NOT_ONE_HOT or not _zero_one(frame[column]):
            continue
        found = _affix_match(column, TRUTH_PREFIXES, ())
        if found:
            groups.setdefault(found[0], []).append(column)
    for columns in groups.values():
        if len(columns) >= 2 and (frame[columns].to_numpy(dtype=float).sum(axis=1) == 1).all():
            classes = tuple(class_of_label_column(c) for c in columns)
            return ClassColumns(tuple(columns), classes, "one 0/1 column per class")
    return None


def _zero_one(series: pd.Series) -> bool:
    """A column of 0/1 numbers (or booleans) without gaps."""
    if pd.api.types.is_bool_dtype(series):
        return bool(series.notna().all())
    if not is_numeric_column(series):
        return False
    return bool(series.isin((0, 1)).all())
