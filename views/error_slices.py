"""Error slices: where errors concentrate in the metadata (one column or a pair), tested so
that noise is not reported, the error tree, and a found slice turned into a category of the
error-analysis sheet."""

from __future__ import annotations

import streamlit as st

from charts.error_tree import ERROR_TREE_CAPTION, error_tree_figure
from components import error_slices as slices
from components.errors import show_error
from components.eyeball_panel import eyeball_panel
from components.inputs import predictions_picker
from components.source_pages import source_slices
from components.source_picker import source_in_use

SHOWN = {"slice": st.column_config.TextColumn("slice", width="medium"),
         "n": st.column_config.NumberColumn("rows", format="%d"),
         "errors": st.column_config.NumberColumn("errors", format="%d"),
         "error_rate": st.column_config.NumberColumn("error rate", format="percent"),
         "low": st.column_config.NumberColumn("low", format="percent"),
         "high": st.column_config.NumberColumn("high", format="percent"),
         "share_of_errors": st.column_config.NumberColumn("share of errors", format="percent"),
         "excess_errors": st.column_config.NumberColumn("excess errors", format="%.1f"),
         "lift": st.column_config.NumberColumn("lift", format="%.2f×"),
         "p_adjusted": st.column_config.NumberColumn("p (Holm)", format="%.1e")}

st.title("Error slices")
st.caption("Find the cohorts of your metadata (a value of one column, or of two) where the "
           "model's errors concentrate, before anyone ticks a box; then review one in the "
           "error-analysis sheet.")

predictions = predictions_picker(f"{slices.KEY}.pick", tasks=("binary", "multiclass"))
if (source := source_in_use(f"{slices.KEY}.pick")) is not None:
    source_slices(f"{slices.KEY}.source", source, SHOWN)
if predictions is None:
    st.stop()
left, right = st.columns(2)
with left:
    split = slices.split_choice(predictions)
    rows = slices.search_rows(predictions, split)
with right:
    columns = slices.column_choice(predictions)
    size_col, order_col = st.columns(2)
    min_size = size_col.number_input("Smallest slice (rows)", 1, 1_000_000, 30, step=10,
                                     key=f"{slices.KEY}.min_size", bind="query-params")
    max_order = order_col.radio("Slices of", [1, 2], index=1, horizontal=True,
                                key=f"{slices.KEY}.order", bind="query-params",
                                format_func={1: "one column", 2: "one or two columns"}.get)
if rows is None:
    st.stop()
try:
    found, tree = slices.search(rows, columns, min_size, max_order)
except ValueError as err:
    show_error(err)
    st.stop()

chosen = slices.found_table(found, SHOWN, f"{slices.KEY}.table")

tree_col, category_col = st.columns([3, 2], gap="large")
with tree_col:
    st.subheader("Error tree")
    st.plotly_chart(error_tree_figure(tree, height=480), key=f"{slices.KEY}.tree")
    st.caption(ERROR_TREE_CAPTION)
with category_col:
    st.subheader("Make it a category")
    if chosen is None:
        st.caption("Select a slice in the table above to review its errors in a sheet.")
        slices.show_made()
    else:
        slices.make_category_form(rows, chosen)

eyeball_panel(rows)
