"""The project strategy page run through app.py with AppTest: goal, iteration log, learning
curve and advisors."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analysis.bias_variance import decompose
from analysis.strategy import ProjectGoal
from analysis.text import escape_markdown
from storage import WorkspaceStore
from tests.app.conftest import APP_PATH, metric_values, open_view, plain
from workspace.kinds import PROJECT_SETTINGS

PAGE = "views/strategy.py"


@pytest.fixture
def strategy(app_test: AppTest) -> AppTest:
    return open_view(app_test, PAGE)


def _texts(elements) -> str:
    return plain(" ".join(str(e.value) for e in elements))


def _workspace(store_url: str) -> tuple[WorkspaceStore, int]:
    store = WorkspaceStore(store_url)
    return store, store.list_workspaces()[0].id


def _save_snapshot(store_url: str, name: str, **rates: float) -> None:
    store, workspace_id = _workspace(store_url)
    result = decompose({"team": 0.5}, **rates)
    store.save_item(workspace_id, "waterfall_snapshot", name,
                    content={"inputs": result.as_inputs(), "result": result.to_dict()})


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if plain(b.label) == label).click()
    return at.run()


def _add_entry(at: AppTest, *, knob: str, gap: str, snapshot: str | None = None,
               decision: str = "", unhappy: bool = False) -> AppTest:
    at.selectbox(key="strategy.log.knob").set_value(knob)
    at.selectbox(key="strategy.log.gap").set_value(gap)
    at.selectbox(key="strategy.log.snapshot").set_value(snapshot)
    at.text_input(key="strategy.log.decision").input(decision)
    at.checkbox(key="strategy.log.unhappy").set_value(unhappy)
    return _click(at, "Add to the log")


def _advice(at: AppTest) -> list[str]:
    """The advisors' verdict badges, in tab order (transfer, multi-task, end-to-end)."""
    return [m.value.split("-badge[")[1].rstrip("]") for m in at.markdown if "-badge[" in m.value]


def test_page_opens_empty_with_invitations_and_no_error(strategy: AppTest):
    assert not strategy.error
    captions = _texts(strategy.caption)
    assert "Not saved yet." in captions
    assert "No waterfall snapshot yet" in captions
    assert "The log is empty" in _texts(strategy.markdown)
    assert not strategy.get("plotly_chart")


def test_sample_project_opens_with_goal_log_and_learning_curve(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    assert not at.error
    assert at.text_input(key="strategy.goal.metric").value == "accuracy"
    assert at.number_input(key="strategy.goal.target").value == 95.0
    assert at.text_input(key="strategy.goal.dev_distribution").value == "mobile-app uploads"
    markdown = _texts(at.markdown)
    assert "4 entries: the aimed gap 2 shrank, 2 not measured" in markdown
    warnings = _texts(at.warning)
    assert "Orthogonalization" in warnings and "Bigger dev set" in warnings
    assert "Waterfall at v3-mobile-in-train" in _texts(at.info)
    assert len(at.get("plotly_chart")) == 1
    assert "More data helps" in markdown and "will not close the gap" in markdown
    labels = list(metric_values(at))
    assert any("2x" in label for label in labels)
    assert any("10x" in label and "unreliable" in label for label in labels)


def test_set_the_goal_and_save_it(strategy: AppTest, store_url: str):
    strategy.text_input(key="strategy.goal.metric").input("accuracy")
    strategy.number_input(key="strategy.goal.target").set_value(95.0)
    strategy.text_input(key="strategy.goal.metric_unit").input("%")
    strategy.number_input(key="strategy.goal.false_positive_cost").set_value(10.0)
    strategy.session_state["strategy.goal.bounds"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"metric": "running_time_ms", "operator": "<=", "threshold": 100,
                        "unit": "ms"}]}
    strategy.session_state["strategy.goal.humans"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"reference": "doctor", "error_pct": 1.0}]}
    _click(strategy.run(), "Save the goal")
    assert not strategy.error, _texts(strategy.error)
    assert "Saved (revision 1)" in _texts(strategy.success)
    store, workspace_id = _workspace(store_url)
    item = store.get_item(workspace_id, "project_goal", "project goal")
    goal = ProjectGoal.from_content(item.content)
    assert (goal.metric, goal.target, goal.false_positive_cost) == ("accuracy", 95.0, 10.0)
    assert goal.satisfy == {"running_time_ms": ("<=", 100.0)}
    # Its human levels became the project's, which the waterfall reads.
    assert goal.human_error_pct == (("doctor", 1.0),)
    levels = store.get_item(workspace_id, "project_settings", "human levels").content
    assert PROJECT_SETTINGS.from_content(levels) == {"doctor": 1.0}
    # Saved again: the next revision, over the one just written.
    strategy.number_input(key="strategy.goal.target").set_value(96.0)
    _click(strategy, "Save the goal")
    assert "Saved (revision 2)" in _texts(strategy.success)


def test_a_half_filled_dev_set_is_named_next_to_the_form(strategy: AppTest):
    strategy.text_input(key="strategy.goal.metric").input("accuracy")
    strategy.text_input(key="strategy.goal.dev_distribution").input("mobile uploads")
    _click(strategy, "Save the goal")
    assert "the dev set: give both its distribution" in _texts(strategy.error)
    assert not strategy.success


def test_a_goal_saved_meanwhile_is_merged_and_a_clash_is_offered(strategy: AppTest,
                                                                   store_url: str):
    store, workspace_id = _workspace(store_url)
    theirs = ProjectGoal("f1 score", target=0.9).to_content()
    store.save_item(workspace_id, "project_goal", "project goal", content=theirs,
                    author="bob@example.com")
    strategy.text_input(key="strategy.goal.metric").input("accuracy")
    _click(strategy, "Save the goal")
    # Nothing of theirs is written over: their metric stays until the choice is made.
    item = store.get_item(workspace_id, "project_goal", "project goal")
    assert item.content["metric"] == "f1 score" and item.content["target"] == 0.9
    shown = _texts(strategy.markdown)
    assert "the single-number metric: you set 'accuracy'; bob@example.com set 'f1 score'" in shown
    assert strategy.text_input(key="strategy.goal.metric").value == "f1 score"
    _click(strategy, "Use mine: 'accuracy'")
    item = store.get_item(workspace_id, "project_goal", "project goal")
    assert item.content["metric"] == "accuracy" and item.content["target"] == 0.9
    assert strategy.text_input(key="strategy.goal.metric").value == "accuracy"


def test_log_entries_are_reviewed_and_produce_the_course_prompts(app_test: AppTest,
                                                                 store_url: str):
    _save_snapshot(store_url, "v1", train=8.0, train_dev=9.0, dev=10.0, test=10.0)
    _save_snapshot(store_url, "v2", train=3.0, train_dev=4.0, dev=4.5, test=4.5)
    store, workspace_id = _workspace(store_url)
    store.save_item(workspace_id, "project_goal", "project goal", content=ProjectGoal(
        "accuracy", target=95.0, metric_unit="%").to_content())
    at = open_view(app_test, PAGE)
    _add_entry(at, knob="bigger network", gap="avoidable bias", snapshot="v1",
               decision="deeper network")
    _add_entry(at, knob="early stopping", gap="variance", snapshot="v2")
    _add_entry(at, knob="change the metric", gap="real world", snapshot="v2",
               decision="users say it misses cats", unhappy=True)
    assert not at.error, _texts(at.error)
    markdown = _texts(at.markdown)
    assert "3 entries: the aimed gap 1 shrank, 2 not measured" in markdown
    table = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert table["outcome"].tolist() == ["shrank", "not measured", "not measured"]
    assert "1. 2026-" in markdown and "Avoidable bias went from 7.50 to 2.50" in markdown
    warnings = _texts(at.warning)
    assert "Orthogonalization" in warnings
    assert "Change the dev set or the metric" in warnings
    saved = store.get_item(workspace_id, "iteration_log", "iteration log")
    assert saved.revision == 3 and len(saved.content["entries"]) == 3


def test_an_entry_without_snapshot_or_decision_is_refused_at_the_form(strategy: AppTest):
    _add_entry(strategy, knob="bigger network", gap="avoidable bias")
    assert "needs a snapshot name or the decision" in _texts(strategy.error)


def test_typed_learning_curve_is_fitted_and_saved(strategy: AppTest, store_url: str):
    sizes = [1000, 2000, 4000, 8000]
    rows = [{"size": n, "train_error_pct": 1.0, "dev_error_pct": 3 + 300 * n ** -0.5}
            for n in sizes]
    strategy.session_state["strategy.curve.table"] = {
        "edited_rows": dict(enumerate(rows)), "added_rows": [],
        "deleted_rows": []}
    strategy.run()
    assert not strategy.error, _texts(strategy.error)
    assert len(strategy.get("plotly_chart")) == 1
    assert "More data" in _texts(strategy.markdown)
    _click(strategy, "Save the learning curve")
    store, workspace_id = _workspace(store_url)
    saved = store.get_item(workspace_id, "learning_curve", "learning curve").content
    assert [row[0] for row in saved["rows"]] == sizes


def test_too_few_sizes_say_so_next_to_the_table(strategy: AppTest):
    strategy.session_state["strategy.curve.table"] = {
        "edited_rows": {i: {"size": n, "dev_error_pct": e} for i, (n, e) in
                        enumerate([(100, 20), (200, 15), (400, 12)])},
        "added_rows": [], "deleted_rows": []}
    strategy.run()
    assert "at least 4 training-set sizes" in _texts(strategy.error)
    assert not strategy.get("plotly_chart")


def test_advisors_give_the_course_verdicts(strategy: AppTest):
    # Defaults: image recognition 1,000,000 -> radiology 100; 100 tasks x 1,000; 3,000 h pipeline.
    assert _advice(strategy) == ["yes", "yes", "no"]
    assert "image recognition (1,000,000 images) -> radiology" in _texts(strategy.info)
    strategy.number_input(key="tl_source").set_value(10_000)
    strategy.number_input(key="tl_target").set_value(1)
    strategy.number_input(key="e2e_whole").set_value(100_000)
    strategy.run()
    assert _advice(strategy) == ["yes", "yes", "yes"]
    assert "wake-word" in _texts(strategy.info)
    strategy.selectbox(key="tl_same").set_value("no")
    strategy.text_input(key="mt_examples").input("4 x 1000")
    strategy.selectbox(key="mt_big").set_value("no")
    strategy.run()
    assert _advice(strategy)[:2] == ["no", "no"]


def test_bad_amounts_are_named_in_their_tab(strategy: AppTest):
    strategy.text_input(key="mt_examples").input("a lot")
    strategy.run()
    assert "'a lot' is not an amount" in _texts(strategy.error)


def test_hostile_names_are_shown_literally(store_url: str):
    hostile = "**bold** [x](javascript:1) $y$ <b>z</b>"
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    _save_snapshot(store_url, hostile, train=8.0, dev=10.0)
    at = open_view(at, PAGE)
    _add_entry(at, knob="bigger network", gap="avoidable bias", snapshot=hostile)
    assert not at.exception
    shown = [str(e.value) for e in [*at.markdown, *at.info, *at.warning, *at.caption]]
    assert any(escape_markdown(hostile) in text for text in shown)
    assert not any(hostile in text for text in shown)


def _show_goal() -> None:
    """A page of another feature reading the goal (run by AppTest.from_function)."""
    import streamlit as st

    from components.project_goal import project_goal

    goal = project_goal()
    st.write("no goal" if goal is None else
             f"{goal.metric} {goal.direction} {goal.satisfy} {goal.false_positive_cost:g}")


def test_other_pages_read_the_saved_goal(strategy: AppTest, store_url: str):
    reader = AppTest.from_function(_show_goal, default_timeout=60).run()
    assert _texts(reader.markdown) == "no goal"
    store, workspace_id = _workspace(store_url)
    store.save_item(workspace_id, "project_goal", "project goal", content=ProjectGoal(
        "recall", satisficing=[("precision", ">=", 0.9)], false_positive_cost=3).to_content())
    assert _texts(reader.run().markdown) == "recall max {'precision': ('>=', 0.9)} 3"


def test_an_entry_is_removed_from_the_log(sample_app: AppTest, store_url: str):
    at = open_view(sample_app, PAGE)
    at.selectbox(key="strategy.log.remove_choice").set_value(2)  # the early-stopping entry
    at.button(key="strategy.log.remove").click().run()
    assert "3 entries" in _texts(at.markdown)
    assert "Orthogonalization" not in _texts(at.warning)
    store, workspace_id = _workspace(store_url)
    saved = store.get_item(workspace_id, "iteration_log", "iteration log")
    assert saved.revision == 2
    assert [e["knob"] for e in saved.content["entries"]] == [
        "bigger network", "training data more like dev", "bigger dev set"]
