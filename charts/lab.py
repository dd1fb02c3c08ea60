"""Figures of the training lab: pure builders (arrays and frames in, a plotly Figure out).

Nothing here trains or reads session state; the page hands over what the training session
reports, so every chart can be tested on synthetic numbers without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.training.frames import downsample_index
from charts.theme import COLORS, SERIES, apply_theme

# Gradient norms outside this band are flagged: below it the early layers barely learn
# (vanishing), above it one step throws the weights far away (exploding).
VANISHING_BELOW = 1e-6
EXPLODING_ABOVE = 1e3

ERROR_SERIES = (("train_error", "train"), ("train_dev_error", "train-dev"), ("dev_error", "dev"))

# Binary boundary: class 0 orange, class 1 blue, as in TensorFlow Playground.
_BINARY_CLASS_COLORS = (SERIES[1], SERIES[0])
_BINARY_SCALE = ((0.0, "#f9c98d"), (0.5, "#ffffff"), (1.0, "#a5b8f3"))


def _legend_below(fig: go.Figure, *, y: float = -0.16, bottom: int = 40) -> go.Figure:
    """Legend in a row under the plot: above it, it collides with the title in half-width columns."""
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": y, "x": 0, "font": {"size": 11}},
                      margin={"t": 50, "b": bottom})
    return fig


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 tick values covering [low, high] on a log axis (at most ~8 of them).

    >>> log_ticks(0.3, 0.75)
    [0.2, 0.5, 1.0]
    >>> log_ticks(1e-3, 10)
    [0.001, 0.01, 0.1, 1.0, 10.0]
    """
    if not (0 < low <= high):
        raise ValueError(f"log_ticks needs 0 < low <= high, got {low}, {high}")
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    steps = (1, 2, 5) if last - first <= 2 else (1,)
    ticks = [m * 10.0**e for e in range(first, last + 1) for m in steps]
    inside = [t for t in ticks if low <= t <= high]
    below = [t for t in ticks if t < low][-1:]
    above = [t for t in ticks if t > high][:1]
    return [float(f"{t:.6g}") for t in below + inside + above]


def class_color(k: int, n_classes: int) -> str:
    """The colour of class `k` on every lab chart (binary keeps Playground's orange/blue)."""
    if n_classes <= 2:
        return _BINARY_CLASS_COLORS[k % 2]
    return SERIES[k % len(SERIES)]


def _lighten(hex_color: str, amount: float = 0.6) -> str:
    """Blend a #rrggbb colour towards white (the heatmap stays light so the points show)."""
    rgb = [int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def _darken(hex_color: str, amount: float = 0.35) -> str:
    rgb = [int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#{:02x}{:02x}{:02x}".format(*(round(c * (1 - amount)) for c in rgb))


def decision_boundary_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    Z: np.ndarray,
    *,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_dev: np.ndarray | None = None,
    y_dev: np.ndarray | None = None,
    n_classes: int = 2,
    title: str = "Decision boundary",
    height: int = 430,
) -> go.Figure:
    """Heatmap of the network's output over the plane, with train (dots) and dev (crosses) points.

    Binary: ``Z`` is P(class 1) in [0, 1], a white band marks the 0.5 boundary.
    Multiclass: ``Z`` holds the predicted class per grid cell.
    """
    Z = np.asarray(Z, dtype=float)
    if Z.shape != (len(ys), len(xs)):
        raise ValueError(f"Z has shape {Z.shape}; expected (len(ys), len(xs)) = {(len(ys), len(xs))}")
    fig = go.Figure()
    if n_classes <= 2:
        fig.add_trace(go.Heatmap(
            x=xs, y=ys, z=Z, zmin=0.0, zmax=1.0, colorscale=[list(s) for s in _BINARY_SCALE],
            colorbar={"title": {"text": "P(class 1)"}, "thickness": 12, "len": 0.8},
            hovertemplate="x1 %{x:.2f}<br>x2 %{y:.2f}<br>P(class 1) %{z:.2f}<extra></extra>",
            name="network output",
        ))
        fig.add_trace(go.Contour(
            x=xs, y=ys, z=Z, showscale=False, contours={"start": 0.5, "end": 0.5, "size": 1,
                                                         "coloring": "none"},
            line={"color": "#495057", "width": 1.5, "dash": "dot"}, hoverinfo="skip",
            name="boundary (0.5)", showlegend=False,
        ))
    else:
        # Discrete colours: one band per class, boundaries at k + 0.5.
        scale = []
        for k in range(n_classes):
            colour = _lighten(class_color(k, n_classes))
            scale += [(k / n_classes, colour), ((k + 1) / n_classes, colour)]
        fig.add_trace(go.Heatmap(
            x=xs, y=ys, z=Z, zmin=-0.5, zmax=n_classes - 0.5, colorscale=[list(s) for s in scale],
            showscale=False, hovertemplate="x1 %{x:.2f}<br>x2 %{y:.2f}<br>class %{z}<extra></extra>",
            name="predicted class",
        ))
    _add_points(fig, X_train, y_train, n_classes, split="train")
    if X_dev is not None and y_dev is not None:
        _add_points(fig, X_dev, y_dev, n_classes, split="dev")
    fig.update_xaxes(title_text="x1", range=[float(np.min(xs)), float(np.max(xs))], showgrid=False)
    fig.update_yaxes(title_text="x2", range=[float(np.min(ys)), float(np.max(ys))], showgrid=False,
                     scaleanchor="x", scaleratio=1, constrain="domain")
    apply_theme(fig, title=title, height=height)
    fig.update_layout(margin={"l": 50, "r": 10})
    return _legend_below(fig)


def _add_points(fig: go.Figure, X: np.ndarray, y: np.ndarray, n_classes: int, *, split: str) -> None:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int)
    for k in range(max(n_classes, 2)):
        mask = y == k
        if not mask.any():
            continue
        colour = class_color(k, n_classes)
        marker = {"size": 7, "color": colour, "line": {"width": 1, "color": "white"}}
        if split != "train":
            # Dev points: a cross in a darker shade of the class colour, readable on the heatmap.
            marker = {"size": 8, "symbol": "x-thin", "color": colour,
                      "line": {"width": 2.5, "color": _darken(colour)}}
        fig.add_trace(go.Scatter(
            x=X[mask, 0], y=X[mask, 1], mode="markers", marker=marker,
            name=f"{split} · class {k}", legendgroup=split,
            hovertemplate=f"{split}, class {k}<br>x1 %{{x:.2f}}<br>x2 %{{y:.2f}}<extra></extra>",
        ))


def learning_curves_figure(
    history: pd.DataFrame,
    *,
    bayes_error: float | None = None,
    max_points: int = 500,
    title: str = "Cost and error",
    height: int = 430,
) -> go.Figure:
    """Cost (top, log axis) and train / train-dev / dev error in % (bottom) against epoch.

    ``history`` needs the columns epoch, cost, train_error, train_dev_error, dev_error
    (the training session's history frame). The Bayes error is a dashed line under the errors.
    """
    missing = {"epoch", "cost"}.union(c for c, _ in ERROR_SERIES) - set(history.columns)
    if missing:
        raise ValueError(f"history is missing the columns {sorted(missing)}")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    rows = history.iloc[downsample_index(len(history), max_points)]
    epoch = rows["epoch"].to_numpy()
    cost = rows["cost"].to_numpy(dtype=float)
    fig.add_trace(go.Scatter(x=epoch, y=cost, mode="lines", name="cost",
                             line={"color": COLORS["neutral"], "width": 2},
                             hovertemplate="epoch %{x}<br>cost %{y:.4g}<extra></extra>"), row=1, col=1)
    for column, split in ERROR_SERIES:
        fig.add_trace(go.Scatter(
            x=epoch, y=rows[column].to_numpy(dtype=float), mode="lines", name=f"{split} error",
            line={"color": COLORS[split], "width": 2},
            hovertemplate=f"epoch %{{x}}<br>{split} error %{{y:.1f}}%<extra></extra>",
        ), row=2, col=1)
    if bayes_error is not None:
        fig.add_hline(y=bayes_error, row=2, col=1, line={"color": COLORS["human"], "dash": "dash"},
                      annotation_text=f"Bayes error {bayes_error:.1f}%",
                      annotation_position="bottom right", annotation_font_color=COLORS["human"])
    # Costs are positive; a cost of 0 or NaN (diverged) cannot sit on a log axis.
    positive = cost[np.isfinite(cost) & (cost > 0)]
    fig.update_yaxes(type="log" if positive.size else "linear", row=1, col=1,
                     title_text="cost (log)" if positive.size else "cost")
    if positive.size:
        # plotly's own log ticks print 0.5 as a bare "5" (or crowd a short range): 1-2-5 ticks.
        fig.update_yaxes(tickvals=log_ticks(positive.min(), positive.max()), tickformat=".2g",
                         row=1, col=1)
    top = float(np.nanmax(rows[[c for c, _ in ERROR_SERIES]].to_numpy(dtype=float))) if len(rows) else 50
    fig.update_yaxes(range=[0, max(10.0, min(100.0, (top if np.isfinite(top) else 50) * 1.1))],
                     ticksuffix="%", title_text="error", row=2, col=1)
    fig.update_xaxes(title_text="epoch", row=2, col=1)
    apply_theme(fig, title=title, height=height)
    fig.update_layout(margin={"l": 55, "r": 15})
    return _legend_below(fig)


def gradient_norms_figure(
    epochs: Sequence[int] | np.ndarray,
    grad_norms: np.ndarray,
    *,
    layer_names: Sequence[str] | None = None,
    max_points: int = 300,
    title: str = "Gradient norm per layer",
    height: int = 380,
) -> go.Figure:
    """||dW|| of each layer against epoch on a log axis, with the vanishing / exploding zones shaded.

    ``grad_norms`` has one row per record and one column per layer (layer 1 = first hidden).
    In a deep sigmoid or badly initialised net the first layers sink many decades below the last.
    """
    norms = np.asarray(grad_norms, dtype=float)
    epochs = np.asarray(epochs)
    if norms.ndim != 2 or norms.shape[0] != len(epochs):
        raise ValueError(
            f"grad_norms must have one row per epoch ({len(epochs)}) and one column per layer; "
            f"got shape {norms.shape}")
    names = list(layer_names) if layer_names is not None else [
        f"layer {i + 1}" for i in range(norms.shape[1])]
    if len(names) != norms.shape[1]:
        raise ValueError(f"layer_names has {len(names)} names for {norms.shape[1]} layers")
    keep = downsample_index(len(epochs), max_points)
    fig = go.Figure()
    for i, name in enumerate(names):
        # Zero norms (zeros init, dead layers) cannot be drawn on a log axis: leave a gap.
        values = np.where(norms[keep, i] > 0, norms[keep, i], np.nan)
        fig.add_trace(go.Scatter(
            x=epochs[keep], y=values, mode="lines", name=name,
            line={"color": SERIES[i % len(SERIES)], "width": 2},
            hovertemplate=f"{name}<br>epoch %{{x}}<br>||dW|| %{{y:.3g}}<extra></extra>",
        ))
    finite = norms[np.isfinite(norms) & (norms > 0)]
    stuck = [name for i, name in enumerate(names) if norms.size and np.all(norms[:, i] == 0)]
    if stuck:
        # A log axis cannot show 0: say it, or a stuck network looks like an empty chart.
        fig.add_annotation(text=f"gradient exactly 0 for {', '.join(stuck)}: those weights never "
                                "change (zeros init keeps every unit identical)",
                           xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font={"size": 12, "color": COLORS["avoidable bias"]},
                           bgcolor="rgba(255,255,255,0.85)")
    low = min(float(finite.min()) if finite.size else 1e-3, VANISHING_BELOW) / 10
    high = max(float(finite.max()) if finite.size else 1.0, EXPLODING_ABOVE) * 10
    fig.add_hrect(y0=low, y1=VANISHING_BELOW, fillcolor=COLORS["variance"], opacity=0.08, line_width=0)
    fig.add_hrect(y0=EXPLODING_ABOVE, y1=high, fillcolor=COLORS["avoidable bias"], opacity=0.08,
                  line_width=0)
    # Annotations on a log axis take log10 positions (a shape's own label would land wrong).
    for text, value, anchor in (("vanishing (< 1e-6)", VANISHING_BELOW, "top"),
                                ("exploding (> 1e3)", EXPLODING_ABOVE, "bottom")):
        fig.add_annotation(text=text, xref="paper", x=0.01, xanchor="left", y=np.log10(value),
                           yanchor=anchor, showarrow=False, font={"size": 11, "color": "#495057"})
    fig.update_yaxes(type="log", range=[np.log10(low), np.log10(high)], title_text="||dW|| (log)",
                     exponentformat="power")
    fig.update_xaxes(title_text="epoch")
    apply_theme(fig, title=title, height=height)
    return _legend_below(fig, y=-0.2)


def search_scatter_figure(
    trials: pd.DataFrame,
    *,
    best: pd.DataFrame | None = None,
    title: str = "Random search: dev error against learning rate",
    height: int = 420,
) -> go.Figure:
    """Each trial a point: learning rate (log axis) against dev error %, colour = number of layers.

    The best configs (``best``) are ringed, so the coarse-to-fine zoom region shows at a glance.
    """
    missing = {"learning_rate", "dev_error"} - set(trials.columns)
    if missing:
        raise ValueError(f"trials is missing the columns {sorted(missing)}")
    fig = go.Figure()
    depth = trials["hidden"].map(_depth) if "hidden" in trials.columns else pd.Series(0, index=trials.index)
    hover = _trial_hover(trials)
    for i, n_layers in enumerate(sorted(depth.unique())):
        part = trials[depth == n_layers]
        label = f"{n_layers} hidden layer{'s' if n_layers != 1 else ''}" if n_layers else "trials"
        fig.add_trace(go.Scatter(
            x=part["learning_rate"], y=part["dev_error"], mode="markers", name=label,
            marker={"size": 10, "color": SERIES[i % len(SERIES)], "opacity": 0.85,
                    "line": {"width": 1, "color": "white"}},
            text=hover[depth == n_layers], hovertemplate="%{text}<extra></extra>",
        ))
    if best is not None and len(best):
        fig.add_trace(go.Scatter(
            x=best["learning_rate"], y=best["dev_error"], mode="markers", name="best configs",
            marker={"size": 18, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": COLORS["dev"]}},
            hoverinfo="skip",
        ))
    fig.update_xaxes(type="log", title_text="learning rate (log scale)", exponentformat="power")
    fig.update_yaxes(title_text="dev error %", ticksuffix="%", rangemode="tozero")
    apply_theme(fig, title=title, height=height)
    return _legend_below(fig, y=-0.2)


def _depth(hidden: object) -> int:
    """Number of hidden layers from a tuple/list or a "10, 5" string."""
    if isinstance(hidden, str):
        return len([p for p in hidden.replace("-", ",").split(",") if p.strip()])
    try:
        return len(hidden)  # type: ignore[arg-type]
    except TypeError:
        return 1


def _trial_hover(trials: pd.DataFrame) -> pd.Series:
    parts = []
    for column, fmt in (("learning_rate", "lr {:.2g}"), ("beta1", "beta {:.4g}"), ("hidden", "hidden {}"),
                        ("l2", "L2 {:.3g}"), ("keep_prob", "keep_prob {:.2f}"),
                        ("train_error", "train {:.1f}%"), ("dev_error", "dev {:.1f}%")):
        if column in trials.columns:
            parts.append(trials[column].map(lambda v, f=fmt: f.format(v)))
    if not parts:
        return pd.Series("", index=trials.index)
    text = parts[0]
    for p in parts[1:]:
        text = text + "<br>" + p
    return text


def transfer_curves_figure(
    curves: pd.DataFrame,
    *,
    title: str = "Transfer learning: dev error on the small task B",
    height: int = 400,
) -> go.Figure:
    """Dev error against fine-tuning epoch for each strategy (columns epoch, strategy, dev_error)."""
    missing = {"epoch", "strategy", "dev_error"} - set(curves.columns)
    if missing:
        raise ValueError(f"curves is missing the columns {sorted(missing)}")
    fig = go.Figure()
    dashes = ("solid", "dash", "dot", "dashdot")
    for i, (strategy, part) in enumerate(curves.groupby("strategy", sort=False)):
        keep = downsample_index(len(part), 800)
        part = part.iloc[keep]
        fig.add_trace(go.Scatter(
            x=part["epoch"], y=part["dev_error"], mode="lines", name=str(strategy),
            line={"color": SERIES[i % len(SERIES)], "width": 2.5, "dash": dashes[i % len(dashes)]},
            hovertemplate=f"{strategy}<br>epoch %{{x}}<br>dev error %{{y:.1f}}%<extra></extra>",
        ))
    fig.update_xaxes(title_text="epoch of training on task B")
    fig.update_yaxes(title_text="dev error on task B %", ticksuffix="%", rangemode="tozero")
    apply_theme(fig, title=title, height=height)
    return _legend_below(fig, y=-0.2)


def ewa_figure(
    t: np.ndarray,
    values: np.ndarray,
    averages: Mapping[str, np.ndarray],
    *,
    beta: float,
    title: str | None = None,
    height: int = 400,
) -> go.Figure:
    """A noisy series (dots) and its exponentially weighted averages (lines).

    ``averages`` maps a legend label to a curve (e.g. "with bias correction" and "without"),
    so the bias correction's effect on the first ~1/(1-beta) steps is visible side by side.
    """
    t = np.asarray(t)
    values = np.asarray(values, dtype=float)
    if len(t) != len(values):
        raise ValueError(f"t has {len(t)} points but values has {len(values)}")
    memory = 1.0 / (1.0 - beta) if beta < 1 else float("inf")
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t, y=values, mode="markers", name="observed θ_t",
                             marker={"size": 5, "color": COLORS["neutral"], "opacity": 0.55},
                             hovertemplate="t %{x}<br>θ %{y:.2f}<extra></extra>"))
    colours = (COLORS["dev"], COLORS["train"], COLORS["human"])
    for i, (label, curve) in enumerate(averages.items()):
        curve = np.asarray(curve, dtype=float)
        if len(curve) != len(t):
            raise ValueError(f"average '{label}' has {len(curve)} points, expected {len(t)}")
        fig.add_trace(go.Scatter(
            x=t, y=curve, mode="lines", name=label,
            line={"color": colours[i % len(colours)], "width": 3 if i == 0 else 2,
                  "dash": "solid" if i == 0 else "dash"},
            hovertemplate=f"{label}<br>t %{{x}}<br>V %{{y:.2f}}<extra></extra>",
        ))
    if np.isfinite(memory) and memory < len(t):
        fig.add_vrect(x0=t[0], x1=t[0] + memory, fillcolor=COLORS["variance"], opacity=0.07,
                      line_width=0, annotation_text=f"≈ 1/(1-β) = {memory:.0f} steps",
                      annotation_position="top left")
    fig.update_xaxes(title_text="t (day)")
    fig.update_yaxes(title_text="temperature θ (°C)")
    apply_theme(fig, title=title or f"Exponentially weighted average, β = {beta:g}", height=height)
    return _legend_below(fig, y=-0.2)
