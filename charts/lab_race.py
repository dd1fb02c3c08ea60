"""Figures for the training lab's new lessons: the optimizer race's cost curves, the saddle
surface's contours with each optimizer's path, and the hidden units' tiles. Plain data in,
go.Figure out; labels that may come from the user are escaped.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.training.diagnostics import NeuronTiles
from analysis.training.race import MINIMA, SADDLE, SurfacePaths
from charts.theme import COLORS, SERIES, apply_theme

RACE_COLUMNS = ("epoch", "optimizer", "cost")
MAX_TILES = 64  # tiles drawn at once; the rest are counted in the title


def race_figure(curves: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """One cost curve per optimizer (log-scaled cost, the race's table from
    OptimizerRace.curves() or race(...).curves)."""
    missing = [c for c in RACE_COLUMNS if c not in curves]
    if missing:
        raise ValueError(f"curves must have columns {list(RACE_COLUMNS)}; missing {missing}.")
    fig = go.Figure()
    for i, (label, rows) in enumerate(curves.groupby("optimizer", sort=False)):
        fig.add_trace(go.Scatter(x=rows["epoch"], y=rows["cost"], mode="lines",
                                 name=html.escape(str(label)),
                                 line={"color": SERIES[i % len(SERIES)]}))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="cost J (training set)", type="log")
    return apply_theme(fig, title=title or "Optimizers from the same start")


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


def tiles_figure(tiles: NeuronTiles, *, columns: int = 8) -> go.Figure:
    """Each hidden unit's output over the input plane as a small heatmap, titled L<layer>
    u<unit>; at most MAX_TILES are drawn."""
    if not isinstance(tiles, NeuronTiles):
        raise ValueError(f"tiles must come from neuron_tiles(...); got {type(tiles).__name__}.")
    n = min(len(tiles.tiles), MAX_TILES)
    if n == 0:
        raise ValueError("the network has no hidden units to draw: add a hidden layer.")
    columns = max(1, min(columns, n))
    rows = int(np.ceil(n / columns))
    names = [f"L{tiles.layer[k]} u{tiles.unit[k] + 1}" for k in range(n)]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=names,
                        horizontal_spacing=0.02, vertical_spacing=0.08)
    for k in range(n):
        fig.add_trace(go.Heatmap(x=tiles.xs, y=tiles.ys, z=tiles.tiles[k], coloraxis="coloraxis",
                                 name=names[k]), row=k // columns + 1, col=k % columns + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(coloraxis={"colorscale": "RdBu", "cmid": 0.0})
    more = len(tiles.tiles) - n
    title = "Hidden units over the input plane" + (f" (first {n}; {more} more)" if more else "")
    return apply_theme(fig, title=title, height=max(220, 140 * rows))
