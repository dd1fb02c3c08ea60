"""The report as a short Markdown summary to paste into a review doc or a ticket."""

from __future__ import annotations

import math

import pandas as pd

from analysis.sheet_io import neutralise_table
from analysis.text import escape_markdown
from reporting.builders import when
from reporting.sections import ProjectStory, Section


def render_markdown(story: ProjectStory) -> str:
    """A short Markdown summary of every section.

    Every text that can quote the workspace (names, cells, comments) is escaped: it reads as
    typed, never as a link, an image or a formula.
    """
    lines = [f"# Project review: {escape_markdown(story.workspace_name)}", "",
             f"_Built {when(story.generated_at)} by the ML Strategy Workbench._", ""]
    for section in story.sections:
        lines += [f"## {section.title}", "", *_section_lines(section)]
    return "\n".join(lines).rstrip() + "\n"


def _section_lines(section: Section) -> list[str]:
    """One section's Markdown lines after its heading."""
    if not section.present:
        return [f"_{escape_markdown(section.summary)}_", ""]
    lines = [escape_markdown(section.summary), ""]
    lines += [f"- {escape_markdown(b)}" for b in section.bullets]
    lines += [f"- ⚠ {escape_markdown(w)}" for w in section.warnings]
    if section.bullets or section.warnings:
        lines.append("")
    if section.markdown_table and section.tables:
        lines += [_markdown_table(section.tables[0][1]), ""]
    return lines


def _markdown_table(table: pd.DataFrame, limit: int = 12) -> str:
    """The first `limit` rows as an escaped Markdown table."""
    def cell(value: object) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return escape_markdown(" ".join(str(value).splitlines()))

    table = neutralise_table(table)
    header = "| " + " | ".join(map(cell, table.columns)) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in table.head(limit).itertuples(index=False)]
    return "\n".join([header, rule, *rows])
