"""The report's sections as typed objects: one frozen dataclass per section, saying what it holds.

Every section carries the words and tables the report prints (Section's fields); each kind adds
the analysis results its charts are drawn from, by name and type, so charts.report and the
tests read `section.history`, never a string-keyed dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Self

import pandas as pd

from analysis.error_analysis import CategorySummary, LabelNoiseImpact
from analysis.metrics import BinaryMetrics, ScoreCurve
from analysis.selection import ModelComparison, ModelSelection
from analysis.splits import SplitPlan
from analysis.strategy import LearningCurve, LogReview, ProjectGoal
from analysis.waterfall_result import BiasVarianceResult

#: A table the report prints: (caption, rows).
Table = tuple[str, pd.DataFrame]


@dataclass(frozen=True)
class Section:
    """One part of the story: a summary, bullets, warnings and tables, or why it has no data.

    Subclasses set `key` (the HTML anchor) and `title`, and add the results their charts need.
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: Markdown summaries also print the first table of these sections (the others stay in HTML).
    markdown_table: ClassVar[bool] = False

    present: bool
    summary: str
    bullets: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def absent(cls, why: str) -> Self:
        """The section with no data: `why` says what is missing and where to add it."""
        return cls(present=False, summary=why)

    def to_dict(self) -> dict[str, Any]:
        """The words and tables as plain JSON-able data (results for charts are left out)."""
        return {"key": self.key, "title": self.title, "present": self.present,
                "summary": self.summary, "bullets": list(self.bullets),
                "warnings": list(self.warnings),
                "tables": [{"caption": caption, "rows": _records(table)}
                           for caption, table in self.tables]}


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, missing values as None."""
    clean = table.astype(object).where(table.notna(), None)
    return clean.to_dict(orient="records")


@dataclass(frozen=True)
class GoalSection(Section):
    """Where the project aims: the optimizing metric and target, the satisficing bounds, the
    dev and test sets and the human level measured against."""

    key: ClassVar[str] = "goal"
    title: ClassVar[str] = "The project's goal"
    markdown_table: ClassVar[bool] = True

    goal: ProjectGoal | None = None


@dataclass(frozen=True)
class SplitPlanSection(Section):
    """The saved split plan: how many examples of each source go to each split, and why."""

    key: ClassVar[str] = "splits"
    title: ClassVar[str] = "How the data is split"

    plan: SplitPlan | None = None


@dataclass(frozen=True)
class CourseSection(Section):
    """The project's course: the iteration log reviewed against the snapshots, the course's
    prompts, and whether more data will help (the learning curve)."""

    key: ClassVar[str] = "course"
    title: ClassVar[str] = "What we did, what happened, what next"
    markdown_table: ClassVar[bool] = True

    review: LogReview | None = None
    curve: LearningCurve | None = None


@dataclass(frozen=True)
class FilesSection(Section):
    """The saved predictions files: names, rows, task, splits, who saved them when."""

    key: ClassVar[str] = "files"
    title: ClassVar[str] = "Data files"
    markdown_table: ClassVar[bool] = True


@dataclass(frozen=True)
class WaterfallSection(Section):
    """Bias / variance / mismatch: the latest waterfall and every saved snapshot, oldest first."""

    key: ClassVar[str] = "waterfall"
    title: ClassVar[str] = "Where the error comes from (bias / variance / mismatch)"

    latest: tuple[str, BiasVarianceResult] | None = None
    history: tuple[tuple[str, BiasVarianceResult], ...] = ()


@dataclass(frozen=True)
class MetricsSection(Section):
    """Key metrics of the primary file at the chosen threshold, with each score's curve."""

    key: ClassVar[str] = "metrics"
    title: ClassVar[str] = "Key metrics at the chosen threshold"

    metrics: BinaryMetrics | None = None
    curves: Mapping[str, ScoreCurve] = field(default_factory=dict)
    threshold: float | None = None


@dataclass(frozen=True)
class SelectionSection(Section):
    """The saved model table's choice and the A/B verdict of the primary file's two models."""

    key: ClassVar[str] = "selection"
    title: ClassVar[str] = "Model selection and A/B verdicts"

    selection: ModelSelection | None = None
    comparison: ModelComparison | None = None


@dataclass(frozen=True)
class ErrorAnalysisSection(Section):
    """The latest error-analysis sheet: each category's ceiling and the label-noise verdict."""

    key: ClassVar[str] = "error_analysis"
    title: ClassVar[str] = "Error analysis: which category to fix first"
    markdown_table: ClassVar[bool] = True

    ceilings: CategorySummary | None = None
    label_noise: LabelNoiseImpact | None = None


@dataclass(frozen=True)
class LabSection(Section):
    """The latest training-lab experiment: its settings, learning curves and waterfall."""

    key: ClassVar[str] = "lab"
    title: ClassVar[str] = "Training-lab experiment"

    history: pd.DataFrame | None = None
    waterfall: BiasVarianceResult | None = None
    bayes_error: float | None = None


@dataclass(frozen=True)
class ProjectStory:
    """Everything the report says about one workspace, in reading order."""

    workspace_id: int
    workspace_name: str
    generated_at: datetime
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        """The section with this key (KeyError names the keys there are)."""
        found = next((s for s in self.sections if s.key == key), None)
        if found is None:
            raise KeyError(f"no report section {key!r}: the story has "
                           f"{[s.key for s in self.sections]}.")
        return found

    def to_dict(self) -> dict[str, Any]:
        """The story as plain JSON-able data."""
        return {"workspace_id": self.workspace_id, "workspace_name": self.workspace_name,
                "generated_at": self.generated_at.isoformat(),
                "sections": [s.to_dict() for s in self.sections]}
