"""Writing a seeded split column into the user's file, following the split plan: dev and test
drawn at random from the target rows, train-dev from the training pool, optionally keeping a
column's proportions in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.sample_size import SampleSize
from analysis.splits import SplitPlan, apportion, plan_splits
from analysis.validation import check_count, rows_preview


@dataclass(frozen=True)
class SplitAssignment:
    """The user's table with a seeded split column, and the plan it follows."""

    frame: pd.DataFrame
    plan: SplitPlan
    split_column: str
    seed: int
    stratified_by: str | None
    notes: tuple[str, ...]

    def table(self) -> pd.DataFrame:
        return self.plan.table()


def assign_splits(frame: pd.DataFrame, *, source_column: str, target: str,
                  dev_size: int | None = None, test_size: int | None = None,
                  train_dev_size: int | None = None, seed: int = 0,
                  stratify_column: str | None = None, split_column: str = "split",
                  dev_needed: SampleSize | None = None,
                  test_needed: SampleSize | None = None, two_way: bool = False) -> SplitAssignment:
    """Write a seeded `split_column` into a copy of `frame` following plan_splits.

    The plan is made from the file's own source counts. Dev and test are drawn at random from
    the target rows; train-dev is drawn from the training pool with the plan's per-source
    counts. With `stratify_column`, every draw keeps that column's value proportions (largest
    remainder), so dev, test and train-dev carry the label mix of where they were drawn from.
    The same seed gives the same split. `two_way` writes train / test only (no dev rows).

    Examples
    --------
    >>> df = pd.DataFrame({"source": ["web"] * 8 + ["mobile"] * 8})
    >>> out = assign_splits(df, source_column="source", target="mobile", dev_size=2,
    ...                     test_size=2, train_dev_size=2, seed=7)
    >>> out.frame.groupby("split").size().to_dict()
    {'dev': 2, 'test': 2, 'train': 10, 'train-dev': 2}
    """
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise ValueError("the file has no rows: upload a table with one row per example.")
    if source_column not in frame.columns:
        raise ValueError(f"source_column {source_column!r} is not a column of the file; columns "
                         f"are {', '.join(map(repr, map(str, frame.columns[:12])))}.")
    if stratify_column is not None and stratify_column not in frame.columns:
        raise ValueError(f"stratify_column {stratify_column!r} is not a column of the file.")
    seed = check_count("seed", seed)
    if not isinstance(split_column, str) or not split_column.strip():
        raise ValueError("split_column needs a name, e.g. 'split'.")
    source_values = frame[source_column]
    missing = np.flatnonzero(source_values.isna().to_numpy())
    if len(missing):
        raise ValueError(f"column {source_column!r} is empty in {len(missing)} rows "
                         f"({rows_preview(missing)}): fill in where each example comes from.")
    sources_text = source_values.astype(str).str.strip().to_numpy()
    names, sizes = np.unique(sources_text, return_counts=True)
    order = np.argsort(-sizes, kind="stable")
    sources = {str(names[i]): int(sizes[i]) for i in order}
    plan = plan_splits(sources, target=str(target), dev_size=dev_size, test_size=test_size,
                       train_dev_size=train_dev_size, dev_needed=dev_needed,
                       test_needed=test_needed, two_way=two_way)
    strata = None
    if stratify_column is not None:
        strata = pd.factorize(frame[stratify_column].astype(object), use_na_sentinel=False)[0]
    rng = np.random.default_rng(seed)
    labels = np.full(len(frame), "train", dtype=object)
    target_rows = np.flatnonzero(sources_text == plan.target)
    dev_rows = _draw(rng, target_rows, plan.count("dev"), strata)
    rest = np.setdiff1d(target_rows, dev_rows)
    test_rows = _draw(rng, rest, plan.count("test"), strata)
    labels[dev_rows] = "dev"
    labels[test_rows] = "test"
    for name in sources:
        pool_rows = np.flatnonzero((sources_text == name) & (labels == "train"))
        labels[_draw(rng, pool_rows, plan.count("train-dev", name), strata)] = "train-dev"
    out = frame.copy()
    out[split_column] = pd.Series(labels, index=frame.index, dtype="string")
    notes = [f"Split written to column {split_column!r} with seed {seed}: the same seed and "
             "file give the same split."]
    if stratify_column is not None:
        notes.append(f"Each draw keeps the proportions of {stratify_column!r} of the rows it "
                     "was drawn from.")
    return SplitAssignment(frame=out, plan=plan, split_column=split_column, seed=seed,
                           stratified_by=stratify_column, notes=tuple(notes))


def _draw(rng: np.random.Generator, rows: np.ndarray, n: int,
          strata: np.ndarray | None) -> np.ndarray:
    """Pick n of `rows` at random, keeping the strata's proportions when strata are given."""
    if n == 0:
        return rows[:0]
    if strata is None:
        return np.sort(rng.choice(rows, size=n, replace=False))
    groups, inverse = np.unique(strata[rows], return_inverse=True)
    sizes = np.bincount(inverse, minlength=len(groups))
    quotas = apportion(sizes.tolist(), n)
    picked = [rng.choice(rows[inverse == g], size=q, replace=False)
              for g, q in enumerate(quotas) if q]
    return np.sort(np.concatenate(picked))
