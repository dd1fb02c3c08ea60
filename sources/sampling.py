"""Seeded samples of a source's rows drawn by its engine.

A sample is the first `size` rows ordered by a hash of the seed, each row's values (all of
the table's columns) and the row's place among its copies: the same rows for the same seed
on the same engine, without the engine keeping any state. Every column goes into the hash,
even when fewer are returned: rows equal on the returned columns alone (the same device and
age) must still fall apart, or the sample would take or leave them all together. Rows equal
in every column (a table of predicted labels and categories, with no id or score) are told
apart by their place among their copies (a row number within the copies), so each distinct
row is taken in its share; which copy gets which number does not matter, they are equal.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import pandas as pd

from analysis.validation import check_count


def seeded_sample(table: ibis.Table, *, size: int, seed: int = 0,
                  columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Up to `size` rows of `table` (their `columns`, every column when None), the same rows
    for the same seed on the same engine (ordered by a hash of the seed, all of the row's
    values and its place among its copies, then by the values)."""
    size = check_count("size", size, minimum=1)
    values = list(table.columns)
    copy = "copy"
    while copy in values:  # a name none of the columns has
        copy += "_"
    # ordered within the copies too: Spark numbers rows only in an ordered window
    numbered = table.mutate(**{copy: ibis.row_number().over(group_by=values,
                                                            order_by=values)})
    parts = [numbered[c].cast("string").fill_null("") for c in [*values, copy]]
    key = ibis.literal(str(check_count("seed", seed))).concat(*parts).hash()
    ordered = numbered.order_by([key, *values]).limit(size)
    return ordered.select(*(columns or values)).execute()
