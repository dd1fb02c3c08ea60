"""The error tree of a source: grown on a seeded sample of its rows drawn by the engine.

The error tree needs rows, not aggregates, so on a source it is grown on a seeded sample
(sources/sampling.py) of at most MAX_TREE_ROWS rows of the chosen metadata columns (as many
as the slice search takes) and the error flag, with `analysis.error_tree.fit_error_tree`, the in-memory tree itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from analysis.error_tree import ErrorTreeNode, fit_error_tree
from analysis.validation import check_count
from sources.pushdown import Roles, mistakes
from sources.sampling import seeded_sample
from sources.slices import metadata_columns

MAX_TREE_ROWS = 100_000  # rows a source's error tree is grown on, at most


@dataclass(frozen=True, eq=False)
class SampledTree:
    """An error tree grown on `sampled` of the `total` rows (all of them when equal), drawn
    with `seed`: `sample` holds those rows' metadata columns, `errors` their error flags."""

    nodes: list[ErrorTreeNode]
    sample: pd.DataFrame
    errors: np.ndarray
    total: int
    seed: int

    @property
    def sampled(self) -> int:
        return len(self.sample)

    @property
    def summary(self) -> str:
        """What the tree was grown on, in words for the page."""
        if self.sampled == self.total:
            return f"Grown on all {self.total:,} rows."
        return (f"Grown on a random sample of {self.sampled:,} of {self.total:,} rows "
                f"({self.sampled / self.total:.1%}), drawn by the engine with seed {self.seed}: "
                "its row counts and error rates are the sample's, not the whole table's.")


def error_tree_on_sample(table: ibis.Table, roles: Roles, columns: Sequence[str], *,
                         threshold: float = 0.5, min_samples_leaf: int = 30,
                         size: int = MAX_TREE_ROWS, seed: int = 0) -> SampledTree:
    """The error tree of `table`'s rows (errors at `threshold`) on `columns`, grown in
    memory on a seeded sample of at most `size` rows drawn by the engine."""
    names = metadata_columns(table, columns)
    if check_count("size", size, minimum=1) > MAX_TREE_ROWS:
        raise ValueError(f"size must be at most {MAX_TREE_ROWS:,} rows; got {size:,}.")
    flag = "is_error"
    while flag in table.columns:  # a name none of the columns has
        flag += "_"
    total = int(table.count().execute())
    if total == 0:
        raise ValueError("No rows to grow an error tree on.")
    sample = seeded_sample(table.mutate(**{flag: mistakes(table, roles, threshold)}),
                           size=size, seed=seed, columns=[*names, flag])
    errors = sample.pop(flag).fillna(False).to_numpy(dtype=bool)
    nodes = fit_error_tree(sample, errors, names, min_samples_leaf=min_samples_leaf)
    return SampledTree(nodes, sample, errors, total, seed)
