"""Data mismatch by hand: the open sheet (dev errors) beside a second sheet of train-dev errors
reviewed on the same categories, with the categories much more frequent in dev errors flagged
and the remedies to try."""

from __future__ import annotations

import streamlit as st

from analysis.error_priorities import compare_error_sheets
from analysis.text import escape_markdown
from components.error_analysis_state import SHEET_KIND, HeldSheet, load_sheet
from components.errors import show_error
from components.state import workspace_data

_NONE = "(none)"
_PERCENT = st.column_config.NumberColumn(format="percent")


def twin_sheets_panel(sheet: HeldSheet) -> None:
    """Pick the train-dev sheet and compare category shares (only categories both sheets have)."""
    st.subheader("Dev errors against train-dev errors")
    others = [i.name for i in workspace_data().list_items(sheet.workspace_id, SHEET_KIND)
              if i.name != sheet.name]
    choice = st.selectbox("Sheet of train-dev errors to compare with", [_NONE, *others],
                          key="ea.twin_sheet", help="Review train-dev errors on the same "
                          "categories: a category much more frequent in dev errors points to "
                          "data mismatch.")
    if choice == _NONE:
        st.caption("Start a second sheet from your train-dev errors to compare the two.")
        return
    try:
        twin = load_sheet(workspace_data(), sheet.workspace_id, choice)
        if twin is None:
            raise ValueError(f"sheet {choice!r} no longer exists: choose another sheet.")
        shared = [c for c in sheet.categories if c in twin.categories]
        comparison = compare_error_sheets(sheet.frame, twin.frame, shared)
    except ValueError as err:
        show_error(err)
        return
    st.dataframe(comparison.table, hide_index=True, key="ea.twin_table", column_config={
        **dict.fromkeys(("dev_share", "dev_low", "dev_high", "train_dev_share", "train_dev_low",
                         "train_dev_high", "difference"), _PERCENT),
        "p_adjusted": st.column_config.NumberColumn("p (Holm)", format="%.2g")})
    box = st.warning if comparison.flagged else st.info
    box(escape_markdown(comparison.verdict))
    for remedy in comparison.remedies:
        st.markdown(f"- {escape_markdown(remedy)}")
    for warning in comparison.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
