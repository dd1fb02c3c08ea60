"""Figures for calibration and the cost of errors: the reliability diagram with the count of
every bin, and expected cost against the threshold with the cheapest threshold, its
interval and the current threshold marked.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.metrics import CalibrationMetrics, ErrorCost, downsample_curve
from charts.theme import COLORS, apply_theme

MAX_POINTS = 2000


def reliability_figure(result: CalibrationMetrics, *, title: str | None = None) -> go.Figure:
    """Observed rate (with its Wilson interval) against mean score per bin, the diagonal of
    perfect calibration, and the number of rows per bin as bars underneath.

    Empty bins are left out of the points but keep their 0 bar.
    """
    if not isinstance(result, CalibrationMetrics):
        raise ValueError("result must come from calibration_metrics(...); "
                         f"got {type(result).__name__}.")
    table = result.table
    filled = table[table["count"] > 0]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.75, 0.25],
                        vertical_spacing=0.06)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated",
                             line={"dash": "dash", "color": COLORS["neutral"]},
                             hoverinfo="skip"), row=1, col=1)
    outcome = "correct" if result.kind == "multiclass" else "positive"
    fig.add_trace(go.Scatter(
        x=filled["mean_score"], y=filled["observed_rate"], mode="lines+markers", name="model",
        error_y={"type": "data", "symmetric": False,
                 "array": filled["observed_high"] - filled["observed_rate"],
                 "arrayminus": filled["observed_rate"] - filled["observed_low"]},
        customdata=np.c_[filled["count"], filled["observed_low"], filled["observed_high"]],
        hovertemplate=(f"mean score %{{x:.3f}}<br>observed {outcome} rate %{{y:.3f}} "
                       "(%{customdata[1]:.3f}-%{customdata[2]:.3f})<br>%{customdata[0]:,} rows"
                       "<extra></extra>")), row=1, col=1)
    centres = (table["low_edge"] + table["high_edge"]) / 2
    fig.add_trace(go.Bar(x=centres, y=table["count"], width=table["high_edge"] - table["low_edge"],
                         name="rows per bin", marker_color=COLORS["neutral"],
                         text=table["count"], textposition="outside",
                         hovertemplate="%{y:,} rows<extra></extra>"), row=2, col=1)
    score = "top-class confidence" if result.kind == "multiclass" else "mean score"
    fig.update_xaxes(title_text=score, range=[0, 1], row=2, col=1)
    fig.update_yaxes(title_text=f"observed {outcome} rate", range=[0, 1], row=1, col=1)
    # headroom above the tallest bar for its count, drawn outside the bar
    fig.update_yaxes(title_text="rows", range=[0, max(1, int(table["count"].max())) * 1.35],
                     row=2, col=1)
    heading = title if title is not None else f"Reliability (ECE {result.ece.text()})"
    apply_theme(fig, title=html.escape(heading))
    # the legend sits above the plot: room for it below the title
    fig.update_layout(margin={"t": 84})
    return fig


def cost_figure(result: ErrorCost, *, max_points: int = MAX_POINTS,
                title: str | None = None) -> go.Figure:
    """Expected cost per example against the threshold; the cheapest threshold as a point
    with its bootstrap interval shaded, the current threshold as a line with its cost."""
    if not isinstance(result, ErrorCost):
        raise ValueError(f"result must come from error_cost(...); got {type(result).__name__}.")
    keep = downsample_curve(result.thresholds, result.cost, max_points=max_points)
    fig = go.Figure(go.Scatter(x=result.thresholds[keep], y=result.cost[keep], mode="lines",
                               name="expected cost", line={"shape": "hv"},
                               hovertemplate="threshold %{x:.3f}<br>cost %{y:.4g} per example"
                                             "<extra></extra>"))
    best = result.best_threshold
    if best.low is not None:
        fig.add_vrect(x0=best.low, x1=best.high, fillcolor=COLORS["positive"], opacity=0.12,
                      line_width=0, annotation_text="interval", annotation_position="top left")
    fig.add_trace(go.Scatter(x=[best.value], y=[result.best_cost], mode="markers",
                             name="cheapest", marker={"size": 11, "color": COLORS["positive"]},
                             hovertemplate="cheapest threshold %{x:.3f}<br>cost %{y:.4g}"
                                           "<extra></extra>"))
    fig.add_vline(x=result.current_threshold, line_dash="dot", line_color=COLORS["negative"])
    fig.add_trace(go.Scatter(x=[result.current_threshold], y=[result.current_cost],
                             mode="markers", name="current",
                             marker={"size": 10, "symbol": "x", "color": COLORS["negative"]},
                             hovertemplate="current threshold %{x:.3f}<br>cost %{y:.4g}"
                                           "<extra></extra>"))
    fig.update_xaxes(title_text="threshold (flag score >= threshold)")
    fig.update_yaxes(title_text="expected cost per example", rangemode="tozero")
    heading = title if title is not None else (
        f"Cost of errors (false positive {result.cost_fp:g}, false negative {result.cost_fn:g})")
    return apply_theme(fig, title=html.escape(heading))
