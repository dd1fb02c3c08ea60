"""The metrics page's breakdowns for a data source, counted by its engine
(sources/breakdowns.py) and drawn by the same components as a file's: every metric per
slice, the weighted error, and the multiclass confusion matrix with per-class metrics.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.metrics_multiclass import draw_multiclass
from components.metrics_slices import draw_slices, draw_weighted, slice_column
from components.source_picker import computed
from sources import breakdowns
from sources.pushdown import Roles


def _metadata(table: Any, roles: Roles) -> tuple[list[str], int]:
    """The columns that play no role, and the first text one (the likeliest slice)."""
    schema = table.schema()
    columns = roles.other_columns(table.columns)
    text = [i for i, c in enumerate(columns) if schema[c].is_string()]
    return columns, text[0] if text else 0


def source_multiclass(conn: Any, table: Any, roles: Roles, split: str | None) -> None:
    """Accuracy, macro/weighted F1, the confusion matrix and per-class metrics, from the
    confusion matrix counted by the engine."""
    st.header("Multiclass metrics", divider="gray")
    done = computed(conn, lambda: breakdowns.multiclass_metrics(table, roles, split=split),
                    "Confusion matrix")
    if done is not None:
        draw_multiclass(done.value)


def source_slices(key: str, conn: Any, table: Any, roles: Roles, threshold: float,
                  split: str | None) -> None:
    """Every metric per value of a metadata column (GROUP BY on the engine), then the
    weighted error when a weight column is mapped."""
    st.subheader("Slices")
    columns, first_text = _metadata(table, roles)
    if not columns:
        st.caption("The table has no other column to slice by (e.g. region, source).")
    else:
        column = slice_column(columns, key=f"{key}.slice", bind=False, index=first_text)
        done = computed(conn, lambda: breakdowns.slice_metrics(
            table, roles, column, threshold=threshold, split=split), "Slices")
        if done is not None:
            draw_slices(done.value)
    if roles.weight is None:
        return
    st.subheader("Weighted error")
    done = computed(conn, lambda: breakdowns.weighted_error(table, roles, threshold=threshold,
                                                            split=split), "Weighted error")
    if done is not None:
        draw_weighted(done.value)
