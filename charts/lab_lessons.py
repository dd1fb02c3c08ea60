"""Figures for more of the lab's lessons: mini-batch costs beside the epoch cost, each
hyperparameter's effect on dev error, and a hidden layer's pre-activation quantiles over
training with and without batch norm. Plain data in, go.Figure out.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.training.diagnostics import PreactivationDrift
from charts.theme import COLORS, SERIES, apply_theme


def _require(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValueError(f"{name} must have columns {list(columns)}; missing {missing}.")


def batch_cost_figure(history: pd.DataFrame, iterations: pd.DataFrame) -> go.Figure:
    """The noisy cost of every mini-batch (TrainingSession.iteration_frame()) as thin points
    and the per-epoch cost on the whole training set (history_frame()) as a line."""
    _require(history, "history", ("epoch", "cost"))
    _require(iterations, "iterations", ("position", "batch_cost"))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=iterations["position"], y=iterations["batch_cost"],
                             mode="lines", name="mini-batch cost",
                             line={"color": COLORS["neutral"], "width": 1}, opacity=0.6))
    fig.add_trace(go.Scatter(x=history["epoch"], y=history["cost"], mode="lines",
                             name="epoch cost (whole training set)",
                             line={"color": COLORS["train"], "width": 2.5}))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="cost J")
    return apply_theme(fig, title="Mini-batch cost oscillates; the epoch cost trends")


def effects_figure(effects: pd.DataFrame) -> go.Figure:
    """One panel per hyperparameter (search.effects(...)): its sampled values against dev
    error, on a log axis where it was sampled on a log scale; diverged trials in grey."""
    _require(effects, "effects", ("hyperparameter", "label", "value", "dev_error", "log_scale",
                                  "diverged"))
    if effects.empty:
        raise ValueError("effects is empty: no hyperparameter varied in the search.")
    names = list(dict.fromkeys(effects["hyperparameter"]))
    labels = [html.escape(str(effects.loc[effects["hyperparameter"] == n, "label"].iloc[0]))
              for n in names]
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=labels, shared_yaxes=True,
                        vertical_spacing=0.15)
    for k, name in enumerate(names):
        part = effects[effects["hyperparameter"] == name]
        colors = [COLORS["neutral"] if d else SERIES[0] for d in part["diverged"]]
        row, col = k // columns + 1, k % columns + 1
        fig.add_trace(go.Scatter(x=part["value"], y=part["dev_error"], mode="markers",
                                 name=labels[k], marker={"color": colors, "size": 8},
                                 showlegend=False), row=row, col=col)
        if bool(part["log_scale"].iloc[0]):
            fig.update_xaxes(type="log", row=row, col=col)
    fig.update_yaxes(title_text="dev error (%)", col=1)
    return apply_theme(fig, title="What each hyperparameter did to dev error",
                       height=max(300, 260 * rows))


def drift_figure(drift: PreactivationDrift) -> go.Figure:
    """Per variant (without / with batch norm): the median of the layer's pre-activations
    over epochs with its 25-75% and 5-95% bands."""
    if not isinstance(drift, PreactivationDrift):
        raise ValueError(f"drift must come from preactivation_drift(...); "
                         f"got {type(drift).__name__}.")
    variants = list(dict.fromkeys(drift.summary["variant"]))
    fig = make_subplots(rows=1, cols=len(variants), subplot_titles=variants, shared_yaxes=True)
    for k, variant in enumerate(variants, start=1):
        part = drift.summary[drift.summary["variant"] == variant]
        color = SERIES[k - 1]
        for low, high, opacity in (("q05", "q95", 0.15), ("q25", "q75", 0.3)):
            fig.add_trace(go.Scatter(x=part["epoch"], y=part[high], mode="lines",
                                     line={"width": 0}, showlegend=False, hoverinfo="skip"),
                          row=1, col=k)
            fig.add_trace(go.Scatter(x=part["epoch"], y=part[low], mode="lines",
                                     line={"width": 0}, fill="tonexty", fillcolor=color,
                                     opacity=opacity, name=f"{low}-{high}", showlegend=False),
                          row=1, col=k)
        fig.add_trace(go.Scatter(x=part["epoch"], y=part["q50"], mode="lines+markers",
                                 name=f"median, {variant}", line={"color": color}),
                      row=1, col=k)
        fig.update_xaxes(title_text="epoch", row=1, col=k)
    fig.update_yaxes(title_text=f"layer {drift.layer} pre-activation", col=1)
    return apply_theme(fig, title="Covariate shift: does the hidden layer's input keep moving?")
