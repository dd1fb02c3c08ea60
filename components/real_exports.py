"""What the upload flow does with the shapes training scripts really export.

The mapping form only sends what the user changed; everything else stays as the reader
detected it (one-hot label columns, one model's pair of class columns, the classes of
index-named probability columns, the score transform). A long file (a model column) becomes
one score column per model, and a file of the same examples can join the active file as
another model. No widget is drawn here: components/inputs.py draws them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.predictions import (
    ColumnMapping,
    Predictions,
    join_model_files,
    split_by_model,
    suggest_mapping,
    validate_predictions,
)

# Score transform choices as the form shows them ("none": ColumnMapping's None, probabilities).
TRANSFORM_LABELS = {"none": "none (probabilities)", "sigmoid": "sigmoid", "softmax": "softmax",
                    "rank": "rank only"}
TRANSFORM_HELP = ("Logits or decision scores (values outside 0–1): sigmoid or softmax turns them "
                  "into probabilities; rank only: ROC/PR and thresholds in score units.")
_FORM_ROLES = ("y_true", "y_pred", "split", "weight", "example_id", "image", "scores", "proba",
               "groups", "task_labels", "task_scores", "score_transform")


def changed_roles(detected: ColumnMapping, values: Mapping[str, Any]) -> dict[str, Any]:
    """The roles of the form that differ from the detected mapping (the overrides to apply).

    Unchanged roles are left out so that what the form does not show survives: one-hot
    label columns, a binary file's two class columns, the classes of proba_0.. columns.
    """
    return {role: value for role, value in values.items()
            if role in _FORM_ROLES and value != getattr(detected, role)}


def build_predictions(frame: pd.DataFrame, name: str, task: str, overrides: Mapping[str, Any],
                      positive_label: str | None, *,
                      long: tuple[str, str] | None = None) -> Predictions:
    """Validate an upload with the user's overrides; a long file is split by its model column
    and joined on its id (one score column per model), as read_predictions reads it.

    Raises ValueError naming what does not fit.
    """
    if long is not None:
        model_column, id_column = long
        models = split_by_model(frame, model_column)
        roles = {k: v for k, v in overrides.items() if k != "example_id"}
        joined = join_model_files(models, id_column, name=name, positive_label=positive_label,
                                  task=task, **roles)
        note = (f"{name} holds one row per example and model (column {model_column!r}): read "
                f"as {len(models)} models of the same examples, one score column each.")
        return replace(joined, notes=(note, *joined.notes))
    chosen = suggest_mapping(frame, name=name, task=task, **overrides)
    return validate_predictions(frame, chosen, name=name, positive_label=positive_label)


def _model_table(predictions: Predictions, column: str) -> pd.DataFrame:
    """One model of a validated binary file as id, true label (as text) and score."""
    classes = np.asarray(predictions.mapping.classes, dtype=object)
    return pd.DataFrame({"example_id": predictions.frame[predictions.mapping.example_id].astype(str),
                         "y_true": classes[predictions.y_true().astype(int)],
                         "score": predictions.frame[column].to_numpy(dtype=float)})


def _check_joinable(active: Predictions, upload: Predictions) -> None:
    """Both files binary, with an example id, and scores to compare."""
    for file in (active, upload):
        if file.task != "binary":
            raise ValueError(f"{file.name} holds {file.task} predictions: only binary files "
                             "join as models; compare multiclass files one at a time.")
        if not file.mapping.example_id:
            raise ValueError(f"{file.name} has no example id column: map the id column in both "
                             "files so their rows can be matched.")
        if not file.mapping.scores:
            raise ValueError(f"{file.name} has no score column: map its score column to compare "
                             "it as a model.")


def model_name_of(file_name: str, taken: pd.Index) -> str:
    """The new model's column: the file's stem, made unique among the active file's columns."""
    stem = Path(file_name).stem or "model"
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem} ({n})", n + 1
    return name


def join_as_model(active: Predictions, upload: Predictions) -> Predictions:
    """`active` with the upload's score column added as one more model, rows matched on the id.

    Raises ValueError (from join_model_files) for missing or repeated ids and for true labels
    that differ between the files.
    """
    try:
        return _joined(active, upload)
    except ValueError as err:
        raise ValueError(f"{upload.name} cannot be added as a model of {active.name}: {err}") from err


def _joined(active: Predictions, upload: Predictions) -> Predictions:
    """The join itself: each model as (id, label, score), joined, the new score copied over."""
    _check_joinable(active, upload)
    new = model_name_of(upload.name, active.frame.columns)
    tables = {column: _model_table(active, column) for column in active.mapping.scores}
    tables[new] = _model_table(upload, upload.mapping.scores[0])
    transforms = {active.mapping.score_transform, upload.mapping.score_transform}
    ranked = "rank" if "rank" in transforms else None
    joined = join_model_files(tables, "example_id", name=active.name, task="binary",
                              positive_label=active.mapping.positive_label, y_true="y_true",
                              scores=["score"], score_transform=ranked)
    frame = active.frame.copy()
    frame[new] = joined.frame[joined.mapping.scores[-1]].to_numpy()
    mapping = replace(active.mapping, scores=(*active.mapping.scores, new),
                      score_transform=ranked or active.mapping.score_transform)
    note = (f"{upload.name} joined {active.name} as model {new!r} on {active.mapping.example_id!r}"
            f" ({len(frame):,} examples).")
    return Predictions(frame, mapping, f"{active.name} + {new}", (*active.notes, note))
