"""The report as one self-contained HTML document: plotly.js inline once, charts interactive,
nothing fetched (no stylesheet, font, image or script from outside the file). Its sections are
also slides: the document presents itself (reporting.slides) and prints one slide per page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from analysis.sheet_io import neutralise_table
from analysis.text import escape_html
from reporting.builders import when
from reporting.sections import ProjectStory, Section
from reporting.slides import BODY, CONTROLS_HTML, PRESENT_BUTTON, SLIDES_CSS, SLIDES_JS

_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#212529;
max-width:1100px;margin:0 auto;padding:24px 32px 64px;line-height:1.5}
h1{margin-bottom:4px}h2{margin-top:40px;border-bottom:2px solid #e9ecef;padding-bottom:4px}
.meta{color:#6c757d}.absent{color:#6c757d;font-style:italic}
.warning{background:#fff9db;border-left:4px solid #f59f00;padding:6px 12px;margin:6px 0}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:right}
th{background:#f8f9fa}td:first-child,th:first-child{text-align:left}
caption{caption-side:top;text-align:left;font-weight:600;padding:4px 0}
nav ol{columns:2}.figure{margin:12px 0}
"""

# No logo link and no "send to cloud" button: nothing in the file points outside.
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False}


def render_html(story: ProjectStory, figures: Mapping[str, Sequence[go.Figure]] | None = None) -> str:
    """The report as one self-contained HTML document.

    plotly.js is embedded once, inline, in the head; every figure (charts.report.story_figures,
    by section key) is a div drawn by it, so the charts stay interactive with no network.
    Every text that can quote the workspace is escaped. Its "Present as slides" button shows
    it as slides (reporting.slides.as_slides opens it that way), and it prints a slide per page.
    """
    figures = figures or {}
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{escape_html(story.workspace_name)}: project review</title>",
             f"<style>{_CSS}{SLIDES_CSS}</style>",
             f'<script type="text/javascript">{get_plotlyjs()}</script>',
             f"</head>{BODY}"]
    title = _title(story)
    opening = next((s.key for s in story.sections if s.present), None)
    if opening is None:  # nothing to tell yet: the title is a slide of its own
        parts.append(f'<section id="title" class="slide" data-present="true">{title}</section>')
    for section in story.sections:
        lead = title if section.key == opening else ""
        parts.append(_section_html(section, figures.get(section.key, ()), lead=lead))
    parts += [CONTROLS_HTML, f"<script>{SLIDES_JS}</script>", "</body></html>"]
    return "\n".join(parts)


def _title(story: ProjectStory) -> str:
    """The report's opening: the workspace, when it was built, and what follows. It heads the
    first slide that has something to tell, so the title costs no slide of its own."""
    items = "".join(
        f'<li><a href="#{s.key}">{escape_html(s.title)}</a></li>' if s.present else
        f'<li class="absent-link"><a href="#{s.key}">{escape_html(s.title)}</a> (no data yet)</li>'
        for s in story.sections)
    return "\n".join([
        '<header class="opening">', PRESENT_BUTTON,
        f"<h1>Project review: {escape_html(story.workspace_name)}</h1>",
        f'<p class="meta">Built {escape_html(when(story.generated_at))} by the ML Strategy '
        f"Workbench from workspace #{story.workspace_id}.</p>",
        f"<nav><ol>{items}</ol></nav>", "</header>"])


def _section_html(section: Section, figures: Sequence[go.Figure], *, lead: str = "") -> str:
    """One <section>: its words, warnings, figures and tables (or why it has no data); `lead`
    (the report's opening) heads it when it is the first slide."""
    out = [f'<section id="{section.key}" class="slide" '
           f'data-present="{str(section.present).lower()}">{lead}',
           f"<h2>{escape_html(section.title)}</h2>"]
    if not section.present:
        out.append(f'<p class="absent">{escape_html(section.summary)}</p></section>')
        return "\n".join(out)
    out.append(f"<p>{escape_html(section.summary)}</p>")
    if section.bullets:
        out.append("<ul>" + "".join(f"<li>{escape_html(b)}</li>" for b in section.bullets) + "</ul>")
    out.extend(f'<div class="warning">{escape_html(w)}</div>' for w in section.warnings)
    for figure in figures:
        out.append('<div class="figure">' + pio.to_html(
            figure, include_plotlyjs=False, full_html=False, config=_PLOTLY_CONFIG,
            include_mathjax=False) + "</div>")
    for caption, table in section.tables:
        out.append(_table_html(caption, table))
    out.append("</section>")
    return "\n".join(out)


def _table_html(caption: str, table: pd.DataFrame) -> str:
    """A captioned, escaped HTML table whose cells run no formula when pasted into a sheet."""
    table = neutralise_table(table)
    for column in [c for c in table.columns if pd.api.types.is_object_dtype(table[c].dtype)]:
        table[column] = table[column].where(table[column].notna(), "")  # None shows as blank
    body = table.to_html(index=False, escape=True, na_rep="", border=0,
                         float_format=lambda v: f"{v:,.2f}")
    return body.replace("<table", f"<table data-caption=\"{escape_html(caption)}\"", 1).replace(
        "<thead>", f"<caption>{escape_html(caption)}</caption><thead>", 1)
