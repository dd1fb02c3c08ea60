"""The metrics page with the project goal and with ranking scores, through app.py and AppTest:
the cost inputs start from the goal and save back into it (with who and when), the model table
starts from the goal's optimizing metric, a decision score is read as scikit-learn's
classes_[1] with a swap, and a file of decision scores in [-7, 12] gets thresholds in its own
units on the metrics, cost, waterfall and error-slices pages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.strategy import ProjectGoal
from components.project_goal import GOAL_ITEM
from components.state import store
from tests.app.conftest import open_view, plain, texts, upload_on
from workspace.kinds import PROJECT_GOAL

PAGE = "views/metrics.py"
FROM_FILE = "Predictions file"  # the waterfall's source choice


def _goal_item():
    workspace = store().list_workspaces()[0]
    return store().get_item(workspace.id, PROJECT_GOAL.name, GOAL_ITEM)


def _save_goal(goal: ProjectGoal) -> None:
    workspace = store().list_workspaces()[0]
    current = store().get_item(workspace.id, PROJECT_GOAL.name, GOAL_ITEM)
    store().save_item(workspace.id, PROJECT_GOAL.name, GOAL_ITEM,
                      content=PROJECT_GOAL.to_content(goal),
                      expected_revision=current.revision if current else 0)


def _upload(at: AppTest, name: str, frame: pd.DataFrame) -> AppTest:
    return upload_on(at, PAGE, "metrics.file", name, frame)


def _ranked(seed: int = 0) -> pd.DataFrame:
    """Decision scores from -7 to 12, positives higher."""
    rng = np.random.default_rng(seed)
    truth = (rng.random(400) < 0.4).astype(int)
    scores = np.clip(np.where(truth == 1, rng.normal(4, 3, 400), rng.normal(-2, 2, 400)), -7, 12)
    scores[:2] = [-7.0, 12.0]
    return pd.DataFrame({"example_id": np.arange(400), "y_true": truth, "decision": scores.round(3)})


def _as_rank(at: AppTest) -> AppTest:
    next(s for s in at.selectbox if s.label == "Score transform").set_value("rank").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


# ------------------------------------------------------------------ costs saved with the goal

def test_cost_inputs_start_from_the_goal_and_save_into_it(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    goal = ProjectGoal.from_content(_goal_item().content)
    assert at.number_input(key="metrics.cost.fp").value == goal.false_positive_cost == 2.0
    assert at.number_input(key="metrics.cost.fn").value == goal.false_negative_cost == 1.0
    assert "The costs start from the project goal (revision 1, saved by" in texts(at.caption)
    save = at.button(key="metrics.cost.save_goal")
    assert save.disabled  # nothing to save yet: the inputs hold the goal's costs
    at.number_input(key="metrics.cost.fn").set_value(5.0).run()
    at.button(key="metrics.cost.save_goal").click().run()
    assert not at.exception and not at.error
    assert "Costs saved to the project goal (revision 2" in texts(at.success)
    item = _goal_item()
    saved = ProjectGoal.from_content(item.content)
    assert (saved.false_positive_cost, saved.false_negative_cost) == (2.0, 5.0)
    assert (saved.metric, saved.target) == (goal.metric, goal.target)  # the rest kept
    assert item.revision == 2 and item.updated_by


def test_a_teammates_newer_goal_is_merged_and_the_same_cost_is_offered(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    at.number_input(key="metrics.cost.fn").set_value(7.0).run()
    goal = ProjectGoal.from_content(_goal_item().content)
    _save_goal(goal.with_costs(3.0, 3.0))  # a teammate, after the inputs started from revision 1
    at.button(key="metrics.cost.save_goal").click().run()
    assert not at.exception and not at.error
    # my false-negative cost clashes with theirs: theirs is kept and both are shown
    kept = ProjectGoal.from_content(_goal_item().content)
    assert (kept.false_positive_cost, kept.false_negative_cost) == (3.0, 3.0)
    assert _goal_item().revision == 2
    shown = texts(at.markdown)
    assert "the cost of a false negative: you set 7.0;" in shown and "set 3.0" in shown, shown
    assert at.number_input(key="metrics.cost.fn").value == 3.0  # the inputs show the goal now
    at.button(key="goal.merge.conflict.0.mine").click().run()
    saved = ProjectGoal.from_content(_goal_item().content)
    assert (saved.false_positive_cost, saved.false_negative_cost) == (3.0, 7.0)
    assert _goal_item().revision == 3
    assert at.number_input(key="metrics.cost.fn").value == 7.0
    assert "you set" not in texts(at.markdown)  # the choice is made


def test_back_from_another_page_the_inputs_start_from_the_goal_saved_meanwhile(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    open_view(at, "views/waterfall.py")  # leaving the page drops its inputs
    _save_goal(ProjectGoal.from_content(_goal_item().content).with_costs(4.0, 4.0))
    at = open_view(at, PAGE)
    assert at.number_input(key="metrics.cost.fp").value == 4.0
    at.number_input(key="metrics.cost.fn").set_value(9.0).run()
    at.button(key="metrics.cost.save_goal").click().run()
    assert not at.error and _goal_item().revision == 3
    assert ProjectGoal.from_content(_goal_item().content).false_negative_cost == 9.0


def test_without_a_goal_the_page_says_where_to_set_it(app_test: AppTest):
    at = _upload(app_test, "plain.csv", pd.DataFrame({"y_true": [1, 0, 1, 0] * 10,
                                                       "score": [0.9, 0.2, 0.6, 0.4] * 10}))
    assert at.number_input(key="metrics.cost.fp").value == 1.0
    assert "Save a project goal on the strategy page" in texts(at.caption)


def test_model_table_starts_from_the_goals_metric_and_bounds(sample_app: AppTest):
    goal = ProjectGoal.from_content(_goal_item().content)
    _save_goal(ProjectGoal("recall", direction="max", satisficing=[("precision", ">=", 80, "%")],
                           false_positive_cost=goal.false_positive_cost))
    at = open_view(sample_app, PAGE)
    at.radio(key="table").set_value("files").run()
    assert at.selectbox(key="metrics.optimize.files").value == "recall"
    assert at.multiselect(key="metrics.satisfy.files").value == ["precision"]
    assert at.number_input(key="metrics.bound.files.precision").value == 80.0
    assert "start from the project goal" in texts(at.caption)


def test_multiclass_cost_matrix_is_saved_into_the_goal(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    at.selectbox(key="metrics.file.file").set_value("animals_multiclass.csv").run()
    at.button(key="metrics.cost.save_goal").click().run()
    assert not at.exception and not at.error
    saved = ProjectGoal.from_content(_goal_item().content)
    assert saved.cost_matrix == tuple(tuple(0.0 if i == j else 1.0 for j in range(4))
                                      for i in range(4))
    at.run()
    assert "The costs start from the project goal (revision 2" in texts(at.caption)


# ------------------------------------------------------------------ decision scores

@pytest.mark.parametrize(("names", "share", "positive"), [
    (("ham", "spam"), 0.2, "spam"),  # classes_[1] is the rarer class
    (("cat", "dog"), 0.8, "dog"),    # classes_[1] is the commoner class
])
def test_decision_score_is_read_as_classes_1_with_a_swap(app_test: AppTest, names, share, positive):
    rng = np.random.default_rng(1)
    second = rng.random(300) < share
    frame = pd.DataFrame({"y_true": np.where(second, names[1], names[0]),
                          "decision": np.where(second, rng.normal(2, 1, 300), rng.normal(-2, 1, 300))})
    at = _upload(app_test, "decision.csv", frame)
    assert f"Scores read as the score of '{positive}' (positive class)" in texts(at.caption)
    assert f"Positive class taken as '{positive}'" in texts(at.warning)
    assert "classes_[1]" in texts(at.warning)
    auc = float(next(m.value for m in at.metric if m.label == "ROC AUC"))
    assert auc > 0.9
    swap = at.button(key="metrics.swap_positive")
    assert plain(swap.label) == f"Make '{names[0]}' the positive class"
    swap.click().run()
    assert float(next(m.value for m in at.metric if m.label == "ROC AUC")) == pytest.approx(1 - auc, abs=2e-3)
    assert f"Read with '{names[0]}' as the positive class" in texts(at.caption)


# ------------------------------------------------------------------ ranking scores in [-7, 12]

def test_rank_scores_keep_their_units_on_the_metrics_page_and_the_cost(app_test: AppTest):
    at = _as_rank(_upload(app_test, "ranked.csv", _ranked()))
    slider = at.slider(key="threshold_score")
    assert (slider.min, slider.max, slider.value, slider.step) == (-7.0, 12.0, 0.0, 0.1)
    cheapest = float(next(m.value for m in at.metric if m.label == "Cheapest threshold"))
    assert cheapest > 1  # 1.593 in score units: a 0-1 slider could not hold it
    at.button(key="metrics.cost.use").click().run()
    assert at.slider(key="threshold_score").value == pytest.approx(round(cheapest, 1))
    assert "Cost at the current threshold " + f"{round(cheapest, 1):.2f}" in {
        m.label for m in at.metric}
    at.number_input(key="metrics.cost.fn").set_value(20.0).run()
    cheaper_to_flag = float(next(m.value for m in at.metric if m.label == "Cheapest threshold"))
    assert cheaper_to_flag < 0 < cheapest  # a costlier miss moves it down, below 0 (-1.815)
    at.button(key="metrics.cost.use").click().run()
    assert at.slider(key="threshold_score").value == pytest.approx(round(cheaper_to_flag, 1))


def test_rank_scores_keep_their_units_on_waterfall_and_error_slices(app_test: AppTest):
    frame = _ranked().assign(split=["dev", "dev"] + ["train", "dev"] * 199)  # -7 and 12 in dev
    at = _as_rank(_upload(app_test, "ranked.csv", frame))
    at.switch_page("views/waterfall.py").run()
    if at.segmented_control(key="src").value != FROM_FILE:  # opens on the file when there is one
        at.segmented_control(key="src").set_value(FROM_FILE).run()
    assert not at.exception
    slider = at.slider(key="threshold_score")
    assert (slider.min, slider.max, slider.value) == (-7.0, 12.0, 0.0)
    at.switch_page("views/error_slices.py").run()
    assert not at.exception
    slider = at.slider(key="slices.threshold_score")
    assert (slider.min, slider.max, slider.value) == (-7.0, 12.0, 0.0)


def test_a_probability_threshold_kept_in_the_session_fits_a_ranked_file(app_test: AppTest):
    at = _upload(app_test, "probabilities.csv", pd.DataFrame({"y_true": [1, 0] * 20,
                                                                "score": [0.8, 0.3] * 20}))
    at.slider(key="threshold").set_value(0.9).run()
    at = _as_rank(_upload(at, "ranked.csv", _ranked()))
    assert at.slider(key="threshold_score").value == 0.0
