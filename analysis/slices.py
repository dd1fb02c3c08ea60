"""Error slices: the cohorts of metadata values (one column or a pair) where errors concentrate.

Every level of every column, and every pair of levels of two columns, is a slice; each is
counted with one `np.bincount` over integer codes, tested against the rest of the rows with a
one-sided Fisher exact test, and Holm's correction runs over every slice tried, so that a
table of 10,000 noisy cells does not turn noise into findings. Columns become codes in
analysis.metadata_columns; the significance tests in analysis.stats.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.metadata_columns import EncodedColumn, check_metadata, encode_column
from analysis.stats import fisher_greater, holm_adjust, wilson_interval
from analysis.validation import check_confidence, check_count, check_number, values_preview

#: Output columns, in order (conditions holds what `slice_mask` needs to select rows again).
SLICE_COLUMNS = ("slice", "order", "n", "errors", "error_rate", "low", "high", "excess_errors",
                 "share_of_errors", "lift", "p_value", "p_adjusted", "beyond_parents",
                 "column_a", "level_a", "column_b", "level_b", "conditions")


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
    encoded = [encode_column(data, name, cuts, kept) for name in names]
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
