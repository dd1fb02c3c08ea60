"""Learning-rate decay schedules of the course, as functions of the epoch (0-based).

Each works on a single epoch or an array of epochs (to draw the schedule).
"""

from __future__ import annotations

import numpy as np

from analysis.training.config import DECAYS
from analysis.validation import check_choice, check_count, check_number


def decayed_learning_rate(alpha0: float, epoch: int | np.ndarray, *, decay: str = "none",
                          decay_rate: float = 1.0, interval: int = 1000) -> float | np.ndarray:
    """The learning rate of `epoch` under a decay schedule.

    - "none":        alpha0
    - "inverse":     alpha0 / (1 + decay_rate * epoch)
    - "exponential": alpha0 * decay_rate ** epoch              (decay_rate e.g. 0.95)
    - "sqrt":        alpha0 * decay_rate / sqrt(epoch + 1)     (k / sqrt(t), t counted from 1)
    - "step":        alpha0 / (1 + decay_rate * floor(epoch / interval))   (fixed intervals)

    Examples
    --------
    >>> decayed_learning_rate(0.1, 2500, decay="step", interval=1000)
    0.03333333333333333
    """
    check_choice("decay", decay, DECAYS)
    check_number("alpha0", alpha0, low=0.0)
    check_number("decay_rate", decay_rate, low=0.0)
    check_count("interval", interval, minimum=1)
    t = np.asarray(epoch, dtype=np.float64)
    if np.any(t < 0):
        raise ValueError(f"epoch must be 0 or more, got {epoch!r}.")
    if decay == "none":
        rate = np.full_like(t, alpha0)
    elif decay == "inverse":
        rate = alpha0 / (1.0 + decay_rate * t)
    elif decay == "exponential":
        rate = alpha0 * decay_rate ** t
    elif decay == "sqrt":
        rate = alpha0 * decay_rate / np.sqrt(t + 1.0)
    else:
        rate = alpha0 / (1.0 + decay_rate * np.floor(t / interval))
    return float(rate) if rate.ndim == 0 else rate
