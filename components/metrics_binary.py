"""The metrics page for a binary file: the threshold on the scores' own scale (0-1 for
probabilities, score units for ranking scores), the cards with intervals, the confusion matrix
and curves, a confusion cell's examples, calibration, cost, slices, and the hand-off of the
misclassified dev rows to error analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analysis.metrics import (
    BinaryMetrics,
    ScoreCurve,
    best_f1_threshold,
    binary_metrics,
    metrics_at_threshold,
    misclassified_examples,
    threshold_for_target,
)
from analysis.model_rows import ModelRows, binary_models
from analysis.predictions import Predictions
from analysis.score_scale import ThresholdScale
from analysis.text import escape_markdown
from charts.metrics import confusion_heatmap, pr_figure, roc_figure, threshold_figure
from components.confusion_examples import ExampleRows, confusion_examples
from components.errors import show_error
from components.metrics_calibration import binary_calibration
from components.metrics_cards import binary_cards
from components.metrics_compute import cached_curve
from components.metrics_cost import binary_cost
from components.metrics_slices import slices_section, weighted_section
from components.page_state import EXAMPLES_FOR_SHEET, ExamplesForSheet
from components.pages import page_spec
from components.positive_swap import misreading_notice
from components.score_threshold import scale_for, threshold_slider, use_threshold
from components.state import loaded_predictions

NORMALISE_LABELS = {"none": "Counts", "true": "Share of true class", "pred": "Share of prediction"}


@dataclass(frozen=True)
class BinaryView:
    """What the rest of the page (model table, A vs B) needs from the binary view."""

    rows: ModelRows
    threshold: float


def normalise_choice() -> str:
    """How the confusion matrix is normalised (bound to the URL as `norm`)."""
    return st.radio("Confusion matrix", list(NORMALISE_LABELS), format_func=NORMALISE_LABELS.get,
                    horizontal=True, key="norm", bind="query-params")


def _other_files(primary: Predictions) -> dict[str, Predictions]:
    files = loaded_predictions()  # tables are read only for the files chosen below
    others = [name for name in files if files.task_of(name) == "binary" and name != primary.name]
    if not others:
        return {}
    chosen = st.multiselect("Also compare models from", others, key="metrics.more_files",
                            help="Other files of the same examples (matched by example id).")
    return {name: files[name] for name in chosen}


def _threshold_helpers(curve: ScoreCurve, scale: ThresholdScale) -> float | None:
    """Best-F1 threshold (with a button to use it) and the thresholds reaching a target
    precision or recall; returns the best-F1 threshold."""
    best = best_f1_threshold(curve)
    left, middle, right = st.columns(3)
    with left:
        if best.threshold is not None:
            st.caption(f"Best F1 {best.f1:.3f} at threshold {scale.text(best.threshold)}")
            st.button("Use the best-F1 threshold", key="metrics.use_best", on_click=use_threshold,
                      args=(scale, best.threshold), icon=":material/target:")
        else:
            st.caption(escape_markdown(best.reason))
    for column, metric in ((middle, "precision"), (right, "recall")):
        with column:
            target = st.number_input(f"Target {metric} (%)", 1.0, 100.0, 90.0, 1.0,
                                     key=f"metrics.target_{metric}")
            choice = threshold_for_target(curve, **{metric: target / 100})
            if choice.threshold is None:
                st.caption(escape_markdown(choice.reason))
            else:
                st.caption(f"Threshold {choice.threshold:.3f}: precision {choice.precision:.1%}, "
                           f"recall {choice.recall:.1%}, queue {choice.queue_rate:.1%}")
    return best.threshold


def _send_errors(predictions: Predictions, model: str, threshold: float, scale: ThresholdScale) -> None:
    """Hand the misclassified dev rows of the chosen model to the error-analysis page."""
    has_dev = "dev" in predictions.splits()
    label = "Send misclassified dev examples to error analysis"
    if not st.button(label, key="metrics.send_errors", icon=":material/send:"):
        return
    try:
        rows = binary_models(predictions, split="dev" if has_dev else None)
        handed = misclassified_examples(rows.y_true, rows.predicted(model, threshold),
                                        scores=rows.scores.get(model), example_ids=rows.example_ids,
                                        image_paths=rows.image_paths)
    except (ValueError, KeyError) as err:
        show_error(err)
        return
    # the dev error those rows come from, for the ceiling-on-performance figures over there
    dev_error = binary_metrics(rows.y_true, rows.predicted(model, threshold)).error_rate.value
    EXAMPLES_FOR_SHEET.send(ExamplesForSheet(handed, 100 * dev_error, "metrics page",
                                             {"model": model, "threshold": threshold}))
    where = "dev" if has_dev else "all (no split column)"
    st.success(f"Sent {len(handed):,} misclassified {where} examples of {escape_markdown(model)} at "
               f"threshold {scale.text(threshold)} to error analysis.", icon=":material/check_circle:")
    page_spec("views/error_analysis.py").link("Open error analysis")


def _all_metrics(rows: ModelRows, model: str, threshold: float, result: BinaryMetrics) -> None:
    """Every metric with its interval in one table, with F-beta when β is set."""
    with st.expander("All metrics with intervals (and F-beta)"):
        beta = st.number_input("β for F-beta (β > 1 weighs recall higher; 0 = off)", 0.0, 10.0,
                               0.0, 0.5, key="metrics.beta")
        if beta > 0:
            result = (metrics_at_threshold(cached_curve(rows.y_true, rows.scores[model]),
                                           threshold=threshold, beta=beta)
                      if model in rows.scores
                      else binary_metrics(rows.y_true, rows.labels[model], beta=beta))
        st.dataframe(result.table(), hide_index=True, key="metrics.all_metrics",
                     column_config={c: st.column_config.NumberColumn(format="%.4f")
                                    for c in ("value", "low", "high")})


def _confusion_and_curves(rows: ModelRows, model: str, threshold: float, result: BinaryMetrics,
                          labels: list[str], best: float | None) -> None:
    """The confusion matrix beside the threshold curves, then ROC and PR of every model."""
    norm = normalise_choice()
    heat, curve_col = st.columns([2, 3])
    heat.plotly_chart(confusion_heatmap(result.confusion(), labels, normalise=norm, height=380),
                      key="metrics.confusion")
    curves = {name: cached_curve(rows.y_true, s) for name, s in rows.scores.items()}
    if not curves:
        return
    if model in curves:
        with curve_col:
            st.plotly_chart(threshold_figure(curves[model], threshold=threshold, best_threshold=best,
                                             height=380), key="metrics.threshold_curves")
    roc_col, pr_col = st.columns(2)
    roc_col.plotly_chart(roc_figure(curves, threshold=threshold), key="metrics.roc")
    pr_col.plotly_chart(pr_figure(curves, threshold=threshold), key="metrics.pr")


def _model_rows(predictions: Predictions, split: str | None) -> ModelRows | None:
    """The file's models (and those of the other files chosen) on the rows of `split`."""
    others = _other_files(predictions)
    try:
        rows = binary_models(predictions, split=split, others=others)
    except ValueError as err:
        show_error(err)
        return None
    if not rows.names:
        st.warning("This file has neither a score column nor a predicted-label column.")
        return None
    return rows


def binary_view(predictions: Predictions, split: str | None) -> BinaryView | None:
    """The whole binary view; None (after saying why) when the file gives no model."""
    rows = _model_rows(predictions, split)
    if rows is None:
        return None
    model = rows.names[0]
    if len(rows.names) > 1:
        model = st.selectbox("Model", rows.names, key="model", bind="query-params")
    scale = scale_for(rows.scores, predictions.mapping.score_transform)
    threshold, best = scale.start, None
    if model in rows.scores:
        threshold = threshold_slider(scale, bind=True)
        best = _threshold_helpers(cached_curve(rows.y_true, rows.scores[model]), scale)
        result = metrics_at_threshold(cached_curve(rows.y_true, rows.scores[model]),
                                      threshold=threshold)
    else:
        result = binary_metrics(rows.y_true, rows.labels[model])
    binary_cards(result)
    misreading_notice(result, predictions)
    _all_metrics(rows, model, threshold, result)
    names = [str(c) for c in predictions.mapping.classes[-2:]] or ["0", "1"]
    labels = [f"{names[0]} (negative)", f"{names[-1]} (positive)"]
    _confusion_and_curves(rows, model, threshold, result, labels, best)
    y_pred = rows.predicted(model, threshold)
    confusion_examples(ExampleRows(rows.y_true, y_pred, (0, 1), labels, rows.scores.get(model),
                                   rows.example_ids, rows.image_paths))
    binary_calibration(predictions, rows, model)
    binary_cost(rows, model, threshold, scale)
    slices_section(rows.y_true, y_pred, rows.groups, binary=True)
    if rows.weights is not None:
        weighted_section(rows.y_true, y_pred, rows.weights)
    _send_errors(predictions, model, threshold, scale)
    return BinaryView(rows, threshold)
