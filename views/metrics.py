"""Metrics page: one number to decide with.

Pick or upload predictions, move the threshold, read every metric with its interval, the
curves, the slices; then choose a model (optimizing + satisficing metrics) and check whether
model B really beats model A on the same dev examples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis.metrics import (
    BinaryMetrics,
    Estimate,
    ScoreCurve,
    best_f1_threshold,
    binary_metrics,
    metrics_at_threshold,
    metrics_table,
    misclassified_examples,
    multiclass_metrics,
    multilabel_metrics,
    score_curve,
    slice_metrics,
    threshold_for_target,
    weighted_error,
)
from analysis.model_rows import ModelRows, binary_models
from analysis.predictions import Predictions
from analysis.sample_size import dev_size_to_detect
from analysis.selection import OPERATORS, SavedModelTable, compare_models, select_model
from analysis.text import escape_markdown
from charts.metrics import (
    comparison_figure,
    confusion_heatmap,
    pr_figure,
    roc_figure,
    slice_bar_figure,
    styled_model_table,
    task_bar_figure,
    threshold_figure,
)
from components.confusion_examples import ExampleRows, confusion_examples
from components.errors import show_error
from components.inputs import predictions_picker
from components.metrics_calibration import binary_calibration, multiclass_calibration
from components.metrics_cost import binary_cost, multiclass_cost
from components.metrics_model_diff import binary_model_diff, multiclass_model_diff
from components.metrics_multiclass_scores import multiclass_scores
from components.page_state import EXAMPLES_FOR_SHEET, ExamplesForSheet
from components.pages import page_spec
from components.positive_swap import chosen_positive, misreading_notice
from components.real_exports import threshold_range
from components.share import copy_link
from components.source_metrics import source_metrics
from components.source_picker import source_in_use
from components.state import loaded_predictions, workspace_items
from components.unreadable import unreadable_item
from workspace.kinds import MODEL_TABLE

ALL_ROWS = "all rows"
NORMALISE_LABELS = {"none": "Counts", "true": "Share of true class", "pred": "Share of prediction"}
TABLE_SOURCES = {"course": "Course example (A, B, C)", "files": "From the loaded models",
                 "typed": "Type your own"}
COURSE_TABLE = pd.DataFrame({"model": ["A", "B", "C"], "accuracy": [90.0, 92.0, 95.0],
                             "running_time_ms": [80.0, 95.0, 1500.0]})


@st.cache_data(show_spinner="Sorting the scores…", max_entries=16)
def _curve(y_true: np.ndarray, scores: np.ndarray, weights: np.ndarray | None = None) -> ScoreCurve:
    # the one sort per (labels, scores): every threshold move afterwards reads this curve
    return score_curve(y_true, scores, sample_weight=weights)


# --------------------------------------------------------------------------- small drawing helpers
def _card(column, title: str, estimate: Estimate | None, *, help_text: str | None = None,
          percent: bool = True) -> None:
    with column.container(border=True):
        if estimate is None:
            st.metric(title, "n/a", help=help_text)
            return
        if estimate.value is None:
            st.metric(title, "undefined", help=help_text)
            st.caption(escape_markdown(estimate.reason))
            return
        shown = (lambda v: f"{100 * v:.1f}%") if percent else (lambda v: f"{v:.3f}")
        st.metric(title, shown(estimate.value), help=help_text)
        if estimate.low is not None and estimate.high is not None:
            counts = ""
            if estimate.method == "wilson" and estimate.denominator:
                counts = f" · {estimate.numerator:,.0f}/{estimate.denominator:,.0f}"
            st.caption(f"95% CI {shown(estimate.low)}–{shown(estimate.high)}{counts}")
        elif estimate.too_few_examples:
            st.caption(f"no interval: {escape_markdown(estimate.reason)}")
        elif estimate.method == "point":
            st.caption("no interval (threshold-free summary)")
        elif estimate.reason:
            st.caption(f"zero_division: {escape_markdown(estimate.reason)}")


def _metric_cards(result: BinaryMetrics) -> None:
    first = st.columns(4)
    _card(first[0], "Accuracy", result.accuracy)
    _card(first[1], "Error rate", result.error_rate)
    _card(first[2], "Precision", result.precision, help_text="TP / (TP + FP): of the flagged, how many are positive")
    _card(first[3], "Recall", result.recall, help_text="TP / (TP + FN): of the positives, how many are flagged")
    second = st.columns(4)
    _card(second[0], "F1", result.f1, help_text="Harmonic mean of precision and recall")
    _card(second[1], "Specificity", result.specificity, help_text="TN / (TN + FP)")
    _card(second[2], "ROC AUC", result.roc_auc, percent=False,
          help_text="Threshold-free: how well scores rank positives above negatives")
    _card(second[3], "Average precision", result.average_precision, percent=False,
          help_text="Threshold-free: area under the precision-recall steps")
    st.caption(f"TP {result.tp:,.0f} · FP {result.fp:,.0f} · TN {result.tn:,.0f} · FN {result.fn:,.0f}"
               f" · queue rate {result.queue_rate:.1%} of {result.n:,.0f} examples flagged positive")
    for warning in result.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")


def _split_choice(predictions: Predictions) -> str | None:
    splits = predictions.splits()
    if not splits:
        return None
    options = [ALL_ROWS, *splits]
    default = options.index("dev") if "dev" in options else 0
    chosen = st.selectbox("Rows to evaluate", options, index=default, key="split",
                          bind="query-params",
                          help="Decide on the dev set; the test set only confirms the final figure.")
    return None if chosen == ALL_ROWS else chosen


def _use_threshold(value: float, key: str = "threshold") -> None:
    st.session_state[key] = round(float(value), 2)


# --------------------------------------------------------------------------- binary view
def _other_files(primary: Predictions) -> dict[str, Predictions]:
    files = loaded_predictions()  # tables are read only for the files chosen below
    others = [name for name in files if files.task_of(name) == "binary" and name != primary.name]
    if not others:
        return {}
    chosen = st.multiselect("Also compare models from", others, key="metrics.more_files",
                            help="Other files of the same examples (matched by example id).")
    return {name: files[name] for name in chosen}


def _threshold_helpers(curve: ScoreCurve, key: str = "threshold") -> float | None:
    best = best_f1_threshold(curve)
    left, middle, right = st.columns(3)
    with left:
        if best.threshold is not None:
            st.caption(f"Best F1 {best.f1:.3f} at threshold {best.threshold:.2f}")
            st.button("Use the best-F1 threshold", key="metrics.use_best", on_click=_use_threshold,
                      args=(best.threshold, key), icon=":material/target:")
        else:
            st.caption(escape_markdown(best.reason))
    for column, metric, default in ((middle, "precision", 90.0), (right, "recall", 90.0)):
        with column:
            target = st.number_input(f"Target {metric} (%)", 1.0, 100.0, default, 1.0,
                                     key=f"metrics.target_{metric}")
            choice = threshold_for_target(curve, **{metric: target / 100})
            if choice.threshold is None:
                st.caption(escape_markdown(choice.reason))
            else:
                st.caption(f"Threshold {choice.threshold:.3f}: precision {choice.precision:.1%}, "
                           f"recall {choice.recall:.1%}, queue {choice.queue_rate:.1%}")
    return best.threshold


def _send_errors(predictions: Predictions, model: str, threshold: float) -> None:
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
    st.success(f"Sent {len(handed):,} misclassified {where} examples of {escape_markdown(model)} at threshold "
               f"{threshold:.2f} to error analysis.", icon=":material/check_circle:")
    page_spec("views/error_analysis.py").link("Open error analysis")


def _binary_view(predictions: Predictions, split: str | None) -> ModelRows | None:
    others = _other_files(predictions)
    try:
        rows = binary_models(predictions, split=split, others=others)
    except ValueError as err:
        show_error(err)
        return None
    if not rows.names:
        st.warning("This file has neither a score column nor a predicted-label column.")
        return None
    model = rows.names[0]
    if len(rows.names) > 1:
        model = st.selectbox("Model", rows.names, key="model", bind="query-params")
    threshold = 0.5
    curves = {name: _curve(rows.y_true, s) for name, s in rows.scores.items()}
    best = None
    if model in rows.scores:
        # ranking scores (score_transform 'rank') keep their own units: their own range and key
        ranked = predictions.mapping.score_transform == "rank"
        slider_key = "threshold_score" if ranked else "threshold"
        threshold = st.slider("Threshold (score ≥ threshold is predicted positive)",
                              *threshold_range(rows.scores, predictions.mapping.score_transform),
                              key=slider_key, bind="query-params")
        best = _threshold_helpers(curves[model], slider_key)
        result = metrics_at_threshold(curves[model], threshold=threshold)
    else:
        result = binary_metrics(rows.y_true, rows.labels[model])
    _metric_cards(result)
    misreading_notice(result, predictions)
    with st.expander("All metrics with intervals (and F-beta)"):
        beta = st.number_input("β for F-beta (β > 1 weighs recall higher; 0 = off)", 0.0, 10.0,
                               0.0, 0.5, key="metrics.beta")
        if beta > 0:
            result = (metrics_at_threshold(curves[model], threshold=threshold, beta=beta)
                      if model in rows.scores else binary_metrics(rows.y_true, rows.labels[model], beta=beta))
        st.dataframe(result.table(), hide_index=True, key="metrics.all_metrics",
                     column_config={c: st.column_config.NumberColumn(format="%.4f")
                                    for c in ("value", "low", "high")})

    norm = st.radio("Confusion matrix", list(NORMALISE_LABELS), format_func=NORMALISE_LABELS.get,
                    horizontal=True, key="norm", bind="query-params")
    heat, curve_col = st.columns([2, 3])
    names = [str(c) for c in predictions.mapping.classes[-2:]] or ["0", "1"]
    labels = [f"{names[0]} (negative)", f"{names[-1]} (positive)"]
    heat.plotly_chart(confusion_heatmap(result.confusion(), labels, normalise=norm, height=380),
                      key="metrics.confusion")
    if curves:
        with curve_col:
            st.plotly_chart(threshold_figure(curves[model], threshold=threshold, best_threshold=best,
                                             height=380), key="metrics.threshold_curves")
        roc_col, pr_col = st.columns(2)
        roc_col.plotly_chart(roc_figure(curves, threshold=threshold), key="metrics.roc")
        pr_col.plotly_chart(pr_figure(curves, threshold=threshold), key="metrics.pr")
    y_pred = rows.predicted(model, threshold)
    confusion_examples(ExampleRows(rows.y_true, y_pred, (0, 1), labels, rows.scores.get(model),
                                   rows.example_ids, rows.image_paths))
    binary_calibration(predictions, rows, model)
    binary_cost(rows, model, threshold)
    _slices_section(rows.y_true, y_pred, rows.groups, binary=True)
    if rows.weights is not None:
        _weighted_section(rows.y_true, y_pred, rows.weights)
    _send_errors(predictions, model, threshold)
    return rows


def _slices_section(y_true: np.ndarray, y_pred: np.ndarray, groups: dict[str, np.ndarray], *,
                    binary: bool) -> None:
    st.subheader("Slices")
    if not groups:
        st.caption("Map a slice column (e.g. region, source) to see every metric per slice.")
        return
    column = st.selectbox("Slice by", list(groups), key="slice", bind="query-params")
    try:
        slices = slice_metrics(y_true, y_pred, groups[column], column=column, binary=binary)
    except ValueError as err:
        show_error(err)
        return
    left, right = st.columns(2)
    left.plotly_chart(slice_bar_figure(slices), key="metrics.slices_chart")
    with right:
        st.metric("Average error across slices", f"{slices.average_error:.2%}",
                  help="Each slice counts once: the average of the per-slice error rates, so a "
                       "small region weighs as much as a big one.")
        st.caption(f"Pooled over all rows: {slices.overall_error:.2%} · worst slice: "
                   f"{escape_markdown(slices.worst_slice)}")
        st.dataframe(slices.table, hide_index=True, key="metrics.slices_table",
                     column_config={c: st.column_config.NumberColumn(format="percent")
                                    for c in ("error_rate", "error_low", "error_high", "accuracy",
                                              "precision", "recall", "f1") if c in slices.table})


def _weighted_section(y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray) -> None:
    st.subheader("Weighted error")
    try:
        result = weighted_error(y_true, y_pred, weights=weights)
    except ValueError as err:
        show_error(err)
        return
    left, right, _ = st.columns(3)
    left.metric("Weighted error", f"{result.error:.2%}", help="sum(w·[wrong]) / sum(w)")
    right.metric("Plain error", f"{result.unweighted_error:.2%}")
    st.caption(escape_markdown(result.explanation))


# --------------------------------------------------------------------------- multiclass / multilabel
def _multiclass_view(predictions: Predictions, split: str | None) -> None:
    rows = predictions.subset(split) if split else predictions
    labels = list(predictions.mapping.classes) or None
    try:
        result = multiclass_metrics(rows.y_true(), rows.y_pred(), labels=labels)
    except ValueError as err:
        show_error(err)
        return
    cards = st.columns(4)
    averages = result.averages.set_index("average")
    _card(cards[0], "Accuracy", result.accuracy)
    _card(cards[1], "Error rate", result.error_rate)
    for column, average in zip(cards[2:], ("macro", "weighted"), strict=True):
        with column.container(border=True):
            st.metric(f"{average.title()} F1", f"{100 * averages.loc[average, 'f1']:.1f}%")
            st.caption(f"precision {averages.loc[average, 'precision']:.1%} · "
                       f"recall {averages.loc[average, 'recall']:.1%}")
    for warning in result.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
    norm = st.radio("Confusion matrix", list(NORMALISE_LABELS), format_func=NORMALISE_LABELS.get,
                    horizontal=True, key="norm", bind="query-params")
    left, right = st.columns([3, 2])
    left.plotly_chart(confusion_heatmap(result.confusion, result.labels, normalise=norm),
                      key="metrics.confusion")
    with right:
        st.markdown("**Most frequent confusions**")
        st.dataframe(result.top_confusions, hide_index=True, key="metrics.top_confusions",
                     column_config={c: st.column_config.NumberColumn(format="percent")
                                    for c in ("share_of_errors", "share_of_true_class")})
    st.markdown("**Per class**")
    percent = {c: st.column_config.NumberColumn(format="percent") for c in
               ("precision", "precision_low", "precision_high", "recall", "recall_low",
                "recall_high", "f1")}
    st.dataframe(result.per_class, hide_index=True, key="metrics.per_class", column_config=percent)
    st.dataframe(result.averages, hide_index=True, key="metrics.averages", column_config=percent)
    confusion_examples(ExampleRows.of_file(rows, result.labels))
    multiclass_scores(predictions, split)
    multiclass_calibration(predictions, split)
    multiclass_cost(predictions, split)
    multiclass_model_diff(predictions, split)
    groups = {c: rows.frame[c].astype(str).to_numpy() for c in predictions.mapping.groups}
    _slices_section(rows.y_true(), rows.y_pred(), groups, binary=False)


def _multilabel_view(predictions: Predictions, split: str | None) -> None:
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
                    column_config={c: st.column_config.NumberColumn(format="percent") for c in
                                   ("accuracy", "error_rate", "precision", "recall", "f1", "roc_auc",
                                    "average_precision", "error_low", "error_high")})
    for warning in result.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")


# --------------------------------------------------------------------------- choosing a model
def _files_table(rows: ModelRows | None, threshold: float) -> pd.DataFrame:
    if rows is None or not rows.names:
        return pd.DataFrame({"model": pd.Series(dtype="str"), "accuracy": pd.Series(dtype=float)})
    results = {name: (metrics_at_threshold(_curve(rows.y_true, rows.scores[name]), threshold=threshold)
                      if name in rows.scores else binary_metrics(rows.y_true, rows.labels[name]))
               for name in rows.names}
    table = metrics_table(results)
    table["running_time_ms"] = np.nan  # typed by the user: the files do not know it
    return table


def _constraint_controls(table: pd.DataFrame, optimize: str, source: str,
                         defaults: dict[str, tuple[str, float]]) -> dict[str, tuple[str, float]]:
    numeric = [c for c in table.columns if c != optimize and pd.api.types.is_numeric_dtype(table[c])]
    chosen = st.multiselect("Satisficing metrics (only have to be good enough)", numeric,
                            default=[c for c in defaults if c in numeric], key=f"metrics.satisfy.{source}")
    rules = {}
    operators = list(OPERATORS)
    for metric in chosen:
        lower_is_better = any(word in metric.lower() for word in ("time", "ms", "memory", "size",
                                                                   "latency", "error", "cost"))
        values = pd.to_numeric(table[metric], errors="coerce")
        median = float(np.nanmedian(values)) if values.notna().any() else 0.0
        op_default, bound_default = defaults.get(metric, ("<=" if lower_is_better else ">=", median))
        left, right = st.columns([1, 2])
        op = left.selectbox(escape_markdown(metric), operators, index=operators.index(op_default),
                            key=f"metrics.op.{source}.{metric}")
        bound = right.number_input(f"Bound for {escape_markdown(metric)}", value=float(bound_default),
                                   key=f"metrics.bound.{source}.{metric}")
        rules[metric] = (op, bound)
    return rules


def _model_table_section(rows: ModelRows | None, threshold: float) -> None:
    st.header("Choose a model", divider="gray")
    st.caption("Pick ONE optimizing metric to maximise; turn the others into satisficing "
               "thresholds that only have to be met (e.g. running time ≤ 100 ms).")
    data = workspace_items()
    saved = {item.name: item for item in data.items(MODEL_TABLE)}
    sources = {**TABLE_SOURCES, **({"saved": "Saved in this workspace"} if saved else {})}
    source = st.radio("Model table", list(sources), format_func=sources.get,
                      horizontal=True, key="table", bind="query-params")
    optimize_default, goal_default, satisfy_default = "accuracy", "max", {}
    if source == "saved":
        chosen = st.selectbox("Saved table", list(saved), key="metrics.saved_table")
        try:
            stored = data.read(MODEL_TABLE, saved[chosen])
        except ValueError as err:
            unreadable_item(MODEL_TABLE.name, chosen, err, what="Model table")
            return
        base, goal_default, satisfy_default = stored.table, stored.goal, stored.satisfy
        optimize_default = stored.optimize or optimize_default
        st.caption(f"Revision {saved[chosen].revision}, saved by "
                   f"{escape_markdown(saved[chosen].updated_by or 'someone')}.")
        source = f"saved.{chosen}"  # each saved table keeps its own controls
    elif source == "course":
        base = COURSE_TABLE
        satisfy_default = {"running_time_ms": ("<=", 100.0)}
    elif source == "files":
        base = _files_table(rows, threshold)
        st.caption("Metrics of the loaded models at the current threshold (in %); type each "
                   "model's running time or add columns.")
    else:
        base = pd.DataFrame({"model": pd.Series(["model 1", "model 2"], dtype="str"),
                             "accuracy": pd.Series([None, None], dtype=float),
                             "running_time_ms": pd.Series([None, None], dtype=float)})
    table = st.data_editor(base, key=f"metrics.models.{source}", num_rows="dynamic", hide_index=True)
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    if not numeric:
        st.info("Add a numeric column (e.g. accuracy) to choose by.")
        return
    left, right = st.columns([2, 1])
    optimize = left.selectbox("Optimizing metric", numeric,
                              index=numeric.index(optimize_default) if optimize_default in numeric else 0,
                              key=f"metrics.optimize.{source}")
    goal = right.radio("Goal", ["max", "min"], horizontal=True, key=f"metrics.goal.{source}",
                       index=0 if goal_default == "max" else 1,
                       format_func={"max": "maximise", "min": "minimise"}.get)
    rules = _constraint_controls(table, optimize, source, satisfy_default)
    try:
        choice = select_model(table, optimize=optimize, satisfy=rules, goal=goal)
    except ValueError as err:
        show_error(err)
        return
    (st.success if choice.winner else st.warning)(escape_markdown(choice.summary))
    st.dataframe(styled_model_table(choice), hide_index=True, key=f"metrics.selection.{source}")
    for warning in choice.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
    _save_table_controls(SavedModelTable(table, choice.optimize, choice.goal, choice.satisfy,
                                         threshold=threshold, choice=choice.to_dict()))


def _save_table_controls(saved: SavedModelTable) -> None:
    """Keep the table (and the choice made on it) in the workspace for teammates."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.text_input("Save as", value="Model table", key="metrics.table_name")
    if right.button("Save to workspace", key="metrics.save_table", icon=":material/save:"):
        if not name.strip():
            show_error("Give the table a name before saving it.")
            return
        item = workspace_items().save(MODEL_TABLE, name.strip(), saved)
        st.success(f"Saved '{escape_markdown(item.name)}' (revision {item.revision}).",
                   icon=":material/check_circle:")


def _comparison_section(rows: ModelRows | None, threshold: float) -> None:
    st.header("Model A vs model B", divider="gray")
    if rows is None or len(rows.names) < 2:
        st.info("Load a second model of the same examples (a second score column, or another "
                "file under 'Also compare models from') to compare two models.")
        return
    left, right = st.columns(2)
    name_a = left.selectbox("Model A", rows.names, index=0, key="metrics.model_a")
    name_b = right.selectbox("Model B", rows.names, index=1, key="metrics.model_b")
    if name_a == name_b:
        st.warning("Choose two different models.")
        return
    try:
        comparison = compare_models(rows.y_true, rows.predicted(name_a, threshold),
                                    rows.predicted(name_b, threshold), names=(name_a, name_b))
    except ValueError as err:
        show_error(err)
        return
    cards = st.columns(4)
    cards[0].metric("Error A − error B", f"{100 * comparison.difference:+.2f} pts")
    cards[1].metric("p-value (exact McNemar)", f"{comparison.p_value:.3g}")
    cards[2].metric("95% interval (paired bootstrap)",
                    f"{100 * comparison.low:+.2f} to {100 * comparison.high:+.2f}")
    cards[3].metric("Examples only A / only B gets wrong",
                    f"{comparison.only_a_wrong:,} / {comparison.only_b_wrong:,}")
    (st.success if comparison.significant else st.info)(escape_markdown(comparison.verdict))
    st.plotly_chart(comparison_figure(comparison), key="metrics.comparison")
    detect = st.number_input("Difference to detect (points of error)", 0.01, 50.0, 1.0, 0.1,
                             key="metrics.detect")
    try:
        # both models are scored on the same dev examples: the paired (McNemar) design
        worse_pct = max(100 * comparison.error_a, 100 * comparison.error_b, detect)
        needed = dev_size_to_detect(detect, worse_pct, design="paired")
        st.caption(escape_markdown(needed.explanation) + " Your dev set here has "
                   f"{comparison.n:,} examples.")
    except ValueError as err:
        show_error(err)


# --------------------------------------------------------------------------- the page
st.title("Metrics")
st.caption("One number to decide with: precision, recall, F1 and friends with their "
           "uncertainty, the threshold that suits you, and the model to keep.")
copy_link()

predictions = chosen_positive(predictions_picker("metrics.file"))
if (source := source_in_use("metrics.file")) is not None:
    source_metrics("metrics.source", source)
model_rows: ModelRows | None = None
current_threshold = 0.5
if predictions is not None:
    chosen_split = _split_choice(predictions)
    st.header(f"{predictions.task.title()} metrics", divider="gray")
    if predictions.task == "binary":
        model_rows = _binary_view(predictions, chosen_split)
        current_threshold = float(st.session_state.get("threshold", 0.5))
    elif predictions.task == "multiclass":
        _multiclass_view(predictions, chosen_split)
    else:
        _multilabel_view(predictions, chosen_split)

_model_table_section(model_rows, current_threshold)
_comparison_section(model_rows, current_threshold)
binary_model_diff(model_rows, current_threshold)
