"""The report's charts: each section drawn with the figure builder its own page uses.

Pure: a ProjectStory in, {section key: [Figure, ...]} out (what reporting.render_html embeds).
DRAWERS maps each section type to its drawer; a section type without one, or without the
result its chart needs, simply has no figure.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go

from analysis.text import escape_html
from charts.error_analysis import ceiling_chart
from charts.lab import learning_curves_figure
from charts.learning_curve import learning_curve_figure
from charts.metrics import comparison_figure, pr_figure, roc_figure
from charts.splits import composition_figure
from charts.waterfall import history_figure, waterfall_figure
from reporting.sections import (
    CourseSection,
    ErrorAnalysisSection,
    LabSection,
    MetricsSection,
    ProjectStory,
    Section,
    SelectionSection,
    SplitPlanSection,
    WaterfallSection,
)


def _waterfall(section: WaterfallSection) -> list[go.Figure]:
    """The latest waterfall, and the gaps across snapshots when there are several."""
    if section.latest is None:
        return []
    name, result = section.latest
    # plotly reads <a>, <b>... in titles: a typed snapshot name stays plain text
    drawn = [waterfall_figure(result, title=f"Error waterfall: {escape_html(name)}")]
    if len(section.history) > 1:
        drawn.append(history_figure(list(section.history), title="Gaps across snapshots"))
    return drawn


def _metrics(section: MetricsSection) -> list[go.Figure]:
    """ROC and precision-recall curves of every score, the threshold marked."""
    if not section.curves:
        return []
    return [roc_figure(section.curves, threshold=section.threshold),
            pr_figure(section.curves, threshold=section.threshold)]


def _selection(section: SelectionSection) -> list[go.Figure]:
    """The A/B comparison, when the file holds two models."""
    return [] if section.comparison is None else [comparison_figure(section.comparison)]


def _error_analysis(section: ErrorAnalysisSection) -> list[go.Figure]:
    """Each category's ceiling with its interval."""
    return [] if section.ceilings is None else [ceiling_chart(section.ceilings)]


def _lab(section: LabSection) -> list[go.Figure]:
    """The experiment's learning curves, when it was trained."""
    if section.history is None:
        return []
    return [learning_curves_figure(section.history, bayes_error=section.bayes_error)]


def _split_plan(section: SplitPlanSection) -> list[go.Figure]:
    """What each split is made of (share of each source)."""
    if section.plan is None:
        return []
    return [composition_figure(section.plan.table(), target=section.plan.target,
                               title="What each split is made of")]


def _course(section: CourseSection) -> list[go.Figure]:
    """The learning curve with its fit and extrapolations, when one is saved."""
    if section.curve is None:
        return []
    return [learning_curve_figure(section.curve, title="Dev error against training-set size")]


DRAWERS: dict[type[Section], Callable[[Section], list[go.Figure]]] = {
    SplitPlanSection: _split_plan, WaterfallSection: _waterfall, MetricsSection: _metrics,
    SelectionSection: _selection, ErrorAnalysisSection: _error_analysis, LabSection: _lab,
    CourseSection: _course}


def story_figures(story: ProjectStory) -> dict[str, list[go.Figure]]:
    """Every chart of the report, by section key."""
    figures: dict[str, list[go.Figure]] = {}
    for section in story.sections:
        drawer = DRAWERS.get(type(section))
        drawn = drawer(section) if drawer is not None else []
        if drawn:
            figures[section.key] = drawn
    return figures
