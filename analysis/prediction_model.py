"""The predictions model: which column plays which role (ColumnMapping), the validated table
(Predictions), split names, and the Parquet round trip the workspace store uses."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

TASKS = ("binary", "multiclass", "multilabel")
SPLITS = ("train", "train-dev", "dev", "test")

_SPLIT_SYNONYMS = {
    "train": "train", "training": "train", "trn": "train",
    "train-dev": "train-dev", "train_dev": "train-dev", "traindev": "train-dev",
    "train dev": "train-dev", "training-dev": "train-dev", "training_dev": "train-dev",
    "dev": "dev", "development": "dev", "val": "dev", "valid": "dev", "validation": "dev",
    "test": "test", "testing": "test", "tst": "test", "holdout": "test",
}



def canonical_split(value: object) -> str | None:
    """The canonical split name ('train', 'train-dev', 'dev', 'test') of a name found in a file
    ('Validation', 'train_dev', 'holdout'), or None when it is not a split name."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return _SPLIT_SYNONYMS.get(re.sub(r"\s+", " ", str(value).strip().lower()))


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file plays which role; the user may override every field."""

    task: str
    y_true: str | None = None
    y_pred: str | None = None
    scores: tuple[str, ...] = ()
    proba: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    positive_label: str | None = None
    split: str | None = None
    weight: str | None = None
    example_id: str | None = None
    image: str | None = None
    groups: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    task_labels: tuple[str, ...] = ()
    task_scores: tuple[str, ...] = ()
    # One 0/1 label column per class (in `classes` order): y_true is built from them.
    one_hot: tuple[str, ...] = ()
    # None: scores are probabilities; "sigmoid"/"softmax": logits turned into probabilities;
    # "rank": scores kept as they are, for ranking (ROC, PR), thresholds in score units.
    score_transform: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        """Rebuild a mapping saved with to_dict (unknown keys are ignored)."""
        known = {f.name: f for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}
        return cls(**values)

    def roles(self) -> dict[str, str]:
        """Column -> role description, for showing the user what was understood."""
        described: dict[str, str] = {}
        for role in ("y_true", "y_pred", "split", "weight", "example_id", "image"):
            column = getattr(self, role)
            if role == "y_true" and self.one_hot:
                continue  # built from the one-hot columns, not read from the file
            if column:
                described[column] = role
        for role in ("scores", "proba", "groups", "text", "task_labels", "task_scores",
                     "one_hot"):
            for column in getattr(self, role):
                described[column] = role
        return described


@dataclass(frozen=True)
class Predictions:
    """A validated predictions table: the frame (original column names), its mapping, notes."""

    frame: pd.DataFrame
    mapping: ColumnMapping
    name: str = "predictions"
    notes: tuple[str, ...] = field(default=())

    @property
    def n_rows(self) -> int:
        """Number of examples."""
        return len(self.frame)

    @property
    def task(self) -> str:
        """'binary', 'multiclass' or 'multilabel'."""
        return self.mapping.task

    def y_true(self) -> np.ndarray:
        """True labels: int8 0/1 for binary, str for multiclass, (n, tasks) float for multilabel."""
        if self.task == "multilabel":
            return self.frame[list(self.mapping.task_labels)].to_numpy(dtype=float)
        return self.frame[self.mapping.y_true].to_numpy()

    def score(self, model: str | None = None) -> np.ndarray | None:
        """P(positive) of one model (the first score column unless `model` names another)."""
        if not self.mapping.scores:
            return None
        column = model or self.mapping.scores[0]
        if column not in self.mapping.scores:
            raise ValueError(f"model {column!r} is not a score column; choose one of "
                             f"{', '.join(self.mapping.scores)}.")
        return self.frame[column].to_numpy(dtype=float)

    def y_pred(self, threshold: float = 0.5, model: str | None = None) -> np.ndarray:
        """Predicted labels. Binary with scores: score >= threshold (so the threshold slider
        governs); otherwise the predicted-label column, else the most probable class."""
        if self.task == "binary" and self.mapping.scores:
            return (self.score(model) >= threshold).astype(np.int8)
        if self.mapping.y_pred:
            return self.frame[self.mapping.y_pred].to_numpy()
        if self.task == "multiclass" and self.mapping.proba:
            probabilities = self.frame[list(self.mapping.proba)].to_numpy(dtype=float)
            return np.asarray(self.mapping.classes, dtype=object)[probabilities.argmax(axis=1)]
        raise ValueError(f"{self.name} has neither predicted labels nor scores to predict from.")

    def splits(self) -> list[str]:
        """Canonical split names present, in train -> test order."""
        if not self.mapping.split:
            return []
        present = set(self.frame[self.mapping.split].unique())
        return [s for s in SPLITS if s in present]

    def subset(self, split: str) -> Predictions:
        """The rows of one split, as Predictions of their own."""
        if not self.mapping.split:
            raise ValueError("This file has no split column: map one to look at a single split.")
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}; got {split!r}.")
        rows = self.frame[self.frame[self.mapping.split] == split].reset_index(drop=True)
        return replace(self, frame=rows, name=f"{self.name} [{split}]")


def predictions_to_parquet(predictions: Predictions) -> bytes:
    """Serialise the normalised frame (for the workspace store)."""
    sink = io.BytesIO()
    predictions.frame.to_parquet(sink, index=False)
    return sink.getvalue()


def predictions_from_parquet(data: bytes | BinaryIO, mapping: Mapping[str, Any], name: str,
                             notes: Sequence[str] = ()) -> Predictions:
    """Rebuild Predictions saved with predictions_to_parquet (already validated); `data` is
    the bytes or a binary file opened on them (read as a stream)."""
    frame = pd.read_parquet(io.BytesIO(data) if isinstance(data, bytes | bytearray) else data)
    return Predictions(frame=frame, mapping=ColumnMapping.from_dict(mapping), name=name,
                       notes=tuple(notes))
