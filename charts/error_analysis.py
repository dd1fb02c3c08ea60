"""Figures of the error-analysis page: each category's ceiling, and which categories co-occur.

Pure builders: a CategorySummary / co-occurrence table in, a plotly Figure out. Category names
are typed by teammates: they are drawn as escaped text, never as plotly's markup.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.error_analysis import CategorySummary
from analysis.error_sheet import category_label
from analysis.text import escape_html
from charts.theme import COLORS, apply_theme


def ceiling_chart(summary: CategorySummary) -> go.Figure:
    """Horizontal bars: dev error left at best after fixing each category, biggest gain on top.

    The dev error today is a dashed line; the bar's shortfall from it is what fixing the category
    could gain. When the sheet is a sample, whiskers show the 95% interval of the ceiling.
    """
    table = summary.table.iloc[::-1]  # plotly draws the first bar at the bottom
    labels = [escape_html(category_label(c)) for c in table["category"]]
    texts = [f"{ceiling:.1f}%" for ceiling in table["ceiling"]]
    bar = go.Bar(
        x=table["ceiling"], y=labels, orientation="h", text=texts, textposition="inside",
        insidetextanchor="start", marker_color=COLORS["dev"], opacity=0.85, name="ceiling",
        customdata=np.column_stack([table["count"], table["share"] * 100]),
        hovertemplate="%{y}: %{x:.2f}% at best<br>%{customdata[0]} errors "
                      "(%{customdata[1]:.0f}% of reviewed)<extra></extra>")
    if summary.is_sample:
        bar.error_x = {"type": "data", "symmetric": False, "color": "#495057",
                       "array": (table["ceiling_high"] - table["ceiling"]).to_numpy(),
                       "arrayminus": (table["ceiling"] - table["ceiling_low"]).to_numpy()}
    fig = go.Figure(bar)
    fig.add_vline(x=summary.dev_error, line_dash="dash", line_color=COLORS["neutral"],
                  annotation_text=f"now {summary.dev_error:.1f}%",
                  annotation_position="top left")
    fig.update_xaxes(title_text="dev error at best after fixing the category",
                     # room right of the line for the whiskers and the "now" label
                     range=[0, summary.dev_error * 1.12 if summary.dev_error > 0 else 1],
                     ticksuffix="%")
    fig.update_layout(showlegend=False, bargap=0.3)
    return apply_theme(fig, title="Ceiling per category", height=120 + 48 * len(labels))


def co_occurrence_chart(matrix: pd.DataFrame) -> go.Figure:
    """Heatmap of how many reviewed errors carry both categories (diagonal: each category's count)."""
    labels = [escape_html(category_label(c)) for c in matrix.index]
    values = matrix.to_numpy(dtype=int)
    fig = go.Figure(go.Heatmap(
        z=values, x=labels, y=labels, text=values.astype(str), texttemplate="%{text}",
        colorscale=[[0, "#f8f9fa"], [1, COLORS["model_a"]]], showscale=False,
        zmin=0, zmax=max(1, int(values.max(initial=0))),  # all-zero stays pale, not solid blue
        hovertemplate="%{y} and %{x}: %{z} errors<extra></extra>", xgap=2, ygap=2))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="bottom", tickangle=-30)
    size = 160 + 52 * len(labels)
    return apply_theme(fig, title="Errors in both categories", height=size)


def summary_display_table(summary: CategorySummary) -> pd.DataFrame:
    """The summary as the page shows it: labels, counts, and percentages with their intervals."""
    table = summary.table
    sample = summary.is_sample

    def with_interval(value: float, low: float, high: float, fmt: str) -> str:
        text = format(value, fmt)
        return f"{text} ({format(low * 100, '.0f')}–{format(high, fmt)})" if sample else text

    shown = pd.DataFrame({
        "category": [category_label(c) for c in table["category"]],
        "errors": table["count"].astype(int),
        "share": [with_interval(s, lo, hi, ".0%") for s, lo, hi in
                            zip(table["share"], table["share_low"], table["share_high"], strict=True)],
        # the ceiling's interval is drawn as whiskers on the chart; the table stays narrow
        "best dev error": [f"{c:.1f}%" for c in table["ceiling"]],
    })
    if sample:
        shown[f"of all {summary.total_dev_errors}"] = [
            f"≈{e:.0f} ({lo:.0f}–{hi:.0f})" for e, lo, hi in
            zip(table["estimated_errors"], table["estimated_low"], table["estimated_high"], strict=True)]
    return shown
