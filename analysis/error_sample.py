"""Draw the misclassified examples a team reviews in an error-analysis sheet: a fair random
sample of one split's errors, reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.error_sheet import EXAMPLE_COLUMNS, ID_COLUMN, IMAGE_COLUMN
from analysis.validation import check_count, values_preview


@dataclass(frozen=True)
class ErrorSample:
    """Misclassified examples drawn at random for review, with what they were drawn from."""

    frame: pd.DataFrame
    n_errors: int
    n_rows: int
    split: str | None
    seed: int
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def error_rate(self) -> float:
        """Error of the rows sampled from, in percent."""
        return 100.0 * self.n_errors / self.n_rows


def is_predictions(source: object) -> bool:
    """True for loaded predictions (anything with a mapping, a frame and subset())."""
    # Duck-typed so this module does not depend on how predictions are read.
    return hasattr(source, "mapping") and hasattr(source, "frame") and hasattr(source, "subset")


def _examples_from_predictions(pred: Any, split: str | None) -> tuple[pd.DataFrame, str | None, list[str]]:
    """Example table (example_id, image_path, y_true, y_pred, score) from a Predictions."""
    mapping = pred.mapping
    if mapping.task not in ("binary", "multiclass"):
        raise ValueError(f"error analysis reviews binary or multiclass predictions; this file is "
                         f"{mapping.task!r}. Pick a binary or multiclass file.")
    notes: list[str] = []
    used_split = None
    if split is not None and split in pred.splits():
        pred, used_split = pred.subset(split), split
    elif split is not None:
        notes.append(f"The file has no {split!r} rows (no split column?): all rows were used.")
    frame = pred.frame
    examples = pd.DataFrame(index=frame.index)
    examples[ID_COLUMN] = frame[mapping.example_id] if mapping.example_id else frame.index
    if mapping.image:
        examples[IMAGE_COLUMN] = frame[mapping.image].astype(object)
    examples["y_true"] = pred.y_true()
    examples["y_pred"] = pred.y_pred()
    score = pred.score() if mapping.task == "binary" else None
    if score is not None:
        examples["score"] = score
    elif mapping.task == "multiclass" and mapping.proba:
        examples["score"] = frame[list(mapping.proba)].to_numpy(dtype=float).max(axis=1)
    return examples, used_split, notes


def _examples_from_frame(frame: pd.DataFrame, split: str | None) -> tuple[pd.DataFrame, str | None, list[str]]:
    missing = [c for c in ("y_true", "y_pred") if c not in frame.columns]
    if missing:
        raise ValueError(f"the table has no column {values_preview(missing)}: it needs y_true and y_pred "
                         f"(columns found: {values_preview(list(frame.columns), 8)}).")
    notes: list[str] = []
    used_split = None
    if split is not None and "split" in frame.columns:
        rows = frame["split"].astype(str).str.strip().str.lower() == split
        if not rows.any():
            raise ValueError(f"the split column has no {split!r} rows: values are "
                             f"{values_preview(sorted(frame['split'].astype(str).unique()))}.")
        frame, used_split = frame[rows], split
    elif split is not None:
        notes.append(f"The table has no split column: all rows were used, not only {split!r}.")
    keep = [c for c in EXAMPLE_COLUMNS if c in frame.columns]
    examples = frame[keep].copy()
    if ID_COLUMN not in examples.columns:
        examples.insert(0, ID_COLUMN, frame.index)
    return examples, used_split, notes


def _misclassified(examples: pd.DataFrame) -> np.ndarray:
    truth, predicted = examples["y_true"], examples["y_pred"]
    if truth.dtype != predicted.dtype:
        truth, predicted = truth.astype(str), predicted.astype(str)
    return (truth != predicted).to_numpy(dtype=bool)


def sample_errors(source: Any, n: int = 100, *, seed: int = 0, split: str | None = "dev") -> ErrorSample:
    """Draw `n` misclassified rows of `split` at random (reproducible with `seed`) for review.

    Parameters
    ----------
    source : Predictions or DataFrame
        Predictions (binary or multiclass), or a table with y_true and y_pred (and optionally
        split, example_id, image_path, score).
    n : int
        How many errors to draw (all of them when there are fewer).
    seed : int
        Same seed, same sample: a team reviews the same fair sample.
    split : str or None
        Split to draw from ("dev"); None uses every row.

    Examples
    --------
    >>> table = pd.DataFrame({"y_true": [0, 1, 1, 0], "y_pred": [1, 1, 0, 0]})
    >>> sample_errors(table, n=5, split=None).frame["example_id"].tolist()
    [0, 2]
    """
    count = check_count("n", n, minimum=1)
    seed = check_count("seed", seed)
    if is_predictions(source):
        examples, used_split, notes = _examples_from_predictions(source, split)
    elif isinstance(source, pd.DataFrame):
        examples, used_split, notes = _examples_from_frame(source, split)
    else:
        raise ValueError(f"source must be loaded predictions or a table, got {type(source).__name__}.")
    if examples.empty:
        raise ValueError("source has no rows to sample from.")
    wrong = np.flatnonzero(_misclassified(examples))
    where = f"{used_split} " if used_split else ""
    if len(wrong) == 0:
        raise ValueError(f"source has no misclassified {where}rows: there is nothing to review.")
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(wrong, size=min(count, len(wrong)), replace=False))
    if len(wrong) < count:
        notes.append(f"Only {len(wrong)} misclassified {where}rows: all of them are in the sheet.")
    frame = examples.iloc[chosen].reset_index(drop=True)
    return ErrorSample(frame=frame, n_errors=len(wrong), n_rows=len(examples), split=used_split,
                       seed=seed, warnings=tuple(notes))

