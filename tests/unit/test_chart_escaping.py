"""Every chart builder draws a teammate's names as text: a category, source, class, model, slice,
task or snapshot named like an HTML tag or a link never becomes plotly markup (plotly draws
<a href>, <b>, <span style> and <br> in any title, tick, legend, hover or bar label)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.bias_variance import decompose
from analysis.error_analysis import category_summary, co_occurrence
from analysis.metrics import score_curve, slice_metrics
from analysis.selection import compare_models
from analysis.splits import plan_splits
from charts.error_analysis import ceiling_chart, co_occurrence_chart
from charts.metrics import (
    comparison_figure,
    confusion_heatmap,
    pr_figure,
    roc_figure,
    slice_bar_figure,
    task_bar_figure,
)
from charts.splits import allocation_figure, composition_figure
from charts.waterfall import history_figure

LINK = '<a href="http://evil.example">win</a>'
IMAGE = "<img src=http://evil.example/x.png>"
STYLED = '<span style="font-size:90px">big</span>'
HOSTILE = (LINK, IMAGE, STYLED)
LIVE_TAGS = ("<a href", "<img", "<span")  # what a hostile name would bring in if drawn raw
ESCAPED = ("&lt;a href=&quot;http://evil.example&quot;&gt;", "&lt;img src=", "&lt;span style=")


def _strings(value: object) -> Iterator[str]:
    """Every string anywhere in a figure's JSON (data and layout)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple | np.ndarray):
        for item in value:
            yield from _strings(item)


def _check(fig: go.Figure, *, escaped: tuple[str, ...] = ESCAPED) -> None:
    texts = list(_strings(fig.to_plotly_json()))
    live = [t for t in texts if any(tag in t for tag in LIVE_TAGS)]
    assert live == [], f"raw markup drawn by plotly: {live[:3]}"
    joined = "\n".join(texts)
    for form in escaped:
        assert form in joined, f"{form!r} not shown (escaped) in the figure"
    templates = [t["hovertemplate"] for t in fig.to_plotly_json()["data"] if t.get("hovertemplate")]
    assert not any("evil" in t for t in templates), "a name reached a hover template"


def test_categories_are_escaped_in_the_ceiling_and_co_occurrence_charts():
    sheet = pd.DataFrame({c: [True, False, True, True] for c in HOSTILE})
    summary = category_summary(sheet, list(HOSTILE), 10.0)
    _check(ceiling_chart(summary))
    _check(co_occurrence_chart(co_occurrence(sheet, list(HOSTILE))))


@pytest.mark.parametrize("as_share", [True, False])
def test_source_names_are_escaped_in_both_split_charts(as_share: bool):
    plan = plan_splits({LINK: 200_000, IMAGE: 10_000, STYLED: 5_000}, target=IMAGE)
    _check(composition_figure(plan.table(), target=IMAGE, as_share=as_share))
    _check(allocation_figure(plan.table()))


def test_class_labels_are_escaped_in_the_confusion_heatmap():
    confusion = np.array([[5, 1, 0], [2, 7, 1], [0, 1, 9]])
    _check(confusion_heatmap(confusion, list(HOSTILE)))


def test_model_names_are_escaped_in_roc_pr_and_the_a_b_chart():
    truth = np.array([0, 1, 1, 0, 1, 0, 1, 1])
    curves = {LINK: score_curve(truth, np.linspace(0.1, 0.9, 8)),
              IMAGE: score_curve(truth, np.linspace(0.9, 0.1, 8)),
              STYLED: score_curve(truth, np.full(8, 0.5) + np.arange(8) / 100)}
    _check(roc_figure(curves, threshold=0.5))
    _check(pr_figure(curves, threshold=0.5))
    comparison = compare_models(truth, truth, 1 - truth, names=(LINK, IMAGE), n_boot=100)
    _check(comparison_figure(comparison), escaped=ESCAPED[:2])


def test_slice_values_and_the_slice_column_are_escaped():
    truth = np.array([0, 1] * 9)
    predicted = np.array([0, 1, 1] * 6)
    groups = np.array([LINK, IMAGE, STYLED] * 6, dtype=object)
    fig = slice_bar_figure(slice_metrics(truth, predicted, groups, column=STYLED))
    _check(fig)
    assert fig.layout.xaxis.title.text.startswith("&lt;span")


def test_task_names_are_escaped_in_the_per_task_bars():
    per_task = pd.DataFrame({"task": list(HOSTILE), "precision": [0.9, 0.8, 0.7],
                             "recall": [0.5, 0.6, 0.7], "f1": [0.6, 0.7, 0.7]})
    _check(task_bar_figure(per_task))


def test_snapshot_names_are_escaped_in_the_history_chart():
    snapshots = [(name, decompose(human=1, train=t, dev=d))
                 for name, (t, d) in zip(HOSTILE, ((15, 16), (5, 11), (1, 8)), strict=True)]
    _check(history_figure(snapshots))
