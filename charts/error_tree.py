"""The error tree as an icicle: each box a cohort (the rule that leads to it from its parent),
its width the rows it holds, its colour its error rate, so the reddest wide box is where to
look first.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from analysis.error_tree import ErrorTreeNode
from analysis.text import escape_html
from charts.theme import apply_theme

#: Error rate colours, from no errors (light) to all errors (dark red).
ERROR_SCALE = "Reds"
#: How to read the chart, shown under it.
ERROR_TREE_CAPTION = ("A shallow decision tree fitted to the errors: box height = rows, colour = "
                      "error rate; hover a box for its errors and its share of all errors.")


def _label(node: ErrorTreeNode) -> str:
    return escape_html(node.rule or "all rows")


def error_tree_figure(nodes: Sequence[ErrorTreeNode], *, height: int = 420,
                      title: str | None = None) -> go.Figure:
    """An icicle of the error tree's nodes (root on the left): values = rows, colour = error
    rate; the hover gives the full path, rows, errors, error rate and coverage (the node's
    share of all errors). Labels and paths come from the user's columns and values, so they
    are escaped.

    Raises ValueError when `nodes` is empty or is not a list of error-tree nodes.
    """
    if not nodes or not all(isinstance(node, ErrorTreeNode) for node in nodes):
        raise ValueError("nodes must be the non-empty list fit_error_tree(...) returns.")
    fig = go.Figure(go.Icicle(
        ids=[str(node.id) for node in nodes],
        parents=["" if node.parent is None else str(node.parent) for node in nodes],
        labels=[_label(node) for node in nodes],
        values=[node.n for node in nodes],
        branchvalues="total",
        marker={"colors": [node.error_rate for node in nodes], "colorscale": ERROR_SCALE,
                "cmin": 0.0, "cmax": max(node.error_rate for node in nodes) or 1.0,
                "colorbar": {"title": {"text": "error rate"}, "tickformat": ".0%"},
                "showscale": True},
        customdata=[[escape_html(node.path), node.errors, node.error_rate, node.coverage]
                    for node in nodes],
        texttemplate="%{label}<br>%{customdata[2]:.1%} wrong · %{value:,} rows",
        hovertemplate=("%{customdata[0]}<br>%{value:,} rows, %{customdata[1]:,} errors "
                       "(%{customdata[2]:.1%})<br>%{customdata[3]:.1%} of all errors"
                       "<extra></extra>"),
        tiling={"orientation": "h"},
        maxdepth=-1,
    ))
    fig.update_layout(margin={"l": 8, "r": 8, "t": 48, "b": 8})
    return apply_theme(fig, title=escape_html(title or "Error tree: where errors concentrate"),
                       height=height)
