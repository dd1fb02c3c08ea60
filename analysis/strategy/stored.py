"""How the strategy page's own items are stored: the iteration log and the learning curve as
JSON-able content (with a schema version), and the error rate a goal aims at. Pure helpers,
shared by the strategy page and the project report."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.strategy.goal import ProjectGoal
from analysis.strategy.iteration_log import IterationEntry

LOG_ITEM = "iteration log"  # the item the strategy page keeps its log in
CURVE_ITEM = "learning curve"  # the item the strategy page fits
CONTENT_VERSION = 1
CURVE_COLUMNS = ("size", "train_error_pct", "dev_error_pct")


def cell(value: Any) -> Any:
    """A table cell as plain Python: NaN / None / blank text -> None, text stripped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value.item() if hasattr(value, "item") else value


def filled_rows(table: pd.DataFrame, columns: Sequence[str]) -> list[list[Any]]:
    """The table's rows over `columns` as plain cells, wholly empty rows dropped."""
    rows = [[cell(row.get(c)) for c in columns] for row in table.to_dict("records")]
    return [row for row in rows if any(value is not None for value in row)]


def target_error_pct(goal: ProjectGoal | None) -> float | None:
    """The error rate (%) the goal aims at, when its metric is a percentage: the target itself
    for an error ('min'), 100 - target for an accuracy-like metric ('max'); else None.

    Examples
    --------
    >>> target_error_pct(ProjectGoal("accuracy", target=95, metric_unit="%"))
    5.0
    """
    if goal is None or goal.target is None or goal.metric_unit.strip() != "%":
        return None
    error = goal.target if goal.direction == "min" else 100.0 - goal.target
    return round(error, 6) if 0 <= error <= 100 else None


def log_content(entries: Sequence[IterationEntry]) -> dict[str, Any]:
    """The iteration log as JSON-able content, entries in the order given."""
    return {"schema_version": CONTENT_VERSION, "entries": [e.to_content() for e in entries]}


def log_entries(content: Any) -> list[IterationEntry]:
    """Entries of a stored log (each validated again); ValueError when it is not a log."""
    if not isinstance(content, Mapping) or not isinstance(content.get("entries"), list):
        raise ValueError("the stored iteration log has no list of entries: it was saved by "
                         "another version of the app.")
    return [IterationEntry.from_content(entry) for entry in content["entries"]]


def curve_content(table: pd.DataFrame) -> dict[str, Any]:
    """A learning-curve table (size, train_error_pct, dev_error_pct) as JSON-able content."""
    rows = filled_rows(table.reindex(columns=list(CURVE_COLUMNS)), CURVE_COLUMNS)
    return {"schema_version": CONTENT_VERSION, "rows": rows}


def curve_table(content: Any) -> pd.DataFrame:
    """The stored learning-curve rows as the page's table (empty when nothing is stored)."""
    rows = content.get("rows") if isinstance(content, Mapping) else None
    if not isinstance(rows, list):
        rows = []
    return pd.DataFrame([r for r in rows if isinstance(r, list) and len(r) == 3],
                        columns=list(CURVE_COLUMNS), dtype=float)
