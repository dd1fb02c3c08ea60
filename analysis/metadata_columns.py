"""Metadata columns as cohorts: checking a metadata table and its error flags, and turning each
column into integer codes with the condition each code stands for ("device = phone",
"age in [30, 45)", "(missing)"). The error-slice search and the error tree both start here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.validation import check_binary, check_count, values_preview

MISSING = "(missing)"
OTHER = "(other)"
#: Quantile edges of a numeric column are computed on at most about this many rows.
QUANTILE_SAMPLE = 200_000


# --------------------------------------------------------------------------- conditions

@dataclass(frozen=True)
class Condition:
    """One column's part of a slice: how to find its rows again and how to say it.

    kind is "equals" (value), "missing", "other" (none of `kept`, not missing), or a numeric
    bin: "below" (< high), "between" ([low, high)), "at_least" (>= low).
    """

    column: str
    kind: str
    value: object = None
    low: float | None = None
    high: float | None = None
    kept: tuple[object, ...] = ()

    @property
    def level(self) -> str:
        """The level as shown in a table cell ("phone", "[30, 45)", "(missing)")."""
        if self.kind == "equals":
            return str(self.value)
        if self.kind == "missing":
            return MISSING
        if self.kind == "other":
            return OTHER
        if self.kind == "below":
            return f"< {_number(self.high)}"
        if self.kind == "at_least":
            return f">= {_number(self.low)}"
        return f"[{_number(self.low)}, {_number(self.high)})"

    def text(self) -> str:
        """Readable condition: "device = phone", "age in [30, 45)", "age < 30"."""
        if self.kind == "between":
            return f"{self.column} in {self.level}"
        if self.kind in ("below", "at_least"):
            return f"{self.column} {self.level}"
        return f"{self.column} = {self.level}"

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the rows of `frame` that meet the condition."""
        series = frame[self.column]
        if self.kind == "missing":
            return series.isna().to_numpy()
        if self.kind == "equals":
            return (series == self.value).fillna(False).to_numpy(dtype=bool)
        if self.kind == "other":
            return (series.notna() & ~series.isin(list(self.kept))).to_numpy(dtype=bool)
        values = series.to_numpy(dtype=float, na_value=np.nan)
        # Open ends keep every non-missing value, infinities included.
        present = ~np.isnan(values)
        above = present if self.low is None else values >= self.low
        below = present if self.high is None else values < self.high
        return above & below


def _number(value: float | None) -> str:
    return f"{value:g}"



# --------------------------------------------------------------------------- encoding

@dataclass(frozen=True)
class EncodedColumn:
    """One column as integer codes 0..L-1 plus the condition each code stands for (`note`
    says when rare values were grouped)."""

    codes: np.ndarray
    conditions: tuple[Condition, ...]
    note: str | None = None


def _compact(codes: np.ndarray, conditions: list[Condition], note: str | None) -> EncodedColumn:
    """Drop levels no row has (an empty bin or no missing values) and renumber the codes."""
    counts = np.bincount(codes, minlength=len(conditions))
    used = np.flatnonzero(counts)
    if len(used) < len(conditions):
        lookup = np.zeros(len(conditions), dtype=np.int32)
        lookup[used] = np.arange(len(used))
        codes = lookup[codes]
        conditions = [conditions[i] for i in used]
    return EncodedColumn(codes=codes, conditions=tuple(conditions), note=note)


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def encode_categorical(series: pd.Series, name: str, max_levels: int) -> EncodedColumn:
    """Codes of a column's `max_levels` most frequent values, then "(other)", then
    "(missing)" (levels no row has are dropped)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    counts = np.bincount(codes + 1, minlength=len(uniques) + 1)[1:]
    keep = np.argsort(-counts, kind="stable")[:max_levels]
    kept = [_plain(uniques[i]) for i in keep]
    conditions = [Condition(name, "equals", value=v) for v in kept]
    note = None
    lookup = np.empty(len(uniques) + 1, dtype=np.int32)
    lookup[0] = len(kept) + 1  # missing
    lookup[1:] = len(kept)     # other
    lookup[keep + 1] = np.arange(len(kept))
    if len(uniques) > max_levels:
        note = (f"{name} has {len(uniques)} distinct values: its {max_levels} most frequent are "
                f"kept and the other {len(uniques) - max_levels} grouped as {OTHER}.")
    conditions += [Condition(name, "other", kept=tuple(kept)), Condition(name, "missing")]
    return _compact(lookup[codes + 1], conditions, note)


def quantile_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Inner bin edges at the quantiles of the finite values, rounded to 2 significant digits
    so that labels read "age in [30, 45)" and select exactly the rows they name.

    Past `QUANTILE_SAMPLE` values the quantiles come from evenly spaced rows: the edges are
    rounded anyway, and the labels stay exact about the rows they select.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.empty(0)
    step = max(1, finite.size // QUANTILE_SAMPLE)
    inner = np.quantile(finite[::step], np.linspace(0, 1, bins + 1)[1:-1])
    return rounded_edges(inner, finite.min(), finite.max())


def rounded_edges(inner: np.ndarray, low: float, high: float) -> np.ndarray:
    """Quantiles rounded to 2 significant digits, kept when they split [low, high]."""
    rounded = np.array([float(f"{e:.2g}") for e in inner])
    return np.unique(rounded[(rounded > low) & (rounded <= high)])


def _few_values(values: np.ndarray, limit: int) -> bool:
    """True when the non-missing values take at most `limit` distinct values (a flag, a small
    count); checked on the first rows, then confirmed on all without sorting them."""
    finite = values[~np.isnan(values)]
    seen = np.unique(finite[:4096])
    return seen.size <= limit and bool(np.isin(finite, seen).all())


def _encode_numeric(series: pd.Series, name: str, bins: int, max_levels: int) -> EncodedColumn:
    values = series.to_numpy(dtype=float, na_value=np.nan)
    edges = quantile_edges(values, bins)
    if edges.size == 0 or _few_values(values, bins):
        # A flag or a small count reads better as its values than as ranges; so does a column
        # whose quantiles all coincide (mostly zeros).
        return encode_categorical(series, name, max_levels)
    codes = np.searchsorted(edges, values, side="right")
    codes[np.isnan(values)] = len(edges) + 1
    bounds = [None, *edges.tolist(), None]
    conditions = []
    for low, high in itertools.pairwise(bounds):
        kind = "below" if low is None else "at_least" if high is None else "between"
        conditions.append(Condition(name, kind, low=low, high=high))
    conditions.append(Condition(name, "missing"))
    return _compact(codes.astype(np.int32), conditions, None)


def is_numeric_column(series: pd.Series) -> bool:
    """Numbers to cut into ranges (booleans are categories: True/False read as values)."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def encode_column(frame: pd.DataFrame, name: str, bins: int, max_levels: int) -> EncodedColumn:
    """A column of `frame` as codes: numbers cut at quantiles into ranges, anything else by value."""
    series = frame[name]
    if is_numeric_column(series):
        return _encode_numeric(series, name, bins, max_levels)
    return encode_categorical(series, name, max_levels)


# --------------------------------------------------------------------------- validation

def check_metadata(frame: object, errors: object, columns: object, *,
                   max_columns: int = 20) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Check a metadata table, its per-row error flags and the columns to search.

    Returns the frame, the flags as booleans and the column names; ValueError names what is
    wrong (rows, lengths, absent or too many columns).
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a table (DataFrame), got {type(frame).__name__}.")
    if len(frame) == 0:
        raise ValueError("frame has no rows: slices need the rows of a predictions file.")
    flags = check_binary("errors", errors).astype(bool)
    if len(flags) != len(frame):
        raise ValueError(f"errors has {len(flags)} values but frame has {len(frame)} rows: give "
                         "one True/False per row (True = misclassified).")
    limit = check_count("max_columns", max_columns, minimum=1)
    return frame, flags, _check_columns(frame, columns, limit)


def _check_columns(frame: pd.DataFrame, columns: object, max_columns: int) -> list[str]:
    if isinstance(columns, str) or not isinstance(columns, Sequence | pd.Index):
        raise ValueError(f"columns must be a list of column names, got {columns!r}.")
    names = list(columns)
    if not names:
        raise ValueError("columns is empty: name the metadata columns to search, e.g. ['device'].")
    if len(names) > max_columns:
        raise ValueError(f"columns names {len(names)} columns; at most {max_columns} are searched "
                         "(pairs grow with the square): pick the metadata that matter.")
    duplicated = [c for c in dict.fromkeys(names) if names.count(c) > 1]
    if duplicated:
        raise ValueError(f"columns has duplicates: {values_preview(duplicated)}.")
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise ValueError(f"columns names {values_preview(absent)}, which frame lacks (frame has "
                         f"{values_preview(list(frame.columns), 8)}).")
    return names

