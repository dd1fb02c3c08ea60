"""The project goal on the Bias & variance page: the target line and the goal's notes under the
diagnosis, the goal's Bayes estimate when the waterfall uses the project's human levels, and
the general-formulation grid's starting table taken from the project's own numbers."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from analysis.general_formulation import FORMULATION_COLUMNS, FORMULATION_EXAMPLE, FORMULATION_ROWS
from analysis.strategy import ProjectGoal
from analysis.strategy.against_goal import waterfall_goal_notes
from analysis.text import escape_markdown
from components.project_goal import project_goal
from components.state import workspace_items
from workspace.kinds import WATERFALL_SNAPSHOT


def goal_estimates(goal: ProjectGoal | None) -> dict[str, Any]:
    """decompose()'s Bayes estimate and task kind from the goal (empty when it has none)."""
    if goal is None:
        return {}
    given = {"bayes_error_pct": goal.bayes_error_pct, "task_kind": goal.task_kind}
    return {name: value for name, value in given.items() if value is not None}


def show_goal_notes(goal: ProjectGoal | None, result: Any) -> None:
    """The goal's target, bounds and Bayes proxy read against this waterfall."""
    if goal is None:
        st.caption("No project goal saved: set the target and the bounds on the Project "
                   "strategy page to see this waterfall against them.")
        return
    notes = waterfall_goal_notes(goal, result)
    if notes:
        st.info("**Against the project goal.** " + " ".join(escape_markdown(n) for n in notes),
                icon=":material/flag:")


def example_table() -> pd.DataFrame:
    """The course's rear-view mirror example as the grid's table."""
    return pd.DataFrame(FORMULATION_EXAMPLE, index=list(FORMULATION_ROWS),
                        columns=list(FORMULATION_COLUMNS), dtype=float)


def formulation_start() -> tuple[pd.DataFrame, str]:
    """The grid's first table and where it comes from: the latest waterfall snapshot, else the
    goal's Bayes proxy in the human row, else the course's example."""
    data = workspace_items()
    items = sorted(data.items(WATERFALL_SNAPSHOT), key=lambda i: (i.created_at, i.name))
    for item in reversed(items):
        try:
            result = data.read(WATERFALL_SNAPSHOT, item)
        except ValueError:
            continue  # the snapshot list below names it
        return result.formulation_table(), f"Starts from the latest snapshot, {item.name}."
    goal = project_goal()
    if goal is not None and goal.bayes_proxy_pct is not None:
        table = pd.DataFrame(math.nan, index=list(FORMULATION_ROWS),
                             columns=list(FORMULATION_COLUMNS), dtype=float)
        table.iloc[0, 0] = goal.bayes_proxy_pct
        return table, "Starts from the project goal's Bayes proxy (human row); fill the rest."
    return example_table(), ("Starts from the course's rear-view mirror example: no snapshot or "
                             "goal is saved yet.")
