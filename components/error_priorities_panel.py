"""What to work on first, under an error-analysis sheet: per category the team's ideas, effort
estimate and owner (saved beside the sheet, so teammates see them), the priority table of
ceiling gain per unit of effort, and each category's share split into false positives and
false negatives when the sheet has true and predicted labels.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from analysis.error_analysis import CategorySummary
from analysis.error_priorities import PLAN_FIELDS, ranked_plan, split_by_error_type
from analysis.error_sheet import apply_table_edits
from analysis.text import escape_markdown
from components.error_analysis_state import HeldSheet
from components.errors import show_error
from components.state import access_lost, workspace_data
from components.twin_sheets_panel import twin_sheets_panel
from storage import StaleRevisionError
from workspace.data import WorkspaceData
from workspace.kinds import SHEET_PRIORITIES

_NOTICE = "ea.priorities.notice"
_COLUMNS = ("category", *PLAN_FIELDS)
_PERCENT = st.column_config.NumberColumn(format="percent")


# --------------------------------------------------------------------------- stored inputs

def load_priorities(workspace_id: int, sheet_name: str) -> tuple[dict[str, dict[str, Any]], int]:
    """(ideas / effort / owner per category, stored revision; 0 when none was saved yet).
    A damaged item reads as not filled in (and is overwritten by the next edit)."""
    item = WorkspaceData(workspace_data(), workspace_id).item(SHEET_PRIORITIES, sheet_name)
    if item is None:
        return {}, 0
    try:
        return WorkspaceData.read(SHEET_PRIORITIES, item), item.revision
    except ValueError:
        return {}, item.revision


def _editor_base(categories: list[str], saved: dict[str, dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([{"category": name, **{field: saved.get(name, {}).get(field)
                                               for field in _COLUMNS[1:]}}
                         for name in categories], columns=list(_COLUMNS))


@access_lost
def _save_edits(workspace_id: int, sheet_name: str, revision: int, key: str,
                base: pd.DataFrame) -> None:
    """The editor's on_change: the typed values on top of the stored ones, saved as the next
    revision; a teammate's newer save is kept and shown instead (nothing is overwritten)."""
    changes = st.session_state.get(key) or {}
    frame = apply_table_edits(base, edited_rows=changes.get("edited_rows"))
    plans = {str(row["category"]): row for row in frame.to_dict(orient="records")}
    try:
        WorkspaceData(workspace_data(), workspace_id).save(SHEET_PRIORITIES, sheet_name, plans,
                                                           expected_revision=revision)
    except StaleRevisionError as err:
        who = err.current.updated_by or "a teammate"
        st.session_state[_NOTICE] = (f"{who} saved these priorities while you were typing: "
                                     "their version is shown; type your change again.")


def _editor_state(sheet: HeldSheet) -> tuple[dict[str, dict[str, Any]], int, pd.DataFrame, str]:
    """(stored values, their revision, the editor's input, its key): one key per stored
    revision, so the editor starts over on what was saved, never on stale input."""
    saved, revision = load_priorities(sheet.workspace_id, sheet.name)
    tag = hashlib.blake2b(repr((sheet.name, sheet.categories)).encode(), digest_size=6).hexdigest()
    return saved, revision, _editor_base(sheet.categories, saved), f"ea.priorities.{tag}.{revision}"


def _inputs(sheet: HeldSheet) -> dict[str, dict[str, Any]]:
    """The ideas / effort / owner editor; returns what is stored."""
    saved, revision, base, key = _editor_state(sheet)
    if (st.session_state.get(key) or {}).get("edited_rows"):  # edits no callback saw (a test)
        _save_edits(sheet.workspace_id, sheet.name, revision, key, base)
        saved, revision, base, key = _editor_state(sheet)
    # Fixed column widths (the editor as wide as its columns): short fields stay short.
    st.data_editor(base, key=key, hide_index=True, num_rows="fixed", disabled=["category"],
                   on_change=_save_edits, args=(sheet.workspace_id, sheet.name, revision, key, base),
                   width="content", column_config={
                       "category": st.column_config.TextColumn("category", width="medium"),
                       "ideas": st.column_config.TextColumn("ideas", width="large"),
                       "effort": st.column_config.NumberColumn(
                           "effort", min_value=0.0, width="small", help="Any unit the team "
                           "agrees on (person-days, weeks); empty = not estimated yet."),
                       "owner": st.column_config.TextColumn("owner", width="medium")})
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.warning(escape_markdown(notice))
    return saved


# --------------------------------------------------------------------------- tables

def _priority_section(saved: dict[str, dict[str, Any]], summary: CategorySummary) -> None:
    try:
        table = ranked_plan(summary.table, summary.dev_error, saved)
    except ValueError as err:
        show_error(err)
        return
    st.dataframe(table, hide_index=True, key="ea.priority_table", column_config={
        "share": _PERCENT,
        "ceiling_gain": st.column_config.NumberColumn("ceiling gain (pts)", format="%.2f"),
        "best_dev_error": st.column_config.NumberColumn("dev error at best (%)", format="%.2f"),
        "gain_per_effort": st.column_config.NumberColumn("gain per effort", format="%.2f")})
    for note in table.attrs.get("notes", []):
        st.caption(escape_markdown(note))


def _positive(frame: pd.DataFrame) -> str | None:
    """"1" when the sheet's labels are 0/1 (binary: split into FP and FN), else None (per true class)."""
    labels = set(frame["y_true"].astype(str)) | set(frame["y_pred"].astype(str))
    return "1" if labels <= {"0", "1"} else None


def _error_type_section(sheet: HeldSheet) -> None:
    if not {"y_true", "y_pred"} <= set(sheet.frame.columns):
        st.caption("Add y_true and y_pred columns to the sheet to split each category into "
                   "false positives and false negatives.")
        return
    try:
        split = split_by_error_type(sheet.frame, sheet.categories, positive=_positive(sheet.frame))
    except ValueError as err:
        show_error(err)
        return
    wide = split.table.pivot(index="category", columns="error_type", values="share")
    wide = wide.reindex(index=sheet.categories, columns=list(split.type_counts))
    wide = wide.rename_axis(columns=None).reset_index()
    st.dataframe(wide, hide_index=True, key="ea.error_types",
                 column_config=dict.fromkeys(split.type_counts, _PERCENT))
    counts = ", ".join(f"{n} {escape_markdown(t)}" for t, n in split.type_counts.items())
    st.caption(f"Shares of all {split.n_errors} reviewed errors ({counts}); a category's shares "
               "add up to its share of errors.")


def priorities_panel(sheet: HeldSheet, summary: CategorySummary | None) -> None:
    """What to work on first for the open sheet, its errors split by type, and its shares
    beside a train-dev sheet."""
    st.subheader("What to work on first")
    if not sheet.categories:
        st.caption("Add a category to plan the work.")
        return
    st.caption("Per category, what the team could try, a rough effort and who owns it (saved "
               "with the sheet). The priority table ranks categories by the most dev error "
               "fixing them could remove per unit of effort.")
    saved = _inputs(sheet)
    if summary is None:
        st.caption("Tick some rows to rank the categories.")
    else:
        _priority_section(saved, summary)
    st.subheader("False positives and false negatives")
    _error_type_section(sheet)
    twin_sheets_panel(sheet)
