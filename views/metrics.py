"""Metrics page: one number to decide with.

Pick or upload predictions, move the threshold, read every metric with its interval, the
curves, the slices; then choose a model (optimizing + satisficing metrics, starting from the
project goal) and check whether model B really beats model A on the same dev examples. The
sections are drawn by components/metrics_*.py; this file only routes.
"""

from __future__ import annotations

import streamlit as st

from analysis.model_rows import ModelRows
from analysis.predictions import Predictions
from components.inputs import predictions_picker
from components.metrics_binary import binary_view
from components.metrics_model_choice import comparison_section, model_table_section
from components.metrics_model_diff import binary_model_diff
from components.metrics_multiclass import multiclass_view, multilabel_view
from components.positive_swap import chosen_positive
from components.share import copy_link
from components.source_metrics import source_metrics
from components.source_picker import source_in_use

ALL_ROWS = "all rows"


def _split_choice(predictions: Predictions) -> str | None:
    """The rows evaluated (dev by default; bound to the URL as `split`), None for all rows."""
    splits = predictions.splits()
    if not splits:
        return None
    options = [ALL_ROWS, *splits]
    default = options.index("dev") if "dev" in options else 0
    chosen = st.selectbox("Rows to evaluate", options, index=default, key="split",
                          bind="query-params",
                          help="Decide on the dev set; the test set only confirms the final figure.")
    return None if chosen == ALL_ROWS else chosen


def _file_metrics(predictions: Predictions) -> tuple[ModelRows | None, float]:
    """The file's own metrics; for a binary file, its models and the threshold in use."""
    split = _split_choice(predictions)
    st.header(f"{predictions.task.title()} metrics", divider="gray")
    if predictions.task == "binary":
        view = binary_view(predictions, split)
        return (view.rows, view.threshold) if view is not None else (None, 0.5)
    if predictions.task == "multiclass":
        multiclass_view(predictions, split)
    else:
        multilabel_view(predictions, split)
    return None, 0.5


st.title("Metrics")
st.caption("One number to decide with: precision, recall, F1 and friends with their "
           "uncertainty, the threshold that suits you, and the model to keep.")
copy_link()

predictions = chosen_positive(predictions_picker("metrics.file"))
if (source := source_in_use("metrics.file")) is not None:
    source_metrics("metrics.source", source)
model_rows, current_threshold = (None, 0.5) if predictions is None else _file_metrics(predictions)
model_table_section(model_rows, current_threshold)
comparison_section(model_rows, current_threshold)
binary_model_diff(model_rows, current_threshold)
