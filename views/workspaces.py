"""Workspaces: create, open, rename, duplicate, delete (with undo) and share them; see what each
holds and who changed what when. Sign-in (OpenID Connect) limits each user to their workspaces."""

from __future__ import annotations

import streamlit as st

from analysis.text import escape_markdown
from components.errors import show_error
from components.share import copy_link
from components.state import (
    cleanup_settings,
    current_workspace,
    forget_workspace,
    open_workspace,
    workspace_data,
)
from components.workspace_items import deleted_items, item_tools
from storage import Workspace
from workspace.access import UNDO_WINDOW, other_members, parse_members
from workspace.gate import WorkspaceGate
from workspace.summary import (
    activity_table,
    ago,
    count_by_kind,
    display_names,
    holdings_text,
    kind_label,
    last_change,
    storage_text,
)


def open_and_show(workspace_id: int) -> None:
    """Open a workspace for the session and show its contents below (this run has not drawn
    the contents selectbox yet, so its value may still be set)."""
    open_workspace(workspace_id)
    st.session_state["show"] = workspace_id


def access_banner(auth: bool, user: str) -> None:
    """Who is signed in (with Sign out), or that the server runs open for local use."""
    if auth:
        left, right = st.columns([4, 1])
        left.info(f"Signed in as **{escape_markdown(user)}**. You see the workspaces you own or are a member of; "
                  "the owner manages members and deletes.", icon=":material/lock:")
        right.button("Sign out", on_click=st.logout, key="ws.logout", icon=":material/logout:")
    else:
        st.info("**Open for local use**: no sign-in is configured, so everyone who can reach this "
                "server sees and changes every workspace. To give each workspace an owner and "
                "members, configure an OpenID Connect provider in `.streamlit/secrets.toml` "
                "(`[auth]` section, see the README).", icon=":material/lock_open:")


def undo_banner(gate: WorkspaceGate) -> None:
    """Recently deleted workspaces (this session's and others') can be restored for a while."""
    for workspace in gate.deleted_workspaces():
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        left, right = st.columns([4, 1])
        by = f" by {escape_markdown(workspace.deleted_by)}" if workspace.deleted_by else ""
        left.warning(f"Deleted **{escape_markdown(workspace.name)}**{by} {ago(workspace.deleted_at)}: you can "
                     f"undo this for {minutes} minutes after deleting.", icon=":material/delete:")
        if right.button("Undo", key=f"ws.undo.{workspace.id}", icon=":material/undo:"):
            gate.restore_workspace(workspace.id)
            st.toast(f"Restored {escape_markdown(repr(workspace.name))}.", icon=":material/undo:")
            st.rerun()


def create_form(gate: WorkspaceGate) -> None:
    """A new workspace by name, opened at once."""
    with st.form("ws.create", clear_on_submit=True, border=True):
        name = st.text_input("New workspace", key="ws.new_name", placeholder="e.g. Cat app v2")
        if st.form_submit_button("Create and open", icon=":material/add:"):
            try:
                created = gate.create_workspace(name)
            except ValueError as err:
                show_error(err)
                return
            open_and_show(created.id)
            st.rerun()


def workspace_card(gate: WorkspaceGate, workspace: Workspace, *, is_open: bool) -> None:
    """A workspace's name, holdings, storage figures, last change, people and actions."""
    rights = gate.permissions(workspace)
    items = gate.list_item_summaries(workspace.id)
    with st.container(border=True, key=f"ws.card.{workspace.id}"):
        title = f"**{escape_markdown(workspace.name)}**" + ("  :green-badge[open]" if is_open else "")
        st.markdown(title)
        st.caption(escape_markdown(f"{holdings_text(items)} — {last_change(items, workspace)}"))
        st.caption(":material/storage: " + escape_markdown(
            f"Storage: {storage_text(gate.storage_figures(workspace.id))}"))
        if gate.auth:
            people = ", ".join(other_members(workspace)) or "none"
            st.caption(escape_markdown(f"Owner: {workspace.owner or 'nobody'} · Members: {people}"))
        actions = st.columns(5 if rights.manage_members else 4)
        if not is_open and actions[0].button("Open", key=f"ws.open.{workspace.id}",
                                             icon=":material/folder_open:"):
            open_and_show(workspace.id)
            st.rerun()
        rename_popover(actions[1], workspace, rights.rename)
        duplicate_popover(actions[2], workspace)
        delete_popover(actions[3], workspace, rights.delete)
        if rights.manage_members:
            members_popover(actions[4], workspace)


def rename_popover(column: st.delta_generator.DeltaGenerator, workspace: Workspace,
                   allowed: bool) -> None:
    """A new name for the workspace (members may rename)."""
    with column.popover("Rename", icon=":material/edit:"):
        if not allowed:
            st.caption("Only members can rename this workspace.")
            return
        name = st.text_input("New name", value=workspace.name, key=f"ws.rename_name.{workspace.id}")
        if st.button("Save the name", key=f"ws.rename.{workspace.id}"):
            try:
                workspace_data().rename_workspace(workspace.id, name)
            except ValueError as err:
                show_error(err)
                return
            st.rerun()


def duplicate_popover(column: st.delta_generator.DeltaGenerator, workspace: Workspace) -> None:
    """A copy of the workspace with the latest revision of everything in it."""
    with column.popover("Duplicate", icon=":material/content_copy:"):
        name = st.text_input("Name of the copy", value=f"{workspace.name} (copy)",
                             key=f"ws.copy_name.{workspace.id}")
        st.caption("Copies the latest revision of everything it holds.")
        if st.button("Duplicate", key=f"ws.copy.{workspace.id}"):
            try:
                workspace_data().duplicate_workspace(workspace.id, name)
            except ValueError as err:
                show_error(err)
                return
            st.rerun()


def delete_popover(column: st.delta_generator.DeltaGenerator, workspace: Workspace,
                   allowed: bool) -> None:
    """Delete the workspace after a confirmation (owner only; undone from the banner)."""
    with column.popover("Delete", icon=":material/delete:"):
        if not allowed:
            st.caption(escape_markdown(f"Only the owner ({workspace.owner or 'nobody'}) can delete this workspace."))
            return
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        st.markdown(f"Delete **{escape_markdown(workspace.name)}**? You can undo it for {minutes} minutes.")
        if st.button("Yes, delete it", type="primary", key=f"ws.delete.{workspace.id}"):
            try:
                workspace_data().delete_workspace(workspace.id)
            except ValueError as err:
                show_error(err)
                return
            forget_workspace(workspace.id)  # another one opens, without an "access" warning
            st.rerun()


def members_popover(column: st.delta_generator.DeltaGenerator, workspace: Workspace) -> None:
    """The member list, one sign-in e-mail per line (owner only)."""
    with column.popover("Members", icon=":material/group:"):
        current = "\n".join(other_members(workspace))
        text = st.text_area("Members (one sign-in e-mail per line)", value=current,
                            key=f"ws.members_text.{workspace.id}")
        if st.button("Save members", key=f"ws.members.{workspace.id}"):
            try:
                members = parse_members(text, owner=workspace.owner)
                workspace_data().set_members(workspace.id, members)
            except ValueError as err:
                show_error(err)
                return
            st.rerun()


def unowned_section(gate: WorkspaceGate) -> None:
    """For admins: workspaces made while the app ran open have no owner, so nobody sees them
    once sign-in is on; an admin gives each one an owner (who can then add members)."""
    orphans = gate.unowned_workspaces()
    if not orphans:
        return
    st.subheader(f"Workspaces without an owner ({len(orphans)})")
    st.caption("Made while the server ran open (no sign-in). Nobody sees them until they have an "
               "owner; as an admin you can give each one an owner, who can then add members.")
    for workspace in orphans:
        with st.container(border=True, key=f"ws.unowned.{workspace.id}"):
            st.markdown(f"**{escape_markdown(workspace.name)}**")
            st.caption(f"created {ago(workspace.created_at)}, "
                       f"last changed {ago(workspace.updated_at)}")
            owner = st.text_input("Owner's sign-in e-mail", key=f"ws.owner_text.{workspace.id}",
                                  placeholder="ann@example.com")
            if st.button("Give it this owner", key=f"ws.owner.{workspace.id}",
                         icon=":material/person_add:"):
                try:
                    gate.set_owner(workspace.id, owner)
                except ValueError as err:
                    show_error(err)
                    return
                st.rerun()


def contents_section(workspaces: list[Workspace], opened: Workspace) -> None:
    """One workspace's items (names and who changed them when, no content read), the tools
    for one item, and the deleted items awaiting erasure."""
    st.subheader("What a workspace holds")
    ids = [w.id for w in workspaces]
    names = display_names(workspaces)
    chosen = st.selectbox("Workspace", ids, index=ids.index(opened.id) if opened.id in ids else 0,
                          format_func=lambda i: names.get(i, f"workspace {i}"), key="show",
                          bind="query-params")
    gate = workspace_data()
    items = gate.list_item_summaries(chosen)
    if items:
        counts = count_by_kind(items)
        for column, (kind, n) in zip(st.columns(len(counts)), counts.items(), strict=True):
            column.metric(kind_label(kind, n), n)
        st.dataframe(activity_table(items), hide_index=True, key="ws.activity", width="stretch")
        item_tools(gate, chosen, items)
    else:
        st.caption("Nothing saved yet: load files on the home page or save a snapshot on a page.")
    settings = cleanup_settings()
    deleted_items(gate, chosen, settings.retention)
    st.caption(f"Deleted items and workspaces are erased for good after "
               f"{settings.retention_days:g} days; predictions files and error-analysis sheets "
               f"keep their last {settings.keep_revisions} revisions plus pinned ones.")


st.title("Workspaces")
st.caption("A workspace keeps a project's files, snapshots, sheets and experiments, for the team.")
copy_link()
gate = workspace_data()
access_banner(gate.auth, gate.author)
undo_banner(gate)
opened = current_workspace()
create_form(gate)
mine = gate.list_workspaces()
st.subheader(f"Your workspaces ({len(mine)})" if gate.auth else f"Workspaces ({len(mine)})")
for each in mine:
    workspace_card(gate, each, is_open=each.id == opened.id)
if mine:
    contents_section(mine, opened)
unowned_section(gate)
