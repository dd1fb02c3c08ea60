"""Seeded row resampling for bootstrap intervals, drawn in chunks so that B resamples of n
rows never need a B x n index matrix larger than `CHUNK_CELLS`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from analysis.metrics.estimate import TOO_FEW

CHUNK_CELLS = 1 << 22  # index cells drawn at once (16 MB of int32)


def row_resamples(n_rows: int, n_boot: int, seed: int) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield (where, rows): `rows` is a (b, n_rows) array of row indices drawn with
    replacement, one resample per line, for replicates `where` of 0..n_boot-1.

    Examples
    --------
    >>> [(where, rows.shape) for where, rows in row_resamples(3, 2, seed=0)]
    [(slice(0, 2, None), (2, 3))]
    """
    rng = np.random.default_rng(seed)
    # 32-bit indices halve the memory traffic of the gathers that follow
    index = np.int32 if n_rows < 2**31 else np.int64
    per_chunk = max(1, min(n_boot, CHUNK_CELLS // max(n_rows, 1)))
    for start in range(0, n_boot, per_chunk):
        stop = min(start + per_chunk, n_boot)
        yield slice(start, stop), rng.integers(0, n_rows, size=(stop - start, n_rows), dtype=index)


def percentile_interval(replicates: np.ndarray, level: float) -> tuple[float, float] | str:
    """The central `level` percentile interval of bootstrap replicates (values that occur),
    or the reason no interval is given when the replicates do not vary (standard error 0)."""
    if np.std(replicates) == 0:
        return f"{TOO_FEW}: every resample gives the same value"
    low, high = np.quantile(replicates, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf")
    return float(low), float(high)
