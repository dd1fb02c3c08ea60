"""The project goal's error costs on the metrics page: the cost inputs start from what the goal
says a false positive and a false negative cost (a cost matrix for multiclass), and a button
saves the costs the user set back into the goal, through the access gate, naming who saved the
goal and when. The save is merged field by field into a teammate's newer goal
(components/goal_merge.py): the same cost set to two values is offered as a choice.

The goal itself is set on the strategy page; without one the page says where to set it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import streamlit as st

from analysis.strategy import ProjectGoal
from analysis.text import escape_markdown
from components.errors import show_error
from components.goal_merge import goal_choices, save_goal_merged
from components.pages import page_spec
from components.project_goal import GOAL_ITEM
from components.state import workspace_items
from storage import Item
from workspace.kinds import PROJECT_GOAL

STRATEGY_PAGE = "views/strategy.py"


@dataclass(frozen=True)
class SavedGoal:
    """The goal as stored (None when absent or unreadable), with its item for who and when."""

    goal: ProjectGoal | None
    item: Item | None
    problem: str | None = None

    @property
    def origin(self) -> str:
        """'revision 3, saved by ana@x.org on 2026-11-30 12:00 UTC' ('' without a goal)."""
        if self.item is None:
            return ""
        moment = f"{self.item.updated_at:%Y-%m-%d %H:%M} UTC" if self.item.updated_at else ""
        return (f"revision {self.item.revision}, saved by {self.item.updated_by or 'someone'}"
                + (f" on {moment}" if moment else ""))


def saved_goal() -> SavedGoal:
    """The project goal read now through the gate (a teammate may have just saved one)."""
    data = workspace_items()
    item = data.item(PROJECT_GOAL, GOAL_ITEM)
    if item is None:
        return SavedGoal(None, None)
    try:
        return SavedGoal(data.read(PROJECT_GOAL, item), item)
    except ValueError as err:
        return SavedGoal(None, item, str(err))


def goal_caption(saved: SavedGoal, what: str) -> None:
    """Say where `what` starts from: the goal (with who and when), or how to set one."""
    if saved.goal is not None:
        st.caption(f"{what} start from the project goal "
                   f"({escape_markdown(saved.origin)}).")
    elif saved.problem:
        st.caption(f"The saved project goal cannot be read ({escape_markdown(saved.problem)}): "
                   f"{what.lower()} start from 1.")


def start_inputs(saved: SavedGoal, key: str, widget_keys: tuple[str, ...]) -> None:
    """Remember which goal revision the cost inputs start from, so a save merges only what
    changed since then. After a save merged a teammate's costs (or left a conflict to choose),
    the inputs are reset to the goal as now saved (before they are drawn) and the page says so."""
    reset = st.session_state.pop(f"{key}.reset", None)
    if reset is not None:
        for widget in (*widget_keys, f"{key}.based_on"):
            st.session_state.pop(widget, None)
        if reset:
            st.info(escape_markdown(reset), icon=":material/call_merge:")
    if not any(widget in st.session_state for widget in widget_keys):
        # the inputs are about to start from the goal as saved now (first visit, or back from
        # another page, which drops them): that is the revision a save is merged from
        st.session_state[f"{key}.based_on"] = saved.item.revision if saved.item else 0


def goal_matrix(saved: SavedGoal, n_classes: int) -> np.ndarray | None:
    """The goal's cost matrix when it has one of this size (rows true, columns predicted, in
    the order of the file's classes), else None."""
    matrix = saved.goal.cost_matrix if saved.goal is not None else None
    if matrix is None or len(matrix) != n_classes:
        return None
    return np.asarray(matrix, dtype=float)


def save_costs_button(saved: SavedGoal, key: str, cost_fp: float, cost_fn: float, *,
                      matrix: Sequence[Sequence[float]] | None = None) -> None:
    """The button that writes these costs into the project goal (over the revision read)."""
    if saved.goal is None:
        st.caption("Save a project goal on the strategy page to keep these costs with it.")
        page_spec(STRATEGY_PAGE).link("Set the project goal")
        return
    goal_choices(on_saved=partial(_reset_inputs, key))
    same = (saved.goal.false_positive_cost == cost_fp and saved.goal.false_negative_cost == cost_fn
            and (matrix is None or saved.goal.cost_matrix == tuple(map(tuple, matrix))))
    if not st.button("Save these costs to the project goal", key=f"{key}.save_goal",
                     icon=":material/save:", disabled=same,
                     help="The strategy page and every teammate then start from these costs."):
        return
    based_on = st.session_state.get(f"{key}.based_on", saved.item.revision)
    try:
        base = workspace_items().load(PROJECT_GOAL, GOAL_ITEM, revision=based_on) or saved.goal
        merged = save_goal_merged(base.with_costs(cost_fp, cost_fn, cost_matrix=matrix),
                                  base_revision=based_on)
    except (ValueError, RuntimeError) as err:
        show_error(err)
        return
    now = PROJECT_GOAL.from_content(merged.content)
    if (now.false_positive_cost, now.false_negative_cost) != (cost_fp, cost_fn) or (
            matrix is not None and now.cost_matrix != tuple(map(tuple, matrix))):
        st.session_state[f"{key}.reset"] = (
            f"A teammate changed the project goal's costs meanwhile (now "
            f"revision {merged.item.revision}): the inputs show the merged costs.")
        st.rerun()
    st.session_state[f"{key}.based_on"] = merged.item.revision
    st.success(f"Costs saved to the project goal (revision {merged.item.revision}, by "
               f"{escape_markdown(merged.item.updated_by or 'you')}).",
               icon=":material/check_circle:")


def _reset_inputs(key: str) -> None:
    """After "use mine" settled a conflict: the inputs restart from the goal as saved."""
    st.session_state[f"{key}.reset"] = ""
