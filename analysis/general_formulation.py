"""The general formulation of bias and variance: a 3x2 table of errors (human level, examples
trained on, examples not trained on) x (general training distribution, target dev/test
distribution), and every gap the filled cells support. Any cell may be empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.validation import check_percent

FORMULATION_ROWS = ("human level", "error on examples trained on", "error on examples not trained on")
FORMULATION_COLUMNS = ("general (training) distribution", "target (dev/test) distribution")
# The course's rear-view mirror speech example: rows x columns, percent (human 4 / 6, trained
# on 7 / 6, not trained on 10 / 6): the target data is easier, so data mismatch is negative.
FORMULATION_EXAMPLE = ((4.0, 6.0), (7.0, 6.0), (10.0, 6.0))


def format_points(value: float) -> str:
    """A gap in percentage points as the diagnoses write it (two digits below 0.1 points)."""
    return f"{value:.2g}" if abs(value) < 0.1 else f"{value:.1f}"


@dataclass(frozen=True)
class FormulationGap:
    """A gap the 3x2 table supports: `size` = error(to) - error(from), in points."""

    name: str
    kind: str
    size: float
    from_cell: tuple[str, str]
    to_cell: tuple[str, str]
    meaning: str


@dataclass(frozen=True)
class FormulationResult:
    """The general formulation table (percent, NaN = empty) and the gaps it supports."""

    table: pd.DataFrame = field(compare=False)
    gaps: tuple[FormulationGap, ...]
    unsupported: tuple[str, ...]
    warnings: tuple[str, ...]

    def gap(self, name: str) -> FormulationGap | None:
        return next((g for g in self.gaps if g.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        table = {row: {col: (None if pd.isna(v) else float(v)) for col, v in values.items()}
                 for row, values in self.table.to_dict("index").items()}
        return {"table": table, "gaps": [asdict(g) for g in self.gaps],
                "unsupported": list(self.unsupported), "warnings": list(self.warnings)}


_HUMAN, _TRAINED, _UNSEEN = FORMULATION_ROWS
_GENERAL, _TARGET = FORMULATION_COLUMNS
# (name, kind, from cell, to cell, meaning of a positive gap)
_FORMULATION_GAPS = (
    ("avoidable bias", "avoidable bias", (_HUMAN, _GENERAL), (_TRAINED, _GENERAL),
     "how far training error is above human level"),
    ("variance", "variance", (_TRAINED, _GENERAL), (_UNSEEN, _GENERAL),
     "how much worse the model does on training-distribution examples it did not train on"),
    ("data mismatch", "data mismatch", (_UNSEEN, _GENERAL), (_UNSEEN, _TARGET),
     "how much worse the model does on the target distribution than on unseen training data"),
    ("avoidable bias on target data", "avoidable bias", (_HUMAN, _TARGET), (_TRAINED, _TARGET),
     "how far error on target examples trained on is above human level on target data"),
    ("variance on target data", "variance", (_TRAINED, _TARGET), (_UNSEEN, _TARGET),
     "how much worse on unseen target examples than on target examples trained on"),
    ("remaining gap to human on target", "avoidable bias", (_HUMAN, _TARGET), (_UNSEEN, _TARGET),
     "how far the error that counts (dev/test) is above human level on that data"),
    ("target harder for humans", "data mismatch", (_HUMAN, _GENERAL), (_HUMAN, _TARGET),
     "how much harder the target data is than the training data, for humans"),
)


def _formulation_frame(table: object) -> pd.DataFrame:
    """Read a 3x2 table (DataFrame, nested mapping row -> column -> value, or 3 row pairs)."""
    if isinstance(table, pd.DataFrame):
        frame = table.copy()
    elif isinstance(table, Mapping):
        try:
            frame = pd.DataFrame.from_dict(dict(table), orient="index")
        except (TypeError, ValueError):
            raise ValueError("table must map each row to {column: error}.") from None
    elif isinstance(table, Sequence) and not isinstance(table, str | bytes):
        rows = list(table)
        if len(rows) != 3 or any(not isinstance(r, Sequence) or len(r) != 2 for r in rows):
            raise ValueError("table must have 3 rows of 2 values (general, target), got "
                             f"{rows!r}.")
        frame = pd.DataFrame(rows, index=list(FORMULATION_ROWS), columns=list(FORMULATION_COLUMNS),
                             dtype=object)
    else:
        raise ValueError(f"table must be a 3x2 DataFrame or mapping, got {type(table).__name__}.")
    unknown_rows = [r for r in frame.index if r not in FORMULATION_ROWS]
    unknown_cols = [c for c in frame.columns if c not in FORMULATION_COLUMNS]
    if unknown_rows or unknown_cols:
        raise ValueError(f"table has unknown rows {unknown_rows} or columns {unknown_cols}; "
                         f"rows are {list(FORMULATION_ROWS)}, columns {list(FORMULATION_COLUMNS)}.")
    return frame.reindex(index=list(FORMULATION_ROWS), columns=list(FORMULATION_COLUMNS))


def general_formulation(table: object) -> FormulationResult:
    """Derive every gap the general formulation table supports (any cell may be empty).

    Parameters
    ----------
    table : DataFrame with rows FORMULATION_ROWS and columns FORMULATION_COLUMNS, a nested
        mapping {row: {column: error}}, or 3 (general, target) pairs in row order.
        Errors in percent; None / NaN / "" = unknown.

    Examples
    --------
    >>> result = general_formulation(FORMULATION_EXAMPLE)  # rear-view mirror speech
    >>> [(g.name, g.size) for g in result.gaps][:3]
    [('avoidable bias', 3.0), ('variance', 3.0), ('data mismatch', -4.0)]
    """
    frame = _formulation_frame(table)
    values = pd.DataFrame(np.nan, index=frame.index, columns=frame.columns, dtype=float)
    for row in FORMULATION_ROWS:
        for col in FORMULATION_COLUMNS:
            values.loc[row, col] = _cell(frame.loc[row, col], f"{row} / {col}")
    gaps, unsupported = [], []
    for name, kind, source, target, meaning in _FORMULATION_GAPS:
        a, b = values.loc[source], values.loc[target]
        if pd.isna(a) or pd.isna(b):
            unsupported.append(name)
            continue
        gaps.append(FormulationGap(name, kind, round(float(b - a), 10), source, target, meaning))
    notes = [_formulation_warning(g) for g in gaps if g.size < 0]
    if values.isna().all().all():
        notes.append("The table is empty: type errors in percent into its cells.")
    return FormulationResult(values, tuple(gaps), tuple(unsupported), tuple(notes))


def _cell(value: object, label: str) -> float:
    number = check_percent(label, value, allow_none=True)
    return np.nan if number is None else number


def _formulation_warning(gap: FormulationGap) -> str:
    size = format_points(gap.size)
    if gap.name == "data mismatch":
        return (f"Data mismatch is negative ({size} points): the target data is easier than "
                "the training distribution.")
    if gap.name == "target harder for humans":
        return f"Humans do better on the target data ({size} points): it is the easier one."
    if gap.kind == "avoidable bias":
        return (f"{gap.name.capitalize()} is negative ({size} points): the model beats human "
                "level there, so avoidable bias is no longer measurable.")
    return (f"{gap.name.capitalize()} is negative ({size} points): check that the examples "
            "'not trained on' were really held out.")
