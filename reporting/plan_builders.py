"""The report's opening sections: the project's goal and its split plan, each read through the
gate in the ReportContext (the first sections registered, so the story starts with where the
project aims and what it measures on).

Imported by reporting/builders.py before its own sections register.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pandas as pd

from analysis.strategy import ProjectGoal
from reporting.registry import ReportContext, register
from reporting.sections import GoalSection, SplitPlanSection
from workspace.kinds import PROJECT_GOAL, SPLIT_PLAN, SavedKind

T = TypeVar("T")

DIRECTIONS = {"max": "higher is better", "min": "lower is better"}


def newest_saved(context: ReportContext, kind: SavedKind[T]) -> tuple[Any, T] | None:
    """The newest item of a kind and the object it holds (None when there is none)."""
    items = context.data.items(kind)
    if not items:
        return None
    newest = max(items, key=lambda i: i.updated_at)
    item = context.data.item(kind, newest.name)
    return item, context.data.read(kind, item)


def goal_summary(goal: ProjectGoal) -> str:
    """The goal in one paragraph: metric and target, bounds, sets, the Bayes proxy."""
    unit = goal.metric_unit.strip()
    target = (f", target {goal.target:g}{'' if unit == '%' else ' '}{unit}".rstrip()
              if goal.target is not None else ", no target set")
    parts = [f"Optimize {goal.metric} ({DIRECTIONS[goal.direction]}){target}."]
    if goal.satisficing:
        parts.append("Satisficing: " + "; ".join(b.describe() for b in goal.satisficing) + ".")
    for name, chosen in (("Dev", goal.dev_set), ("Test", goal.test_set)):
        if chosen is not None:
            parts.append(f"{name} set: {chosen.distribution} ({chosen.size:,} examples).")
    proxy = goal.bayes_proxy_pct
    if proxy is not None:
        source = ("a separate Bayes estimate" if goal.bayes_error_pct is not None
                  else "the best human level")
        parts.append(f"Bayes proxy {proxy:g}% ({source}).")
    return " ".join(parts)


@register(GoalSection)
def goal_section(context: ReportContext) -> GoalSection:
    """The saved goal, its human-level references as a table and what contradicts the course."""
    saved = newest_saved(context, PROJECT_GOAL)
    if saved is None:
        return GoalSection.absent("No project goal is saved: set the metric, the target and the "
                                  "satisficing bounds on the Project strategy page.")
    goal = saved[1]
    humans = pd.DataFrame([{"human-level reference": name, "error %": value}
                           for name, value in goal.human_error_pct])
    tables = (("Human-level references", humans),) if not humans.empty else ()
    return GoalSection(True, goal_summary(goal), tables=tables,
                       warnings=goal.warnings, goal=goal)


@register(SplitPlanSection)
def split_plan_section(context: ReportContext) -> SplitPlanSection:
    """The newest saved split plan: its counts per split and source, the course's notes."""
    saved = newest_saved(context, SPLIT_PLAN)
    if saved is None:
        return SplitPlanSection.absent("No split plan is saved: plan the split on the Split "
                                       "planner page and save it.")
    item, plan = saved
    shape = "train / test (no dev set)" if plan.two_way else "train / train-dev / dev / test"
    counts = ", ".join(f"{split} {plan.count(split):,}" for split in
                       ("train", "train-dev", "dev", "test") if plan.count(split) or split != "train-dev")
    by = f" (saved by {item.updated_by})" if item.updated_by else ""
    summary = f"Plan {item.name!r}{by}: {shape}, dev and test from {plan.target!r}. {counts}."
    table = plan.table().reset_index()
    table["share of all"] = (100 * table["share of all"]).round(2)
    table = table.rename(columns={"share of all": "share of all %"})
    return SplitPlanSection(True, summary, bullets=plan.notes, tables=(("Examples per split "
                            "and source", table),), warnings=plan.warnings, plan=plan)
