"""The error-slice search (`analysis.slices.find_error_slices`) with its counting pushed
down: the engine encodes each metadata column into levels and counts rows and errors per
level and per pair of levels; the tests, corrections and table are the in-memory search's
own (`slices_from_counts`).

Levels are chosen as in memory: a categorical column keeps its most frequent values (ties
broken by value, where memory breaks them by first appearance), numeric columns are cut at
quantiles rounded to 2 significant digits (exact up to a million rows on DuckDB and
PostgreSQL, approximate beyond and on Spark, where edges can then differ).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import ibis
import numpy as np
import pandas as pd

from analysis.metadata_columns import OTHER, Condition, EncodedColumn, rounded_edges
from analysis.slices import SliceCounts, check_search, slices_from_counts
from sources.pushdown import Roles, mistakes, ones

MAX_COLUMNS = 10
EXACT_QUANTILE_ROWS = 1_000_000
JOINT_CELLS = 1_000_000  # level combinations counted in one scan


def _categorical(table: ibis.Table, name: str, max_levels: int) -> tuple[list[Condition],
                                                                         ibis.Value, str | None]:
    column = table[name]
    present = table.filter(column.notnull())
    counts = present.group_by(value=present[name]).aggregate(n=present.count()).execute()
    counts = counts.sort_values(["n", "value"], ascending=[False, True], kind="stable")
    kept = [v.item() if isinstance(v, np.generic) else v for v in counts["value"][:max_levels]]
    note = None
    if len(counts) > max_levels:
        note = (f"{name} has {len(counts)} distinct values: its {max_levels} most frequent are "
                f"kept and the other {len(counts) - max_levels} grouped as {OTHER}.")
    code = ibis.cases(*((column == v, i) for i, v in enumerate(kept)),
                      else_=len(kept)) if kept else ibis.literal(0)
    code = column.isnull().ifelse(len(kept) + 1, code)
    conditions = [Condition(name, "equals", value=v) for v in kept]
    conditions += [Condition(name, "other", kept=tuple(kept)), Condition(name, "missing")]
    return conditions, code, note


def _numeric(table: ibis.Table, name: str, bins: int,
             max_levels: int) -> tuple[list[Condition], ibis.Value, str | None]:
    column = table[name].cast("float64")
    few = table.select(v=column).filter(ibis._.v.notnull()).distinct().limit(bins + 1).execute()
    quantiles = np.linspace(0, 1, bins + 1)[1:-1]
    rows = int(table.count().execute())
    # exact quantiles hold every value in memory; past EXACT_QUANTILE_ROWS the engine's
    # approximate ones keep the search within its memory limit (edges are rounded anyway)
    quantile = "quantile" if rows <= EXACT_QUANTILE_ROWS else "approx_quantile"
    stats = table.aggregate(lo=column.min(), hi=column.max(),
                            **{f"q{i}": getattr(column, quantile)(float(q))
                               for i, q in enumerate(quantiles)}).execute().iloc[0]
    if len(few) <= bins or pd.isna(stats["lo"]):
        return _categorical(table, name, max_levels)
    inner = np.array([stats[f"q{i}"] for i in range(len(quantiles))], dtype=float)
    edges = rounded_edges(inner, float(stats["lo"]), float(stats["hi"]))
    if edges.size == 0:
        return _categorical(table, name, max_levels)
    code = sum((ones(column >= float(e)) for e in edges), ibis.literal(0))
    code = column.isnull().ifelse(len(edges) + 1, code)
    bounds = [None, *edges.tolist(), None]
    conditions = [Condition(name, "below" if low is None else "at_least" if high is None
                            else "between", low=low, high=high)
                  for low, high in itertools.pairwise(bounds)]
    return [*conditions, Condition(name, "missing")], code, None


def _cells(table: ibis.Table, wrong: ibis.Value, codes: dict[str, ibis.Value]) -> pd.DataFrame:
    """Rows and errors per combination of the given codes (one GROUP BY on the engine)."""
    return (table.group_by(**codes)
            .aggregate(n=table.count(), errors=ones(wrong).sum()).execute())


def metadata_columns(table: ibis.Table, columns: Sequence[str]) -> list[str]:
    """The chosen metadata columns (1 to MAX_COLUMNS of the table's, duplicates dropped)."""
    names = list(dict.fromkeys(columns))
    if not names or len(names) > MAX_COLUMNS:
        raise ValueError(f"Choose 1 to {MAX_COLUMNS} metadata columns to search; got "
                         f"{len(names)}.")
    missing = [c for c in names if c not in table.columns]
    if missing:
        raise ValueError(f"The table has no column {', '.join(map(repr, missing))}.")
    return names


def find_error_slices(table: ibis.Table, roles: Roles, columns: Sequence[str], *,
                      threshold: float = 0.5, min_size: int = 30, max_order: int = 2,
                      alpha: float = 0.05, bins: int = 4, max_levels: int = 10,
                      confidence: float = 0.95, keep_redundant: bool = False,
                      return_all: bool = False) -> pd.DataFrame:
    """`analysis.slices.find_error_slices` over a source's table, counted by its engine."""
    names = metadata_columns(table, columns)
    smallest, order, level, cuts, kept = check_search(min_size, max_order, alpha, bins,
                                                      max_levels, confidence)
    wrong = mistakes(table, roles, threshold)
    encoded, codes = [], []
    for name in names:
        column = table[name]
        numeric = column.type().is_numeric() and not column.type().is_boolean()
        conditions, code, note = (_numeric(table, name, cuts, kept) if numeric
                                  else _categorical(table, name, kept))
        encoded.append((conditions, note))
        codes.append(code)
    count = _joint_counter(table, wrong, codes, [len(c) for c, _ in encoded])
    singles = [count(i) for i in range(len(codes))]
    total, total_errors = int(singles[0]["n"].sum()), int(singles[0]["errors"].sum())
    columns_out, lookups = _compacted(encoded, singles)
    parts = [_single_part(i, s, lookups[i]) for i, s in enumerate(singles)]
    if order >= 2:
        for i, j in itertools.combinations(range(len(names)), 2):
            parts.append(_pair_part(i, j, count(i, j), lookups[i], lookups[j],
                                    len(columns_out[i].conditions),
                                    len(columns_out[j].conditions)))
    counts = SliceCounts(**{key: np.concatenate([p[key] for p in parts])
                            for key in ("n", "errors", "column_a", "level_a", "column_b",
                                        "level_b")})
    return slices_from_counts(counts, columns_out, total=total, total_errors=total_errors,
                              min_size=smallest, max_order=order, alpha=level,
                              confidence=confidence, keep_redundant=keep_redundant,
                              return_all=return_all)


def _joint_counter(table: ibis.Table, wrong: ibis.Value, codes: list[ibis.Value],
                   levels: list[int]) -> Callable[..., pd.DataFrame]:
    """count(i) / count(i, j): rows and errors per level of column i (and j), columns a, b.

    When every combination of levels fits in JOINT_CELLS groups, ONE scan groups by all
    the codes at once and each count is a sum over that small table; otherwise each single
    column and each pair is its own GROUP BY on the engine.
    """
    if math.prod(levels) <= JOINT_CELLS:
        joint = _cells(table, wrong, {f"c{i}": code for i, code in enumerate(codes)})

        def from_joint(*which: int) -> pd.DataFrame:
            keys = [f"c{i}" for i in which]
            summed = joint.groupby(keys, as_index=False)[["n", "errors"]].sum()
            return summed.rename(columns=dict(zip(keys, ("a", "b"), strict=False)))
        return from_joint

    def on_engine(*which: int) -> pd.DataFrame:
        return _cells(table, wrong, dict(zip(("a", "b"), (codes[i] for i in which),
                                             strict=False)))
    return on_engine


def _compacted(encoded: list[tuple[list[Condition], str | None]],
               singles: list[pd.DataFrame]) -> tuple[list[EncodedColumn], list[np.ndarray]]:
    """Levels no row has are dropped (as in memory); old code -> new code per column."""
    columns, lookups = [], []
    for (conditions, note), single in zip(encoded, singles, strict=True):
        used = np.sort(single.loc[single["n"] > 0, "a"].to_numpy(int))
        lookup = np.full(len(conditions), -1)
        lookup[used] = np.arange(len(used))
        columns.append(EncodedColumn(np.empty(0, np.int32),
                                     tuple(conditions[k] for k in used), note))
        lookups.append(lookup)
    return columns, lookups


def _single_part(i: int, single: pd.DataFrame, lookup: np.ndarray) -> dict[str, np.ndarray]:
    levels = int((lookup >= 0).sum())
    n, errors = np.zeros(levels, np.int64), np.zeros(levels, np.int64)
    where = lookup[single["a"].to_numpy(int)]
    n[where], errors[where] = single["n"].to_numpy(), single["errors"].to_numpy()
    return {"n": n, "errors": errors, "column_a": np.full(levels, i),
            "level_a": np.arange(levels), "column_b": np.full(levels, -1),
            "level_b": np.full(levels, -1)}


def _pair_part(i: int, j: int, pair: pd.DataFrame, lookup_a: np.ndarray, lookup_b: np.ndarray,
               la: int, lb: int) -> dict[str, np.ndarray]:
    n, errors = np.zeros(la * lb, np.int64), np.zeros(la * lb, np.int64)
    where = lookup_a[pair["a"].to_numpy(int)] * lb + lookup_b[pair["b"].to_numpy(int)]
    n[where], errors[where] = pair["n"].to_numpy(), pair["errors"].to_numpy()
    a, b = np.divmod(np.arange(la * lb), lb)
    return {"n": n, "errors": errors, "column_a": np.full(la * lb, i), "level_a": a,
            "column_b": np.full(la * lb, j), "level_b": b}


def slice_filter(table: ibis.Table, conditions: Sequence[Condition]) -> ibis.BooleanValue:
    """The rows of one found slice (its conditions joined by AND) as the engine filters them;
    the same rows `Condition.mask` finds in memory."""
    where = ibis.literal(True)
    for condition in conditions:
        column = table[condition.column]
        if condition.kind == "missing":
            part = column.isnull()
        elif condition.kind == "equals":
            part = column.notnull() & (column == condition.value)
        elif condition.kind == "other":
            part = column.notnull() & ~column.isin(list(condition.kept))
        else:  # a numeric bin: [low, high) with open ends
            number = column.cast("float64")
            part = number.notnull()
            if condition.low is not None:
                part &= number >= condition.low
            if condition.high is not None:
                part &= number < condition.high
        where &= part
    return where
