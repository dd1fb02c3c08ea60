"""The error-slices and error-analysis pages over a configured data source (or a large upload
queried through DuckDB): the slice search counted by the engine (sources/slices.py) and a
sheet started from a seeded sample of misclassified dev rows (sources/pushdown.py).

Only aggregates and sampled rows come back from the engine: a found slice becomes a sheet
category ticked on a seeded sample of its misclassified rows, and the error tree is grown on a
seeded sample of the searched rows (components/source_error_tree.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analysis.error_sheet import new_sheet
from analysis.slice_sheet import slice_category_name
from analysis.text import escape_markdown
from components.error_slices import announce_made, found_table
from components.errors import show_error
from components.sheet_target import add_examples, target_widgets
from components.source_error_tree import source_error_tree
from components.source_picker import computed, source_input, source_threshold
from sources import pushdown
from sources.config import SourceConfig
from sources.slices import MAX_COLUMNS, find_error_slices, slice_filter

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
    threshold = source_threshold(key, roles=roles)
    split, columns, min_size, order = _slice_settings(key, roles.other_columns(table.columns))
    if not columns:
        st.caption("Choose metadata columns to search for slices where errors concentrate.")
        return
    done = computed(conn, lambda: find_error_slices(
        pushdown.rows_in_split(table, roles, split), roles, columns, threshold=threshold,
        min_size=min_size, max_order=order), "Slice search")
    if done is None:
        return
    found = done.value
    chosen = found_table(found, shown, f"{key}.found")
    if chosen is not None:
        rows = pushdown.rows_in_split(table, roles, split)
        _category_form(key, conn, rows.filter(slice_filter(rows, chosen["conditions"])),
                       roles, threshold, chosen, found.attrs["error_rate"])
    source_error_tree(key, conn, pushdown.rows_in_split(table, roles, split), roles, columns,
                      threshold, min_size)


def _tag(text: str) -> str:
    """A short fingerprint of a slice's text, for the widget keys of that slice."""
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def _category_form(key: str, conn: Any, inside: Any, roles: pushdown.Roles, threshold: float,
                   slice_row: pd.Series, error_rate: float) -> None:
    """Make the selected slice a sheet category, ticked on a seeded sample of its
    misclassified rows drawn by the engine."""
    slice_text, count = str(slice_row["slice"]), int(slice_row["errors"])
    st.markdown(f"**Selected:** {escape_markdown(slice_text)} — {count} errors in "
                f"{int(slice_row['n'])} rows ({slice_row['error_rate']:.1%}).")
    sheet_name, new, taken = target_widgets(key, f"Errors where {slice_text}")
    category = st.text_input("Category name", value=slice_category_name(slice_text, taken),
                             key=f"{key}.category.{_tag(slice_text)}")
    left, right = st.columns(2)
    size = left.number_input("Examples to review (a seeded sample)", 1, max(count, 1),
                             min(count, 50), key=f"{key}.n")
    seed = right.number_input("Seed (same seed, same sample)", 0, 10**6, 0, key=f"{key}.seed")
    if not st.button("Make it a category", key=f"{key}.make", type="primary",
                     icon=":material/playlist_add:"):
        return
    done = computed(conn, lambda: pushdown.misclassified_sample(
        inside, roles, threshold=threshold, split=None, size=int(size), seed=int(seed)),
        "Slice sample")
    if done is None:
        return
    meta = {"dev_error": round(100 * error_rate, 3), "source": conn.source.name,
            "threshold": threshold, "seed": int(seed), "slice": slice_text}
    try:
        name, ticked, conflict = add_examples(_sheet_rows(done.value, roles, threshold),
                                              sheet_name=sheet_name, new=new,
                                              category=category, meta=meta)
    except ValueError as err:
        show_error(err)
        return
    announce_made(name, ticked, conflict, category)


def _sheet_rows(sample: pd.DataFrame, roles: pushdown.Roles, threshold: float) -> pd.DataFrame:
    """The sampled rows as the sheet's examples: id, true and predicted label, score."""
    lowered = {str(c).lower(): c for c in sample.columns}
    id_column = next((lowered[n] for n in _ID_NAMES if n in lowered), None)
    ids = sample[id_column].to_numpy() if id_column is not None else np.arange(len(sample))
    rows = pd.DataFrame({"example_id": ids, "y_true": sample[roles.y_true].to_numpy()})
    if not roles.thresholded:  # the model's predicted labels
        return rows.assign(y_pred=sample[roles.y_pred].to_numpy())
    scores = sample[roles.score].astype(float)
    flags = (scores >= threshold).to_numpy()
    predicted = (flags.astype(int) if roles.codes is None or roles.positive is None
                 else roles.codes.as_labels(roles.positive, flags))
    return rows.assign(y_pred=predicted, score=scores.to_numpy())


def sheet_from_source(key: str, source: SourceConfig, n: int, seed: int,
                      categories: list[str]) -> tuple[pd.DataFrame, list[str], dict] | None:
    """(sheet, categories, meta) from a seeded sample of the source's misclassified dev rows,
    with the dev error counted by the engine; None (after saying why) until ready."""
    chosen = source_input(key, source)
    if chosen is None:
        return None
    conn, table, roles = chosen
    threshold = source_threshold(key, roles=roles)
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
