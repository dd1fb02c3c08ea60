"""Several models' predictions of the same examples, as one table with a score column per model.

Two shapes become one: a file per model, joined on the example id, and one long file with a
model column (one row per example and model), split by model and then joined the same way.
The metrics page then compares the models as score columns (ColumnMapping.scores).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.detection import detect_columns, suggest_mapping
from analysis.export_shapes import normal
from analysis.prediction_model import Predictions
from analysis.predictions_validation import validate_predictions

MODEL_COLUMN_NAMES = ("model", "model_name", "model_id", "classifier", "estimator", "system")
_MAX_MODELS = 50


def find_model_column(frame: pd.DataFrame) -> tuple[str, str] | None:
    """(model column, id column) of a long file: a column named like 'model' with 2 to 50
    values, and an example id that appears once per model. None for any other file (a
    'system' column of a file whose ids do not repeat is a slice, not a model)."""
    by_normal = {normal(c): c for c in frame.columns}
    column = next((by_normal[n] for n in MODEL_COLUMN_NAMES if n in by_normal), None)
    if column is None:
        return None  # most files: decided without looking at any value
    ids = detect_columns(frame).example_id
    if ids is None or column == ids:
        return None
    models = frame[column].nunique(dropna=True)
    if not 2 <= models <= _MAX_MODELS or not frame[ids].duplicated().any():
        return None
    per_model = frame.groupby(column, sort=False)[ids]
    if (per_model.nunique() != per_model.size()).any():
        return None
    return column, ids


def split_by_model(frame: pd.DataFrame, model_column: str) -> dict[str, pd.DataFrame]:
    """One frame per model of a long file, in order of first appearance, without the model
    column."""
    empty = np.flatnonzero(frame[model_column].isna().to_numpy())
    if len(empty):
        raise ValueError(f"model column {model_column!r} is empty in {len(empty)} rows (e.g. row "
                         f"{empty[0] + 2}): every row needs the name of its model.")
    return {str(model): rows.drop(columns=model_column).reset_index(drop=True)
            for model, rows in frame.groupby(model_column, sort=False)}


def _check_ids(frame: pd.DataFrame, model: str, id_column: str) -> pd.Series:
    """The ids of one model's file as text: present and unique."""
    if id_column not in frame.columns:
        raise ValueError(f"the file of model {model!r} has no id column {id_column!r}; its "
                         f"columns are {', '.join(map(repr, frame.columns[:8]))}.")
    ids = frame[id_column].astype(str)
    repeated = ids[ids.duplicated()].unique()
    if len(repeated):
        raise ValueError(f"model {model!r} has {len(repeated)} ids in {id_column!r} more than once "
                         f"(e.g. {repeated[0]!r}): keep one row per example in each file.")
    return ids


def _one_model(frame: pd.DataFrame, model: str, id_column: str, positive_label: str | None,
               mapping: Mapping[str, Any]) -> Predictions:
    """One model's file read as a binary problem with exactly one score column."""
    chosen = suggest_mapping(frame, name=f"model {model!r}", example_id=id_column, **mapping)
    checked = validate_predictions(frame, chosen, name=f"model {model!r}",
                                   positive_label=positive_label)
    if checked.task != "binary":
        raise ValueError(f"model {model!r} is a {checked.task} file: models are joined as "
                         "score columns of a binary problem; compare multiclass models as "
                         "separate files on the metrics page.")
    if len(checked.mapping.scores) != 1:
        found = ", ".join(map(repr, checked.mapping.scores)) or "none"
        raise ValueError(f"model {model!r} needs exactly one score column to be joined (found "
                         f"{found}): map its score column (scores=...).")
    return checked


def _aligned(first: pd.Series, ids: pd.Series, model: str, reference: str) -> np.ndarray:
    """Row positions in a model's file of each example of the reference file."""
    positions = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    missing = first[~first.isin(positions.index)]
    extra = ids[~ids.isin(first)]
    if len(missing) or len(extra):
        which, count, example = ((reference, len(extra), extra.iloc[0]) if len(extra)
                                 else (model, len(missing), missing.iloc[0]))
        raise ValueError(f"{count} example ids are missing from model {which!r} (e.g. "
                         f"{example!r}): join files that hold the same examples.")
    return positions.loc[first.to_numpy()].to_numpy()


def _check_same_truth(base: Predictions, other: Predictions, rows: np.ndarray, model: str,
                      reference: str) -> None:
    """Every model must be scored against the same true labels."""
    left = base.y_true()
    right = other.y_true()[rows]
    differ = np.flatnonzero(left != right)
    if len(differ):
        example = base.frame[base.mapping.example_id].iloc[differ[0]]
        raise ValueError(f"y_true differs between models {reference!r} and {model!r} on "
                         f"{len(differ)} examples (e.g. id {example!r}): the files must hold "
                         "the same examples with the same true labels.")


def _shared_notes(notes_by_model: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Notes every model shares once; the others prefixed with their model."""
    everyone = set.intersection(*(set(n) for n in notes_by_model.values()))
    shared = [n for n in next(iter(notes_by_model.values())) if n in everyone]
    own = [f"model {model!r}: {n}" for model, notes in notes_by_model.items()
           for n in notes if n not in everyone]
    return shared + own


def join_model_files(frames_by_model: Mapping[str, pd.DataFrame], id_column: str, *,
                     name: str = "models", positive_label: str | None = None,
                     **mapping: Any) -> Predictions:
    """Join one binary predictions table per model on `id_column`: one score column per model.

    Parameters
    ----------
    frames_by_model : mapping of str to DataFrame
        Each model's table (as read_table gives it) by model name.
    id_column : str
        The example id column every table has.
    name : str
        Display name of the result.
    positive_label : str, optional
        The positive class (the same for every model).
    **mapping
        Role overrides applied to every table, as in read_predictions.

    Returns
    -------
    Predictions
        The first table's columns (ids, labels, split, slices) and a score column named after
        each model; mapping.scores lists the models.

    Raises
    ------
    ValueError
        When a table lacks the id column, repeats an id, misses ids of another, has different
        true labels, is not binary or has not exactly one score column.

    Examples
    --------
    >>> a = pd.DataFrame({"id": [1, 2, 3], "y_true": [1, 0, 1], "score": [0.9, 0.2, 0.4]})
    >>> b = pd.DataFrame({"id": [3, 1, 2], "y_true": [1, 1, 0], "score": [0.8, 0.7, 0.6]})
    >>> joined = join_model_files({"small": a, "big": b}, "id")
    >>> joined.mapping.scores, joined.frame["big"].tolist()
    (('small', 'big'), [0.7, 0.6, 0.8])
    """
    if not frames_by_model:
        raise ValueError("frames_by_model is empty: give at least one model's table.")
    checked = {str(model): _one_model(frame, str(model), id_column, positive_label, mapping)
               for model, frame in frames_by_model.items()}
    reference, base = next(iter(checked.items()))
    first_ids = _check_ids(base.frame, reference, id_column)
    own = {c for p in checked.values() for c in (*p.mapping.scores, *p.mapping.proba,
                                                  p.mapping.y_pred) if c}
    frame = base.frame[[c for c in base.frame.columns if c not in own]].copy()
    for model, other in checked.items():
        rows = _aligned(first_ids, _check_ids(other.frame, model, id_column), model, reference)
        _check_same_truth(base, other, rows, model, reference)
        column = model if model not in frame.columns else f"{model} (score)"
        frame[column] = other.frame[other.mapping.scores[0]].to_numpy()[rows]
    transforms = {p.mapping.score_transform for p in checked.values()}
    joined = replace(base.mapping, scores=tuple(frame.columns[-len(checked):]), proba=(),
                     y_pred=None, score_transform="rank" if "rank" in transforms
                     else base.mapping.score_transform)
    notes = [f"{len(checked)} models joined on {id_column!r}: "
             f"{', '.join(map(repr, checked))}.",
             *_shared_notes({m: p.notes for m, p in checked.items()})]
    return Predictions(frame=frame, mapping=joined, name=name, notes=tuple(notes))
