"""Error slices: the cohorts of metadata values (one column or a pair) where errors concentrate.

Every level of every column, and every pair of levels of two columns, is a slice; each is
counted with one `np.bincount` over integer codes, tested against the rest of the rows with a
one-sided Fisher exact test, and Holm's correction runs over every slice tried, so that a
table of 10,000 noisy cells does not turn noise into findings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats import wilson_interval
from analysis.validation import (
    check_binary,
    check_confidence,
    check_count,
    check_number,
    values_preview,
)

MISSING = "(missing)"
OTHER = "(other)"
#: Quantile edges of a numeric column are computed on at most about this many rows.
QUANTILE_SAMPLE = 200_000
#: Output columns, in order (conditions holds what `slice_mask` needs to select rows again).
SLICE_COLUMNS = ("slice", "order", "n", "errors", "error_rate", "low", "high", "excess_errors",
                 "share_of_errors", "lift", "p_value", "p_adjusted", "beyond_parents",
                 "column_a", "level_a", "column_b", "level_b", "conditions")


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


def slice_mask(frame: pd.DataFrame, slice_row: pd.Series | dict) -> np.ndarray:
    """Boolean mask of the rows of `frame` in a slice found by `find_error_slices`.

    Examples
    --------
    >>> frame = pd.DataFrame({"device": ["phone"] * 40 + ["web"] * 40})
    >>> errors = np.r_[np.ones(30, bool), np.zeros(50, bool)]
    >>> top = find_error_slices(frame, errors, ["device"]).iloc[0]
    >>> int(slice_mask(frame, top).sum())
    40
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a table (DataFrame), got {type(frame).__name__}.")
    conditions = slice_row["conditions"]
    missing = [c.column for c in conditions if c.column not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks the slice's columns {values_preview(missing)}: use the "
                         "table the slices were found in.")
    mask = np.ones(len(frame), dtype=bool)
    for condition in conditions:
        mask &= condition.mask(frame)
    return mask


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


def _encode(frame: pd.DataFrame, name: str, bins: int, max_levels: int) -> EncodedColumn:
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


# --------------------------------------------------------------------------- statistics

def holm_adjust(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control under any dependence).

    The i-th smallest of m p-values becomes max over j <= i of min(1, (m - j + 1) p_(j)).

    Examples
    --------
    >>> holm_adjust(np.array([0.01, 0.04, 0.03])).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def fisher_greater(errors: np.ndarray, n: np.ndarray, total_errors: int,
                   total: int) -> np.ndarray:
    """One-sided Fisher exact p-values that each slice's error rate exceeds the rest's.

    The same as scipy.stats.fisher_exact([[e, n - e], [E - e, N - n - E + e]],
    alternative="greater"), vectorised as the hypergeometric tail P(X >= e).
    """
    return np.clip(stats.hypergeom.sf(errors - 1, total, total_errors, n), 0.0, 1.0)


# --------------------------------------------------------------------------- search

@dataclass(frozen=True)
class SliceCounts:
    """Counts of every slice tried, with which column levels make each one."""

    n: np.ndarray
    errors: np.ndarray
    column_a: np.ndarray
    level_a: np.ndarray
    column_b: np.ndarray
    level_b: np.ndarray


def _count_slices(encoded: list[EncodedColumn], flags: np.ndarray, max_order: int) -> SliceCounts:
    """n and errors of every single level and every pair of levels, by bincount on codes.

    A level's code times 2 plus the error flag counts rows and errors in one pass; a pair
    combines codes as code_a * (2 * L_b) + 2 * code_b + error.
    """
    # int32 arithmetic is several times faster than int64 on a million rows; every code fits.
    error = flags.astype(np.int32)
    with_error = [e.codes * 2 + error for e in encoded]
    parts: list[tuple[np.ndarray, ...]] = []
    for i, enc in enumerate(encoded):
        levels = len(enc.conditions)
        cells = np.bincount(with_error[i], minlength=2 * levels).reshape(levels, 2)
        index = np.arange(levels)
        parts.append((cells, np.full(levels, i), index, np.full(levels, -1), np.full(levels, -1)))
    if max_order >= 2:
        for i, j in itertools.combinations(range(len(encoded)), 2):
            la, lb = len(encoded[i].conditions), len(encoded[j].conditions)
            combined = encoded[i].codes * (2 * lb) + with_error[j]
            cells = np.bincount(combined, minlength=2 * la * lb).reshape(la * lb, 2)
            a, b = np.divmod(np.arange(la * lb), lb)
            parts.append((cells, np.full(la * lb, i), a, np.full(la * lb, j), b))
    cells = np.concatenate([p[0] for p in parts])
    return SliceCounts(n=cells.sum(axis=1), errors=cells[:, 1],
                   **{name: np.concatenate([p[k] for p in parts]) for k, name in
                      enumerate(("column_a", "level_a", "column_b", "level_b"), start=1)})


def _table(counts: SliceCounts, chosen: np.ndarray, p: np.ndarray, p_adjusted: np.ndarray,
           beyond: np.ndarray, encoded: list[EncodedColumn], total_errors: int, total: int,
           confidence: float) -> pd.DataFrame:
    """The result table for the chosen slices, best (most excess errors) first."""
    n, e = counts.n[chosen], counts.errors[chosen]
    rate = total_errors / total
    excess = e - n * rate
    order = np.lexsort((p[chosen], -excess))
    chosen, n, e, excess = chosen[order], n[order], e[order], excess[order]
    conditions = []
    for k in chosen:
        parts = [encoded[counts.column_a[k]].conditions[counts.level_a[k]]]
        if counts.column_b[k] >= 0:
            parts.append(encoded[counts.column_b[k]].conditions[counts.level_b[k]])
        conditions.append(tuple(parts))
    low, high = wilson_interval(e, n, confidence=confidence) if len(e) else (e, e)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = (e / n) / rate if rate > 0 else np.full(len(e), np.nan)
    return pd.DataFrame({
        "slice": [" & ".join(c.text() for c in parts) for parts in conditions],
        "order": [len(parts) for parts in conditions],
        "n": n.astype(int), "errors": e.astype(int), "error_rate": e / n,
        "low": np.asarray(low, dtype=float), "high": np.asarray(high, dtype=float),
        "excess_errors": excess,
        "share_of_errors": e / total_errors if total_errors else np.zeros(len(e)),
        "lift": lift, "p_value": p[chosen], "p_adjusted": p_adjusted[chosen],
        "beyond_parents": beyond[chosen],
        "column_a": [parts[0].column for parts in conditions],
        "level_a": [parts[0].level for parts in conditions],
        "column_b": [parts[1].column if len(parts) > 1 else None for parts in conditions],
        "level_b": [parts[1].level if len(parts) > 1 else None for parts in conditions],
        "conditions": conditions,
    }, columns=list(SLICE_COLUMNS))


def find_error_slices(frame: pd.DataFrame, errors: object, columns: Sequence[str], *,
                      min_size: int = 30, max_order: int = 2, alpha: float = 0.05,
                      bins: int = 4, max_levels: int = 10, max_columns: int = 20,
                      confidence: float = 0.95, keep_redundant: bool = False,
                      return_all: bool = False) -> pd.DataFrame:
    """Find the slices (one column's level, or a pair of levels) where errors concentrate.

    Categorical columns keep their values (missing values are their own level, "(missing)");
    numeric columns are cut at quantiles into up to `bins` ranges. Each slice of at least
    `min_size` rows (and not the whole table) is *tried*: a one-sided Fisher exact test asks
    whether its error rate exceeds the rest's, and Holm's correction runs over every slice
    tried. Slices are ranked by excess errors, errors - n * overall error rate: the errors
    that fixing the slice down to the average would remove.

    Parameters
    ----------
    frame : DataFrame
        One row per example, holding the metadata columns.
    errors : array of bool
        True where the model is wrong, one per row of `frame`.
    columns : list of str
        Metadata columns to search (at most `max_columns`).
    min_size : int
        Smallest slice tried; smaller ones are not counted as tried either.
    max_order : {1, 2}
        1 searches single columns, 2 also every pair of columns.
    alpha : float
        Family-wise error level: slices with p_adjusted < alpha are findings.
    bins : int
        Number of quantile ranges a numeric column is cut into (2-10). A numeric column with
        at most `bins` distinct values keeps its values instead.
    max_levels : int
        Distinct values kept per categorical column (the most frequent); the rest are grouped
        as "(other)" and the table's ``attrs["notes"]`` says so.
    max_columns : int
        Bound on len(columns).
    confidence : float
        Confidence of the Wilson interval (low, high) around each slice's error rate.
    keep_redundant : bool
        Also report significant pairs whose rate is not significantly above both of their
        single-column parents' (column beyond_parents is False): they repeat one column's
        excess. beyond_parents is also False for pairs that are not significant at all.
    return_all : bool
        Return every slice tried, findings or not (still sorted best first).

    Returns
    -------
    DataFrame
        Columns slice, order, n, errors, error_rate, low, high, excess_errors,
        share_of_errors, lift, p_value, p_adjusted, beyond_parents, column_a, level_a,
        column_b, level_b, conditions (for `slice_mask`). ``attrs`` holds n_tried, n_rows,
        n_errors, error_rate, alpha, n_findings, notes and summary (the search in words).

    Examples
    --------
    >>> frame = pd.DataFrame({"device": ["phone", "web"] * 100})
    >>> errors = np.r_[[True, False] * 40, [False] * 120]
    >>> find_error_slices(frame, errors, ["device"])["slice"].tolist()
    ['device = phone']
    """
    data, flags, names = check_metadata(frame, errors, columns, max_columns=max_columns)
    smallest, order, level, cuts, kept = check_search(min_size, max_order, alpha, bins,
                                                      max_levels, confidence)
    encoded = [_encode(data, name, cuts, kept) for name in names]
    counts = _count_slices(encoded, flags, order)
    return slices_from_counts(counts, encoded, total=len(flags), total_errors=int(flags.sum()),
                              min_size=smallest, max_order=order, alpha=level,
                              confidence=confidence, keep_redundant=keep_redundant,
                              return_all=return_all)


def check_search(min_size: object, max_order: object, alpha: object, bins: object,
                 max_levels: object, confidence: object) -> tuple[int, int, float, int, int]:
    """The slice search's options, checked: (min_size, max_order, alpha, bins, max_levels)."""
    smallest = check_count("min_size", min_size, minimum=1)
    order = check_count("max_order", max_order, minimum=1)
    if order > 2:
        raise ValueError(f"max_order must be 1 (single columns) or 2 (pairs), got {max_order!r}.")
    level = float(check_number("alpha", alpha, low=0.0, high=1.0))
    if level <= 0:
        raise ValueError(f"alpha must be above 0, got {alpha!r}.")
    cuts = check_count("bins", bins, minimum=2)
    if cuts > 10:
        raise ValueError(f"bins must be at most 10, got {bins!r}.")
    kept = check_count("max_levels", max_levels, minimum=1)
    check_confidence(confidence)
    return smallest, order, level, cuts, kept


def slices_from_counts(counts: SliceCounts, encoded: list[EncodedColumn], *, total: int,
                       total_errors: int, min_size: int, max_order: int, alpha: float,
                       confidence: float, keep_redundant: bool,
                       return_all: bool) -> pd.DataFrame:
    """The tests, corrections and result table of the search from the slices' counts
    (counted here in memory, or by a data source's engine)."""
    tried = np.flatnonzero((counts.n >= min_size) & (counts.n < total))
    p = np.ones(len(counts.n))
    p[tried] = fisher_greater(counts.errors[tried], counts.n[tried], total_errors, total)
    p_adjusted = np.ones(len(counts.n))
    p_adjusted[tried] = holm_adjust(p[tried])
    significant = tried[p_adjusted[tried] < alpha]
    beyond = _beyond_parents(counts, encoded, significant, alpha)
    findings = significant if keep_redundant else significant[beyond[significant]]
    table = _table(counts, tried if return_all else findings, p, p_adjusted, beyond, encoded,
                   total_errors, total, confidence)
    table.attrs.update({
        "n_tried": len(tried), "n_rows": total, "n_errors": total_errors,
        "error_rate": total_errors / total, "alpha": alpha, "n_findings": len(findings),
        "notes": [e.note for e in encoded if e.note],
        "summary": _summary(len(findings), len(significant) - len(findings), len(tried),
                            len(encoded), max_order, min_size, alpha),
    })
    return table


def _beyond_parents(counts: SliceCounts, encoded: list[EncodedColumn],
                    significant: np.ndarray, alpha: float) -> np.ndarray:
    """True for single levels, and for significant pairs whose error rate is significantly
    above each of its two single-column parents': a pair that only inherits a bad parent's
    rate ("c = v & age >= 60" when age >= 60 alone explains it) adds nothing to read.

    Within each parent, a one-sided Fisher test compares the pair with the parent's other
    rows; the larger of the two p-values is Holm-corrected over the significant pairs. This
    filter only removes findings, so the family-wise control of the main test still holds.
    Pairs that are not significant themselves get False.
    """
    offsets = np.cumsum([0] + [len(e.conditions) for e in encoded])[:-1]
    beyond = counts.column_b < 0
    pairs = significant[counts.column_b[significant] >= 0]
    if len(pairs) == 0:
        return beyond
    n, e = counts.n[pairs], counts.errors[pairs]
    p_within = np.zeros(len(pairs))
    for column, level in ((counts.column_a, counts.level_a), (counts.column_b, counts.level_b)):
        parent = offsets[column[pairs]] + level[pairs]
        p_parent = fisher_greater(e, n, counts.errors[parent], counts.n[parent])
        # A pair that is its whole parent is no finer than the parent.
        p_within = np.maximum(p_within, np.where(n < counts.n[parent], p_parent, 1.0))
    beyond[pairs] = holm_adjust(p_within) < alpha
    return beyond


def _summary(found: int, hidden: int, tried: int, n_columns: int, order: int, min_size: int,
             alpha: float) -> str:
    scope = "single columns and pairs" if order == 2 else "single columns"
    what = (f"{found} slice{'s' if found != 1 else ''} where errors concentrate"
            if found else "no slice where errors concentrate beyond chance")
    return (f"Found {what}: {tried:,} slices tried ({scope} of {n_columns} column"
            f"{'s' if n_columns != 1 else ''}, at least {min_size} rows each), each tested "
            f"against the rest with a one-sided Fisher exact test, Holm-corrected over all "
            f"{tried:,} at a family-wise level of {alpha:g}."
            + (f" {hidden} more significant pair{'s' if hidden != 1 else ''} only repeat a "
               "single column's excess and are not listed." if hidden else ""))
