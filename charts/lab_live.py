"""Specs for the lab's live drawing component (`components/lab_live.py`): plain JSON that the
browser draws on canvases, in the colours of the lab's plotly figures.

Live charts leave plotly while training plays: a plotly figure is rebuilt and re-laid out in
full on every update, which held the page to about one picture a second. These specs carry
compact arrays instead (history thinned to a few hundred points, the boundary as one byte per
cell) plus the frames the browser plays between updates. The component writes every label
with textContent or fillText, never as HTML, so names need no HTML escaping here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.training.diagnostics import NeuronTiles
from analysis.training.frames import encode_tiles, history_curves
from analysis.training.race import OptimizerRace
from analysis.training.session import TrainingSession
from charts.lab import _BINARY_SCALE, _lighten, class_color
from charts.theme import COLORS, SERIES

LIVE_COUNTERS = ({"key": "epoch", "label": "Epoch", "format": "int"},
                 {"key": "cost", "label": "Cost", "format": "cost"},
                 {"key": "train_error", "label": "Train error", "format": "pct"},
                 {"key": "train_dev_error", "label": "Train-dev error", "format": "pct"},
                 {"key": "dev_error", "label": "Dev error", "format": "pct"},
                 {"key": "learning_rate", "label": "Learning rate", "format": "g3"})
ERRORS = (("train_error", "train"), ("train_dev_error", "train-dev"), ("dev_error", "dev"))
TILE_RAMP = ("#b2182b", "#ffffff", "#2166ac")  # red negative, white zero, blue positive
MAX_TILES = 64


def _rounded(values: list, digits: int = 6) -> list:
    return [None if v is None else float(f"{v:.{digits}g}") for v in values]


def boundary_spec(session: TrainingSession) -> dict[str, Any]:
    """The boundary panel: the grid's box, colours and the train (dots) and dev (crosses)
    points; each frame brings its own grid and says its side."""
    data = session.dataset
    xs, ys, _ = session.grid(2)
    n = data.n_classes
    groups = []
    for X, y, dev in ((data.X_train, data.y_train, False), (data.X_dev, data.y_dev, True)):
        groups.append({"x": np.round(X[:, 0], 4).tolist(), "y": np.round(X[:, 1], 4).tolist(),
                       "c": np.asarray(y, dtype=int).tolist(), "dev": dev})
    spec: dict[str, Any] = {
        "title": "Decision boundary (dots train, crosses dev)",
        "box": [float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])],
        "class_colors": [class_color(k, n) for k in range(max(n, 2))], "points": groups}
    if n <= 2:
        spec["ramp"] = [color for _, color in _BINARY_SCALE]
    else:
        spec["bands"] = [_lighten(class_color(k, n)) for k in range(n)]
    return spec


def _line(name: str, color: str, x: list, y: list) -> dict[str, Any]:
    return {"name": name, "color": color, "x": x, "y": _rounded(y)}


def live_spec(session: TrainingSession, frames: list[dict[str, Any]], *, playing: bool,
              frame_ms: int, run: str) -> dict[str, Any]:
    """The live training panel: counters, boundary, cost, errors and gradient norms, and the
    frames to play (each reveals the curves up to its epoch)."""
    curves = history_curves(session)
    epochs = curves["epoch"]
    bayes = session.dataset.bayes_error
    layers = [_line(f"layer {k + 1}", SERIES[k % len(SERIES)], epochs, norms)
              for k, norms in enumerate(curves["grad_norms"])]
    charts = [
        {"title": "Cost (log)", "log": True, "unit": "",
         "series": [_line("cost", COLORS["neutral"], epochs, curves["cost"])]},
        {"title": "Error", "log": False, "unit": "%",
         "series": [_line(f"{split} error", COLORS[split], epochs, curves[column])
                    for column, split in ERRORS],
         "hline": ({"y": float(bayes), "label": f"Bayes error {bayes:.1f}%",
                    "color": COLORS["human"]} if np.isfinite(bayes) else None)},
        {"title": "Gradient norm per layer (log)", "log": True, "unit": "", "series": layers},
    ]
    return {"kind": "live", "run": run, "playing": playing, "frame_ms": int(frame_ms),
            "counters": list(LIVE_COUNTERS),
            "boundary": boundary_spec(session),
            "charts": charts, "frames": frames}


def race_spec(contest: OptimizerRace, frames: list[dict[str, Any]], *, playing: bool,
              frame_ms: int, run: str) -> dict[str, Any]:
    """The live race: each racer's cost curve on one log chart, its latest cost as a counter."""
    series = []
    counters = [{"key": "epoch", "label": "Epoch", "format": "int"}]
    for k, (label, session) in enumerate(contest.sessions.items()):
        curves = history_curves(session)
        series.append(_line(label, SERIES[k % len(SERIES)], curves["epoch"], curves["cost"]))
        counters.append({"key": label, "label": f"{label} cost", "format": "cost"})
    return {"kind": "race", "run": run, "playing": playing, "frame_ms": int(frame_ms),
            "counters": counters, "boundary": None,
            "charts": [{"title": "Optimizers from the same start: cost J (log)", "log": True,
                        "unit": "", "series": series}],
            "frames": frames}


def tiles_spec(tiles: NeuronTiles, *, run: str) -> dict[str, Any]:
    """Each hidden unit's output as a small picture (at most MAX_TILES, the rest counted)."""
    n = min(len(tiles.tiles), MAX_TILES)
    more = len(tiles.tiles) - n
    return {"kind": "tiles", "run": run, "playing": False, "frame_ms": 0,
            "tiles": {"res": len(tiles.xs), "ramp": list(TILE_RAMP),
                      "names": [f"L{tiles.layer[k]} u{tiles.unit[k] + 1}" for k in range(n)],
                      "grids": encode_tiles(tiles, n)},
            "note": (f"Hidden units over the input plane (blue positive, white zero, red "
                     f"negative; one scale for all){f'; first {n}, {more} more' if more else ''}.")}
