"""The plotly look every chart of the workbench shares: one template, one palette.

Gap kinds keep the same colour on every page (the waterfall, the lab, the report), so a user
learns once that orange means avoidable bias and blue means variance.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

COLORS: dict[str, str] = {
    "avoidable bias": "#e8590c",
    "variance": "#1c7ed6",
    "data mismatch": "#ae3ec9",
    "overfitting to dev": "#f59f00",
    "human": "#2b8a3e",
    "train": "#1971c2",
    "train-dev": "#0c8599",
    "dev": "#e03131",
    "test": "#5f3dc4",
    "positive": "#2f9e44",
    "negative": "#c92a2a",
    "model_a": "#3b5bdb",
    "model_b": "#f08c00",
    "neutral": "#868e96",
}

SERIES = ("#3b5bdb", "#f08c00", "#2f9e44", "#c2255c", "#0c8599", "#7048e8", "#e8590c", "#868e96")

_TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13, "color": "#212529"},
        colorway=list(SERIES),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 60, "r": 24, "t": 56, "b": 52},
        xaxis={"gridcolor": "#e9ecef", "zerolinecolor": "#ced4da", "automargin": True},
        yaxis={"gridcolor": "#e9ecef", "zerolinecolor": "#ced4da", "automargin": True},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hoverlabel={"font_size": 13},
        title={"x": 0, "xanchor": "left", "font": {"size": 16}},
    )
)
pio.templates["workbench"] = _TEMPLATE


def apply_theme(fig: go.Figure, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """Give `fig` the workbench template (and optionally a title and height); returns it."""
    fig.update_layout(template="workbench")
    if title is not None:
        fig.update_layout(title_text=title)
    if height is not None:
        fig.update_layout(height=height)
    return fig
