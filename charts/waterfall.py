"""Figures of the bias & variance page: the error waterfall and the gaps across snapshots.

Pure builders: a BiasVarianceResult (analysis.bias_variance) in, a plotly Figure out. Each gap
keeps its kind's colour from charts.theme, so the waterfall, the history and the report
read alike. Snapshot names are typed by teammates: they are drawn as escaped text; a `title`
is plotly markup, so a caller escapes any user text in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from analysis.text import escape_html
from analysis.waterfall_result import GAP_KINDS, BiasVarianceResult, Gap
from charts.theme import COLORS, apply_theme

LEVEL_LABELS = {
    "human": "Human level<br>(Bayes proxy)",
    "train": "Training<br>error",
    "train-dev": "Train-dev<br>error",
    "dev": "Dev<br>error",
    "test": "Test<br>error",
}
GAP_LABELS = {
    "avoidable bias": "Avoidable<br>bias",
    "variance": "Variance",
    "data mismatch": "Data<br>mismatch",
    "overfitting to dev": "Overfitting<br>to dev",
}


def _points(value: float) -> str:
    """A gap as signed percentage points with enough digits for small gaps (+0.15 pts)."""
    digits = 2 if abs(value) < 1 else 1
    return f"{value:+.{digits}f} pts"


def _percent(value: float) -> str:
    return f"{value:.2f}%" if value < 1 else f"{value:.1f}%"


def _gap_label(gap: Gap) -> str:
    return f"{_points(gap.size)}<br>(noise)" if gap.within_noise else _points(gap.size)


def _gap_x(gap: Gap) -> str:
    # Without a train-dev set the variance step spans train -> dev; say so on the axis.
    if gap.kind == "variance" and gap.end == "dev":
        return "Variance +<br>mismatch"
    return GAP_LABELS[gap.kind]


def waterfall_figure(result: BiasVarianceResult, *, title: str | None = None,
                     height: int = 440, target_error_pct: float | None = None) -> go.Figure:
    """The error waterfall: each level as a bar from 0, each gap as a floating bar between.

    Gaps are coloured by kind and labelled with their size; the dominant gap is outlined and
    called out; a gap within the noise is hatched. Levels computed from data carry their
    confidence interval as error bars. `target_error_pct` (the project goal's) is a dashed line.
    """
    fig = go.Figure()
    order = _x_order(result)
    _add_levels(fig, result)
    for gap in result.gaps:
        _add_gap(fig, gap, dominant=gap.kind == result.main_problem)
    _add_connectors(fig, result, order)
    if result.main_problem is not None:
        _call_out(fig, result)
    top = max([s.high if s.high is not None else s.error for s in result.levels] or [1.0])
    if target_error_pct is not None:
        top = max(top, target_error_pct)
        fig.add_hline(y=target_error_pct, line_dash="dash", line_color="#2b8a3e", line_width=1.5,
                      annotation_text=f"goal: at most {target_error_pct:g}% error",
                      annotation_position="top left", annotation_font_color="#2b8a3e")
    fig.update_layout(barmode="overlay", bargap=0.25, showlegend=True,
                      xaxis={"categoryorder": "array", "categoryarray": order, "title": None},
                      yaxis={"title": "error (%)", "ticksuffix": "%",
                             "range": [0, max(top * 1.3, 0.5)], "rangemode": "tozero"},
                      # Below the axis, so the legend never collides with the title.
                      legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
                      margin={"b": 96})
    return apply_theme(fig, title=title or "Where the error comes from", height=height)


def _x_order(result: BiasVarianceResult) -> list[str]:
    """Levels and the gaps between them, in waterfall order (human, bias, train, ...)."""
    gaps_after = {gap.start: gap for gap in result.gaps}
    order = []
    for level in result.levels:
        order.append(LEVEL_LABELS[level.split])
        if level.split in gaps_after:
            order.append(_gap_x(gaps_after[level.split]))
    return order


def _add_levels(fig: go.Figure, result: BiasVarianceResult) -> None:
    levels = result.levels
    if not levels:
        return
    has_ci = any(s.low is not None for s in levels)
    error_y = None
    if has_ci:
        error_y = {"type": "data", "symmetric": False, "color": "#343a40", "thickness": 1.5,
                   "width": 6,
                   "array": [0 if s.high is None else s.high - s.error for s in levels],
                   "arrayminus": [0 if s.low is None else s.error - s.low for s in levels]}
    hover = [_level_hover(s, result.confidence) for s in levels]
    fig.add_trace(go.Bar(
        name="error at each level", x=[LEVEL_LABELS[s.split] for s in levels],
        y=[s.error for s in levels], marker_color=[COLORS[s.split] for s in levels],
        marker_opacity=0.85, error_y=error_y, hovertext=hover, hoverinfo="text",
        showlegend=False))
    # Values as annotations above the error bar (bar text would sit under the whisker).
    for level in levels:
        fig.add_annotation(x=LEVEL_LABELS[level.split], y=level.high or level.error,
                           text=f"<b>{_percent(level.error)}</b>", showarrow=False,
                           yanchor="bottom", yshift=3, font={"size": 13, "color": "#212529"})


def _level_hover(level, confidence: float) -> str:
    text = f"{level.split}: {level.error:.2f}%"
    if level.examples:
        text += f"<br>{level.errors:,} wrong of {level.examples:,}"
    if level.low is not None:
        text += f"<br>{confidence:.0%} interval {level.low:.2f}% to {level.high:.2f}%"
    return text


def _add_gap(fig: go.Figure, gap: Gap, *, dominant: bool) -> None:
    base = min(gap.size, 0.0)
    color = COLORS[gap.kind]
    # A zero gap still needs a sliver to carry its label and hover.
    height = abs(gap.size)
    hover = f"{gap.kind}: {gap.size:+.2f} points ({gap.start} → {gap.end})"
    if gap.low is not None:
        hover += f"<br>interval {gap.low:+.2f} to {gap.high:+.2f} points"
    if gap.within_noise:
        hover += "<br>within the noise: not a problem yet"
    fig.add_trace(go.Bar(
        name=gap.kind, x=[_gap_x(gap)], y=[height], base=[_start_error(fig, gap) + base],
        marker=_gap_marker(color, dominant=dominant, hatched=gap.within_noise),
        text=[_gap_label(gap)], textposition="outside", cliponaxis=False,
        textfont={"color": color, "size": 14 if dominant else 13},
        hovertext=[hover], hoverinfo="text", legendgroup=gap.kind))


def _gap_marker(color: str, *, dominant: bool, hatched: bool) -> dict:
    """Solid in the kind's colour; hatched on white when the gap is within the noise."""
    outline = {"color": "#212529" if dominant else color, "width": 3 if dominant else 1.5}
    if hatched:
        return {"color": "white", "line": outline,
                "pattern": {"shape": "/", "fgcolor": color, "solidity": 0.45}}
    return {"color": color, "line": outline}


def _start_error(fig: go.Figure, gap: Gap) -> float:
    """The error at the gap's start, read back from the levels trace drawn first."""
    levels = fig.data[0]
    return float(levels.y[list(levels.x).index(LEVEL_LABELS[gap.start])])


def _add_connectors(fig: go.Figure, result: BiasVarianceResult, order: list[str]) -> None:
    """Dotted lines carrying each level's height across to the next bar, as in a waterfall."""
    for level in result.levels:
        position = order.index(LEVEL_LABELS[level.split])
        if position + 1 >= len(order):
            continue
        fig.add_shape(type="line", xref="x", yref="y", x0=position + 0.4, x1=position + 0.6,
                      y0=level.error, y1=level.error,
                      line={"color": COLORS["neutral"], "dash": "dot", "width": 1})


def _call_out(fig: go.Figure, result: BiasVarianceResult) -> None:
    gap = result.gap(result.main_problem)
    top = _start_error(fig, gap) + max(gap.size, 0.0)
    fig.add_annotation(
        x=_gap_x(gap), y=top, yshift=28, ax=0, ay=-34, showarrow=True, arrowhead=2,
        arrowcolor=COLORS[gap.kind], text=f"<b>Dominant: {gap.kind}</b>",
        font={"color": COLORS[gap.kind], "size": 13}, bgcolor="rgba(255,255,255,0.9)",
        bordercolor=COLORS[gap.kind], borderpad=3)


def history_figure(snapshots: Sequence[tuple[str, BiasVarianceResult]], *,
                   title: str | None = None, height: int = 380) -> go.Figure:
    """How each gap moved across saved snapshots (model versions, in the order given).

    One line per gap kind in its colour; a snapshot without that gap leaves a hole. The last
    error of each snapshot is drawn dashed for scale.
    """
    names = [escape_html(name) for name, _ in snapshots]
    fig = go.Figure()
    for kind in GAP_KINDS:
        sizes = [_size_or_none(result, kind) for _, result in snapshots]
        if all(size is None for size in sizes):
            continue
        fig.add_trace(go.Scatter(
            name=kind, x=names, y=sizes, mode="lines+markers+text", connectgaps=False,
            line={"color": COLORS[kind], "width": 2.5}, marker={"size": 9},
            # Only the latest value is written out; earlier ones are in the hover.
            text=[""] * (len(sizes) - 1) + [_latest_label(sizes[-1])],
            textposition="middle right", textfont={"color": COLORS[kind]}, cliponaxis=False,
            hovertemplate=f"{kind}<br>%{{x}}: %{{y:+.2f}} points<extra></extra>"))
    last = [result.levels[-1].error if result.levels else None for _, result in snapshots]
    fig.add_trace(go.Scatter(
        name="last error", x=names, y=last, mode="lines+markers",
        line={"color": COLORS["neutral"], "dash": "dash", "width": 1.5},
        hovertemplate="last error<br>%{x}: %{y:.2f}%<extra></extra>"))
    fig.add_hline(y=0, line={"color": "#adb5bd", "width": 1})
    fig.update_layout(xaxis={"title": "snapshot (model version)", "type": "category"},
                      yaxis={"title": "percentage points"},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.34, "x": 0},
                      margin={"b": 110, "r": 60})
    return apply_theme(fig, title=title or "How the gaps moved across snapshots", height=height)


def _latest_label(size: float | None) -> str:
    return "" if size is None else f" {size:+.1f}"


def _size_or_none(result: BiasVarianceResult, kind: str) -> float | None:
    gap = result.gap(kind)
    return None if gap is None else gap.size
