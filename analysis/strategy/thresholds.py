"""A rule's threshold, stated: what was compared, against what, and whether the input met it.

Every verdict in this package lists the thresholds it used, so a team sees which number
decided it and how far the input sat from the line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    """One stated rule: `name` says it in words ("source data at least 10x target data"),
    `value` is the line, `observed` the input's number (None when not given) and `met`
    whether the input satisfies the rule (None when it could not be checked)."""

    name: str
    value: float
    observed: float | None
    met: bool | None


def at_least(name: str, value: float, observed: float | None) -> Threshold:
    """A rule met when `observed` >= `value` (sitting on the line counts as meeting it)."""
    return Threshold(name, value, observed, None if observed is None else observed >= value)


def at_most(name: str, value: float, observed: float | None) -> Threshold:
    """A rule met when `observed` <= `value` (sitting on the line counts as meeting it)."""
    return Threshold(name, value, observed, None if observed is None else observed <= value)
