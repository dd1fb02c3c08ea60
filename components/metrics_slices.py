"""The metrics page's slice sections: every metric per slice (with the average over slices
next to the pooled error), and the weighted error when the file carries example weights.
The drawing (`draw_slices`, `draw_weighted`) is shared with a data source's page, whose
engine counts what memory counts here."""

from __future__ import annotations

import numpy as np
import streamlit as st

from analysis.metrics import SliceMetrics, WeightedError, slice_metrics, weighted_error
from analysis.text import escape_markdown
from charts.metrics import slice_bar_figure
from components.errors import show_error

PERCENT_COLUMNS = ("error_rate", "error_low", "error_high", "accuracy", "precision", "recall", "f1")


def slice_column(columns: list[str], *, key: str = "slice", bind: bool = True,
                 index: int = 0) -> str:
    """The column to slice by (bound to the URL as `slice` on the file's page)."""
    return st.selectbox("Slice by", columns, key=key, index=index,
                        **({"bind": "query-params"} if bind else {}))


def draw_slices(slices: SliceMetrics) -> None:
    """The per-slice bar chart beside the average across slices and the per-slice table."""
    left, right = st.columns(2)
    left.plotly_chart(slice_bar_figure(slices), key="metrics.slices_chart")
    with right:
        st.metric("Average error across slices", f"{slices.average_error:.2%}",
                  help="Each slice counts once: the average of the per-slice error rates, so a "
                       "small region weighs as much as a big one.")
        st.caption(f"Pooled over all rows: {slices.overall_error:.2%} · worst slice: "
                   f"{escape_markdown(slices.worst_slice)}")
        st.dataframe(slices.table, hide_index=True, key="metrics.slices_table",
                     column_config={c: st.column_config.NumberColumn(format="percent")
                                    for c in PERCENT_COLUMNS if c in slices.table})


def slices_section(y_true: np.ndarray, y_pred: np.ndarray, groups: dict[str, np.ndarray], *,
                   binary: bool) -> None:
    """Metrics per value of the chosen slice column (bound to the URL as `slice`)."""
    st.subheader("Slices")
    if not groups:
        st.caption("Map a slice column (e.g. region, source) to see every metric per slice.")
        return
    column = slice_column(list(groups))
    try:
        slices = slice_metrics(y_true, y_pred, groups[column], column=column, binary=binary)
    except ValueError as err:
        show_error(err)
        return
    draw_slices(slices)


def draw_weighted(result: WeightedError) -> None:
    """The weighted error beside the plain one, and what makes them differ."""
    left, right, _ = st.columns(3)
    left.metric("Weighted error", f"{result.error:.2%}", help="sum(w·[wrong]) / sum(w)")
    right.metric("Plain error", f"{result.unweighted_error:.2%}")
    st.caption(escape_markdown(result.explanation))


def weighted_section(y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray) -> None:
    """The weighted error (sum of weights of the wrong rows over all weights) beside the plain one."""
    st.subheader("Weighted error")
    try:
        result = weighted_error(y_true, y_pred, weights=weights)
    except ValueError as err:
        show_error(err)
        return
    draw_weighted(result)
