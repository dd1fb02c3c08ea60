"""The training lab's comparison figures draw the numbers they are given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from charts.lab_panels import curve_points_figure, multitask_figure, remedy_gap_figure


def test_remedy_bars_are_the_mean_errors_with_the_gap_written_above():
    runs = pd.DataFrame({"remedy": ["none", "augmentation", "none", "augmentation"],
                         "train_error": [0.0, 4.0, 2.0, 6.0], "dev_error": [12.0, 8.0, 14.0, 6.0],
                         "gap": [12.0, 4.0, 12.0, 0.0]})
    train, dev = remedy_gap_figure(runs).data
    assert list(train.x) == ["none", "augmentation"]
    assert np.allclose(train.y, [1.0, 5.0]) and np.allclose(dev.y, [13.0, 7.0])
    assert list(dev.text) == ["gap 12.0 pts", "gap 2.0 pts"]


def test_remedy_names_are_escaped():
    runs = pd.DataFrame({"remedy": ["<b>x</b>"], "train_error": [1.0], "dev_error": [2.0],
                         "gap": [1.0]})
    assert list(remedy_gap_figure(runs).data[0].x) == ["&lt;b&gt;x&lt;/b&gt;"]


def test_learning_curve_points_and_bayes_line_only_when_known():
    frame = pd.DataFrame({"size": [25, 50, 100], "train_error": [0.0, 1.0, 3.0],
                          "dev_error": [20.0, 15.0, 12.0]})
    known = curve_points_figure(frame, bayes_error=8.5)
    assert list(known.data[0].x) == [25, 50, 100] and list(known.data[1].y) == [20.0, 15.0, 12.0]
    assert known.layout.shapes[0].y0 == 8.5
    unknown = curve_points_figure(frame, bayes_error=float("nan"))
    assert not unknown.layout.shapes
    assert "nan" not in unknown.to_json().lower()


def test_multitask_bars_per_task():
    per_task = pd.DataFrame({"task": [1, 2], "multi_task": [4.0, 5.0], "separate": [6.0, 7.0]})
    joint, alone = multitask_figure(per_task).data
    assert list(joint.x) == ["task 1", "task 2"] and list(alone.y) == [6.0, 7.0]


def test_missing_columns_and_empty_tables_are_named():
    with pytest.raises(ValueError, match="missing \\['gap'\\]"):
        remedy_gap_figure(pd.DataFrame({"remedy": [], "train_error": [], "dev_error": []}))
    with pytest.raises(ValueError, match="per_task is empty"):
        multitask_figure(pd.DataFrame({"task": [], "multi_task": [], "separate": []}))
