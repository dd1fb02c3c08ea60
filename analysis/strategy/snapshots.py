"""A saved model version as the strategy pages see it: a named waterfall and the day it was
saved.

The stored content of a waterfall snapshot is parsed in one place,
workspace.kinds.WATERFALL_SNAPSHOT; a Snapshot is built from the result it gives back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analysis.waterfall_result import BiasVarianceResult, Gap


@dataclass(frozen=True)
class Snapshot:
    """One saved model version: its name, when it was saved (if known) and its waterfall.

    `saved_on` may be given as a date, a datetime or an ISO text; it is kept as a date.

    Examples
    --------
    >>> from analysis.bias_variance import decompose
    >>> snapshot = Snapshot("v1", decompose(human=1, train=8, dev=10), saved_on="2026-11-02")
    >>> snapshot.gap("avoidable bias").size, snapshot.saved_on.isoformat()
    (7.0, '2026-11-02')
    """

    name: str
    result: BiasVarianceResult
    saved_on: dt.date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a snapshot needs a name; got {self.name!r}.")
        if not isinstance(self.result, BiasVarianceResult):
            raise ValueError(f"snapshot {self.name!r} needs a waterfall result, got "
                             f"{type(self.result).__name__}.")
        object.__setattr__(self, "name", self.name.strip())
        if self.saved_on is not None:
            object.__setattr__(self, "saved_on",
                               check_date(f"saved_on of snapshot {self.name!r}", self.saved_on))

    def gap(self, kind: str) -> Gap | None:
        """The waterfall gap of `kind` at this snapshot, or None when it was not computable."""
        return self.result.gap(kind)

    def error(self, level: str) -> float | None:
        """The error in percent at `level` ('train', 'dev', 'test', ...) or None."""
        return self.result.error(level)


def check_date(name: str, value: object) -> dt.date:
    """A calendar date from a date, a datetime or an ISO text such as '2026-11-30'."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"{name} must be a date such as '2026-11-30'; got {value!r}.")
