"""The project's strategy: its goal, learning curves, the course's advisors (transfer,
multi-task, end-to-end) and the iteration log with its review.
"""

from analysis.strategy.advisors import (
    Advice,
    CourseExample,
    end_to_end_advice,
    multitask_advice,
    transfer_advice,
)
from analysis.strategy.goal import EvaluationSet, ProjectGoal, SatisficingBound, pick_model
from analysis.strategy.iteration_log import (
    AIMS,
    CHAIN,
    KNOBS,
    EntryReview,
    IterationEntry,
    LogReview,
    Prompt,
    review_log,
)
from analysis.strategy.learning_curve import (
    Extrapolation,
    LearningCurve,
    fit_learning_curve,
    learning_curve_points,
)
from analysis.strategy.snapshots import Snapshot
from analysis.strategy.thresholds import Threshold

__all__ = [
    "AIMS",
    "CHAIN",
    "KNOBS",
    "Advice",
    "CourseExample",
    "EntryReview",
    "EvaluationSet",
    "Extrapolation",
    "IterationEntry",
    "LearningCurve",
    "LogReview",
    "ProjectGoal",
    "Prompt",
    "SatisficingBound",
    "Snapshot",
    "Threshold",
    "end_to_end_advice",
    "fit_learning_curve",
    "learning_curve_points",
    "multitask_advice",
    "pick_model",
    "review_log",
    "transfer_advice",
]
