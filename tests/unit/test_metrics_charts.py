"""charts/metrics.py: figures built from analysis results, checked without a browser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.metrics import multiclass_metrics, multilabel_metrics, score_curve, slice_metrics
from analysis.selection import compare_models, select_model
from charts.metrics import (
    FAILED_STYLE,
    WINNER_STYLE,
    comparison_figure,
    confusion_heatmap,
    model_row_styles,
    pr_figure,
    roc_figure,
    slice_bar_figure,
    styled_model_table,
    task_bar_figure,
    threshold_figure,
)


def _curve(seed: int = 0, n: int = 50_000):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1)
    return score_curve(y, s)


def test_confusion_heatmap_counts_and_normalised_rows():
    m = multiclass_metrics(["cat", "cat", "dog", "bird"], ["cat", "dog", "dog", "cat"])
    counts = confusion_heatmap(m.confusion, m.labels)
    heat = counts.data[0]
    assert isinstance(heat, go.Heatmap) and list(heat.x) == ["bird", "cat", "dog"]
    assert heat.text[1][1].startswith("1<br>")
    rows = confusion_heatmap(m.confusion, m.labels, normalise="true").data[0]
    assert np.allclose(np.asarray(rows.z).sum(axis=1), 1.0)
    assert "share of each true class" in confusion_heatmap(m.confusion, m.labels, normalise="true").layout.title.text
    with pytest.raises(ValueError, match="normalise must be one of"):
        confusion_heatmap(m.confusion, m.labels, normalise="rows")
    with pytest.raises(ValueError, match="3 labels were given"):
        confusion_heatmap(np.zeros((2, 2)), m.labels)


def test_roc_figure_is_downsampled_and_marks_the_threshold():
    curve = _curve()
    fig = roc_figure({"model A": curve}, threshold=0.5)
    line = next(t for t in fig.data if t.name.startswith("model A"))
    assert len(line.x) <= 2000 and "AUC" in line.name
    marker = next(t for t in fig.data if t.mode == "markers")
    counts = curve.counts_at(0.5)
    assert marker.x[0] == pytest.approx(counts["fp"] / curve.n_neg)
    assert marker.y[0] == pytest.approx(counts["tp"] / curve.n_pos)


def test_roc_and_pr_draw_one_line_per_model():
    curves = {"A": _curve(0, 3000), "B": _curve(1, 3000)}
    roc = roc_figure(curves, threshold=0.3)
    assert [t.name for t in roc.data if t.mode == "lines"][1:] == [
        f"A (AUC {curves['A'].roc_auc():.3f})", f"B (AUC {curves['B'].roc_auc():.3f})"]
    pr = pr_figure(curves, threshold=0.3)
    lines = [t for t in pr.data if t.mode == "lines"]
    assert len(lines) == 2 and "AP" in lines[0].name
    assert len([t for t in pr.data if t.mode == "markers"]) == 2


def test_pr_marker_is_precision_and_recall_at_threshold():
    curve = _curve(2, 5000)
    marker = next(t for t in pr_figure({"A": curve}, threshold=0.6).data if t.mode == "markers")
    counts = curve.counts_at(0.6)
    assert marker.x[0] == pytest.approx(counts["tp"] / curve.n_pos)
    assert marker.y[0] == pytest.approx(counts["tp"] / (counts["tp"] + counts["fp"]))


def test_one_class_curve_is_left_out_instead_of_crashing():
    fig = roc_figure({"A": score_curve([1, 1, 1], [0.2, 0.5, 0.9])}, threshold=0.5)
    assert [t.name for t in fig.data] == ["chance"]


def test_threshold_figure_has_four_series_and_both_lines():
    fig = threshold_figure(_curve(), threshold=0.4, best_threshold=0.55)
    assert [t.name for t in fig.data] == ["Precision", "Recall", "F1", "Queue rate (share flagged)"]
    assert all(len(t.x) <= 2000 for t in fig.data)
    assert len(fig.layout.shapes) == 2


def test_slice_bar_figure_marks_average_and_worst():
    regions = np.repeat(["US", "China", "India", "Other"], 100)
    y = np.zeros(400, dtype=int)
    p = y.copy()
    p[[0, 1, 2, 100, 101, 102, 103, 200, 201, 202, 203, 204]] = 1
    p[300:308] = 1
    fig = slice_bar_figure(slice_metrics(y, p, regions, column="region"))
    bar = fig.data[0]
    assert list(bar.x) == ["Other", "India", "China", "US"]
    assert bar.marker.color[0] != bar.marker.color[1]
    assert fig.layout.shapes[0].y0 == pytest.approx(0.05)


def test_task_bar_figure_groups_three_metrics_per_task():
    truth = np.array([[1, 0], [0, np.nan], [1, 1], [0, 1]], dtype=float)
    m = multilabel_metrics(truth, y_pred=[[1, 0], [1, 1], [0, 1], [0, 1]], task_names=["car", "stop"])
    fig = task_bar_figure(m.per_task)
    assert [t.name for t in fig.data] == ["Precision", "Recall", "F1"]
    assert list(fig.data[0].x) == ["car", "stop"]


def test_comparison_figure_titles_the_difference():
    truth = np.zeros(200, dtype=int)
    a, b = truth.copy(), truth.copy()
    a[:20] = 1
    b[:5] = 1
    fig = comparison_figure(compare_models(truth, a, b))
    assert list(fig.data[0].x) == [0.10, 0.025]
    assert "+7.50 pts" in fig.layout.title.text


def test_model_table_highlights_the_winner_and_greys_failures():
    table = pd.DataFrame({"model": ["A", "B", "C"], "accuracy": [90, 92, 95],
                          "running_time_ms": [80, 95, 1500]}, index=[10, 11, 12])
    selection = select_model(table, optimize="accuracy", satisfy={"running_time_ms": ("<=", 100)})
    assert model_row_styles(selection) == ["", WINNER_STYLE, FAILED_STYLE]
    html = styled_model_table(selection).to_html()
    assert "#d3f9d8" in html and "meets constraints" in html
