"""Seeded samples of a source's rows drawn by its engine.

A sample is the first `size` rows ordered by a hash of the seed and each row's values, all
of the table's columns (ties broken by the values): the same rows for the same seed on the
same engine, without the engine keeping any state, and computed as a top-k (one scan, `size`
rows kept). Every column goes into the hash, even when fewer are returned: rows equal on the
returned columns alone (the same device and age) must still fall apart, or the sample would
take or leave them all together. Only rows equal in every column stay together.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import pandas as pd

from analysis.validation import check_count


def seeded_sample(table: ibis.Table, *, size: int, seed: int = 0,
                  columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Up to `size` rows of `table` (their `columns`, every column when None), the same rows
    for the same seed on the same engine (ordered by a hash of the seed and all of the row's
    values, then by the values)."""
    size = check_count("size", size, minimum=1)
    parts = [table[c].cast("string").fill_null("") for c in table.columns]
    key = ibis.literal(str(check_count("seed", seed))).concat(*parts).hash()
    ordered = table.order_by([key, *table.columns]).limit(size)
    return ordered.select(*(columns or table.columns)).execute()
