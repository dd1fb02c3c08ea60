"""Benchmark: the error-slice search of analysis.slices against the same search in pandas groupby.

Data: seeded, 1M rows x 20 metadata columns (10 categorical with 3 to 60 values and some
missing, 10 numeric with some missing), a 10% base error rate and one planted cohort.
The peer is the search as one would write it with pandas: labels per column (value_counts top
levels, pd.cut on the same quantile edges), `groupby(...).agg` for every column and every pair,
then the same Fisher tests, Holm correction and parent filter on the aggregated table. Both run
in the same process on the same data, taking turns; the script checks that they agree and
prints our time, the peer's, the ratio and the process's peak RSS after each.

Run:  python benchmarks/bench_slices.py                 (1M rows x 20 columns)
      python benchmarks/bench_slices.py --rows 200000 --repeats 3
Not a test: it prints a table; the figures go in the closing note.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.metadata_columns import MISSING, OTHER, quantile_edges
from analysis.slices import find_error_slices
from analysis.stats import fisher_greater, holm_adjust

MIN_SIZE, BINS, MAX_LEVELS, ALPHA = 30, 4, 10, 0.05


def make_data(rows: int, columns: int = 20, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Half categorical, half numeric columns; errors at 10% plus a cohort (c1 = v2 & x3 > 1)."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for i in range(columns // 2):
        levels = np.array([f"v{j}" for j in range(3 + i * 6)], dtype=object)
        values = rng.choice(levels, rows)
        values[rng.random(rows) < 0.01] = None
        data[f"c{i}"] = pd.array(values, dtype="str")
    for i in range(columns - columns // 2):
        values = rng.lognormal(size=rows) if i % 2 else rng.normal(size=rows)
        values[rng.random(rows) < 0.02] = np.nan
        data[f"x{i}"] = values
    frame = pd.DataFrame(data)
    errors = rng.random(rows) < 0.10
    cohort = (frame["c1"] == "v2").to_numpy(dtype=bool) & (frame["x3"] > 1).to_numpy()
    errors |= cohort & (rng.random(rows) < 0.2)
    return frame, errors


def ours(frame: pd.DataFrame, errors: np.ndarray, columns: list[str]) -> pd.DataFrame:
    return find_error_slices(frame, errors, columns, min_size=MIN_SIZE, bins=BINS,
                             max_levels=MAX_LEVELS)


# --------------------------------------------------------------------------- the pandas peer

def _labels(series: pd.Series) -> pd.Series:
    """The column's level names as text, the way our search names them."""
    if pd.api.types.is_numeric_dtype(series):
        edges = quantile_edges(series.to_numpy(dtype=float), BINS)
        bounds = [None, *edges.tolist(), None]
        names = [f"< {hi:g}" if lo is None else f">= {lo:g}" if hi is None else f"[{lo:g}, {hi:g})"
                 for lo, hi in itertools.pairwise(bounds)]
        codes = pd.cut(series, [-np.inf, *edges, np.inf], right=False, labels=False)
        return codes.map(dict(enumerate(names))).fillna(MISSING).astype(object)
    top = series.value_counts().index[:MAX_LEVELS]
    return series.where(series.isin(top) | series.isna(), OTHER).astype(object).fillna(MISSING)


def peer(frame: pd.DataFrame, errors: np.ndarray, columns: list[str]) -> pd.DataFrame:
    data = pd.DataFrame({c: _labels(frame[c]) for c in columns})
    data["_error"] = errors
    rows, total_errors = len(data), int(errors.sum())
    parts = []
    for c in columns:
        g = data.groupby(c, observed=True)["_error"].agg(["size", "sum"]).reset_index()
        parts.append(pd.DataFrame({"column_a": c, "level_a": g[c], "column_b": None,
                                   "level_b": None, "n": g["size"], "errors": g["sum"]}))
    for a, b in itertools.combinations(columns, 2):
        g = data.groupby([a, b], observed=True)["_error"].agg(["size", "sum"]).reset_index()
        parts.append(pd.DataFrame({"column_a": a, "level_a": g[a], "column_b": b,
                                   "level_b": g[b], "n": g["size"], "errors": g["sum"]}))
    table = pd.concat(parts, ignore_index=True)
    table = table[(table["n"] >= MIN_SIZE) & (table["n"] < rows)].reset_index(drop=True)
    table["p_value"] = fisher_greater(table["errors"].to_numpy(), table["n"].to_numpy(),
                                      total_errors, rows)
    table["p_adjusted"] = holm_adjust(table["p_value"].to_numpy())
    return _peer_findings(table)


def _peer_findings(table: pd.DataFrame) -> pd.DataFrame:
    """Significant slices whose pairs beat both parents (Fisher within each parent, Holm over
    the significant pairs)."""
    singles = table[table["column_b"].isna()][["column_a", "level_a", "n", "errors"]]
    pairs = table[table["column_b"].notna() & (table["p_adjusted"] < ALPHA)]
    p_within = np.zeros(len(pairs))
    for side in ("a", "b"):
        parent = singles.rename(columns={"column_a": f"column_{side}", "level_a": f"level_{side}",
                                         "n": "parent_n", "errors": "parent_errors"})
        merged = pairs.merge(parent, on=[f"column_{side}", f"level_{side}"], how="left")
        p = fisher_greater(merged["errors"].to_numpy(), merged["n"].to_numpy(),
                           merged["parent_errors"].to_numpy(), merged["parent_n"].to_numpy())
        p = np.where(merged["n"] < merged["parent_n"], p, 1.0)
        p_within = np.maximum(p_within, p)
    table["beyond_parents"] = table["column_b"].isna()
    table.loc[pairs.index, "beyond_parents"] = holm_adjust(p_within) < ALPHA
    return table[(table["p_adjusted"] < ALPHA) & table["beyond_parents"]]


# --------------------------------------------------------------------------- timing

def _key(frame: pd.DataFrame) -> pd.DataFrame:
    keyed = frame[["column_a", "level_a", "column_b", "level_b", "n", "errors", "p_adjusted"]]
    keyed = keyed.fillna({"column_b": "", "level_b": ""}).astype(
        {"column_a": str, "level_a": str, "column_b": str, "level_b": str, "n": int, "errors": int})
    return keyed.sort_values(["column_a", "level_a", "column_b", "level_b"]).reset_index(drop=True)


def check_agree(mine: pd.DataFrame, theirs: pd.DataFrame) -> None:
    a, b = _key(mine), _key(theirs)
    if len(a) != len(b) or not a.drop(columns="p_adjusted").equals(b.drop(columns="p_adjusted")):
        raise SystemExit(f"DISAGREE: ours found {len(a)} slices, the peer {len(b)}")
    if not np.allclose(a["p_adjusted"], b["p_adjusted"], rtol=1e-9, atol=0):
        raise SystemExit("DISAGREE: adjusted p-values differ")


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args) -> tuple[float, float, object]:
    """Wall time of one call and the process's peak RSS after it. Peak RSS only grows, so the
    first search's figure is its own and the second's covers both."""
    gc.collect()
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, peak_rss_mb(), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    frame, errors = make_data(args.rows, args.columns)
    columns = list(frame.columns)
    data_rss = peak_rss_mb()
    best = {"ours": (np.inf, 0.0), "pandas groupby": (np.inf, 0.0)}
    outputs = {}
    # The searches take turns in each round, so a burst of load from other processes does
    # not favour one of them.
    for round_ in range(args.repeats):
        for name, fn in (("ours", ours), ("pandas groupby", peer)):
            seconds, rss, outputs[name] = timed(fn, frame, errors, columns)
            # Peak RSS from the first round only: ours runs first there, so its figure is its own.
            best[name] = (min(best[name][0], seconds), rss if round_ == 0 else best[name][1])
    check_agree(outputs["ours"], outputs["pandas groupby"])
    top = outputs["ours"].iloc[0]
    print(f"{args.rows:,} rows x {len(columns)} columns, {outputs['ours'].attrs['n_tried']:,} "
          f"slices tried, {len(outputs['ours'])} found (top: {top['slice']}); the two agree.")
    print(f"{'search':<16}{'seconds':>9}{'peak RSS MB':>13}")
    print(f"{'(data only)':<16}{'':>9}{data_rss:>13,.0f}")
    for name, (seconds, rss) in best.items():
        print(f"{name:<16}{seconds:>9.2f}{rss:>13,.0f}")
    ratio = best["pandas groupby"][0] / best["ours"][0]
    print(f"ratio (peer / ours): {ratio:.1f}x; best of {args.repeats} run(s); peak RSS is the "
          "process's after each search's first run (ours first, so the peer's is cumulative).")


if __name__ == "__main__":
    main()
