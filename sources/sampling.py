"""Seeded samples of a source's rows drawn by its engine.

A sample is the first `size` rows ordered by a hash of the seed and each row's values (ties
broken by the values): the same rows for the same seed on the same engine, without the
engine keeping any state, and computed as a top-k (one scan, `size` rows kept).
"""

from __future__ import annotations

import ibis
import pandas as pd

from analysis.validation import check_count


def seeded_sample(table: ibis.Table, *, size: int, seed: int = 0) -> pd.DataFrame:
    """Up to `size` rows of `table`, the same rows for the same seed on the same engine
    (ordered by a hash of the seed and the row's values, then by the values)."""
    size = check_count("size", size, minimum=1)
    parts = [table[c].cast("string").fill_null("") for c in table.columns]
    key = ibis.literal(str(check_count("seed", seed))).concat(*parts).hash()
    return table.order_by([key, *table.columns]).limit(size).execute()
