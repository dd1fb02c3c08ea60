"""Training in frames: one server update trains a tick's epochs in a few chunks and keeps a
compact snapshot (a frame) after each, so the browser can draw several pictures per update.

A frame is plain JSON: the epoch, the counters and the decision boundary as a base64 string of
one byte per grid cell. Sending a second's frames in one message, and letting the browser
play them, is what makes the live lab redraw several times a second without a page rerun
per picture. Nothing here imports streamlit or plotly; `charts/lab_live.py` adds the colours.
"""

from __future__ import annotations

import base64
from collections.abc import MutableMapping
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from analysis.training import live
from analysis.training.diagnostics import NeuronTiles
from analysis.training.race import OptimizerRace
from analysis.training.session import TrainingSession
from analysis.validation import check_count

GRID_PLAYING = 40  # boundary cells per side while the run plays (a frame is 1.6 kB)
GRID_PAUSED = 80  # and once it stops: the finer picture is drawn once
MAX_CURVE_POINTS = 400  # history points sent per curve; the history itself stays whole
_THREADS: list[ThreadpoolController] = []  # found once: scanning the loaded libraries is slow


def one_blas_thread():
    """A context in which BLAS uses one thread. The lab's matrices are small: on a busy
    2-core server OpenBLAS's hand-offs between threads made a live tick about 10x slower
    (0.20 s against 0.02 s for ten one-epoch frames), and the server serves other pages too."""
    if not _THREADS:
        _THREADS.append(ThreadpoolController())
    return _THREADS[0].limit(limits=1, user_api="blas")


def downsample_index(n: int, max_points: int) -> np.ndarray:
    """Evenly spaced row positions (first and last always kept) to draw at most `max_points`.

    Drawing only: a 15,000-epoch history becomes ~1,000 points on screen, the data stays whole.

    >>> downsample_index(5, 10).tolist()
    [0, 1, 2, 3, 4]
    >>> downsample_index(101, 3).tolist()
    [0, 50, 100]
    """
    if n <= 0:
        return np.arange(0)
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}")
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def encode_bytes(values: np.ndarray) -> str:
    """Values already in 0..255 as a base64 string, one byte each (row by row)."""
    return base64.b64encode(np.clip(np.rint(values), 0, 255).astype(np.uint8).tobytes()).decode()


def encode_grid(Z: np.ndarray, n_classes: int) -> str:
    """A decision grid as bytes: P(class 1) x 255 for binary data, the class index otherwise.
    A cell whose value is not finite (a diverged network) becomes 0.

    >>> encode_grid(np.array([[0.0, 0.5], [1.0, np.nan]]), 2)
    'AID/AA=='
    """
    Z = np.nan_to_num(np.asarray(Z, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    return encode_bytes(Z * 255.0 if n_classes <= 2 else Z)


def _number(value: float) -> float | None:
    """A JSON-safe number: NaN and infinities become None (drawn as a gap)."""
    return float(value) if np.isfinite(value) else None


def session_frame(session: TrainingSession, resolution: int) -> dict[str, Any]:
    """The session as it is now: epoch, counters and the boundary grid."""
    now = session.current()
    _, _, Z = session.decision_grid(resolution=resolution)
    return {"x": int(session.epoch),
            "values": {"cost": _number(now.cost), "train_error": _number(now.train_error),
                       "train_dev_error": _number(now.train_dev_error),
                       "dev_error": _number(now.dev_error),
                       "learning_rate": _number(now.learning_rate)},
            "grid": encode_grid(Z, session.dataset.n_classes), "side": int(resolution)}


def chunks(total: int, parts: int) -> list[int]:
    """`total` epochs split into at most `parts` positive chunks, as even as possible.

    >>> chunks(10, 4), chunks(3, 6), chunks(0, 3)
    ([3, 3, 2, 2], [1, 1, 1], [])
    """
    total = check_count("total", total, minimum=0)
    parts = check_count("parts", parts, minimum=1)
    base, extra = divmod(total, parts)
    return [base + (k < extra) for k in range(parts) if base + (k < extra) > 0]


def play_frames(state: MutableMapping[str, Any], epochs: int, *, frames: int,
                until: int | None = None, resolution: int = GRID_PLAYING) -> list[dict[str, Any]]:
    """Train `epochs` epochs of the live run in up to `frames` chunks (each one `live.tick`,
    which stops the run at the target, on divergence or early stopping) and return a frame
    after each chunk. The history keeps about as many records as one plain tick would."""
    session = live.current_session(state)
    if session is None:
        raise ValueError("there is no training session yet: read the settings first (sync_config)")
    out = []
    per_chunk = max(1, live.RECORDS_PER_TICK // max(frames, 1))
    with one_blas_thread():
        for size in chunks(epochs, frames):
            live.tick(state, size, until=until, keep=per_chunk)
            out.append(session_frame(session, resolution))
            if not live.is_running(state):
                break
    return out


def history_curves(session: TrainingSession, max_points: int = MAX_CURVE_POINTS) -> dict[str, list]:
    """The run's history, thinned to `max_points`: epoch, cost, the three errors and each
    layer's gradient norm (lists of numbers, None where not finite)."""
    rows = [session.history[i] for i in downsample_index(len(session.history), max_points)]
    columns = ("cost", "train_error", "train_dev_error", "dev_error")
    curves: dict[str, list] = {"epoch": [r.epoch for r in rows]}
    curves.update({c: [_number(getattr(r, c)) for r in rows] for c in columns})
    layers = session.network.n_layers
    curves["grad_norms"] = [[_number(r.grad_norms[k]) if k < len(r.grad_norms) else None
                             for r in rows] for k in range(layers)]
    return curves


def race_frames(contest: OptimizerRace, epochs: int, *, frames: int) -> list[dict[str, Any]]:
    """Advance every racer `epochs` epochs in up to `frames` chunks; a frame of each racer's
    cost after each chunk (keys are the racers' labels)."""
    out = []
    with one_blas_thread():
        for size in chunks(epochs, frames):
            contest.advance(size)
            costs = contest.final_costs()
            epoch = next(iter(contest.sessions.values())).epoch
            out.append({"x": int(epoch), "values": {k: _number(v) for k, v in costs.items()}})
    return out


def encode_tiles(tiles: NeuronTiles, limit: int) -> list[str]:
    """The first `limit` tiles as bytes on one shared scale: 0 is -max|v|, 128 is zero, 255
    is +max|v| (so tiles compare with each other, as on one colour axis)."""
    values = np.nan_to_num(np.asarray(tiles.tiles[:limit], dtype=float))
    scale = float(np.abs(values).max()) if values.size else 0.0
    scaled = values / scale if scale > 0 else values
    return [encode_bytes(127.5 + 127.5 * t) for t in scaled]
