"""A saved model table edited by several people on the metrics page: the grid shows the
revision this session opened (so a teammate's save does not wipe edits in progress), and
saving it again is the rows and cells changed since that revision, merged row by model into
the latest (a teammate's added model and my edit of another model both land). The same cell
set to two values is offered as a choice (components.merge_choice).

The stored choice (winner, ranking) is derived from the rows: it is never offered as a clash;
when teammates' rows were merged in, it is recomputed on the merged rows and saved again.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from analysis.selection import SavedModelTable, select_model
from analysis.text import escape_markdown
from components.merge_choice import choice_panel, hold_conflicts
from components.state import current_workspace, workspace_items
from storage import Item
from workspace.kinds import MODEL_TABLE
from workspace.merge_formats import MODEL_TABLE_FORMAT
from workspace.merged_save import MergedSave
from workspace.table_merge import Conflict, SetField

CHOICE_KEY = "metrics.table_merge"
_OPENED = "metrics.table_opened"  # {(workspace id, table name): revision the grid shows}
_NOTICE = "metrics.table_notice"
DERIVED = ("selection",)  # fields computed from the rows: never a clash to choose


def _opened() -> dict[tuple[int, str], int]:
    return st.session_state.setdefault(_OPENED, {})


def opened_revision(latest: Item) -> Item:
    """The revision of saved table `latest.name` the grid shows: the one this session opened
    (or saved last), else the latest; a newer teammate's save is named with a way to load it."""
    key = (current_workspace().id, latest.name)
    revision = _opened().setdefault(key, latest.revision)
    if revision == latest.revision:
        return latest
    shown = workspace_items().item(MODEL_TABLE, latest.name, revision=revision)
    if shown is None:
        _opened()[key] = latest.revision
        return latest
    st.info(escape_markdown(f"{latest.updated_by or 'A teammate'} saved this table since you "
                            f"opened it (revision {latest.revision}); saving merges your edits "
                            "into theirs."), icon=":material/group:")
    st.button("Show the latest", key="metrics.table_latest", icon=":material/refresh:",
              on_click=_show_latest, args=(key,))
    return shown


def _show_latest(key: tuple[int, str]) -> None:
    _opened().pop(key, None)


def _where(conflict: Conflict) -> str:
    """'Model B, accuracy' from the latest table (ids are not for people)."""
    name = st.session_state.get(f"{CHOICE_KEY}.name", "")
    item = workspace_items().item(MODEL_TABLE, name) if name else None
    if item is None:
        return "A cell of the model table"
    doc = MODEL_TABLE_FORMAT.to_doc(item.content)
    model_column = doc.column_named("model")
    model = doc.cells.get(conflict.row or "", {}).get(model_column) if model_column else None
    column = doc.names.get(conflict.column, conflict.column)
    return f"In the model table, model {model or '(unnamed)'}, {column}"


def _with_choice_of_merged_rows(saved: MergedSave, mine: SavedModelTable) -> MergedSave:
    """When teammates' rows came in, the stored choice (winner, ranking) is recomputed on the
    merged rows with my controls and saved as the next revision, so it never names a winner
    of rows that are not there; the merged save as it was when nothing needs recomputing."""
    if not saved.saved or saved.content.get("rows") == MODEL_TABLE.to_content(mine)["rows"]:
        return saved
    try:
        merged = MODEL_TABLE.from_content(saved.content)
        choice = select_model(merged.table, optimize=mine.optimize, satisfy=mine.satisfy,
                              goal=mine.goal).to_dict()
    except ValueError:  # the merged rows do not rank (a teammate's empty row): keep as saved
        return saved
    old = saved.content.get("selection")
    if choice == old:
        return saved
    again = workspace_items().save_merged(MODEL_TABLE, saved.item.name,
                                          [SetField("selection", old, choice)],
                                          base_revision=saved.item.revision)
    return replace(again, merged=replace(again.merged, conflicts=saved.merged.conflicts))


def save_table_edit(name: str, table: SavedModelTable, base: Item) -> MergedSave:
    """Save `table`, an edit of revision `base`, merged into the latest; the grid then shows
    the merged revision and the real clashes wait in `table_choices`."""
    first = workspace_items().save_edit(MODEL_TABLE, name, table, base=base)
    saved = _with_choice_of_merged_rows(first, table)
    shown = tuple(c for c in saved.merged.conflicts if c.column not in DERIVED)
    hold_conflicts(CHOICE_KEY, MODEL_TABLE, name,
                   replace(saved, merged=replace(saved.merged, conflicts=shown)))
    st.session_state[f"{CHOICE_KEY}.name"] = name
    _opened()[(current_workspace().id, name)] = saved.item.revision
    st.session_state[_NOTICE] = (
        f"Saved '{name}' (revision {saved.item.revision}), merged with your teammates' edits."
        if first.saved else f"Nothing of yours was left to save in '{name}'.")
    return saved


def table_choices(name: str) -> None:
    """The notice of the last merged save and the open clashes on table `name`."""
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.success(escape_markdown(notice), icon=":material/check_circle:")
    st.session_state[f"{CHOICE_KEY}.name"] = name
    choice_panel(CHOICE_KEY, MODEL_TABLE, name, _where, on_saved=lambda: _opened().pop(
        (current_workspace().id, name), None))
