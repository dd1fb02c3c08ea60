"""The Bias & variance page reads the project goal: its target as a line on the waterfall and
a note under the diagnosis, its bounds, its Bayes estimate; and the general-formulation grid
starts from the project's own numbers (latest snapshot, else the goal) instead of the course's
example."""

from __future__ import annotations

import math

from streamlit.testing.v1 import AppTest

from analysis.bias_variance import decompose
from analysis.strategy import ProjectGoal
from storage import WorkspaceStore
from tests.app.conftest import open_view, texts
from workspace.kinds import PROJECT_GOAL, WATERFALL_SNAPSHOT

PAGE = "views/waterfall.py"


def _save(store_url: str, kind, name: str, obj) -> None:
    store = WorkspaceStore(store_url)
    store.save_item(store.list_workspaces()[0].id, kind.name, name, content=kind.to_content(obj))


def _goal(**extra) -> ProjectGoal:
    return ProjectGoal("accuracy", target=95.0, metric_unit="%",
                       satisficing=[("running_time_ms", "<=", 100, "ms")],
                       human_error_pct={"team": 0.5}, **extra)


def _typed(at: AppTest, **rates: float) -> AppTest:
    for key, value in rates.items():
        at.number_input(key=key).set_value(value)
    return at.run()


def test_the_goal_target_and_bounds_are_read_against_the_waterfall(app_test: AppTest,
                                                                  store_url: str):
    _save(store_url, PROJECT_GOAL, "project goal", _goal())
    at = _typed(open_view(app_test, PAGE), human=0.5, train=2.0, dev=10.0)
    assert not at.error and not at.exception
    note = texts(at.info)
    assert "Against the project goal." in note
    assert "accuracy >= 95%, at most 5% error: dev error 10.00% is 5.00 points above it" in note
    assert "running_time_ms <= 100 ms" in note
    chart = at.get("plotly_chart")[0].proto.spec
    assert "goal: at most 5% error" in chart


def test_without_a_goal_the_page_says_where_to_set_one(app_test: AppTest):
    at = _typed(open_view(app_test, PAGE), human=0.5, train=2.0, dev=10.0)
    assert "No project goal saved" in texts(at.caption)
    assert "goal: at most" not in at.get("plotly_chart")[0].proto.spec


def test_the_grid_starts_from_the_latest_snapshot(app_test: AppTest, store_url: str):
    _save(store_url, WATERFALL_SNAPSHOT, "v1", decompose({"team": 1.0}, 9.0, 10.0, 12.0))
    _save(store_url, WATERFALL_SNAPSHOT, "v2", decompose({"team": 1.0}, 4.0, 5.0, 8.0))
    at = open_view(app_test, PAGE)
    assert "Starts from the latest snapshot, v2." in texts(at.caption)
    table = at.get("data_editor")[0].value
    assert table.iloc[1, 0] == 4.0 and table.iloc[2, 1] == 8.0
    assert "data mismatch is negative" not in texts(at.warning)


def test_the_grid_starts_from_the_goals_bayes_proxy_without_a_snapshot(app_test: AppTest,
                                                                       store_url: str):
    _save(store_url, PROJECT_GOAL, "project goal", _goal(bayes_error_pct=0.3))
    at = open_view(app_test, PAGE)
    assert "Starts from the project goal's Bayes proxy" in texts(at.caption)
    table = at.get("data_editor")[0].value
    assert table.iloc[0, 0] == 0.3 and math.isnan(table.iloc[1, 0])


def test_an_empty_project_starts_from_the_course_example(app_test: AppTest):
    at = open_view(app_test, PAGE)
    assert "Starts from the course's rear-view mirror example" in texts(at.caption)


def test_the_file_waterfall_takes_the_goals_human_levels_and_bayes_estimate(sample_app: AppTest,
                                                                          store_url: str):
    _save(store_url, PROJECT_GOAL, "project goal",
          _goal(bayes_error_pct=0.2, task_kind="perception"))
    at = open_view(sample_app, PAGE)
    at.segmented_control(key="src").set_value("Predictions file").run()
    assert not at.exception
    assert "Human level from the project goal: team 0.5%" in texts(at.caption)
    table = at.table[0].value
    assert table.loc["human", "error"] == "0.20%"  # the separate Bayes estimate is the proxy
