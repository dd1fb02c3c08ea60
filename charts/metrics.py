"""Figures of the metrics page: confusion heatmap, ROC and PR curves with the current threshold
marked, metrics against the threshold, errors per slice, per-task bars, A vs B, and the row
highlights of the model table.

Pure builders: analysis results in, plotly Figures (or style lists) out. Curves are computed
exactly on every row by analysis.metrics; only what is drawn is downsampled (<= ~2,000 points).
Class, model, slice and task names come from the user's file: they are drawn as escaped text,
never as plotly's markup, and reach hover templates only through %{meta} or the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.metrics import ScoreCurve, SliceMetrics, downsample_curve
from analysis.selection import ModelComparison, ModelSelection
from analysis.text import escape_html
from charts.theme import COLORS, SERIES, apply_theme

MAX_POINTS = 2000
_INSIDE_LEGEND = {"orientation": "v", "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#dee2e6",
                  "borderwidth": 1}
NORMALISE = ("none", "true", "pred")
WINNER_STYLE = "background-color: #d3f9d8; font-weight: 600"
FAILED_STYLE = "color: #868e96"


def _model_colour(index: int) -> str:
    return SERIES[index % len(SERIES)]


# --------------------------------------------------------------------------- confusion
def confusion_heatmap(confusion: np.ndarray, labels: Sequence[str], *, normalise: str = "none",
                      title: str | None = None, height: int | None = None) -> go.Figure:
    """Heatmap of a confusion matrix (rows = truth, columns = prediction).

    normalise: 'none' (counts), 'true' (each row sums to 100%: recall per class) or 'pred'
    (each column sums to 100%: precision per class). Each cell shows its count and share.
    """
    if normalise not in NORMALISE:
        raise ValueError(f"normalise must be one of {', '.join(NORMALISE)}; got {normalise!r}.")
    counts = np.asarray(confusion, dtype=float)
    names = [escape_html(label) for label in labels]
    if counts.shape != (len(names), len(names)):
        raise ValueError(f"confusion has shape {counts.shape} but {len(names)} labels were given.")
    if normalise == "none":
        z = counts
        shares = counts / counts.sum() if counts.sum() else counts
    else:
        axis = 1 if normalise == "true" else 0
        sums = counts.sum(axis=axis, keepdims=True)
        z = np.divide(counts, sums, out=np.zeros_like(counts), where=sums > 0)
        shares = z
    text = [[f"{_count(counts[i, j])}<br>{shares[i, j]:.1%}" for j in range(len(names))]
            for i in range(len(names))]
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=names, text=text, texttemplate="%{text}", colorscale="Blues",
        showscale=normalise != "none", zmin=0, zmax=1 if normalise != "none" else None,
        hovertemplate="true %{y} → predicted %{x}<br>%{text}<extra></extra>",
        textfont={"size": 14 if len(names) <= 6 else 10}))
    fig.update_xaxes(title_text="Predicted", side="bottom", type="category")
    fig.update_yaxes(title_text="True", autorange="reversed", type="category")
    caption = {"none": "counts", "true": "share of each true class", "pred": "share of each prediction"}
    apply_theme(fig, title=title or f"Confusion matrix ({caption[normalise]})",
                height=height or max(320, 90 + 60 * len(names)))
    return fig


def _count(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# --------------------------------------------------------------------------- curves
def _marker_at(curve: ScoreCurve, threshold: float) -> dict[str, float]:
    counts = curve.counts_at(threshold)
    flagged = counts["tp"] + counts["fp"]
    return {"fpr": counts["fp"] / curve.n_neg if curve.n_neg else np.nan,
            "tpr": counts["tp"] / curve.n_pos if curve.n_pos else np.nan,
            "precision": counts["tp"] / flagged if flagged else np.nan}


def _curve_trace(x: np.ndarray, y: np.ndarray, thresholds: np.ndarray, labels: tuple[str, str], *,
                 name: str, colour: str, shape: str) -> go.Scatter:
    """One model's curve, each point's threshold in its hover (`labels` name the two axes)."""
    return go.Scatter(
        x=x, y=y, mode="lines", name=name, line={"color": colour, "width": 2, "shape": shape},
        customdata=thresholds,
        hovertemplate=(f"threshold %{{customdata:.3f}}<br>{labels[0]} %{{x:.3f}} · {labels[1]} "
                       "%{y:.3f}<extra></extra>"))


def _threshold_marker(curve: ScoreCurve, threshold: float, keys: tuple[str, str],
                      labels: tuple[str, str], *, shown: str, colour: str,
                      first: bool) -> go.Scatter:
    """One model's operating point at `threshold`: `keys` pick its x and y from _marker_at,
    `labels` name them in the hover; only the first model's marker is in the legend."""
    at = _marker_at(curve, threshold)
    return go.Scatter(
        x=[at[keys[0]]], y=[at[keys[1]]], mode="markers", showlegend=first,
        name=f"threshold {threshold:.2f}", meta=shown,
        marker={"color": colour, "size": 12, "symbol": "circle",
                "line": {"color": "#212529", "width": 2}},
        hovertemplate=(f"%{{meta}} at threshold {threshold:.2f}<br>{labels[0]} %{{x:.3f}} · "
                       f"{labels[1]} %{{y:.3f}}<extra></extra>"))


def roc_figure(curves: Mapping[str, ScoreCurve], *, threshold: float | None = None,
               max_points: int = MAX_POINTS, height: int = 420) -> go.Figure:
    """ROC curve of each model (AUC in the legend), the chance diagonal, the threshold marked."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance",
                             line={"color": COLORS["neutral"], "dash": "dot", "width": 1},
                             hoverinfo="skip"))
    for i, (name, curve) in enumerate(curves.items()):
        auc = curve.roc_auc()
        if auc is None:
            continue
        fpr, tpr, thresholds = curve.roc()
        keep = downsample_curve(fpr, tpr, max_points=max(8, max_points // max(1, len(curves))))
        colour = _model_colour(i)
        shown = escape_html(name)
        fig.add_trace(_curve_trace(fpr[keep], tpr[keep], thresholds[keep], ("FPR", "TPR"),
                                   name=f"{shown} (AUC {auc:.3f})", colour=colour, shape="linear"))
        if threshold is not None:
            fig.add_trace(_threshold_marker(curve, threshold, ("fpr", "tpr"), ("FPR", "TPR"),
                                            shown=shown, colour=colour, first=i == 0))
    fig.update_xaxes(title_text="False positive rate", range=[-0.01, 1.01])
    fig.update_yaxes(title_text="True positive rate (recall)", range=[-0.01, 1.01])
    apply_theme(fig, title="ROC curve", height=height)
    # inside the empty lower-right corner: a legend above the plot would cover the title
    fig.update_layout(legend=_INSIDE_LEGEND | {"x": 0.98, "xanchor": "right", "y": 0.04,
                                               "yanchor": "bottom"})
    return fig


def pr_figure(curves: Mapping[str, ScoreCurve], *, threshold: float | None = None,
              max_points: int = MAX_POINTS, height: int = 420) -> go.Figure:
    """Precision-recall curve of each model (AP in the legend), the prevalence baseline, the
    threshold marked."""
    fig = go.Figure()
    for i, (name, curve) in enumerate(curves.items()):
        ap = curve.average_precision()
        if ap is None:
            continue
        precision, recall, thresholds = curve.pr(drop_intermediate=True)
        thresholds = np.append(thresholds, np.nan)  # the closing (recall 0, precision 1) point
        keep = downsample_curve(recall, precision, max_points=max(8, max_points // max(1, len(curves))))
        colour = _model_colour(i)
        shown = escape_html(name)
        fig.add_trace(_curve_trace(recall[keep], precision[keep], thresholds[keep],
                                   ("recall", "precision"), name=f"{shown} (AP {ap:.3f})",
                                   colour=colour, shape="hv"))
        if i == 0:
            prevalence = curve.n_pos / curve.total
            fig.add_hline(y=prevalence, line={"color": COLORS["neutral"], "dash": "dot", "width": 1},
                          annotation_text=f"positives {prevalence:.1%}",
                          annotation_position="bottom left")
        if threshold is not None:
            fig.add_trace(_threshold_marker(curve, threshold, ("tpr", "precision"),
                                            ("recall", "precision"), shown=shown, colour=colour,
                                            first=i == 0))
    fig.update_xaxes(title_text="Recall", range=[-0.01, 1.01])
    fig.update_yaxes(title_text="Precision", range=[-0.01, 1.03])
    apply_theme(fig, title="Precision-recall curve", height=height)
    fig.update_layout(legend=_INSIDE_LEGEND | {"x": 0.02, "xanchor": "left", "y": 0.04,
                                               "yanchor": "bottom"})
    return fig


THRESHOLD_SERIES = {"precision": "#3b5bdb", "recall": "#2f9e44", "f1": "#e8590c",
                    "queue_rate": "#868e96"}
SERIES_NAMES = {"precision": "Precision", "recall": "Recall", "f1": "F1",
                "queue_rate": "Queue rate (share flagged)"}


def threshold_figure(curve: ScoreCurve, *, threshold: float | None = None,
                     best_threshold: float | None = None, max_points: int = MAX_POINTS,
                     height: int = 420) -> go.Figure:
    """Precision, recall, F1 and queue rate against the threshold; current and best-F1 marked."""
    table = curve.threshold_table()
    finite = np.isfinite(table["threshold"].to_numpy())
    table = table[finite].reset_index(drop=True)
    x = table["threshold"].to_numpy()
    share = max(8, max_points // len(THRESHOLD_SERIES))
    keep = np.unique(np.concatenate([downsample_curve(x, table[c].to_numpy(), max_points=share)
                                     for c in THRESHOLD_SERIES])) if len(x) else np.arange(0)
    fig = go.Figure()
    for column, colour in THRESHOLD_SERIES.items():
        fig.add_trace(go.Scatter(
            x=x[keep], y=table[column].to_numpy()[keep], mode="lines", name=SERIES_NAMES[column],
            line={"color": colour, "width": 2, "dash": "dash" if column == "queue_rate" else "solid"},
            hovertemplate=f"{SERIES_NAMES[column]} %{{y:.3f}} at threshold %{{x:.3f}}<extra></extra>"))
    if threshold is not None:
        fig.add_vline(x=threshold, line={"color": "#212529", "width": 2},
                      annotation_text=f"threshold {threshold:.2f}", annotation_position="top right")
    if best_threshold is not None:
        fig.add_vline(x=best_threshold, line={"color": THRESHOLD_SERIES["f1"], "dash": "dot", "width": 1.5},
                      annotation_text=f"best F1 {best_threshold:.2f}", annotation_position="bottom left")
    fig.update_xaxes(title_text="Threshold (score ≥ threshold is predicted positive)")
    fig.update_yaxes(title_text="Value", range=[-0.01, 1.03], tickformat=".0%")
    apply_theme(fig, title="Metrics against the threshold", height=height)
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.18,
                              "yanchor": "top"}, margin={"b": 90})
    return fig


# --------------------------------------------------------------------------- slices, tasks, A vs B
def slice_bar_figure(slices: SliceMetrics, *, height: int | None = None) -> go.Figure:
    """Error per slice with its 95% interval, the average across slices as a line."""
    table = slices.table.sort_values("error_rate", ascending=False)
    names = table[slices.column].astype(str).tolist()
    error = table["error_rate"].to_numpy()
    colours = [COLORS["dev"] if n == slices.worst_slice else COLORS["neutral"] for n in names]
    fig = go.Figure(go.Bar(
        x=[escape_html(n) for n in names], y=error, marker_color=colours,
        error_y={"type": "data", "symmetric": False,
                 "array": table["error_high"].to_numpy() - error,
                 "arrayminus": error - table["error_low"].to_numpy(), "color": "#495057"},
        text=[f"{e:.1%}" for e in error], textposition="inside", insidetextanchor="start",
        textfont={"color": "white"},
        customdata=np.stack([table["n"].to_numpy(), table["errors"].to_numpy()], axis=1),
        hovertemplate="%{x}: error %{y:.2%}<br>%{customdata[1]:,.0f} wrong of %{customdata[0]:,}"
                      "<extra></extra>", name="error rate"))
    fig.add_hline(y=slices.average_error, line={"color": COLORS["avoidable bias"], "dash": "dash"})
    top = float(np.nanmax(table["error_high"].to_numpy())) if len(table) else 1.0
    fig.update_yaxes(title_text="Error rate", tickformat=".0%", range=[0, max(top * 1.25, 0.01)])
    fig.update_xaxes(title_text=escape_html(slices.column), type="category")
    fig.update_layout(showlegend=False)
    title = (f"Error per {escape_html(slices.column)} · dashed: average across slices "
             f"{slices.average_error:.1%}")
    return apply_theme(fig, title=title, height=height or 380)


def task_bar_figure(per_task: pd.DataFrame, *, height: int = 380) -> go.Figure:
    """Precision, recall and F1 per task of a multi-label model (grouped bars)."""
    fig = go.Figure()
    for column in ("precision", "recall", "f1"):
        values = per_task[column].to_numpy(dtype=float)
        fig.add_trace(go.Bar(x=[escape_html(t) for t in per_task["task"]], y=values,
                             name=SERIES_NAMES[column],
                             marker_color=THRESHOLD_SERIES[column],
                             text=[f"{v:.0%}" if np.isfinite(v) else "n/a" for v in values],
                             textposition="outside"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="Value", tickformat=".0%", range=[0, 1.15])
    return apply_theme(fig, title="Metrics per task (missing labels left out)", height=height)


def comparison_figure(comparison: ModelComparison, *, height: int = 320) -> go.Figure:
    """Error of A and B side by side, and the difference with its bootstrap interval."""
    names = [escape_html(comparison.name_a), escape_html(comparison.name_b)]
    errors = [comparison.error_a, comparison.error_b]
    fig = go.Figure(go.Bar(
        x=errors, y=names, orientation="h", marker_color=[COLORS["model_a"], COLORS["model_b"]],
        text=[f"{e:.2%}" for e in errors], textposition="outside",
        hovertemplate="%{y}: error %{x:.2%}<extra></extra>"))
    fig.update_xaxes(title_text="Error rate on the same examples", tickformat=".1%",
                     range=[0, max(errors) * 1.3 or 0.01])
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(showlegend=False)
    low, high = 100 * comparison.low, 100 * comparison.high
    title = (f"Difference {100 * comparison.difference:+.2f} pts "
             f"({comparison.confidence:.0%} CI {low:+.2f} to {high:+.2f}), p = {comparison.p_value:.3g}")
    return apply_theme(fig, title=title, height=height)


# --------------------------------------------------------------------------- model table
def model_row_styles(selection: ModelSelection) -> list[str]:
    """One CSS string per row of `selection.table`: the winner highlighted, failures greyed."""
    names = selection.table[selection.model_column].astype(str).str.strip()
    styles = []
    for name, meets in zip(names, selection.table["meets_constraints"], strict=True):
        if name == selection.winner:
            styles.append(WINNER_STYLE)
        elif not meets:
            styles.append(FAILED_STYLE)
        else:
            styles.append("")
    return styles


def styled_model_table(selection: ModelSelection) -> pd.io.formats.style.Styler:
    """The model table with the winner's row highlighted (for st.dataframe)."""
    styles = model_row_styles(selection)
    table = selection.table.rename(columns={"meets_constraints": "meets constraints"})
    table = table.reset_index(drop=True)
    floats = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    return (table.style.apply(lambda row: [styles[row.name]] * len(row), axis=1)
            .format("{:g}", subset=floats, na_rep="—"))
