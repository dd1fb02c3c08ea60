"""Exponentially weighted averages, the idea under momentum, RMSprop, Adam and batch norm's
running statistics.

V_t = beta V_{t-1} + (1 - beta) theta_t with V_0 = 0 averages about 1 / (1 - beta) steps; it
starts too low (V_1 = (1 - beta) theta_1), which bias correction V_t / (1 - beta^t) fixes.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from analysis.validation import check_array, check_count, check_number


def ewa_series(values: object, *, beta: float, bias_correction: bool = True) -> np.ndarray:
    """The exponentially weighted average of `values` at every step.

    Examples
    --------
    >>> ewa_series([10.0, 10.0], beta=0.9, bias_correction=False).round(2).tolist()
    [1.0, 1.9]
    >>> ewa_series([10.0, 10.0], beta=0.9).round(2).tolist()
    [10.0, 10.0]
    """
    theta = check_array("values", values)
    beta = check_number("beta", beta, low=0.0, high=1.0)
    if beta == 1.0:
        raise ValueError("beta must be below 1 (1 would never move from 0), got 1.")
    # the recurrence is a first-order linear filter: lfilter runs it in C, no Python loop
    V = lfilter([1.0 - beta], [1.0, -beta], theta)
    if bias_correction:
        t = np.arange(1, len(theta) + 1)
        V = V / (1.0 - beta ** t)
    return V


def temperature_series(days: int = 365, *, seed: int = 0) -> np.ndarray:
    """A noisy daily series like the course's London temperatures (degrees: a seasonal wave
    plus day-to-day noise), to show what beta does.

    Examples
    --------
    >>> temperature_series(3, seed=1).shape
    (3,)
    """
    days = check_count("days", days, minimum=1)
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    return 11.0 - 8.0 * np.cos(2 * np.pi * (t - 15) / 365.0) + rng.normal(0.0, 3.0, days)
