"""Read a model's predictions file (CSV, TSV, Parquet, Excel), find its columns, validate it.

Every page starts here. The reader decides once which column is the true label, the
prediction, the scores, the split, ...; the user may override any of it; then the values are
checked and normalised so that the rest of the package can do plain array arithmetic. Every
problem raises ValueError naming the column, the rows and what was expected.

This module is the front door: reading bytes lives in analysis.reading, column detection in
analysis.detection, checking and normalising in analysis.predictions_validation and the model
(ColumnMapping, Predictions) in analysis.prediction_model; every public name is re-exported.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from analysis.detection import detect_columns, suggest_mapping
from analysis.export_shapes import SCORE_TRANSFORMS, class_of_column
from analysis.limits import BOMB_CHECK_BYTES, ReadLimits
from analysis.model_files import find_model_column, join_model_files, split_by_model
from analysis.prediction_model import (
    SPLITS,
    TASKS,
    ColumnMapping,
    Predictions,
    canonical_split,
    predictions_from_parquet,
    predictions_to_parquet,
)
from analysis.predictions_validation import (
    validate_predictions,
)
from analysis.reading import READABLE_FILE_TYPES, read_table

__all__ = [
    "BOMB_CHECK_BYTES", "READABLE_FILE_TYPES", "SCORE_TRANSFORMS", "SPLITS", "TASKS",
    "ColumnMapping", "Predictions", "canonical_split", "class_of_column", "detect_columns",
    "join_model_files", "predictions_from_parquet", "predictions_to_parquet", "read_predictions",
    "read_table", "split_by_model", "suggest_mapping", "validate_predictions",
]


def read_predictions(source: str | Path | bytes | BinaryIO, filename: str | None = None, *,
                     task: str | None = None, positive_label: str | None = None,
                     sheet: str | int | None = None, limits: ReadLimits | None = None,
                     **mapping: Any) -> Predictions:
    """Read, detect and validate a predictions file.

    Parameters
    ----------
    source : path, bytes or file-like
        The file: CSV/TSV (optionally gzipped), Parquet, or Excel .xlsx.
    filename : str, optional
        Display name (and format hint) when `source` is bytes.
    task : {"binary", "multiclass", "multilabel"}, optional
        Forces the task; by default it is inferred from the labels.
    positive_label : str, optional
        The positive class of a binary problem whose labels are not 0/1.
    sheet : str or int, optional
        The Excel sheet to read (default: the first non-empty one).
    limits : ReadLimits, optional
        The most the file may hold (bytes, rows, columns, cells, inflation); the defaults
        when None.
    **mapping
        Overrides of the detected roles, by ColumnMapping field: y_true="label",
        scores=["model_a", "model_b"], split=None (to unset), score_transform="sigmoid", ...
        A long binary file (a 'model' column, ids repeated once per model) becomes one score
        column per model, as join_model_files makes them.

    Returns
    -------
    Predictions
        The normalised frame, the final mapping and notes for the user.

    Raises
    ------
    ValueError
        With a message that names the column, the rows and what was expected.

    Examples
    --------
    >>> p = read_predictions(b"y_true,score\\n1,0.9\\n0,0.2\\n1,0.4\\n", "demo.csv")
    >>> p.mapping.task, p.mapping.scores, p.y_pred().tolist()
    ('binary', ('score',), [1, 0, 0])
    """
    frame, name, notes = read_table(source, filename, sheet=sheet, limits=limits)
    long = find_model_column(frame) if task in (None, "binary") else None
    if long and suggest_mapping(frame, name=name, task=task, **mapping).task == "binary":
        models = split_by_model(frame, long[0])
        result = join_model_files(models, long[1], name=name, positive_label=positive_label,
                                  **mapping)
        read_as = (f"{name} holds one row per example and model (column {long[0]!r}): read as "
                   f"{len(models)} models of the same examples, one score column each.")
        return replace(result, notes=(*notes, read_as, *result.notes))
    chosen = suggest_mapping(frame, name=name, task=task, **mapping)
    result = validate_predictions(frame, chosen, name=name, positive_label=positive_label)
    return replace(result, notes=tuple(notes) + result.notes)
