"""Choosing a threshold on a score curve (best F1, a target precision or recall), and
thinning a curve for drawing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics.curves import ScoreCurve
from analysis.validation import check_array, check_fraction, check_number, check_same_length


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold picked for a goal, with what it achieves (or why no threshold can)."""

    goal: str
    threshold: float | None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    queue_rate: float | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choice(goal: str, table: pd.DataFrame, row: int, reason: str) -> ThresholdChoice:
    picked = table.iloc[row]
    return ThresholdChoice(goal, float(picked["threshold"]), float(picked["precision"]),
                           float(picked["recall"]), float(picked["f1"]),
                           float(picked["queue_rate"]), reason)


def best_f1_threshold(curve: ScoreCurve) -> ThresholdChoice:
    """The threshold with the highest F1 (the highest such threshold on ties).

    Examples
    --------
    >>> from analysis.metrics import score_curve
    >>> best_f1_threshold(score_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).threshold
    0.35
    """
    table = curve.threshold_table()
    f1 = table["f1"].to_numpy()
    if curve.n_pos <= 0 or np.all(np.isnan(f1)):
        return ThresholdChoice("best F1", None, reason="there are no positive examples, so F1 "
                               "is 0 or undefined at every threshold")
    row = int(np.nanargmax(f1))
    return _choice("best F1", table, row, f"F1 peaks at {f1[row]:.3f}")


def threshold_for_target(curve: ScoreCurve, *, precision: float | None = None,
                         recall: float | None = None) -> ThresholdChoice:
    """The threshold that meets a target precision (keeping the most recall) or a target
    recall (flagging the fewest examples).

    Examples
    --------
    >>> from analysis.metrics import score_curve
    >>> curve = score_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> threshold_for_target(curve, recall=1.0).threshold
    0.35
    >>> threshold_for_target(curve, precision=0.9).threshold
    0.8
    """
    if (precision is None) == (recall is None):
        raise ValueError("threshold_for_target needs exactly one of precision= or recall= "
                         f"(a fraction such as 0.9); got precision={precision!r}, recall={recall!r}.")
    table = curve.threshold_table()
    if curve.n_pos <= 0:
        return ThresholdChoice("target", None, reason="there are no positive examples")
    if precision is not None:
        target = check_fraction("precision", precision)
        goal = f"precision >= {target:.0%}"
        meets = np.flatnonzero(table["precision"].to_numpy() >= target)
        if not meets.size:
            best = np.nanmax(table["precision"].to_numpy())
            return ThresholdChoice(goal, None, reason=f"no threshold reaches precision {target:.1%}; "
                                   f"the best is {best:.1%}")
        # lowest qualifying threshold = most recall among those meeting the target
        return _choice(goal, table, int(meets[-1]), "the lowest threshold meeting the precision "
                       "target, so recall is as high as it can be")
    target = check_fraction("recall", recall)
    goal = f"recall >= {target:.0%}"
    meets = np.flatnonzero(table["recall"].to_numpy() >= target)
    # recall only grows as the threshold drops, so the first qualifying row is the highest threshold
    return _choice(goal, table, int(meets[0]), "the highest threshold meeting the recall target, "
                   "so the fewest examples are flagged")


def downsample_curve(x: object, y: object, *, max_points: int = 2000) -> np.ndarray:
    """Indices of at most `max_points` points that keep the drawn shape of a curve (for drawing only).

    The curve is cut into buckets of equal arc length (steep parts get as many points as flat
    ones); each bucket keeps its first, last, lowest and highest point (M4), so steps and peaks
    survive. The first and last points are always kept.

    Examples
    --------
    >>> x = np.linspace(0, 1, 100_000)
    >>> keep = downsample_curve(x, x**2, max_points=400)
    >>> len(keep) <= 400, int(keep[0]), int(keep[-1])
    (True, 0, 99999)
    """
    xs = check_array("x", x, dtype=float, allow_nan=True)
    ys = check_array("y", y, dtype=float, allow_nan=True)
    check_same_length(x=xs, y=ys)
    budget = int(check_number("max_points", max_points, low=8))
    n = len(xs)
    if n <= budget:
        return np.arange(n)
    buckets = budget // 4
    xs_f, ys_f = np.nan_to_num(xs), np.nan_to_num(ys)
    span_x = np.ptp(xs_f) or 1.0
    span_y = np.ptp(ys_f) or 1.0
    steps = np.hypot(np.diff(xs_f) / span_x, np.diff(ys_f) / span_y)
    length = np.concatenate(([0.0], np.cumsum(steps)))
    if length[-1] == 0:
        length = np.arange(n, dtype=float)
    bucket = np.minimum((length / length[-1] * buckets).astype(np.intp), buckets - 1)
    starts = np.flatnonzero(np.diff(bucket, prepend=-1))
    ends = np.append(starts[1:] - 1, n - 1)
    index = np.arange(n)
    sizes = np.diff(np.append(starts, n))
    low_at = np.minimum.reduceat(np.where(ys_f == np.repeat(np.minimum.reduceat(ys_f, starts), sizes),
                                          index, n), starts)
    high_at = np.minimum.reduceat(np.where(ys_f == np.repeat(np.maximum.reduceat(ys_f, starts), sizes),
                                           index, n), starts)
    return np.unique(np.concatenate((starts, ends, low_at, high_at)))
