"""The error-slices and error-analysis pages over a configured data source (or a large upload
queried through DuckDB): the slice search counted by the engine (sources/slices.py) and a
sheet started from a seeded sample of misclassified dev rows (sources/pushdown.py).

Only aggregates and the sampled rows come back from the engine; the error tree and turning a
slice into a sheet category need every row in memory, so they stay with uploaded files.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analysis.error_sheet import new_sheet
from analysis.text import escape_markdown
from components.source_picker import computed, source_input, source_threshold
from sources import pushdown
from sources.config import SourceConfig
from sources.slices import MAX_COLUMNS, find_error_slices

_ALL = "All rows"
_ID_NAMES = ("example_id", "id", "row_id")


def _slice_settings(key: str, columns: list[str]) -> tuple[str | None, list[str], int, int]:
    """Rows to search, metadata columns, smallest slice and order, as the file flow asks."""
    left, right = st.columns(2)
    split = left.selectbox("Rows to search", ["dev", "test", "train-dev", "train", _ALL],
                           key=f"{key}.rows")
    chosen = right.multiselect(f"Metadata columns (at most {MAX_COLUMNS})", columns,
                               key=f"{key}.columns", max_selections=MAX_COLUMNS)
    size_col, order_col = st.columns(2)
    min_size = size_col.number_input("Smallest slice (rows)", 1, 1_000_000, 30, step=10,
                                     key=f"{key}.min_size")
    order = order_col.radio("Slices of", [1, 2], index=1, horizontal=True, key=f"{key}.order",
                            format_func={1: "one column", 2: "one or two columns"}.get)
    return (None if split == _ALL else split), chosen, int(min_size), int(order)


def source_slices(key: str, source: SourceConfig, shown: dict[str, Any]) -> None:
    """The slice search of the error-slices page, counted by the source's engine."""
    chosen = source_input(key, source)
    if chosen is None:
        return
    conn, table, roles = chosen
    threshold = source_threshold(key)
    used = {roles.y_true, roles.score, roles.y_pred, roles.split}
    split, columns, min_size, order = _slice_settings(
        key, [c for c in table.columns if c not in used])
    if not columns:
        st.caption("Choose metadata columns to search for slices where errors concentrate.")
        return
    done = computed(conn, lambda: find_error_slices(
        pushdown.rows_in_split(table, roles, split), roles, columns, threshold=threshold,
        min_size=min_size, max_order=order), "Slice search")
    if done is None:
        return
    found = done.value
    st.subheader("Where errors concentrate")
    st.markdown(escape_markdown(found.attrs["summary"]))
    for note in found.attrs["notes"]:
        st.caption(escape_markdown(note))
    if found.empty:
        st.info("No slice has an error rate significantly above the rest: errors are spread "
                "over these columns.", icon=":material/info:")
    else:
        st.dataframe(found[list(shown)], hide_index=True, column_config=shown,
                     key=f"{key}.table")
    st.caption("The error tree and making a slice a sheet category read every row: upload a "
               "file (or a sample of this source) for them.")


def _sheet_rows(sample: pd.DataFrame, roles: pushdown.Roles, threshold: float) -> pd.DataFrame:
    """The sampled rows as the sheet's examples: id, true and predicted label, score."""
    lowered = {str(c).lower(): c for c in sample.columns}
    id_column = next((lowered[n] for n in _ID_NAMES if n in lowered), None)
    ids = sample[id_column].to_numpy() if id_column is not None else np.arange(len(sample))
    scores = sample[roles.score].astype(float)
    return pd.DataFrame({"example_id": ids,
                         "y_true": sample[roles.y_true].to_numpy(),
                         "y_pred": (scores >= threshold).astype(int).to_numpy(),
                         "score": scores.to_numpy()})


def sheet_from_source(key: str, source: SourceConfig, n: int, seed: int,
                      categories: list[str]) -> tuple[pd.DataFrame, list[str], dict] | None:
    """(sheet, categories, meta) from a seeded sample of the source's misclassified dev rows,
    with the dev error counted by the engine; None (after saying why) until ready."""
    chosen = source_input(key, source)
    if chosen is None:
        return None
    conn, table, roles = chosen
    threshold = source_threshold(key)
    done = computed(conn, lambda: (
        pushdown.errors_by_split(table, roles, threshold=threshold),
        pushdown.misclassified_sample(table, roles, threshold=threshold, size=n, seed=seed)),
        "Sample of dev errors")
    if done is None:
        return None
    per_split, sample = done.value
    dev = per_split[per_split["split"] == "dev"]
    if dev.empty or sample.empty:
        st.warning("This source has no misclassified dev rows at this threshold.")
        return None
    errors, rate = int(dev["errors"].iloc[0]), float(dev["error"].iloc[0])
    st.caption(f"{len(sample)} of {errors:,} misclassified dev rows drawn ({rate:.1f}% error on "
               f"{int(dev['examples'].iloc[0]):,} rows).")
    meta = {"dev_error": round(rate, 3), "total_dev_errors": errors, "source": source.name,
            "seed": seed, "threshold": threshold}
    frame = new_sheet(_sheet_rows(sample, roles, threshold), categories=categories)
    return frame, categories, meta
