"""The scale a binary threshold lives on: 0-1 for probabilities, the scores' own range and
units for ranking scores (decision scores or logits used as they are, score_transform 'rank').

Every page that sets a threshold on a file's scores (metrics, cost of errors, waterfall, error
slices) asks this module for its slider's range, start and step, so a decision score in
[-7, 12] is never squeezed into 0-1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

PROBABILITY_RANGE = (0.0, 1.0, 0.5, 0.01)


@dataclass(frozen=True)
class ThresholdScale:
    """A threshold's slider: its widget key, range, start and step, and whether the scores
    are ranking scores (score units) rather than probabilities."""

    key: str
    low: float
    high: float
    start: float
    step: float
    ranked: bool = False

    @property
    def digits(self) -> int:
        """Decimals the step needs (0.01 -> 2, 0.1 -> 1, 1 -> 0)."""
        return max(0, -math.floor(math.log10(self.step) + 1e-9))

    def snap(self, value: float) -> float:
        """`value` on the slider: inside the range, rounded to the step.

        Examples
        --------
        >>> threshold_scale({"m": np.array([-7.0, 12.0])}, "rank").snap(3.14159)
        3.1
        """
        inside = min(self.high, max(self.low, float(value)))
        return round(round(inside / self.step) * self.step, self.digits)

    def text(self, value: float) -> str:
        """A threshold as the page shows it, to the step's decimals (at least two)."""
        return f"{value:.{max(2, self.digits)}f}"


def threshold_range(scores: Mapping[str, np.ndarray],
                    score_transform: str | None) -> tuple[float, float, float, float]:
    """(low, high, start, step) of a threshold slider.

    Probabilities: 0..1 from 0.5. Ranking scores (score_transform 'rank'): the scores' own
    range, from 0 (a decision function's threshold) when it lies inside, else the middle.

    Examples
    --------
    >>> threshold_range({"m": np.array([-7.0, 12.0])}, "rank")
    (-7.0, 12.0, 0.0, 0.1)
    """
    values = [s for s in scores.values() if len(s)]
    if score_transform != "rank" or not values:
        return PROBABILITY_RANGE
    low = float(min(v.min() for v in values))
    high = float(max(v.max() for v in values))
    step = 10.0 ** math.floor(math.log10(max(high - low, 1e-9) / 100))
    digits = max(0, -math.floor(math.log10(step) + 1e-9))
    low = round(math.floor(low / step) * step, digits)
    high = round(math.ceil(high / step) * step, digits)
    if high <= low:
        high = round(low + step, digits)
    start = 0.0 if low <= 0.0 <= high else round(round((low + high) / 2 / step) * step, digits)
    return low, high, start, step


def threshold_scale(scores: Mapping[str, np.ndarray], score_transform: str | None, *,
                    key: str = "threshold") -> ThresholdScale:
    """The scale of a threshold on `scores`; ranking scores get their own widget key
    (`key` + '_score'), so a probability threshold kept under `key` never lands outside
    their range, nor theirs on a probability slider."""
    ranked = score_transform == "rank" and any(len(s) for s in scores.values())
    low, high, start, step = threshold_range(scores, score_transform)
    return ThresholdScale(f"{key}_score" if ranked else key, low, high, start, step, ranked)
