"""A found slice filtered by the engine holds the same rows as the in-memory mask, for every
kind of condition (a value, the other values, missing, numeric bins with open ends)."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from analysis.metadata_columns import Condition
from sources.slices import slice_filter

FRAME = pd.DataFrame({"device": ["phone", "web", None, "tv", "phone", "web", "tv", None],
                      "age": [10.0, 25.0, 30.0, np.nan, 45.0, 60.0, np.inf, 30.0],
                      "row": range(8)})


@pytest.mark.parametrize("conditions", [
    [Condition("device", "equals", value="phone")],
    [Condition("device", "other", kept=("phone", "web"))],
    [Condition("device", "missing")],
    [Condition("age", "below", high=30.0)],
    [Condition("age", "between", low=25.0, high=45.0)],
    [Condition("age", "at_least", low=45.0)],
    [Condition("age", "missing")],
    [Condition("device", "missing"), Condition("age", "between", low=25.0, high=45.0)]])
def test_the_engine_filters_the_rows_the_memory_mask_finds(conditions: list[Condition]) -> None:
    con = ibis.duckdb.connect()
    table = con.create_table("t", FRAME)
    rows = table.filter(slice_filter(table, conditions)).execute()["row"].sort_values()
    expected = np.logical_and.reduce([c.mask(FRAME) for c in conditions])
    assert rows.tolist() == FRAME["row"][expected].tolist()
