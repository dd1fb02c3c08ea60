"""Two people on one workspace (two AppTest sessions on the same store) editing the project
goal and a saved model table: changes to different fields or models both land; the same field
or cell set to two values is shown to the second person with both values, to choose."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analysis.strategy import ProjectGoal
from components.project_goal import GOAL_ITEM
from components.state import store
from tests.app.conftest import APP_PATH, open_view, texts
from workspace.kinds import MODEL_TABLE, PROJECT_GOAL

pytestmark = pytest.mark.usefixtures("store_url")  # every test on its own empty store

STRATEGY = "views/strategy.py"
METRICS = "views/metrics.py"
TABLE = "Course models"
EDITOR = f"metrics.models.saved.{TABLE}"


def _person() -> AppTest:
    return AppTest.from_file(APP_PATH, default_timeout=60).run()


def _two_on(page: str) -> tuple[AppTest, AppTest]:
    """Ana loads the sample project; then both open `page` (the same revision of everything)."""
    ana = _person()
    ana.button(key="home.load_sample").click().run()
    return open_view(ana, page), open_view(_person(), page)


def _goal() -> ProjectGoal:
    workspace = store().list_workspaces()[0]
    return PROJECT_GOAL.from_content(store().get_item(workspace.id, PROJECT_GOAL.name,
                                                      GOAL_ITEM).content)


def _save_goal(at: AppTest) -> AppTest:
    at.button(key="strategy.goal.save").click().run()
    assert not at.exception and not at.error, texts(at.error)
    return at


def test_goal_fields_changed_by_two_people_both_land():
    ana, ben = _two_on(STRATEGY)
    ana.number_input(key="strategy.goal.target").set_value(97.0)
    _save_goal(ana)
    ben.text_input(key="strategy.goal.metric_unit").input("points")
    _save_goal(ben)
    goal = _goal()
    assert (goal.target, goal.metric_unit) == (97.0, "points")
    # ben's form now shows the merged goal, ana's target included
    assert ben.number_input(key="strategy.goal.target").value == 97.0
    assert "merged with yours" in texts(ben.success)


def test_the_same_goal_field_set_twice_is_offered_to_the_second_person():
    ana, ben = _two_on(STRATEGY)
    ana.number_input(key="strategy.goal.false_positive_cost").set_value(5.0)
    _save_goal(ana)
    ben.number_input(key="strategy.goal.false_positive_cost").set_value(8.0)
    ben.number_input(key="strategy.goal.target").set_value(99.0)
    _save_goal(ben)
    assert (_goal().false_positive_cost, _goal().target) == (5.0, 99.0)  # theirs kept for now
    shown = texts(ben.markdown)
    assert "the cost of a false positive: you set 8.0; local user set 5.0" in shown, shown
    assert any("same thing" in w.value for w in ben.warning)
    ben.button(key="goal.merge.conflict.0.mine").click().run()
    assert _goal().false_positive_cost == 8.0 and _goal().target == 99.0
    assert ben.number_input(key="strategy.goal.false_positive_cost").value == 8.0
    assert "you set" not in texts(ben.markdown)


def _open_saved_table(at: AppTest) -> AppTest:
    at.radio(key="table").set_value("saved").run()
    at.selectbox(key="metrics.saved_table").set_value(TABLE).run()
    assert not at.exception
    return at


def _two_on_a_saved_table() -> tuple[AppTest, AppTest]:
    ana, ben = _two_on(METRICS)
    ana.text_input(key="metrics.table_name").set_value(TABLE).run()
    ana.button(key="metrics.save_table").click().run()
    return _open_saved_table(ana.run()), _open_saved_table(ben.run())


def _edit(at: AppTest, edited: dict, added: list | None = None) -> AppTest:
    at.session_state[EDITOR] = {"edited_rows": edited, "added_rows": added or [],
                                "deleted_rows": []}
    at.run()
    at.button(key="metrics.save_table").click().run()
    assert not at.exception and not at.error, texts(at.error)
    return at


def _content() -> dict:
    workspace = store().list_workspaces()[0]
    return store().get_item(workspace.id, MODEL_TABLE.name, TABLE).content


def _rows() -> dict[str, dict]:
    return {row["model"]: row for row in _content()["rows"]}


def test_a_teammates_edit_and_my_added_model_both_land_and_the_choice_is_recomputed():
    ana, ben = _two_on_a_saved_table()
    _edit(ana, {0: {"accuracy": 91.0}})  # model A
    _edit(ben, {}, [{"model": "D", "accuracy": 96.0, "running_time_ms": 90.0}])
    rows, content = _rows(), _content()
    assert set(rows) == {"A", "B", "C", "D"}
    assert rows["A"]["accuracy"] == 91.0 and rows["D"]["accuracy"] == 96.0
    # the stored choice is ben's, computed on the merged rows (not ana's 'B wins')
    assert content["selection"]["winner"] == "D"
    assert {r["model"] for r in content["selection"]["table"]} == {"A", "B", "C", "D"}
    assert "merged with your teammates' edits" in texts(ben.success)
    grid = ben.data_editor(key=EDITOR).value  # ben's grid shows the merged table
    assert grid.set_index("model").loc["A", "accuracy"] == 91.0


def test_the_same_model_cell_set_twice_is_offered_to_the_second_person():
    ana, ben = _two_on_a_saved_table()
    _edit(ana, {1: {"accuracy": 93.0}})
    _edit(ben, {1: {"accuracy": 94.0}, 2: {"running_time_ms": 70.0}})
    assert _rows()["B"]["accuracy"] == 93.0 and _rows()["C"]["running_time_ms"] == 70.0
    shown = texts(ben.markdown)
    assert "model B, accuracy: you set 94.0; local user set 93.0" in shown, shown
    ben.button(key="metrics.table_merge.conflict.0.theirs").click().run()
    assert "you set" not in texts(ben.markdown) and _rows()["B"]["accuracy"] == 93.0
