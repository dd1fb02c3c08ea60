"""The split planner as part of the project: the course's rule for the data's size, the two-way
split, sizes from the project goal, and the plan saved in the workspace."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analysis.splits import TWO_WAY_NOTE
from analysis.strategy import ProjectGoal
from storage import WorkspaceStore
from tests.app.conftest import metric_values, open_view, texts
from workspace.kinds import SPLIT_PLAN

PAGE = "views/split_planner.py"


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_small_data_offers_70_30_and_the_two_way_note(app_test: AppTest):
    at = open_view(app_test, PAGE)
    at.text_input(key="sources").set_value("photos: 1000").run()
    assert "Small data: 70/30 or 60/20/20." in texts(at.info)
    assert metric_values(at) == {"train": "600", "train-dev": "0", "dev": "200", "test": "200"}
    at.radio(key="shape").set_value("train / test (no dev set)").run()
    assert not at.error and not at.exception
    assert metric_values(at) == {"train": "700", "train-dev": "0", "dev": "0", "test": "300"}
    assert TWO_WAY_NOTE in texts(at.markdown)  # texts() reads the markdown as shown


def test_big_data_says_98_1_1_and_warns_about_a_two_way_split(app_test: AppTest):
    at = open_view(app_test, PAGE)
    at.text_input(key="sources").set_value("clicks: 2000000").run()
    assert "Big data: 98/1/1." in texts(at.info)
    at.radio(key="shape").set_value("train / test (no dev set)").run()
    assert "A 70/30 split suits small data" in texts(at.warning)
    assert metric_values(at)["test"] == "10,000"


def test_sizes_and_target_start_from_the_project_goal(app_test: AppTest, store_url: str):
    store = WorkspaceStore(store_url)
    workspace_id = store.list_workspaces()[0].id
    store.save_item(workspace_id, "project_goal", "project goal", content=ProjectGoal(
        "accuracy", dev_set=("web photos", 4000), test_set=("web photos", 3000)).to_content())
    at = open_view(app_test, PAGE)
    assert at.selectbox(key="target").value == "web"  # the goal's distribution names a source
    assert at.radio(key="sizing").value == "enter sizes"
    assert "Sizes start from the project goal: dev 4,000 and test 3,000" in texts(at.caption)
    metrics = metric_values(at)
    assert (metrics["dev"], metrics["test"]) == ("4,000", "3,000")


def test_the_plan_is_saved_in_the_workspace(app_test: AppTest, store_url: str):
    at = open_view(app_test, PAGE)
    _click(at, "Save the split plan")
    assert "Saved split plan **split plan** (revision 1)" in " ".join(
        str(s.value) for s in at.success)
    store = WorkspaceStore(store_url)
    item = store.get_item(store.list_workspaces()[0].id, SPLIT_PLAN.name, "split plan")
    plan = SPLIT_PLAN.from_content(item.content)
    assert (plan.target, plan.count("dev"), plan.count("test")) == ("mobile", 2_500, 2_500)
