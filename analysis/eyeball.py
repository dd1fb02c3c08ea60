"""Eyeball / blackbox split of the dev set: a seeded part the team looks at for error
analysis, the rest only measured, so that tuning on it does not overfit to what was seen.

The eyeball part is sized to hold about the number of errors the team wants to review:
about 100 errors at 5% dev error means about 2,000 eyeball examples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.stats import wilson_interval
from analysis.validation import check_count, check_number


@dataclass(frozen=True)
class EyeballSplit:
    """Dev row positions to look at (eyeball) and to only measure (blackbox), with why."""

    eyeball: np.ndarray
    blackbox: np.ndarray
    expected_errors: float
    seed: int
    reason: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (sizes and words; the positions follow from the seed)."""
        return {"n_eyeball": len(self.eyeball), "n_blackbox": len(self.blackbox),
                "expected_errors": self.expected_errors, "seed": self.seed,
                "reason": self.reason, "warnings": list(self.warnings)}


def eyeball_split(n_dev: int, n_errors_to_review: int, dev_error_rate: float, *,
                  seed: int = 0) -> EyeballSplit:
    """Split dev positions 0..n_dev-1 into an eyeball set holding about the errors to review
    and a blackbox set.

    Parameters
    ----------
    n_dev : int
        Number of dev examples.
    n_errors_to_review : int
        Errors the team wants to look at (about 100).
    dev_error_rate : float
        Dev error as a fraction (0.05 for 5%).
    seed : int
        Same seed, same split.

    Examples
    --------
    >>> split = eyeball_split(10_000, 100, 0.05, seed=0)
    >>> len(split.eyeball), len(split.blackbox)
    (2000, 8000)
    """
    total = check_count("n_dev", n_dev, minimum=1)
    wanted = check_count("n_errors_to_review", n_errors_to_review, minimum=1)
    rate = float(check_number("dev_error_rate", dev_error_rate, low=0.0))
    if rate > 1:
        raise ValueError(f"dev_error_rate is a fraction (0.05 for 5%), got {dev_error_rate!r}.")
    if rate == 0:
        raise ValueError("dev_error_rate is 0: with no dev errors there is nothing to review.")
    seed = check_count("seed", seed)
    needed = math.ceil(wanted / rate)
    size = min(total, needed)
    order = np.random.default_rng(seed).permutation(total)
    eyeball, blackbox = np.sort(order[:size]), np.sort(order[size:])
    expected = size * rate
    reason = (f"To look at about {wanted:,} errors at {rate:.1%} dev error you need about "
              f"{wanted:,} / {rate:g} = {needed:,} examples in the eyeball set. "
              f"The other {len(blackbox):,} dev examples form the blackbox set: measure models "
              "on it but never look at its examples, so that choices made by looking do not "
              "overfit the number you tune on.")
    return EyeballSplit(eyeball=eyeball, blackbox=blackbox, expected_errors=expected, seed=seed,
                        reason=reason, warnings=_warnings(total, needed, len(blackbox), rate,
                                                          wanted))


def _warnings(total: int, needed: int, n_blackbox: int, rate: float,
              wanted: int) -> tuple[str, ...]:
    notes = []
    if needed >= total:
        notes.append(f"The dev set holds only about {total * rate:,.0f} errors, fewer than the "
                     f"{wanted:,} wanted: all of it is eyeball and nothing is left to measure "
                     "blind. Review fewer errors or get a bigger dev set.")
    elif n_blackbox:
        low, high = wilson_interval(round(n_blackbox * rate), n_blackbox)
        half = 100 * (high - low) / 2
        if half > 0.5:
            notes.append(f"The blackbox set has {n_blackbox:,} examples: its error is known to "
                         f"about ±{half:.1f} points (95%), so it only tells apart models whose "
                         "errors differ by more than that.")
    return tuple(notes)
