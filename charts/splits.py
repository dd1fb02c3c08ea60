"""Figures of the split planner: what each split is made of, and where each source goes.

Pure builders: a composition table (splits x sources, from analysis.splits) in, a Figure out.
Source names are typed by the user: they are drawn as escaped text, never as plotly's markup.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.text import escape_html
from charts.theme import COLORS, SERIES, apply_theme

_NOT_SOURCES = ("total", "share of all")


def _sources(table: pd.DataFrame) -> list[str]:
    return [str(c) for c in table.columns if c not in _NOT_SOURCES]


def source_colors(sources: list[str], target: str) -> dict[str, str]:
    """The target always gets the first series colour, so it reads the same on every chart."""
    ordered = [target] + [s for s in sources if s != target]
    return {name: SERIES[i % len(SERIES)] for i, name in enumerate(ordered)}


def composition_figure(table: pd.DataFrame, *, target: str, as_share: bool = True,
                       title: str | None = None) -> go.Figure:
    """Stacked bars, one per split, stacked by source.

    With `as_share` each bar is the split's source mix (100%), so a 2,500-example dev set
    reads as clearly as a 200,000-example train set; counts stay in the hover and labels.
    """
    sources = _sources(table)
    colors = source_colors(sources, target)
    totals = table[sources].sum(axis=1)
    ticks = [f"{split}<br>{int(total):,}" for split, total in totals.items()]
    fig = go.Figure()
    for source in [target] + [s for s in sources if s != target]:
        counts = table[source].astype(int)
        shares = (counts / totals.where(totals > 0)).fillna(0.0)
        y = shares * 100 if as_share else counts
        text = [f"{c:,}" if c else "" for c in counts]
        shown = escape_html(source)
        fig.add_trace(go.Bar(
            name=f"{shown} (target)" if source == target else shown, x=ticks, y=y,
            marker_color=colors[source], text=text, textposition="inside",
            customdata=list(zip(counts, shares * 100, strict=True)), meta=shown,
            hovertemplate=("%{meta}<br>%{customdata[0]:,} examples"
                           "<br>%{customdata[1]:.1f}% of the split<extra></extra>")))
    fig.update_layout(barmode="stack", xaxis_title="split (examples)",
                      yaxis_title="share of the split (%)" if as_share else "examples")
    if as_share:
        fig.update_yaxes(range=[0, 100], ticksuffix="%")
    return apply_theme(fig, title=title or "What each split is made of", height=380)


def allocation_figure(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Horizontal 100%-stacked bars, one per source: how its examples are divided among splits.

    Shares rather than counts, so a 10,000-example source reads as clearly as a 200,000 one;
    the counts are in the labels and the hover.
    """
    sources = _sources(table)
    sizes = table[sources].sum(axis=0)
    labels = [f"{escape_html(s)}<br>{int(sizes[s]):,}" for s in sources]
    fig = go.Figure()
    for split in table.index:
        counts = [int(table.loc[split, s]) for s in sources]
        shares = [100 * c / sizes[s] if sizes[s] else 0.0 for c, s in zip(counts, sources, strict=True)]
        fig.add_trace(go.Bar(
            name=str(split), y=labels, x=shares, orientation="h",
            marker_color=COLORS.get(str(split), COLORS["neutral"]),
            text=[f"{c:,}" if c else "" for c in counts], textposition="inside",
            customdata=counts,
            hovertemplate=(f"%{{y}} -> {split}: %{{customdata:,}} examples "
                           "(%{x:.1f}%)<extra></extra>")))
    fig.update_layout(barmode="stack", xaxis_title="share of the source's examples (%)",
                      yaxis_title="source (examples)", yaxis={"autorange": "reversed"},
                      legend={"traceorder": "normal"})
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    return apply_theme(fig, title=title or "Where each source's examples go",
                       height=180 + 56 * len(sources))
