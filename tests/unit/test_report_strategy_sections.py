"""The report's strategy sections: the goal and the split plan open it, the project's course
(iteration log reviewed against the snapshots, the learning curve) closes it; each is absent,
saying where to add it, when nothing is saved; the HTML presents itself as slides and prints a
slide per page."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from analysis.bias_variance import decompose
from analysis.splits import plan_splits
from analysis.strategy import IterationEntry, ProjectGoal
from analysis.strategy.stored import (
    CURVE_ITEM,
    LOG_ITEM,
    curve_content,
    log_content,
)
from charts.report import story_figures
from reporting import as_slides, collect_story, render_html, render_markdown, section_keys
from storage import WorkspaceStore
from workspace.gate import WorkspaceGate
from workspace.kinds import (
    ITERATION_LOG,
    LEARNING_CURVE,
    PROJECT_GOAL,
    SPLIT_PLAN,
    WATERFALL_SNAPSHOT,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
HUMAN = {"team of reviewers": 0.5}
SNAPSHOTS = (("v1", {"train": 6.0, "train_dev": 7.0, "dev": 14.0}),
             ("v2", {"train": 3.0, "train_dev": 5.0, "dev": 12.0}),
             ("v3", {"train": 2.9, "train_dev": 4.9, "dev": 10.0}))


@pytest.fixture
def db(tmp_path) -> WorkspaceStore:
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'strategy.sqlite'}")
    store.create_workspace("Cat app")
    return store


def _story(db: WorkspaceStore):
    return collect_story(WorkspaceGate(db, user=None, auth=False), db.list_workspaces()[0].id,
                         now=NOW)


def save_strategy(db: WorkspaceStore, workspace_id: int, *, snapshots: bool = True) -> None:
    """A small project: goal, three snapshots (unless the caller saves its own), a three-entry
    log, a learning curve and a split plan."""
    goal = ProjectGoal("accuracy", target=95.0, metric_unit="%",
                       satisficing=[("running_time_ms", "<=", 100, "ms")],
                       dev_set=("mobile uploads", 1500), test_set=("mobile uploads", 1500),
                       human_error_pct=HUMAN)
    db.save_item(workspace_id, PROJECT_GOAL.name, "project goal", content=PROJECT_GOAL.to_content(goal))
    for name, rates in SNAPSHOTS if snapshots else ():
        db.save_item(workspace_id, WATERFALL_SNAPSHOT.name, name,
                     content=WATERFALL_SNAPSHOT.to_content(decompose(HUMAN, **rates)))
    entries = [IterationEntry("2026-10-05", knob="bigger network", gap="avoidable bias",
                              snapshot="v1"),
               IterationEntry("2026-10-19", knob="training data more like dev",
                              gap="data mismatch", snapshot="v2"),
               IterationEntry("2026-11-02", knob="early stopping", gap="variance", snapshot="v3")]
    db.save_item(workspace_id, ITERATION_LOG.name, LOG_ITEM, content=log_content(entries))
    curve = pd.DataFrame({"size": [375, 750, 1500, 3000, 4500, 6000],
                          "train_error_pct": [0.6, 1.2, 1.9, 2.5, 2.7, 2.9],
                          "dev_error_pct": [16.3, 13.9, 12.1, 10.9, 10.4, 10.0]})
    db.save_item(workspace_id, LEARNING_CURVE.name, CURVE_ITEM, content=curve_content(curve))
    plan = plan_splits({"web": 200_000, "mobile": 4_500}, target="mobile", dev_size=1_500,
                       test_size=1_500)
    db.save_item(workspace_id, SPLIT_PLAN.name, "split plan", content=SPLIT_PLAN.to_content(plan))


def test_the_goal_and_split_plan_open_the_report_and_the_course_closes_it():
    keys = section_keys()
    assert keys[:2] == ("goal", "splits") and keys[-1] == "course"


def test_an_empty_workspace_says_where_to_add_each_strategy_part(db):
    story = _story(db)
    for key, where in (("goal", "Project strategy page"), ("splits", "Split planner page"),
                       ("course", "Project strategy page")):
        section = story.section(key)
        assert not section.present and where in section.summary


def test_a_saved_strategy_tells_the_projects_story(db):
    save_strategy(db, db.list_workspaces()[0].id)
    story = _story(db)
    goal = story.section("goal")
    assert goal.present and goal.goal.target == 95.0
    assert goal.summary.startswith("Optimize accuracy (higher is better), target 95%.")
    assert "running_time_ms <= 100 ms" in goal.summary and "Bayes proxy 0.5%" in goal.summary
    split = story.section("splits")
    assert split.present and split.plan.count("dev", "mobile") == 1_500
    assert "dev 1,500" in split.summary and "test 1,500" in split.summary
    course = story.section("course")
    assert course.present and len(course.review.entries) == 3
    assert course.review.entries[0].outcome == "shrank"
    assert "Learning curve: More data helps" in course.summary
    assert any(b.startswith("Orthogonalization") for b in course.bullets)
    figures = story_figures(story)
    assert len(figures["splits"]) == 1 and len(figures["course"]) == 1
    markdown = render_markdown(story)
    assert "## The project's goal" in markdown and "| team of reviewers | 0\\.5 |" in markdown


def test_the_html_is_a_deck_of_slides_that_prints_a_slide_per_page(db):
    save_strategy(db, db.list_workspaces()[0].id)
    story = _story(db)
    html = render_html(story, story_figures(story))
    present = [s for s in story.sections if s.present]
    assert html.count('class="slide"') == len(story.sections)  # the title heads the first
    assert html.count('class="slide" data-present="true"') == len(present)
    first = f'<section id="{present[0].key}" class="slide" data-present="true">'
    assert first + '<header class="opening">' in html
    assert "@page{size:A4 landscape" in html and ".slide:not(:first-of-type){break-before:page}" in html
    assert "ArrowRight" in html and "PageDown" in html and "data-start" not in html.split("<body")[1][:30]
    assert '<body data-start="review">' in as_slides(html)


def test_a_hostile_goal_is_escaped_in_the_slides(db):
    workspace_id = db.list_workspaces()[0].id
    hostile = "<script>alert(1)</script>"
    db.save_item(workspace_id, PROJECT_GOAL.name, "project goal",
                 content=PROJECT_GOAL.to_content(ProjectGoal(hostile, target=1.0)))
    html = render_html(_story(db))
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
