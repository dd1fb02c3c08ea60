"""Figures for the training lab's comparison panels: the train/dev gap of each variance remedy,
the points of a learning-curve run, and multi-task against separate networks per task.
Plain data in, go.Figure out; no streamlit.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.text import escape_html
from charts.theme import COLORS, SERIES, apply_theme


def _require(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValueError(f"{name} must have columns {list(columns)}; missing {missing}.")
    if frame.empty:
        raise ValueError(f"{name} is empty: run the comparison first.")


def remedy_gap_figure(runs: pd.DataFrame) -> go.Figure:
    """Mean train and dev error (%) per remedy as grouped bars, the gap (dev - train) written
    above each pair; `runs` is compare_remedies(...).runs (one row per remedy and seed)."""
    _require(runs, "runs", ("remedy", "train_error", "dev_error", "gap"))
    means = runs.groupby("remedy", sort=False)[["train_error", "dev_error", "gap"]].mean()
    names = [escape_html(r) for r in means.index]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=names, y=means["train_error"], name="train error",
                         marker_color=COLORS["train"]))
    fig.add_trace(go.Bar(x=names, y=means["dev_error"], name="dev error",
                         marker_color=COLORS["dev"],
                         text=[f"gap {g:.1f} pts" for g in means["gap"]], textposition="outside"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="error (%), mean over seeds", rangemode="tozero")
    return apply_theme(fig, title="Train/dev gap without a remedy and with each one")


def curve_points_figure(frame: pd.DataFrame, *, bayes_error: float | None = None) -> go.Figure:
    """Train and dev error (%) against training-set size (learning_curve_run's table), with the
    data's Bayes error as a dashed line when it is known."""
    _require(frame, "frame", ("size", "train_error", "dev_error"))
    fig = go.Figure()
    for column, label, color in (("train_error", "train error", COLORS["train"]),
                                 ("dev_error", "dev error", COLORS["dev"])):
        fig.add_trace(go.Scatter(x=frame["size"], y=frame[column], mode="lines+markers",
                                 name=label, line={"color": color}))
    if bayes_error is not None and bayes_error == bayes_error:  # NaN: unknown, not drawn
        fig.add_hline(y=bayes_error, line={"color": COLORS["human"], "dash": "dash"},
                      annotation_text=f"Bayes error {bayes_error:.1f}%")
    fig.update_xaxes(title_text="training examples", type="log",
                     tickvals=frame["size"].tolist(), ticktext=[f"{n:,}" for n in frame["size"]])
    fig.update_yaxes(title_text="error (%)", rangemode="tozero")
    return apply_theme(fig, title="Learning curve of the current setup")


def multitask_figure(per_task: pd.DataFrame) -> go.Figure:
    """Dev error (%) per task of one multi-task network against a network per task
    (compare_multitask(...).per_task)."""
    _require(per_task, "per_task", ("task", "multi_task", "separate"))
    tasks = [f"task {t}" for t in per_task["task"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=tasks, y=per_task["multi_task"], name="one multi-task network",
                         marker_color=SERIES[0]))
    fig.add_trace(go.Bar(x=tasks, y=per_task["separate"], name="a network per task",
                         marker_color=SERIES[1]))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="dev error (%)", rangemode="tozero")
    return apply_theme(fig, title="Multi-task learning against separate networks")
