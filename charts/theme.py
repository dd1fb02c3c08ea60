"""The plotly look every chart of the workbench shares: one template, one palette.

Gap kinds keep the same colour on every page (the waterfall, the lab, the report), so a user
learns once that orange means avoidable bias and blue means variance.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from PIL import Image

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


def favicon(size: int = 32) -> Image.Image:
    """The app's icon (three bars of a chart) as RGB pixels, so the server sends it itself:
    a material or emoji icon would make every browser fetch it from a CDN."""
    pixels = np.full((size, size, 3), 255, dtype=np.uint8)
    bar = size // 5
    for slot, (color, height) in enumerate(zip(SERIES[:3], (0.45, 0.7, 0.95), strict=True)):
        left = bar // 2 + slot * (bar + bar // 2 + 1)
        rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
        pixels[size - int(size * height):, left:left + bar] = rgb
    return Image.fromarray(pixels)


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
