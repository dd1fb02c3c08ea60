"""The project goal: the course's optimizing / satisficing case, storage round trips and the
validation of every field."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.strategy import EvaluationSet, ProjectGoal, SatisficingBound, pick_model
from analysis.strategy.goal import SCHEMA_VERSION

COURSE_MODELS = pd.DataFrame({"model": ["A", "B", "C"], "accuracy": [90, 92, 95],
                              "running_time_ms": [80, 95, 1500]})


def _radiology_goal(**changes: object) -> ProjectGoal:
    fields = {"metric": "accuracy", "direction": "max", "target": 99.5, "metric_unit": "%",
              "satisficing": [("running_time_ms", "<=", 100, "ms")],
              "false_positive_cost": 1, "false_negative_cost": 10,
              "dev_set": ("hospital scans", 2_500), "test_set": ("hospital scans", 2_500),
              "human_error_pct": {"typical human": 3, "typical doctor": 1,
                                  "experienced doctor": 0.7, "team of experienced doctors": 0.5},
              "task_kind": "perception"}
    return ProjectGoal(**(fields | changes))


def test_running_time_bound_picks_b_over_c_as_in_the_course():
    goal = ProjectGoal("accuracy", satisficing=[("running_time_ms", "<=", 100, "ms")])
    choice = pick_model(goal, COURSE_MODELS)
    assert choice.winner == "B"
    assert choice.reasons["C"] == "fails running_time_ms <= 100: it has 1500"
    assert goal.satisfy == {"running_time_ms": ("<=", 100.0)}


def test_minimising_goal_picks_the_lowest_error():
    models = pd.DataFrame({"model": ["A", "B"], "error_pct": [4.0, 3.0], "size_mb": [10, 900]})
    goal = ProjectGoal("error_pct", direction="min", satisficing=[("size_mb", "<", 100, "MB")])
    assert pick_model(goal, models).winner == "A"
    assert pick_model(ProjectGoal("error_pct", direction="min"), models).winner == "B"


def test_team_of_doctors_is_the_bayes_proxy_unless_bayes_is_estimated():
    goal = _radiology_goal()
    assert goal.best_human_pct == 0.5 and goal.bayes_proxy_pct == 0.5
    assert _radiology_goal(bayes_error_pct=0.3).bayes_proxy_pct == 0.3
    assert ProjectGoal("accuracy").bayes_proxy_pct is None


def test_goal_round_trips_through_json_with_its_schema_version():
    goal = _radiology_goal(cost_matrix=[[0, 1, 5], [1, 0, 1], [10, 1, 0]], bayes_error_pct=0.4)
    content = json.loads(json.dumps(goal.to_content()))
    assert content["schema_version"] == SCHEMA_VERSION and content["kind"] == "project_goal"
    assert ProjectGoal.from_content(content) == goal
    assert goal.satisficing == (SatisficingBound("running_time_ms", "<=", 100, "ms"),)
    assert goal.dev_set == EvaluationSet("hospital scans", 2500)
    assert goal.cost_matrix[2] == (10.0, 1.0, 0.0)


def test_from_content_refuses_other_kinds_and_newer_versions():
    content = _radiology_goal().to_content()
    with pytest.raises(ValueError, match="not a project goal"):
        ProjectGoal.from_content({"inputs": {}})
    with pytest.raises(ValueError, match="schema version 2"):
        ProjectGoal.from_content(content | {"schema_version": 2})


def test_dev_and_test_from_different_distributions_are_flagged():
    goal = _radiology_goal(dev_set=("web images", 2_500), test_set=("mobile-app images", 2_500))
    assert any("different distributions" in w for w in goal.warnings)
    assert not any("different" in w for w in _radiology_goal().warnings)
    assert any("No target" in w for w in ProjectGoal("accuracy").warnings)


def test_bayes_estimate_above_the_best_human_is_flagged():
    assert any("probably too high" in w for w in _radiology_goal(bayes_error_pct=0.6).warnings)


@pytest.mark.parametrize(("changes", "match"), [
    ({"metric": " "}, "metric must be a non-empty text"),
    ({"direction": "up"}, "direction must be one of 'max', 'min'"),
    ({"target": "high"}, "target must be a number"),
    ({"metric_unit": 5}, "metric_unit must be text"),
    ({"satisficing": "fast"}, "satisficing must be a list"),
    ({"satisficing": [("running_time_ms", "<=")]}, r"satisficing\[0\] must be"),
    ({"satisficing": [("running_time_ms", "~", 100)]}, "the operator for 'running_time_ms'"),
    ({"satisficing": [("running_time_ms", "<=", "fast")]}, "the threshold for 'running_time_ms'"),
    ({"satisficing": [("accuracy", ">=", 90)]}, "optimizing metric"),
    ({"satisficing": [("ms", "<=", 1), ("ms", ">=", 0)]}, "more than once"),
    ({"false_positive_cost": -1}, "false_positive_cost must be at least 0"),
    ({"false_positive_cost": 0, "false_negative_cost": 0}, "both 0"),
    ({"cost_matrix": [[0, 1]]}, "cost_matrix must be a square table"),
    ({"cost_matrix": [[0, 1], [1]]}, "cost_matrix row 2 must hold 2 costs"),
    ({"cost_matrix": [[1, 1], [1, 0]]}, r"cost_matrix\[0\]\[0\] is 1"),
    ({"cost_matrix": [[0, -1], [1, 0]]}, r"cost_matrix\[0\]\[1\] must be at least 0"),
    ({"cost_matrix": [[0, 0], [0, 0]]}, "all zeros"),
    ({"dev_set": ("scans", 0)}, "the set's size must be at least 1"),
    ({"dev_set": ("", 10)}, "the set's distribution must be a non-empty text"),
    ({"test_set": "scans"}, "test_set must be"),
    ({"human_error_pct": {"doctor": 101}}, r"human_error_pct\['doctor'\] must be at most 100"),
    ({"human_error_pct": 3}, "human_error_pct must map"),
    ({"human_error_pct": [("a", 1), ("a", 2)]}, "names a reference twice"),
    ({"bayes_error_pct": -0.1}, "bayes_error_pct must be at least 0"),
    ({"task_kind": "tabular"}, "task_kind must be one of"),
])
def test_each_bad_field_raises_a_message_naming_it(changes, match):
    with pytest.raises(ValueError, match=match):
        _radiology_goal(**changes)


def test_pick_model_needs_a_goal_and_a_metric_the_table_has():
    with pytest.raises(ValueError, match="goal must be a ProjectGoal"):
        pick_model({"metric": "accuracy"}, COURSE_MODELS)
    with pytest.raises(ValueError, match="names the column 'f1'"):
        pick_model(ProjectGoal("f1"), COURSE_MODELS)
