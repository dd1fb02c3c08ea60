"""A typed reader for the waterfall snapshots the bias & variance page saves.

A snapshot's stored content is {"inputs": decompose() keyword arguments, "result": the
result's to_dict()}; the inputs rebuild the same waterfall (intervals included), so the
reader only trusts them and recomputes the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.bias_variance import decompose
from analysis.waterfall_result import BiasVarianceResult, Gap

# The decompose() arguments a snapshot may hold; anything else is not a waterfall snapshot.
_INPUT_KEYS = frozenset({"human", "train", "train_dev", "dev", "test", "sizes", "confidence",
                         "relative_threshold", "bayes_error_pct", "task_kind"})


@dataclass(frozen=True)
class Snapshot:
    """One saved model version: its name, when it was saved (if known) and its waterfall."""

    name: str
    result: BiasVarianceResult
    saved_on: dt.date | None = None

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


def read_snapshot(name: str, content: Mapping[str, Any], *,
                  saved_on: dt.date | dt.datetime | str | None = None) -> Snapshot:
    """Rebuild a waterfall snapshot from its stored content.

    Examples
    --------
    >>> content = {"inputs": {"human": 1.0, "train": 8.0, "dev": 10.0}}
    >>> snapshot = read_snapshot("v1", content, saved_on="2026-11-02")
    >>> snapshot.gap("avoidable bias").size, snapshot.saved_on.isoformat()
    (7.0, '2026-11-02')
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a snapshot needs a name; got {name!r}.")
    inputs = content.get("inputs") if isinstance(content, Mapping) else None
    if not isinstance(inputs, Mapping):
        raise ValueError(f"snapshot {name!r} has no waterfall inputs: it is not a waterfall "
                         "snapshot, or it was saved by an older version of the page.")
    unknown = sorted(set(map(str, inputs)) - _INPUT_KEYS)
    if unknown:
        raise ValueError(f"snapshot {name!r} holds inputs the waterfall does not take: "
                         f"{', '.join(unknown)}.")
    try:
        result = decompose(**inputs)
    except (ValueError, TypeError) as err:
        raise ValueError(f"snapshot {name!r} cannot be read: {err}") from None
    day = None if saved_on is None else check_date(f"saved_on of snapshot {name!r}", saved_on)
    return Snapshot(name.strip(), result, day)
