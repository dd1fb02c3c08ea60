"""The report's charts: each section drawn with the figure builder its own page uses.

Pure: a ProjectStory in, {section key: [Figure, ...]} out (what analysis.report.render_html
embeds). A section without the result its chart needs simply has no figure.
"""

from __future__ import annotations

import plotly.graph_objects as go

from analysis.report import ProjectStory
from analysis.text import escape_html
from charts.error_analysis import ceiling_chart
from charts.lab import learning_curves_figure
from charts.metrics import comparison_figure, pr_figure, roc_figure
from charts.waterfall import history_figure, waterfall_figure


def story_figures(story: ProjectStory) -> dict[str, list[go.Figure]]:
    """Every chart of the report, by section key."""
    figures: dict[str, list[go.Figure]] = {}
    for section in story.sections:
        payload = section.payload
        drawn: list[go.Figure] = []
        if section.key == "waterfall" and "latest" in payload:
            name, result = payload["latest"]
            # plotly reads <a>, <b>... in titles: a typed snapshot name stays plain text
            drawn.append(waterfall_figure(result, title=f"Error waterfall: {escape_html(name)}"))
            if len(payload.get("history", ())) > 1:
                drawn.append(history_figure(payload["history"], title="Gaps across snapshots"))
        elif section.key == "metrics" and payload.get("curves"):
            drawn.append(roc_figure(payload["curves"], threshold=payload["threshold"]))
            drawn.append(pr_figure(payload["curves"], threshold=payload["threshold"]))
        elif section.key == "selection" and "comparison" in payload:
            drawn.append(comparison_figure(payload["comparison"]))
        elif section.key == "error_analysis" and "summary" in payload:
            drawn.append(ceiling_chart(payload["summary"]))
        elif section.key == "lab" and "history" in payload:
            drawn.append(learning_curves_figure(payload["history"],
                                                bayes_error=payload.get("bayes_error")))
        if drawn:
            figures[section.key] = drawn
    return figures
