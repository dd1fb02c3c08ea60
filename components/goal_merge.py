"""Saving the project goal when teammates edit it too: every save (the strategy page's form,
the metrics page's costs) is the fields changed since the revision the form started from,
merged field by field into the latest goal (components.project_goal.save_goal). Changes to
different fields all land; the same field set to two values is offered as a choice
(components.merge_choice), in the words of the goal form.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.strategy import ProjectGoal
from components.merge_choice import choice_panel, hold_conflicts
from components.project_goal import GOAL_ITEM, save_goal
from workspace.kinds import PROJECT_GOAL
from workspace.merged_save import MergedSave
from workspace.table_merge import Conflict

CHOICE_KEY = "goal.merge"  # one set of open goal conflicts per session, shown on both pages
FIELD_WORDS = {
    "metric": "the single-number metric", "direction": "the direction", "target": "the target",
    "metric_unit": "the unit of the metric", "satisficing": "the satisficing bounds",
    "false_positive_cost": "the cost of a false positive",
    "false_negative_cost": "the cost of a false negative", "cost_matrix": "the cost matrix",
    "dev_set": "the dev set", "test_set": "the test set",
    "human_error_pct": "the human-level references",
    "bayes_error_pct": "the estimated Bayes error", "task_kind": "the task kind",
}


def _where(conflict: Conflict) -> str:
    return f"In the project goal, {FIELD_WORDS.get(conflict.column, conflict.column)}"


def save_goal_merged(goal: ProjectGoal, *, base_revision: int) -> MergedSave:
    """Save `goal` (edited from `base_revision`) merged into the latest goal; its conflicts
    are kept for `goal_choices` (ValueError / RuntimeError as save_merged raises them)."""
    saved = save_goal(goal, base_revision=base_revision)
    hold_conflicts(CHOICE_KEY, PROJECT_GOAL, GOAL_ITEM, saved)
    return saved


def goal_choices(on_saved: Callable[[], None] | None = None) -> None:
    """The open goal conflicts, each with both values, who set theirs and the two buttons;
    `on_saved` refreshes the page's inputs after "use mine" saved."""
    choice_panel(CHOICE_KEY, PROJECT_GOAL, GOAL_ITEM, _where, on_saved)
