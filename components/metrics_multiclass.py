"""The metrics page for multiclass and multi-label files: accuracy with its interval, macro
and weighted F1, the confusion matrix with the most frequent confusions, per-class metrics,
a cell's examples, top-k, calibration, cost, A vs B, slices; per-task metrics for multi-label.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from analysis.metrics import MulticlassMetrics, multiclass_metrics, multilabel_metrics
from analysis.predictions import Predictions
from analysis.text import escape_markdown
from charts.metrics import confusion_heatmap, task_bar_figure
from components.confusion_examples import ExampleRows, confusion_examples
from components.errors import show_error
from components.metrics_binary import normalise_choice
from components.metrics_calibration import multiclass_calibration
from components.metrics_cards import estimate_card
from components.metrics_cost import multiclass_cost
from components.metrics_model_diff import multiclass_model_diff
from components.metrics_multiclass_scores import multiclass_scores
from components.metrics_slices import slices_section

PER_CLASS_PERCENT = ("precision", "precision_low", "precision_high", "recall", "recall_low",
                     "recall_high", "f1")
PER_TASK_PERCENT = ("accuracy", "error_rate", "precision", "recall", "f1", "roc_auc",
                    "average_precision", "error_low", "error_high")


def _percent(columns) -> dict:
    return {c: st.column_config.NumberColumn(format="percent") for c in columns}


def _multiclass_cards(result: MulticlassMetrics) -> None:
    cards = st.columns(4)
    averages = result.averages.set_index("average")
    estimate_card(cards[0], "Accuracy", result.accuracy)
    estimate_card(cards[1], "Error rate", result.error_rate)
    for column, average in zip(cards[2:], ("macro", "weighted"), strict=True):
        with column.container(border=True):
            st.metric(f"{average.title()} F1", f"{100 * averages.loc[average, 'f1']:.1f}%")
            st.caption(f"precision {averages.loc[average, 'precision']:.1%} · "
                       f"recall {averages.loc[average, 'recall']:.1%}")
    for warning in result.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")


def _confusion(result: MulticlassMetrics) -> None:
    norm = normalise_choice()
    left, right = st.columns([3, 2])
    left.plotly_chart(confusion_heatmap(result.confusion, result.labels, normalise=norm),
                      key="metrics.confusion")
    with right:
        st.markdown("**Most frequent confusions**")
        st.dataframe(result.top_confusions, hide_index=True, key="metrics.top_confusions",
                     column_config=_percent(("share_of_errors", "share_of_true_class")))
    st.markdown("**Per class**")
    st.dataframe(result.per_class, hide_index=True, key="metrics.per_class",
                 column_config=_percent(PER_CLASS_PERCENT))
    st.dataframe(result.averages, hide_index=True, key="metrics.averages",
                 column_config=_percent(PER_CLASS_PERCENT))


def draw_multiclass(result: MulticlassMetrics) -> None:
    """The cards, the confusion matrix with the most frequent confusions and the per-class
    table: shared by a file and a data source (whose engine counted the matrix)."""
    _multiclass_cards(result)
    _confusion(result)


def multiclass_view(predictions: Predictions, split: str | None) -> None:
    """Everything the page shows for a multiclass file."""
    rows = predictions.subset(split) if split else predictions
    labels = list(predictions.mapping.classes) or None
    try:
        result = multiclass_metrics(rows.y_true(), rows.y_pred(), labels=labels)
    except ValueError as err:
        show_error(err)
        return
    draw_multiclass(result)
    confusion_examples(ExampleRows.of_file(rows, result.labels))
    multiclass_scores(predictions, split)
    multiclass_calibration(predictions, split)
    multiclass_cost(predictions, split)
    multiclass_model_diff(predictions, split)
    groups = {c: rows.frame[c].astype(str).to_numpy() for c in predictions.mapping.groups}
    slices_section(rows.y_true(), rows.y_pred(), groups, binary=False)


def multilabel_view(predictions: Predictions, split: str | None) -> None:
    """Per-task metrics of a multi-label file at one threshold (task scores are probabilities)."""
    rows = predictions.subset(split) if split else predictions
    mapping = predictions.mapping
    threshold = st.slider("Threshold (score ≥ threshold is predicted positive)", 0.0, 1.0, 0.5, 0.01,
                          key="threshold", bind="query-params")
    try:
        result = multilabel_metrics(rows.y_true(), scores=rows.frame[list(mapping.task_scores)].to_numpy(float),
                                    threshold=threshold, task_names=list(mapping.task_labels))
    except ValueError as err:
        show_error(err)
        return
    cards = st.columns(4)
    for column, name in zip(cards, ("error_rate", "precision", "recall", "f1"), strict=True):
        value = result.average.get(name, np.nan)
        column.metric(f"Average {name.replace('_', ' ')} over tasks",
                      "undefined" if np.isnan(value) else f"{100 * value:.1f}%")
    st.caption("Each task is scored on the examples where its label is known; a missing label "
               "('?') is left out of that task only.")
    st.plotly_chart(task_bar_figure(result.per_task), key="metrics.tasks_chart")
    st.dataframe(result.per_task, hide_index=True, key="metrics.per_task",
                 column_config=_percent(PER_TASK_PERCENT))
    for warning in result.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
