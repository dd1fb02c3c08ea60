"""The training lab's figure builders, fed synthetic histories (no training, no browser)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from charts.lab import (
    EXPLODING_ABOVE,
    VANISHING_BELOW,
    class_color,
    decision_boundary_figure,
    downsample_index,
    ewa_figure,
    gradient_norms_figure,
    learning_curves_figure,
    log_ticks,
    search_scatter_figure,
    transfer_curves_figure,
)
from charts.theme import COLORS


def _history(n: int = 50) -> pd.DataFrame:
    epoch = np.arange(1, n + 1)
    return pd.DataFrame({
        "epoch": epoch,
        "cost": 0.7 * np.exp(-epoch / 20) + 0.01,
        "train_error": np.linspace(40, 3, n),
        "train_dev_error": np.linspace(42, 6, n),
        "dev_error": np.linspace(45, 11, n),
    })


def _grid(binary: bool = True):
    xs = np.linspace(-2, 2, 30)
    ys = np.linspace(-1.5, 1.5, 20)
    xx, yy = np.meshgrid(xs, ys)
    Z = 1 / (1 + np.exp(-(xx**2 + yy**2 - 1))) if binary else (xx > 0).astype(int) + (yy > 0)
    return xs, ys, Z


# --- downsampling (drawing only) -------------------------------------------------------------

def test_downsample_keeps_short_series_whole():
    assert downsample_index(7, 100).tolist() == list(range(7))


def test_downsample_keeps_first_and_last_epoch():
    idx = downsample_index(15_000, 1000)
    assert idx[0] == 0 and idx[-1] == 14_999
    assert len(idx) <= 1000


@given(n=st.integers(0, 5000), m=st.integers(2, 500))
def test_downsample_is_sorted_unique_and_bounded(n, m):
    idx = downsample_index(n, m)
    assert len(idx) == min(n, m) or (n > m and len(idx) <= m)
    assert np.all(np.diff(idx) > 0)
    if n:
        assert idx[0] == 0 and idx[-1] == n - 1


def test_downsample_rejects_too_few_points():
    with pytest.raises(ValueError, match="max_points"):
        downsample_index(10, 1)


# --- decision boundary ------------------------------------------------------------------------

def test_binary_boundary_has_heatmap_contour_and_both_splits():
    xs, ys, Z = _grid()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    fig = decision_boundary_figure(xs, ys, Z, X_train=X, y_train=y, X_dev=X[:10], y_dev=y[:10])
    kinds = [type(t).__name__ for t in fig.data]
    assert kinds[:2] == ["Heatmap", "Contour"]
    names = [t.name for t in fig.data[2:]]
    assert names == ["train · class 0", "train · class 1", "dev · class 0", "dev · class 1"]
    heat = fig.data[0]
    assert (heat.zmin, heat.zmax) == (0.0, 1.0)
    # Every training point is drawn, split by class.
    assert len(fig.data[2].x) + len(fig.data[3].x) == 40
    # Equal aspect ratio: circles look like circles.
    assert fig.layout.yaxis.scaleanchor == "x"


def test_multiclass_boundary_uses_discrete_bands_and_class_colours():
    xs, ys, Z = _grid(binary=False)
    X = np.array([[0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]])
    y = np.array([2, 0, 1])
    fig = decision_boundary_figure(xs, ys, Z, X_train=X, y_train=y, n_classes=3)
    assert isinstance(fig.data[0], go.Heatmap)
    assert (fig.data[0].zmin, fig.data[0].zmax) == (-0.5, 2.5)
    points = [t for t in fig.data if isinstance(t, go.Scatter)]
    assert [t.marker.color for t in points] == [class_color(k, 3) for k in range(3)]


def test_boundary_rejects_grid_of_wrong_shape():
    xs, ys, Z = _grid()
    with pytest.raises(ValueError, match="Z has shape"):
        decision_boundary_figure(xs, ys, Z.T, X_train=np.zeros((1, 2)), y_train=np.zeros(1))


# --- curves ------------------------------------------------------------------------------------

def test_curves_draw_cost_on_log_axis_and_three_errors_with_bayes_line():
    fig = learning_curves_figure(_history(), bayes_error=5.0)
    names = [t.name for t in fig.data]
    assert names == ["cost", "train error", "train-dev error", "dev error"]
    assert fig.layout.yaxis.type == "log"
    assert [t.line.color for t in fig.data[1:]] == [COLORS["train"], COLORS["train-dev"], COLORS["dev"]]
    assert any("Bayes error 5.0%" in (a.text or "") for a in fig.layout.annotations)
    assert fig.data[3].y[-1] == pytest.approx(11.0)


def test_curves_downsample_long_runs_but_keep_the_last_epoch():
    fig = learning_curves_figure(_history(15_000), max_points=500)
    assert len(fig.data[0].x) <= 500
    assert fig.data[0].x[-1] == 15_000


def test_cost_axis_gets_readable_one_two_five_ticks():
    fig = learning_curves_figure(_history())
    ticks = list(fig.layout.yaxis.tickvals)
    cost = fig.data[0].y
    assert ticks[0] <= min(cost) and ticks[-1] >= max(cost)
    assert set(ticks) <= {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0}


@given(low=st.floats(1e-6, 1e3), factor=st.floats(1.0, 1e6))
def test_log_ticks_always_bracket_the_range(low, factor):
    ticks = log_ticks(low, low * factor)
    assert ticks[0] <= low * (1 + 1e-9) and ticks[-1] >= low * factor * (1 - 1e-9)
    assert ticks == sorted(ticks) and len(ticks) <= 12


def test_log_ticks_reject_non_positive_ranges():
    with pytest.raises(ValueError, match="0 < low"):
        log_ticks(0.0, 1.0)


def test_diverged_cost_falls_back_to_linear_axis():
    history = _history(3).assign(cost=[np.nan, np.inf, np.nan])
    fig = learning_curves_figure(history)
    assert fig.layout.yaxis.type == "linear"


def test_curves_name_missing_columns():
    with pytest.raises(ValueError, match="dev_error"):
        learning_curves_figure(_history().drop(columns="dev_error"))


def test_empty_history_still_draws_axes():
    fig = learning_curves_figure(_history().iloc[:0])
    assert len(fig.data) == 4 and len(fig.data[0].x) == 0


# --- gradient norms ----------------------------------------------------------------------------

def test_vanishing_layers_sit_decades_below_on_a_log_axis():
    epochs = np.arange(1, 21)
    norms = np.column_stack([np.full(20, 1e-8), np.full(20, 1e-4), np.full(20, 0.5)])
    fig = gradient_norms_figure(epochs, norms)
    assert fig.layout.yaxis.type == "log"
    assert [t.name for t in fig.data] == ["layer 1", "layer 2", "layer 3"]
    low, high = fig.layout.yaxis.range
    assert low <= np.log10(1e-8) and high >= np.log10(EXPLODING_ABOVE)
    zones = [s for s in fig.layout.shapes if s.type == "rect"]
    assert {(s.y0, s.y1)[1] for s in zones} >= {VANISHING_BELOW}
    texts = {a.text for a in fig.layout.annotations}
    assert {"vanishing (< 1e-6)", "exploding (> 1e3)"} <= texts
    assert {a.y for a in fig.layout.annotations} == {-6.0, 3.0}  # log10 positions on a log axis


def test_zero_gradients_leave_gaps_instead_of_breaking_the_log_axis():
    fig = gradient_norms_figure([1, 2], np.array([[0.0, 1.0], [0.0, 2.0]]), layer_names=["W1", "W2"])
    assert np.isnan(np.asarray(fig.data[0].y, dtype=float)).all()
    assert fig.data[1].name == "W2"
    assert any("exactly 0 for W1" in (a.text or "") for a in fig.layout.annotations)


def test_live_gradients_carry_no_stuck_note():
    fig = gradient_norms_figure([1, 2], np.array([[0.1, 1.0], [0.2, 2.0]]))
    assert not any("exactly 0" in (a.text or "") for a in fig.layout.annotations)


def test_gradient_norms_shape_is_checked():
    with pytest.raises(ValueError, match="one row per epoch"):
        gradient_norms_figure([1, 2, 3], np.ones((2, 2)))
    with pytest.raises(ValueError, match="layer_names"):
        gradient_norms_figure([1], np.ones((1, 2)), layer_names=["only one"])


# --- search, transfer, EWA ---------------------------------------------------------------------

def _trials() -> pd.DataFrame:
    return pd.DataFrame({
        "learning_rate": [1e-4, 1e-3, 1e-2, 1e-1, 0.5],
        "beta1": [0.9, 0.99, 0.9, 0.999, 0.95],
        "hidden": [(4,), (8, 4), (8, 4), (16,), (4, 4, 4)],
        "l2": [0.0, 0.1, 0.01, 0.0, 0.5],
        "keep_prob": [1.0, 0.8, 0.9, 1.0, 0.7],
        "train_error": [30.0, 12.0, 4.0, 6.0, 48.0],
        "dev_error": [32.0, 14.0, 6.0, 9.0, 50.0],
        "cost": [0.6, 0.3, 0.1, 0.15, 0.69],
    })


def test_search_scatter_uses_log_learning_rate_and_rings_the_best():
    trials = _trials()
    best = trials.nsmallest(2, "dev_error")
    fig = search_scatter_figure(trials, best=best)
    assert fig.layout.xaxis.type == "log"
    groups = {t.name: len(t.x) for t in fig.data if t.name != "best configs"}
    assert groups == {"1 hidden layer": 2, "2 hidden layers": 2, "3 hidden layers": 1}
    ring = fig.data[-1]
    assert ring.name == "best configs" and list(ring.y) == [6.0, 9.0]
    assert "lr 0.01" in fig.data[1].text[1] or "lr 0.01" in "".join(fig.data[1].text)


def test_search_scatter_names_missing_columns():
    with pytest.raises(ValueError, match="learning_rate"):
        search_scatter_figure(pd.DataFrame({"dev_error": [1.0]}))


def test_transfer_curves_one_line_per_strategy():
    curves = pd.DataFrame({
        "epoch": [1, 2, 1, 2, 1, 2],
        "strategy": ["from scratch"] * 2 + ["fine-tune last layer"] * 2 + ["fine-tune all layers"] * 2,
        "dev_error": [40, 30, 20, 15, 18, 10],
    })
    fig = transfer_curves_figure(curves)
    assert [t.name for t in fig.data] == ["from scratch", "fine-tune last layer", "fine-tune all layers"]
    assert list(fig.data[2].y) == [18, 10]


def test_ewa_figure_marks_the_memory_window():
    t = np.arange(1, 101)
    values = np.sin(t / 10)
    fig = ewa_figure(t, values, {"bias-corrected": values, "uncorrected": values * 0.5}, beta=0.9)
    assert [tr.name for tr in fig.data] == ["observed θ_t", "bias-corrected", "uncorrected"]
    assert any("10 steps" in (a.text or "") for a in fig.layout.annotations)
    assert "0.9" in fig.layout.title.text


def test_ewa_figure_checks_lengths():
    with pytest.raises(ValueError, match="values has"):
        ewa_figure(np.arange(3), np.arange(4), {}, beta=0.9)
    with pytest.raises(ValueError, match="average 'v'"):
        ewa_figure(np.arange(3), np.arange(3), {"v": np.arange(2)}, beta=0.9)
