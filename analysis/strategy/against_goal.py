"""A waterfall read against the project goal: how far the dev error is from the error the goal
aims at, which bounds the model must also meet, and where the Bayes proxy comes from. The
sentences the Bias & variance page shows under its diagnosis."""

from __future__ import annotations

from analysis.strategy.goal import ProjectGoal
from analysis.strategy.stored import target_error_pct
from analysis.waterfall_result import BiasVarianceResult

_SIGNS = {"max": ">=", "min": "<="}


def measured_error(result: BiasVarianceResult) -> tuple[str, float] | None:
    """The level the goal is judged on: dev, else test, else the last level measured."""
    levels = {level.split: level.error for level in result.levels if level.split != "human"}
    for split in ("dev", "test"):
        if split in levels:
            return split, levels[split]
    return next(reversed(levels.items()), None)


def waterfall_goal_notes(goal: ProjectGoal, result: BiasVarianceResult) -> tuple[str, ...]:
    """What the goal says about this waterfall, one sentence each.

    Examples
    --------
    >>> from analysis.bias_variance import decompose
    >>> goal = ProjectGoal("accuracy", target=95, metric_unit="%", human_error_pct={"team": 0.5})
    >>> waterfall_goal_notes(goal, decompose(0.5, 2.0, dev=10.0))[0]
    'The goal aims at accuracy >= 95%, at most 5% error: dev error 10.00% is 5.00 points above it.'
    """
    notes = []
    aim = target_error_pct(goal)
    measured = measured_error(result)
    if aim is not None and measured is not None:
        split, error = measured
        gap = error - aim
        where = ("above it" if gap > 0 else "below it: the target is met" if gap < 0
                 else "exactly on it")
        notes.append(f"The goal aims at {goal.metric} {_SIGNS[goal.direction]} {goal.target:g}"
                     f"{goal.metric_unit.strip()}, at most {aim:g}% error: {split} error "
                     f"{error:.2f}% is {abs(gap):.2f} points {where}.")
    elif goal.target is not None:
        notes.append(f"The goal's target ({goal.metric} {goal.target:g} {goal.metric_unit}) is not "
                     "an error rate in percent: compare it on the Metrics page.".replace("  ", " "))
    if goal.satisficing:
        notes.append("The model must also meet: "
                     + "; ".join(bound.describe() for bound in goal.satisficing) + ".")
    if goal.bayes_error_pct is not None:
        notes.append(f"Bayes proxy: the goal's separate estimate of the Bayes error "
                     f"({goal.bayes_error_pct:g}%), used instead of the best human level.")
    return tuple(notes)
