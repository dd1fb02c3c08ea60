"""Label values as text codes: the one way the reader turns a column of labels into classes.

Works on the distinct values of a column, so a 5M-row column costs one factorize; 1 and 1.0,
'cat' and ' cat' are the same label, and a blank cell is a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

_POSITIVE_WORDS = ("1", "true", "yes", "y", "positive", "pos")
_NEGATIVE_PREFIXES = ("not", "non", "no_", "no-", "no ")


def label_texts(uniques: Any) -> np.ndarray:
    """Distinct raw values as label text: 1.0 -> '1', True -> 'True', ' cat ' -> 'cat'."""
    values = pd.Series(uniques)
    if (pd.api.types.is_float_dtype(values) and (values.abs() < 2**53).all()
            and (values == np.round(values)).all()):
        texts = [str(int(v)) for v in values]
    else:
        texts = [str(v).strip() for v in values]
    return np.asarray(texts, dtype=object)


def label_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels): sorted distinct label texts and each row's index into them (-1: empty).

    Works on the distinct values only, so a 5M-row column costs one factorize, not 5M Python
    calls. Raw values giving the same text (1 and 1.0, 'cat' and ' cat') share one code.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = label_texts(uniques)
    if not len(texts):
        return codes.astype(np.int64), texts
    labels, inverse = np.unique(texts, return_inverse=True)
    codes = np.where(codes >= 0, inverse[np.maximum(codes, 0)], -1)
    if "" in set(labels):  # a cell of spaces is an empty cell
        blank = int(np.flatnonzero(labels == "")[0])
        codes = np.where(codes == blank, -1, codes)
        codes = np.where(codes > blank, codes - 1, codes)
        labels = np.delete(labels, blank)
    return codes, labels


def distinct_labels(values: pd.Series) -> list[str]:
    """The label texts present in a column, sorted (empty cells left out)."""
    codes, labels = label_codes(values)
    present = np.zeros(len(labels), dtype=bool)
    present[codes[codes >= 0]] = True
    return [str(v) for v in labels[present]]


def label_counts(values: pd.Series) -> dict[str, int]:
    """How many rows hold each label text (empty cells left out), by sorted label."""
    codes, labels = label_codes(values)
    counts = np.bincount(codes[codes >= 0], minlength=len(labels))
    return {str(label): int(n) for label, n in zip(labels, counts, strict=True) if n}


def take_labels(codes: np.ndarray, labels: np.ndarray, index: pd.Index) -> pd.Series:
    texts = pd.array([*labels, None], dtype="str")
    return pd.Series(texts.take(np.where(codes >= 0, codes, len(labels))), index=index)


def is_numeric_column(series: pd.Series) -> bool:
    """Numbers, not booleans: a True/False column is a label, never a score."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def choose_positive(values: Sequence[str], true_counts: Mapping[str, int],
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


def sklearn_order(values: Sequence[str]) -> list[str]:
    """Label texts in scikit-learn's ``classes_`` order: numerically when every label is a
    number (2 before 10), else as text.

    Examples
    --------
    >>> sklearn_order(["10", "2"]), sklearn_order(["spam", "ham"])
    (['2', '10'], ['ham', 'spam'])
    """
    distinct = sorted(set(values))
    try:
        return sorted(distinct, key=float)
    except ValueError:
        return distinct


def decision_score_positive(values: Sequence[str],
                            positive_label: str | None) -> tuple[str, list[str]]:
    """The positive class of one decision-score (or logit) column per model: scikit-learn's
    ``classes_[1]``, the larger label in sorted order, whose score ``decision_function``
    returns, whichever class is rarer. A given `positive_label` wins; with other than two
    labels the usual rule (choose_positive) applies.

    Examples
    --------
    >>> decision_score_positive(["spam", "ham"], None)[0]
    'spam'
    """
    order = sklearn_order(values)
    if positive_label is not None or len(order) != 2:
        return choose_positive(order, {}, positive_label)
    negative, positive = order
    return positive, [f"Positive class taken as {positive!r}: a decision score or logit column "
                      f"scores scikit-learn's classes_[1], the larger label in sorted order "
                      f"({negative!r} < {positive!r}). If the scores belong to {negative!r}, swap the "
                      "positive class on the metrics page or choose it in the column mapping."]


def _one_class_note(distinct: Sequence[str]) -> list[str]:
    if len(distinct) != 1:
        return []
    return [f"Only the label {distinct[0]!r} appears (one class only): error and accuracy are "
            "defined, but precision, recall and ROC need both classes."]
