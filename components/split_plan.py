"""The split planner's project parts: the course's rule of thumb for the data's size, the split
shape (train / dev / test, or train / test with no dev set), the dev and test sizes the project
goal names, and saving the plan in the workspace (the report shows the latest one)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analysis.split_rules import split_rule
from analysis.splits import SplitPlan
from analysis.text import escape_markdown
from components.errors import show_error
from components.project_goal import project_goal
from components.state import workspace_items
from workspace.kinds import SPLIT_PLAN

THREE_WAY, TWO_WAY = "train / dev / test", "train / test (no dev set)"
PLAN_ITEM = "split plan"  # the name a plan is saved under unless the user types another


@dataclass(frozen=True)
class GoalSets:
    """The dev and test sets the project goal describes (sizes None when it does not say)."""

    dev_size: int | None = None
    test_size: int | None = None
    distribution: str | None = None

    @property
    def given(self) -> bool:
        """The goal names both sizes."""
        return self.dev_size is not None and self.test_size is not None


def goal_sets() -> GoalSets:
    """The saved goal's dev and test sets, or an empty GoalSets when none is saved."""
    goal = project_goal()
    if goal is None or goal.dev_set is None or goal.test_set is None:
        return GoalSets()
    return GoalSets(goal.dev_set.size, goal.test_set.size, goal.dev_set.distribution)


def shape_input(sources: dict[str, int]) -> bool:
    """The course's note for this much data, then the shape; True for a two-way split."""
    rule = split_rule(max(sum(sources.values()), 1))
    st.info(f"**{escape_markdown(rule.regime.capitalize())}: {escape_markdown(rule.shares)}.** "
            f"{escape_markdown(rule.note)}", icon=":material/rule:")
    shape = st.radio("Split shape", (THREE_WAY, TWO_WAY), key="shape", bind="query-params",
                     horizontal=True,
                     help="Two-way keeps no dev set: what you tune on the test set stops being "
                          "an unbiased estimate of the final error.")
    if shape == TWO_WAY and not rule.two_way_fits:
        st.warning(f"A 70/30 split suits small data; with {rule.total:,} examples the test "
                   "share is capped (see the notes below) and a dev set costs little.",
                   icon=":material/warning:")
    return shape == TWO_WAY


def goal_sizes_caption(sets: GoalSets) -> None:
    """Say that the typed sizes start from the project goal's."""
    if sets.given:
        st.caption(f"Sizes start from the project goal: dev {sets.dev_size:,} and test "
                   f"{sets.test_size:,} ({escape_markdown(sets.distribution or '')}).")


def save_plan_section(plan: SplitPlan) -> None:
    """Save the plan in the workspace under a name; the report shows the newest plan."""
    name_col, save_col = st.columns([3, 1], vertical_alignment="bottom")
    name = name_col.text_input("Save the plan as", value=PLAN_ITEM, key="split_plan.name")
    if save_col.button("Save the split plan", key="split_plan.save", icon=":material/save:",
                       width="stretch"):
        try:
            item = workspace_items().save(SPLIT_PLAN, name, plan)
        except ValueError as err:
            show_error(err)
            return
        st.success(f"Saved split plan **{escape_markdown(item.name)}** (revision "
                   f"{item.revision}): the project report shows it.", icon=":material/check:")
