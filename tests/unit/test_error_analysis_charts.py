"""Figures of the error-analysis page, checked without a browser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.error_analysis import category_summary, co_occurrence
from charts.error_analysis import (
    ceiling_chart,
    co_occurrence_chart,
    summary_display_table,
)


def sheet() -> pd.DataFrame:
    rows = np.arange(100)
    return pd.DataFrame({"dog": rows < 8, "great_cat": (rows >= 20) & (rows < 63),
                         "blurry": rows >= 39})


def test_ceiling_chart_draws_one_bar_per_category_biggest_gain_on_top():
    summary = category_summary(sheet(), ["dog", "great_cat", "blurry"], 10.0)
    fig = ceiling_chart(summary)
    bar = fig.data[0]
    assert list(bar.y) == ["dog", "great cat", "blurry"]  # plotly draws the first at the bottom
    assert list(bar.x) == pytest.approx([9.2, 5.7, 3.9])
    assert list(bar.text) == ["9.2%", "5.7%", "3.9%"]
    assert bar.error_x.array is None  # no interval when the sheet is not a sample
    assert fig.layout.shapes[0].x0 == 10.0  # today's dev error as the reference line
    assert fig.layout.xaxis.range == pytest.approx((0, 11.2))


def test_ceiling_chart_shows_the_interval_of_a_sample():
    summary = category_summary(sheet(), ["dog", "great_cat", "blurry"], 10.0,
                               total_dev_errors=1000)
    bar = ceiling_chart(summary).data[0]
    table = summary.table.iloc[::-1]
    assert list(bar.error_x.array) == pytest.approx(table["ceiling_high"] - table["ceiling"])
    assert list(bar.error_x.arrayminus) == pytest.approx(table["ceiling"] - table["ceiling_low"])


def test_co_occurrence_heatmap_prints_each_count():
    matrix = co_occurrence(sheet(), ["dog", "great_cat", "blurry"])
    heat = co_occurrence_chart(matrix).data[0]
    assert list(heat.x) == ["dog", "great cat", "blurry"]
    assert np.asarray(heat.z).tolist() == matrix.to_numpy().tolist()
    assert np.asarray(heat.z)[1][2] == 24  # 24 blurry great cats
    assert (heat.zmin, heat.zmax) == (0, 61)


def test_an_all_zero_co_occurrence_stays_pale():
    empty = pd.DataFrame({"dog": [False] * 3, "blurry": [False] * 3})
    heat = co_occurrence_chart(co_occurrence(empty, ["dog", "blurry"])).data[0]
    assert (heat.zmin, heat.zmax) == (0, 1)


def test_display_table_shows_percentages_and_intervals_only_for_a_sample():
    names = ["dog", "great_cat", "blurry"]
    plain = summary_display_table(category_summary(sheet(), names, 10.0))
    assert plain.columns.tolist() == ["category", "errors", "share", "best dev error"]
    assert plain.iloc[0].tolist() == ["blurry", 61, "61%", "3.9%"]
    sampled = summary_display_table(category_summary(sheet(), names, 10.0, total_dev_errors=500))
    row = sampled.iloc[0]
    assert row["share"] == "61% (51–70%)" and row["best dev error"] == "3.9%"
    assert row["of all 500"].startswith("≈305 (")
