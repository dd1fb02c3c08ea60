"""The saddle surface's contours with each optimizer's path (the race's cost curves and the
hidden units' tiles are drawn live, from charts/lab_live.py). Plain data in, go.Figure out;
labels that may come from the user are escaped.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from analysis.training.race import MINIMA, SADDLE, SurfacePaths
from charts.theme import COLORS, SERIES, apply_theme


def surface_figure(result: SurfacePaths, *, title: str | None = None) -> go.Figure:
    """Contours of the saddle/plateau surface with each optimizer's path, its start and end,
    the saddle point and the two minima marked."""
    if not isinstance(result, SurfacePaths):
        raise ValueError(f"result must come from surface_paths(...); got {type(result).__name__}.")
    fig = go.Figure(go.Contour(x=result.xs, y=result.ys, z=result.Z, ncontours=25,
                               colorscale="Greys", reversescale=True, showscale=False,
                               name="f(x, y)", hoverinfo="skip"))
    for i, (label, path) in enumerate(result.paths.items()):
        color = SERIES[i % len(SERIES)]
        fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines",
                                 name=html.escape(str(label)), line={"color": color, "width": 2}))
        fig.add_trace(go.Scatter(x=path[-1:, 0], y=path[-1:, 1], mode="markers",
                                 marker={"color": color, "size": 9, "symbol": "x"},
                                 showlegend=False, name=f"{html.escape(str(label))} end"))
    fig.add_trace(go.Scatter(x=[SADDLE[0]], y=[SADDLE[1]], mode="markers", name="saddle point",
                             marker={"symbol": "diamond", "size": 11, "color": COLORS["dev"]}))
    fig.add_trace(go.Scatter(x=[m[0] for m in MINIMA], y=[m[1] for m in MINIMA],
                             mode="markers", name="minima",
                             marker={"symbol": "star", "size": 12, "color": COLORS["human"]}))
    fig.update_xaxes(title_text="x", range=[result.xs[0], result.xs[-1]])
    fig.update_yaxes(title_text="y", range=[result.ys[0], result.ys[-1]], scaleanchor="x")
    return apply_theme(fig, title=title or "A saddle point and a plateau, not local optima")
