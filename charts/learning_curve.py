"""The learning-curve figure: measured errors against training-set size, the fitted curve
error = a + b * n^-c with its bootstrap band, the asymptote, and the 2x / 10x extrapolations
(10x drawn hollow and labelled unreliable).
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from analysis.strategy.learning_curve import LearningCurve
from charts.theme import COLORS, apply_theme

GRID_POINTS = 60
FIT_NAME = "fit: a + b·n^-c"


def _grid(curve: LearningCurve) -> np.ndarray:
    """Log-spaced sizes from the smallest measured to the farthest extrapolation."""
    farthest = max(e.size for e in curve.extrapolations)
    return np.geomspace(curve.sizes[0], farthest, GRID_POINTS)


def learning_curve_figure(curve: LearningCurve, *, title: str | None = None) -> go.Figure:
    """Draw `curve`: points, fit, band, asymptote a, human level and the extrapolations.

    Examples
    --------
    >>> from analysis.strategy import fit_learning_curve
    >>> sizes = [1_000, 2_000, 4_000, 8_000]
    >>> fig = learning_curve_figure(fit_learning_curve(sizes, [3 + 300 * n ** -0.5 for n in sizes]))
    >>> fig.layout.xaxis.type
    'log'
    """
    grid = _grid(curve)
    predictions = np.array([curve.predict(n) for n in grid])
    band = f"{curve.confidence:.0%} band"
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=grid, y=predictions[:, 2], mode="lines", line={"width": 0},
                             name=band, legendgroup="band", showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=grid, y=predictions[:, 1], mode="lines", line={"width": 0},
                             fill="tonexty", fillcolor="rgba(224, 49, 49, 0.15)", name=band,
                             legendgroup="band", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=grid, y=predictions[:, 0], mode="lines", name=FIT_NAME,
                             line={"color": COLORS["dev"]},
                             hovertemplate="n = %{x:,.0f}<br>fitted dev error %{y:.2f}%<extra></extra>"))
    fig.add_trace(go.Scatter(x=[grid[0], grid[-1]], y=[curve.a, curve.a], mode="lines",
                             name=f"asymptote a = {curve.a:.2f}%",
                             line={"color": COLORS["neutral"], "dash": "dot"}))
    if curve.human_error_pct is not None:
        fig.add_trace(go.Scatter(x=[grid[0], grid[-1]], y=[curve.human_error_pct] * 2,
                                 mode="lines", name=f"human level {curve.human_error_pct:g}%",
                                 line={"color": COLORS["human"], "dash": "dash"}))
    fig.add_trace(go.Scatter(x=list(curve.sizes), y=list(curve.dev_errors_pct), mode="markers",
                             name="dev error", marker={"color": COLORS["dev"], "size": 9}))
    if curve.train_errors_pct is not None:
        fig.add_trace(go.Scatter(x=list(curve.sizes), y=list(curve.train_errors_pct),
                                 mode="markers", name="training error",
                                 marker={"color": COLORS["train"], "size": 9}))
    for extrapolation in curve.extrapolations:
        reliable = extrapolation.reliable
        label = f"{extrapolation.factor:g}x data" + ("" if reliable else " (unreliable)")
        fig.add_trace(go.Scatter(
            x=[extrapolation.size], y=[extrapolation.error_pct], mode="markers", name=label,
            marker={"color": COLORS["dev"], "size": 12, "symbol": "diamond" if reliable
                    else "diamond-open"},
            error_y={"type": "data", "symmetric": False,
                     "array": [extrapolation.high - extrapolation.error_pct],
                     "arrayminus": [extrapolation.error_pct - extrapolation.low]},
            hovertemplate=(f"{label}<br>n = %{{x:,.0f}}<br>%{{y:.2f}}% ({extrapolation.low:.2f} "
                           f"to {extrapolation.high:.2f})<extra></extra>")))
    fig.update_xaxes(type="log", title_text="training-set size (log scale)")
    fig.update_yaxes(title_text="error (%)", rangemode="tozero")
    fig = apply_theme(fig, title=html.escape(title) if title is not None else "Learning curve")
    # Seven legend entries wrap onto two lines at slide or column width: below the axis they
    # never cover the title.
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
                      margin={"b": 130})
    return fig
