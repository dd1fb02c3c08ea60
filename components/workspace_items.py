"""The Workspaces page's item tools: rename, delete (saying first what uses the item), undo,
restore from the deleted list, and the revision history with pins, loaded only when asked for.

Every change goes through the access gate; after a change to a predictions file the session's
file list is read again, so no page's picker still offers a deleted or renamed file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

import streamlit as st

from analysis.text import escape_markdown
from components.errors import show_error
from components.page_state import PageState
from components.state import content_digest, reload_files
from storage import Item
from workspace.data import WorkspaceData
from workspace.gate import WorkspaceGate
from workspace.kinds import PREDICTIONS
from workspace.summary import activity_table, ago, erasure_date, kind_label

STATE = PageState("ws.items")


def _key(action: str, item: Item) -> str:
    """A widget key for `action` on `item` (names are user text, so they are hashed)."""
    return f"ws.{action}.{content_digest(f'{item.kind}/{item.name}'.encode())}"


def _label(item: Item) -> str:
    """'predictions file: cat.csv' (the picker's option, also kept in the URL)."""
    return f"{kind_label(item.kind, 1)}: {item.name}"


def _apply(item: Item, change: Callable[[], object], message: str, icon: str) -> None:
    """Make `change` to `item` (a ValueError is shown where it happened); then the session's
    file list is read again and the page redrawn."""
    try:
        change()
    except ValueError as err:
        show_error(err)
        return
    if item.kind == PREDICTIONS.name:
        reload_files()
    st.toast(escape_markdown(message), icon=icon)
    st.rerun()


def item_tools(gate: WorkspaceGate, workspace_id: int, items: list[Item]) -> None:
    """Pick one item of the workspace, then rename, delete or look at its history."""
    labels = {_label(i): i for i in items}
    picked = st.selectbox("Item", list(labels), key="item", bind="query-params")
    item = labels[picked]
    rename, delete = st.columns(2)
    _rename_popover(rename, gate, workspace_id, item)
    if delete.button("Delete…", key=_key("ask_delete", item), icon=":material/delete:"):
        STATE.set("confirm", (workspace_id, item.kind, item.name))
    if STATE.get("confirm") == (workspace_id, item.kind, item.name):
        _confirm_delete(gate, workspace_id, item)
    if st.toggle("Show its revision history", key="ws.history"):
        _history(gate, workspace_id, item)


def _rename_popover(column: st.delta_generator.DeltaGenerator, gate: WorkspaceGate,
                    workspace_id: int, item: Item) -> None:
    """A new name for the item, its revisions kept (refused when the name is taken)."""
    with column.popover("Rename", icon=":material/edit:"):
        name = st.text_input("New name of the item", value=item.name, key=_key("item_name", item))
        if st.button("Save the name", key=_key("rename_item", item)):
            _apply(item, partial(gate.rename_item, workspace_id, item.kind, item.name, name),
                   f"Renamed {item.name!r} to {name.strip()!r}.", ":material/edit:")


def _confirm_delete(gate: WorkspaceGate, workspace_id: int, item: Item) -> None:
    """Say what uses the item (read now, only when asked), then delete on a second click."""
    users = WorkspaceData(gate, workspace_id).uses(item.name)
    text = f"Delete the {kind_label(item.kind, 1)} **{escape_markdown(item.name)}**?"
    if users:
        named = ", ".join(f"{kind_label(u.kind, 1)} '{u.name}'" for u in users)
        text += (f" It is in use: {escape_markdown(named)} refer{'s' if len(users) == 1 else ''}"
                 " to it and will no longer find it.")
    with st.container(border=True, key="ws.confirm_delete"):
        st.warning(text + " You can undo it from the deleted items below.",
                   icon=":material/warning:")
        yes, no = st.columns(2)
        if no.button("Cancel", key=_key("cancel_delete", item)):
            STATE.pop("confirm")
            st.rerun()
        if yes.button("Yes, delete it", type="primary", key=_key("delete_item", item)):
            STATE.pop("confirm")
            _apply(item, partial(gate.delete_item, workspace_id, item.kind, item.name),
                   f"Deleted {item.name!r}.", ":material/delete:")


def _history(gate: WorkspaceGate, workspace_id: int, item: Item) -> None:
    """Who saved which revision when (metadata only), and which revisions are pinned."""
    revisions = gate.list_revisions(workspace_id, item.kind, item.name, with_content=False)
    table = activity_table(revisions)
    table["pinned"] = table["revision"].map({r.revision: r.pinned for r in revisions})
    st.dataframe(table, hide_index=True, key="ws.revisions", width="stretch")
    numbers = [r.revision for r in revisions]
    pinned = [r.revision for r in revisions if r.pinned]
    chosen = st.multiselect("Pinned revisions (the clean-up never prunes them)", numbers,
                            default=pinned, key=_key("pins", item))
    if set(chosen) == set(pinned):
        return
    try:
        for revision in set(chosen) ^ set(pinned):
            gate.pin_revision(workspace_id, item.kind, item.name, revision,
                              pinned=revision in chosen)
    except ValueError as err:
        show_error(err)
        return
    st.rerun()


def deleted_items(gate: WorkspaceGate, workspace_id: int, retention: timedelta) -> None:
    """Deleted items not erased yet, who deleted each and when, each with Undo."""
    found = gate.deleted_items(workspace_id)
    if not found:
        return
    st.markdown(f"###### Deleted items ({len(found)})")
    for item in found:
        left, right = st.columns([4, 1], vertical_alignment="center")
        who = item.deleted_by or "someone"
        left.warning(
            f"Deleted the {kind_label(item.kind, 1)} **{escape_markdown(item.name)}** "
            f"({escape_markdown(who)}, {ago(item.deleted_at)}); erased for good on "
            f"{erasure_date(item, retention)}.", icon=":material/delete:")
        if right.button("Undo", key=_key("restore", item), icon=":material/undo:"):
            _apply(item, partial(gate.restore_item, workspace_id, item.kind, item.name),
                   f"Restored {item.name!r}.", ":material/undo:")
