"""The lab panels' small pure helpers: sizes typed by the user, the rows handed to the
strategy page, unknown percentages, and the one-output config for uploaded points."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.training import LabConfig
from components.lab_own_data import binary_config, percent
from components.lab_remedies import learning_curve_table, parse_sizes


def test_sizes_are_parsed_and_a_bad_one_is_named():
    assert parse_sizes(" 25, 50 ,100") == [25, 50, 100]
    with pytest.raises(ValueError, match="got 'lots'"):
        parse_sizes("25, lots")
    with pytest.raises(ValueError, match="got '1'"):
        parse_sizes("1, 50")


def test_learning_curve_table_has_the_saved_curves_columns():
    frame = pd.DataFrame({"size": [25, 50], "train_error": [0.0, 2.5], "dev_error": [20.0, 15.0]})
    table = learning_curve_table(frame)
    assert table.to_dict("records") == [
        {"size": 25, "train_error_pct": 0.0, "dev_error_pct": 20.0},
        {"size": 50, "train_error_pct": 2.5, "dev_error_pct": 15.0}]


def test_unknown_percentages_show_a_dash_never_nan():
    assert percent(float("nan")) == "–" and percent(None) == "–"
    assert percent(12.345) == "12.3%"


def test_uploaded_points_get_a_single_sigmoid_output():
    assert binary_config(LabConfig(dataset="blobs")).layer_dims[-1] == 1
    moons = LabConfig(dataset="moons")
    assert binary_config(moons) is moons
