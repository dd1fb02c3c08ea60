"""Input checks of the metrics package: each kind of input is validated once, here.

Errors name the argument and the offending rows, so a user can fix the call without reading
the source (scikit-learn's style).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.validation import (
    check_array,
    check_choice,
    check_number,
    check_same_length,
    rows_preview,
)

UNDEFINED = "undefined"


def check_zero_division(zero_division: object) -> float | None:
    """Return None for "undefined" (report a reason), else the number that replaces 0/0."""
    if isinstance(zero_division, str):
        check_choice("zero_division", zero_division, (UNDEFINED,))
        return None
    if isinstance(zero_division, bool) or zero_division not in (0, 1):
        raise ValueError(f"zero_division must be 'undefined', 0 or 1; got {zero_division!r}. "
                         "Use 'undefined' to see why a value cannot be computed.")
    return float(zero_division)


def check_scores(name: str, scores: object) -> np.ndarray:
    """Scores are any finite numbers (probabilities or decision values), one per row."""
    return check_array(name, scores, dtype=float)


def check_weights(sample_weight: object, n_rows: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    weights = check_array("sample_weight", sample_weight, dtype=float)
    check_same_length(rows=np.empty(n_rows), sample_weight=weights)
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        raise ValueError(f"sample_weight has {negative.size} negative values "
                         f"({rows_preview(negative)}): weights must be 0 or more.")
    if weights.sum() <= 0:
        raise ValueError("sample_weight sums to 0: at least one row needs a positive weight.")
    return weights


def check_beta(beta: object) -> float | None:
    if beta is None:
        return None
    value = check_number("beta", beta, low=0.0)
    if value == 0 or value is None:
        raise ValueError(f"beta must be greater than 0 (e.g. 2 to weigh recall higher); got {beta!r}.")
    return value


def check_labels(name: str, values: object) -> np.ndarray:
    """Class labels (text or numbers), one per example, none empty; text comes back as str."""
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty one-dimensional list of labels; got shape {array.shape}.")
    if array.dtype == object or array.dtype.kind == "T":
        missing = np.flatnonzero(pd.isna(array))
        if missing.size:
            raise ValueError(f"{name} has {missing.size} empty labels ({rows_preview(missing)}): "
                             "fill or drop those rows.")
        array = array.astype(str)
    if array.dtype.kind == "f" and np.isnan(array).any():
        missing = np.flatnonzero(np.isnan(array))
        raise ValueError(f"{name} has {missing.size} empty labels ({rows_preview(missing)}).")
    return array


def optional_array(values: object) -> np.ndarray | None:
    return None if values is None else np.asarray(values)
