"""Error rate per split (train, train-dev, dev, test) from a predictions file or a plain
frame, each with its count and Wilson interval: the waterfall's levels measured from data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.predictions import SPLITS, ColumnMapping, Predictions, validate_predictions
from analysis.stats import wilson_interval
from analysis.validation import check_confidence, check_fraction


def errors_by_split(predictions: Predictions | pd.DataFrame, *, threshold: float = 0.5,
                    model: str | None = None, y_true: str = "y_true", y_pred: str = "y_pred",
                    split: str = "split", confidence: float = 0.95) -> pd.DataFrame:
    """Error rate per split with its count and Wilson confidence interval.

    Parameters
    ----------
    predictions : Predictions or pandas.DataFrame
        Loaded predictions (binary or multiclass) with a split column, or a plain frame with
        `y_true`, `y_pred` and `split` columns.
    threshold, model : used for Predictions with scores (binary): y_pred = score >= threshold.
    confidence : float
        Confidence of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per split present, in waterfall order, columns: split, examples, errors,
        error (percent), low, high (percent).

    Examples
    --------
    >>> frame = pd.DataFrame({"y_true": [1, 0, 1, 1], "y_pred": [1, 0, 0, 1],
    ...                       "split": ["train", "train", "dev", "dev"]})
    >>> errors_by_split(frame)[["split", "examples", "errors", "error"]].to_dict("list")
    {'split': ['train', 'dev'], 'examples': [2, 2], 'errors': [0, 1], 'error': [0.0, 50.0]}
    """
    check_confidence(confidence)
    truth, guess, splits = _mistake_inputs(predictions, threshold=threshold, model=model,
                                           y_true=y_true, y_pred=y_pred, split=split)
    wrong = _mistakes(truth, guess)
    rows = []
    for name in SPLITS:
        mask = splits == name
        n = int(mask.sum())
        if n == 0:
            continue
        k = int(wrong[mask].sum())
        low, high = wilson_interval(k, n, confidence=confidence)
        rows.append({"split": name, "examples": n, "errors": k, "error": 100 * k / n,
                     "low": 100 * low, "high": 100 * high})
    return pd.DataFrame(rows, columns=["split", "examples", "errors", "error", "low", "high"])


def _mistake_inputs(predictions: Predictions | pd.DataFrame, *, threshold: float,
                    model: str | None, y_true: str, y_pred: str,
                    split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(truth, prediction, canonical split) arrays from either input kind."""
    if isinstance(predictions, Predictions):
        if predictions.mapping.task == "multilabel":
            raise ValueError("predictions is a multilabel file: the waterfall needs one "
                             "label per example (binary or multiclass).")
        if predictions.mapping.split is None:
            raise ValueError(f"predictions ({predictions.name}) has no split column: map one "
                             "(train / train-dev / dev / test) to compute errors per split.")
        check_fraction("threshold", threshold)
        splits = predictions.frame[predictions.mapping.split].astype(str).to_numpy()
        guess = predictions.y_pred(threshold=threshold, model=model)
        return np.asarray(predictions.y_true()), np.asarray(guess), splits
    if not isinstance(predictions, pd.DataFrame):
        raise ValueError("predictions must be loaded Predictions or a pandas DataFrame, got "
                         f"{type(predictions).__name__}.")
    missing = [c for c in (y_true, y_pred, split) if c not in predictions.columns]
    if missing:
        raise ValueError(f"predictions has no column {', '.join(map(repr, missing))}; its "
                         f"columns are {', '.join(map(repr, predictions.columns[:12]))}.")
    # The shared validator canonicalises split names and turns labels into text, so a
    # plain frame is compared exactly like a loaded file.
    mapping = ColumnMapping(task="multiclass", y_true=y_true, y_pred=y_pred, split=split)
    checked = validate_predictions(predictions[[y_true, y_pred, split]], mapping,
                                   name="predictions")
    splits = checked.frame[split].to_numpy()
    return checked.y_true(), checked.y_pred(), splits


def _mistakes(truth: np.ndarray, guess: np.ndarray) -> np.ndarray:
    """True where the prediction differs from the label (numbers compared as numbers)."""
    if np.issubdtype(truth.dtype, np.number) and np.issubdtype(guess.dtype, np.number):
        return truth != guess
    return np.array([str(t) != str(g) for t, g in zip(truth, guess, strict=True)], dtype=bool)
