"""The strategy page's pure helpers: form rows -> goal, the goal's target error, stored log and
learning-curve content, and typed amounts for the advisors."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.strategy import IterationEntry, ProjectGoal
from analysis.strategy.stored import (
    curve_content,
    curve_table,
    log_content,
    log_entries,
    target_error_pct,
)
from components.project_goal import goal_from_form, parse_amounts

BOUND_COLUMNS = ["metric", "operator", "threshold", "unit"]


def _bounds(*rows: list) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=BOUND_COLUMNS)


def _humans(**levels: float) -> pd.DataFrame:
    return pd.DataFrame({"reference": list(levels), "error_pct": list(levels.values())})


def test_goal_from_form_reads_bounds_humans_and_sets():
    bounds = _bounds(["running_time_ms", "<=", 100.0, "ms"], [None, None, math.nan, None],
                     ["model_size_mb", "<=", 50.0, None])
    values = {"metric": " accuracy ", "direction": "max", "target": 95.0, "metric_unit": "%",
              "false_positive_cost": 10.0, "false_negative_cost": 1.0,
              "dev_distribution": "mobile uploads", "dev_size": 1500,
              "test_distribution": "mobile uploads", "test_size": 1500,
              "bayes_error_pct": None, "task_kind": "perception"}
    goal = goal_from_form(values, bounds, _humans(doctor=1.0, team=0.5))
    assert goal.metric == "accuracy"  # stripped
    assert [b.describe() for b in goal.satisficing] == ["running_time_ms <= 100 ms",
                                                        "model_size_mb <= 50"]
    assert goal.dev_set.size == 1500 and goal.test_set.distribution == "mobile uploads"
    assert goal.bayes_proxy_pct == 0.5 and goal.false_positive_cost == 10.0


def test_goal_from_form_names_a_half_filled_set_and_a_bound_on_the_metric():
    empty = _bounds()
    with pytest.raises(ValueError, match="the test set: give both"):
        goal_from_form({"metric": "accuracy", "test_size": 100}, empty, _humans())
    with pytest.raises(ValueError, match="optimized or satisficed"):
        goal_from_form({"metric": "accuracy"}, _bounds(["accuracy", ">=", 90.0, "%"]), _humans())
    with pytest.raises(ValueError, match="metric must be a non-empty text"):
        goal_from_form({"metric": "  "}, empty, _humans())


@pytest.mark.parametrize(("goal", "expected"), [
    (ProjectGoal("accuracy", target=95, metric_unit="%"), 5.0),
    (ProjectGoal("error", direction="min", target=2.5, metric_unit="%"), 2.5),
    (ProjectGoal("f1", target=0.9), None),  # not a percentage
    (ProjectGoal("accuracy", metric_unit="%"), None),  # no target
    (None, None),
])
def test_target_error_pct(goal, expected):
    assert target_error_pct(goal) == expected


def test_log_content_round_trips_and_refuses_other_shapes():
    entries = [IterationEntry("2026-10-05", "bigger network", "avoidable bias", snapshot="v1"),
               IterationEntry("2026-10-12", "change the metric", "real world",
                              decision="weight the errors users mind", users_unhappy=True)]
    assert log_entries(log_content(entries)) == entries
    with pytest.raises(ValueError, match="no list of entries"):
        log_entries({"entries": "v1"})


def test_curve_content_drops_empty_rows_and_round_trips():
    table = pd.DataFrame({"size": [100.0, None, 200.0], "train_error_pct": [1.0, None, None],
                          "dev_error_pct": [20.0, None, 15.0]})
    content = curve_content(table)
    assert content["rows"] == [[100.0, 1.0, 20.0], [200.0, None, 15.0]]
    back = curve_table(content)
    assert back["size"].tolist() == [100.0, 200.0] and math.isnan(back["train_error_pct"][1])
    assert curve_table(None).empty and list(curve_table(None).columns) == list(table.columns)


def test_parse_amounts_reads_repeats_and_thousands():
    assert parse_amounts("100 x 1,000") == [1000.0] * 100
    assert parse_amounts("3_000; 3000\n500") == [3000.0, 3000.0, 500.0]
    assert parse_amounts("") == []
    with pytest.raises(ValueError, match="'lots' is not an amount"):
        parse_amounts("10; lots")
    with pytest.raises(ValueError, match="at most 10,000"):
        parse_amounts("20000 x 1")
