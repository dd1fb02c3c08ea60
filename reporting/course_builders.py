"""The report's closing section: the project's course. The iteration log reviewed against the
waterfall snapshots (what each knob did to the gap it aimed at, the course's prompts) and the
learning curve (will more data help?), read through the gate in the ReportContext with the
strategy page's own analysis functions.

Imported by reporting/story.py; it imports reporting/builders.py first, so it closes the report.
"""

from __future__ import annotations

import pandas as pd

from analysis.strategy import (
    IterationEntry,
    LearningCurve,
    LogReview,
    fit_learning_curve,
    learning_curve_points,
    read_snapshot,
    review_log,
)
from analysis.strategy.stored import target_error_pct

# The sections of builders (and the goal and split plan before them) register first.
from reporting import builders  # noqa: F401
from reporting.plan_builders import newest_item
from reporting.registry import ReportContext, register
from reporting.sections import CourseSection
from workspace.kinds import ITERATION_LOG, LEARNING_CURVE, PROJECT_GOAL, WATERFALL_SNAPSHOT


def _review(context: ReportContext, entries: list[IterationEntry]) -> LogReview:
    """The log against the snapshots (oldest first) and the goal's target error."""
    items = sorted(context.gate.list_items(context.workspace_id, WATERFALL_SNAPSHOT.name),
                   key=lambda i: (i.created_at, i.name))
    snapshots = []
    for item in items:
        try:
            snapshots.append(read_snapshot(item.name, item.content, saved_on=item.created_at))
        except ValueError:
            continue  # the waterfall section names unreadable snapshots
    goal_item = newest_item(context, PROJECT_GOAL.name)
    goal = PROJECT_GOAL.from_content(goal_item.content) if goal_item is not None else None
    return review_log(entries, snapshots, target_error_pct=target_error_pct(goal))


def _curve(context: ReportContext) -> LearningCurve | None:
    """The saved learning curve fitted (None when none is saved or it has under 4 sizes)."""
    item = newest_item(context, LEARNING_CURVE.name)
    if item is None:
        return None
    sizes, dev, train = learning_curve_points(LEARNING_CURVE.from_content(item.content))
    if len(sizes) < 4:
        return None
    goal_item = newest_item(context, PROJECT_GOAL.name)
    human = (PROJECT_GOAL.from_content(goal_item.content).bayes_proxy_pct
             if goal_item is not None else None)
    return fit_learning_curve(sizes, dev, train_errors_pct=train, human_error_pct=human)


def _log_table(review: LogReview) -> pd.DataFrame:
    """One row per entry: when, which knob, the gap aimed at, what happened, the decision."""
    return pd.DataFrame([{"date": r.entry.date.isoformat(), "knob": r.entry.knob,
                          "gap aimed at": r.entry.gap, "outcome": r.outcome,
                          "snapshot": r.entry.snapshot or "", "decision": r.entry.decision or ""}
                         for r in review.entries])


@register(CourseSection)
def course_section(context: ReportContext) -> CourseSection:
    """The reviewed iteration log, the course's prompts and the learning curve's verdict."""
    log_item = newest_item(context, ITERATION_LOG.name)
    entries = ITERATION_LOG.from_content(log_item.content) if log_item is not None else []
    review = _review(context, entries) if entries else None
    curve = _curve(context)
    if review is None and curve is None:
        return CourseSection.absent("No iteration log and no learning curve are saved: add "
                                    "them on the Project strategy page.")
    summary = [review.summary] if review is not None else []
    bullets: list[str] = []
    if review is not None:
        bullets += [f"{p.pattern.capitalize()}: {p.message}" for p in review.prompts]
    if curve is not None:
        summary.append(f"Learning curve: {curve.verdict}")
    tables = (("Iteration log (oldest first)", _log_table(review)),) if review else ()
    warnings = (*(review.warnings if review else ()), *(curve.warnings if curve else ()))
    return CourseSection(True, " ".join(summary), bullets=tuple(bullets), tables=tables,
                         warnings=warnings, review=review, curve=curve)
