"""Project report: one click turns the open workspace's story into a self-contained HTML file
(charts interactive, works offline) and a Markdown summary for a review doc or a ticket."""

from __future__ import annotations

import re
from dataclasses import dataclass

import streamlit as st

from analysis.text import escape_markdown
from charts.report import story_figures
from components.errors import show_error
from components.report_chooser import ReportChoice, report_choice
from components.report_preview import show_preview
from components.share import copy_link
from components.state import (
    active_predictions,
    current_workspace,
    get_shared,
    pop_shared,
    project_human_levels,
    set_shared,
    workspace_data,
)
from reporting import collect_story, render_html, render_markdown

_BUILT = "report.built"  # shared key (no widget owns it): the last report built in this session


@dataclass(frozen=True)
class BuiltReport:
    workspace_id: int
    file_stem: str
    html: str
    markdown: str
    present: tuple[str, ...]
    absent: tuple[str, ...]


def build(workspace_id: int, threshold: float | None, human: float | None,
          choice: ReportChoice) -> BuiltReport:
    """Read the workspace now (never cached: teammates keep saving) and render both forms."""
    primary = active_predictions()
    levels = human if human is not None else (project_human_levels() or None)
    story = collect_story(workspace_data(), workspace_id,
                          primary=choice.file or (primary.name if primary else None), human=levels,
                          threshold=threshold, models=choice.models or None)
    stem = re.sub(r"[^A-Za-z0-9]+", "_", story.workspace_name).strip("_").lower() or "workspace"
    return BuiltReport(
        workspace_id=workspace_id,
        file_stem=f"{stem}_review_{story.generated_at:%Y-%m-%d}",
        html=render_html(story, story_figures(story)),
        markdown=render_markdown(story),
        present=tuple(s.title for s in story.sections if s.present),
        absent=tuple(s.title for s in story.sections if not s.present))


def show(report: BuiltReport) -> None:
    st.success(f"Report built with {len(report.present)} sections"
               + (f"; no data yet for: {', '.join(report.absent)}." if report.absent else "."),
               icon=":material/check_circle:")
    left, right = st.columns(2)
    left.download_button("Download the report (HTML)", data=report.html.encode("utf-8"),
                         file_name=f"{report.file_stem}.html", mime="text/html",
                         key="report.download_html", on_click="ignore", type="primary",
                         icon=":material/download:")
    right.download_button("Download the summary (Markdown)", data=report.markdown.encode("utf-8"),
                          file_name=f"{report.file_stem}.md", mime="text/markdown",
                          key="report.download_md", on_click="ignore", icon=":material/description:")
    st.subheader("Markdown summary")
    st.caption("Copy it with the button in the box's corner and paste it into a review doc or ticket.")
    st.code(report.markdown, language="markdown", wrap_lines=True, height=260)
    show_preview(report.html)


st.title("Project report")
st.caption("The workspace's story for a project review: the goal and the split plan, the "
           "waterfall and its history, the key metrics with intervals, model choice and A/B "
           "verdicts, the error-analysis ceilings and the label-noise verdict, what to work on first and who owns it, the lab's "
           "experiment, then what the team did and what next. One HTML file that opens offline, "
           "presents itself as slides and prints a slide per page.")
copy_link()
workspace = current_workspace()
st.markdown(f"Workspace: **{escape_markdown(workspace.name)}**")
choice = report_choice()
left, right = st.columns(2)
chosen = left.number_input("Threshold for the key metrics (blank = the one saved with the model "
                           "table, else 0.5)", min_value=0.0, max_value=1.0, value=None, step=0.05,
                           key="threshold", bind="query-params")
human = right.number_input("Human-level error % for a waterfall computed from the file when no "
                           "snapshot is saved (blank = the project's)", min_value=0.0,
                           max_value=100.0, value=None, step=0.1, key="human", bind="query-params")
if st.button("Build the report", key="report.build", type="primary", icon=":material/summarize:"):
    try:
        with st.spinner("Reading the workspace and drawing the charts..."):
            set_shared(_BUILT, build(workspace.id, choice.threshold(chosen), human, choice))
    except ValueError as err:
        show_error(err)
built = get_shared(_BUILT)
if built is not None and built.workspace_id != workspace.id:
    pop_shared(_BUILT)  # a report of another workspace must not be offered under this one's name
    built = None
if built is None:
    st.info("Press **Build the report** to read the workspace as it is now.", icon=":material/info:")
else:
    show(built)
