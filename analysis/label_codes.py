"""Label values as text codes: the one way the reader turns a column of labels into classes.

Works on the distinct values of a column, so a 5M-row column costs one factorize; 1 and 1.0,
'cat' and ' cat' are the same label, and a blank cell is a missing one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


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


def take_labels(codes: np.ndarray, labels: np.ndarray, index: pd.Index) -> pd.Series:
    texts = pd.array([*labels, None], dtype="str")
    return pd.Series(texts.take(np.where(codes >= 0, codes, len(labels))), index=index)


def is_numeric_column(series: pd.Series) -> bool:
    """Numbers, not booleans: a True/False column is a label, never a score."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
