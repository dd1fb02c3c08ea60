"""Working on one error sheet together: teammates' edits appear live, the people who have the
sheet open are named, a true conflict is offered as a choice, and each row's tags say who set
them and when.

The live part is a fragment that reruns once a second and asks the store one small question
through the gate (the sheet's latest revision number); only when a teammate saved does it
rerun the page, which merges their revision into the open sheet. It never redraws the grid
itself, so a second without news leaves the cell being edited alone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from analysis.error_sheet import COMMENTS_COLUMN, category_label
from analysis.text import escape_markdown
from components import error_analysis_state as sheet_state
from components.error_analysis_state import HeldSheet, held, row_label
from components.errors import show_error
from components.merge_choice import shown_value
from components.state import access_lost, workspace_data, workspace_items
from workspace.kinds import ERROR_SHEET
from workspace.table_merge import Conflict, Doc

LIVE_SECONDS = 1.0  # how often an open sheet asks whether a teammate saved
PRESENCE_SECONDS = 15.0  # how often a session says it still has the sheet open
_TOUCHED = "ea.live.touched"  # (sheet name, when this session last recorded its presence)
_SETTINGS = {"dev_error": "dev error (%)", "total_dev_errors": "all dev errors",
             "label_category": "category meaning 'incorrectly labeled'"}


def _touch(name: str) -> None:
    """Record this session's presence on sheet `name`, at most every PRESENCE_SECONDS."""
    last = st.session_state.get(_TOUCHED)
    now = time.monotonic()
    if last is None or last[0] != name or now - last[1] >= PRESENCE_SECONDS:
        workspace_items().touch_presence(ERROR_SHEET, name)
        st.session_state[_TOUCHED] = (name, now)


def _here_line(name: str) -> str:
    """'Also here: ...' with how long ago each teammate was seen, or 'only you'."""
    me = workspace_data().author
    now = datetime.now(UTC)
    others = [(who, int((now - seen).total_seconds())) for who, seen
              in workspace_items().present(ERROR_SHEET, name) if who != me]
    if not others:
        return ":material/person: Only you have this sheet open."
    names = ", ".join(f"{escape_markdown(who)} ({max(ago, 0)} s ago)" for who, ago in others)
    return f":material/group: Also here: {names}."


@st.fragment(run_every=LIVE_SECONDS)
def live_line() -> None:
    """Who else is here, and a page rerun (which merges it) when a teammate saved."""
    sheet = held()
    if sheet is None:
        return
    try:
        _touch(sheet.name)
        latest = workspace_items().latest_revision(ERROR_SHEET, sheet.name)
        st.caption(_here_line(sheet.name))
    except ValueError as err:  # access lost or the workspace went away: say so, stop here
        show_error(err)
        return
    if latest is not None and latest != sheet.revision:
        st.rerun(scope="app")


def _restart_editor() -> None:
    if held() is not None:
        sheet_state.hold(held())  # the grid changes mode: its edits so far are all saved


def rows_toggle() -> str:
    """The grid's row mode: 'fixed' while ticking (a teammate's merged values then appear in
    the same grid, leaving the cell being edited alone), 'dynamic' to add or delete rows."""
    editing_rows = st.toggle("Add or delete rows", key="ea.rows", on_change=_restart_editor,
                             help="Turn on to add rows at the bottom of the grid or delete "
                                  "selected rows; while it is on, a teammate's edit redraws "
                                  "the grid.")
    return "dynamic" if editing_rows else "fixed"


def _where(conflict: Conflict, doc: Doc) -> str:
    """Which cell, column name or setting a clash is about, in the words of the page."""
    if conflict.what == "field":
        return _SETTINGS.get(conflict.column, conflict.column)
    name = category_label(doc.names.get(conflict.column, conflict.column))
    if conflict.what == "name":
        return f"the name of category '{name}'"
    return f"{row_label(doc, conflict.row) or 'a row'}, '{name}'"


@access_lost
def _resolve(conflict: Conflict, use_mine: bool) -> None:
    sheet_state.resolve_conflict(workspace_data(), conflict, use_mine=use_mine)


def conflicts_panel(sheet: HeldSheet) -> None:
    """Each clash with both values and who set theirs; the person keeps one of the two."""
    conflicts = sheet_state.open_conflicts()
    if not conflicts or sheet.base is None:
        return
    with st.container(border=True, key="ea.conflicts_panel"):
        st.warning("A teammate changed the same cell while you were editing it. Their value is "
                   "kept for now; choose which value stays.", icon=":material/call_split:")
        for number, conflict in enumerate(conflicts):
            who = conflict.theirs_by or "a teammate"
            when = f" (revision {conflict.theirs_revision})" if conflict.theirs_revision else ""
            where = _where(conflict, sheet.base)
            st.markdown(escape_markdown(
                f"{where[:1].upper()}{where[1:]}: you set {shown_value(conflict.mine)}; {who} set "
                f"{shown_value(conflict.theirs)}{when}."))
            left, right = st.columns(2)
            left.button(f"Keep {shown_value(conflict.theirs)}", key=f"ea.conflict.{number}.theirs",
                        on_click=_resolve, args=(conflict, False), icon=":material/group:")
            right.button(f"Use mine: {shown_value(conflict.mine)}", key=f"ea.conflict.{number}.mine",
                         on_click=_resolve, args=(conflict, True), icon=":material/person:")


def row_history(sheet: HeldSheet) -> None:
    """For a chosen row: each tag and the comment, who set it last and when."""
    doc = sheet.base
    if doc is None or not doc.row_ids:
        return
    labels = {row: escape_markdown(row_label(doc, row) or row) for row in doc.row_ids}
    row = st.selectbox("Who set the tags of", doc.row_ids, format_func=labels.get,
                       key="ea.row_history_pick")
    last = {e.column: e for e in workspace_items().cell_edits(ERROR_SHEET, sheet.name, row=row)
            if e.op == "SetCell"}
    comments = doc.column_named(COMMENTS_COLUMN)
    shown = [*doc.categories, *([comments] if comments else [])]
    table = pd.DataFrame([{
        "column": category_label(doc.names[c]), "now": shown_value(doc.value(row, c)),
        "set by": last[c].by if c in last else "(as the sheet started)",
        "at": last[c].at.strftime("%Y-%m-%d %H:%M:%S") if c in last else "",
        "revision": last[c].revision if c in last else None} for c in shown])
    st.dataframe(table, hide_index=True, key="ea.row_history")
