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
    ProjectGoal,
    Snapshot,
    fit_learning_curve,
    learning_curve_points,
    review_log,
)
from analysis.strategy.stored import target_error_pct

# The sections of builders (and the goal and split plan before them) register first.
from reporting import builders  # noqa: F401
from reporting.plan_builders import newest_saved
from reporting.registry import ReportContext, register
from reporting.sections import CourseSection
from workspace.kinds import ITERATION_LOG, LEARNING_CURVE, PROJECT_GOAL, WATERFALL_SNAPSHOT


def _goal(context: ReportContext) -> ProjectGoal | None:
    """The saved goal (its target error and Bayes proxy), or None."""
    saved = newest_saved(context, PROJECT_GOAL)
    return saved[1] if saved is not None else None


def _review(context: ReportContext, entries: list[IterationEntry]) -> LogReview:
    """The log against the snapshots (oldest first) and the goal's target error."""
    items = sorted(context.data.items(WATERFALL_SNAPSHOT), key=lambda i: (i.created_at, i.name))
    snapshots = []
    for item in items:
        try:
            result = context.data.read(WATERFALL_SNAPSHOT, item)
            snapshots.append(Snapshot(item.name, result, saved_on=item.created_at))
        except ValueError:
            continue  # the waterfall section names unreadable snapshots
    goal = _goal(context)
    return review_log(entries, snapshots, target_error_pct=target_error_pct(goal))


def _curve(context: ReportContext) -> LearningCurve | None:
    """The saved learning curve fitted (None when none is saved or it has under 4 sizes)."""
    saved = newest_saved(context, LEARNING_CURVE)
    if saved is None:
        return None
    sizes, dev, train = learning_curve_points(saved[1])
    if len(sizes) < 4:
        return None
    goal = _goal(context)
    human = goal.bayes_proxy_pct if goal is not None else None
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
    log = newest_saved(context, ITERATION_LOG)
    entries = log[1] if log is not None else []
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
