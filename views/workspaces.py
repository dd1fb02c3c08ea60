"""Workspaces: create, open, rename, duplicate, delete (with undo) and share them; see what each
holds and who changed what when. Sign-in (OpenID Connect) limits each user to their workspaces."""

from __future__ import annotations

import streamlit as st

from analysis.text import escape_markdown
from components.errors import show_error
from components.share import copy_link
from components.state import (
    auth_enabled,
    current_user,
    current_workspace,
    open_workspace,
    store,
)
from components.workspace_access import (
    UNDO_WINDOW,
    activity_table,
    ago,
    count_by_kind,
    display_names,
    holdings_text,
    kind_label,
    last_change,
    parse_members,
    permissions,
    restorable,
    visible,
)
from storage import Workspace


def open_and_show(workspace_id: int) -> None:
    """Open a workspace for the session and show its contents below (this run has not drawn
    the contents selectbox yet, so its value may still be set)."""
    open_workspace(workspace_id)
    st.session_state["show"] = workspace_id


def access_banner(auth: bool, user: str) -> None:
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


def undo_banner(auth: bool, user: str) -> None:
    """Recently deleted workspaces (this session's and others') can be restored for a while."""
    for workspace in restorable(store().list_workspaces(include_deleted=True), user, auth=auth):
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        left, right = st.columns([4, 1])
        left.warning(f"Deleted **{escape_markdown(workspace.name)}** {ago(workspace.deleted_at)}: you can undo "
                     f"this for {minutes} minutes after deleting.", icon=":material/delete:")
        if right.button("Undo", key=f"ws.undo.{workspace.id}", icon=":material/undo:"):
            store().restore_workspace(workspace.id)
            st.toast(f"Restored {escape_markdown(repr(workspace.name))}.", icon=":material/undo:")
            st.rerun()


def create_form(auth: bool, user: str) -> None:
    with st.form("ws.create", clear_on_submit=True, border=True):
        name = st.text_input("New workspace", key="ws.new_name", placeholder="e.g. Cat app v2")
        if st.form_submit_button("Create and open", icon=":material/add:"):
            try:
                created = store().create_workspace(name, owner=user if auth else None)
            except ValueError as err:
                show_error(err)
                return
            open_and_show(created.id)
            st.rerun()


def workspace_card(workspace: Workspace, *, is_open: bool, auth: bool, user: str) -> None:
    rights = permissions(workspace, user, auth=auth)
    items = store().list_items(workspace.id)
    with st.container(border=True, key=f"ws.card.{workspace.id}"):
        title = f"**{escape_markdown(workspace.name)}**" + ("  :green-badge[open]" if is_open else "")
        st.markdown(title)
        st.caption(escape_markdown(f"{holdings_text(items)} — {last_change(items, workspace)}"))
        if auth:
            people = ", ".join(m for m in workspace.members if m != workspace.owner) or "none"
            st.caption(escape_markdown(f"Owner: {workspace.owner or 'nobody'} · Members: {people}"))
        actions = st.columns(5 if rights.manage_members else 4)
        if not is_open and actions[0].button("Open", key=f"ws.open.{workspace.id}",
                                             icon=":material/folder_open:"):
            open_and_show(workspace.id)
            st.rerun()
        rename_popover(actions[1], workspace, rights.rename)
        duplicate_popover(actions[2], workspace, auth=auth, user=user)
        delete_popover(actions[3], workspace, rights.delete)
        if rights.manage_members:
            members_popover(actions[4], workspace)


def rename_popover(column: st.delta_generator.DeltaGenerator, workspace: Workspace,
                   allowed: bool) -> None:
    with column.popover("Rename", icon=":material/edit:"):
        if not allowed:
            st.caption("Only members can rename this workspace.")
            return
        name = st.text_input("New name", value=workspace.name, key=f"ws.rename_name.{workspace.id}")
        if st.button("Save the name", key=f"ws.rename.{workspace.id}"):
            try:
                store().rename_workspace(workspace.id, name)
            except ValueError as err:
                show_error(err)
                return
            st.rerun()


def duplicate_popover(column: st.delta_generator.DeltaGenerator, workspace: Workspace, *,
                      auth: bool, user: str) -> None:
    with column.popover("Duplicate", icon=":material/content_copy:"):
        name = st.text_input("Name of the copy", value=f"{workspace.name} (copy)",
                             key=f"ws.copy_name.{workspace.id}")
        st.caption("Copies the latest revision of everything it holds.")
        if st.button("Duplicate", key=f"ws.copy.{workspace.id}"):
            try:
                store().duplicate_workspace(workspace.id, name, owner=user if auth else None)
            except ValueError as err:
                show_error(err)
                return
            st.rerun()


def delete_popover(column: st.delta_generator.DeltaGenerator, workspace: Workspace,
                   allowed: bool) -> None:
    with column.popover("Delete", icon=":material/delete:"):
        if not allowed:
            st.caption(escape_markdown(f"Only the owner ({workspace.owner or 'nobody'}) can delete this workspace."))
            return
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        st.markdown(f"Delete **{escape_markdown(workspace.name)}**? You can undo it for {minutes} minutes.")
        if st.button("Yes, delete it", type="primary", key=f"ws.delete.{workspace.id}"):
            store().delete_workspace(workspace.id)
            st.rerun()


def members_popover(column: st.delta_generator.DeltaGenerator, workspace: Workspace) -> None:
    with column.popover("Members", icon=":material/group:"):
        current = "\n".join(m for m in workspace.members if m != workspace.owner)
        text = st.text_area("Members (one sign-in e-mail per line)", value=current,
                            key=f"ws.members_text.{workspace.id}")
        if st.button("Save members", key=f"ws.members.{workspace.id}"):
            try:
                store().set_members(workspace.id, parse_members(text, owner=workspace.owner))
            except ValueError as err:
                show_error(err)
                return
            st.rerun()


def contents_section(workspaces: list[Workspace], opened: Workspace) -> None:
    st.subheader("What a workspace holds")
    ids = [w.id for w in workspaces]
    names = display_names(workspaces)
    chosen = st.selectbox("Workspace", ids, index=ids.index(opened.id) if opened.id in ids else 0,
                          format_func=lambda i: names.get(i, f"workspace {i}"), key="show",
                          bind="query-params")
    items = store().list_items(chosen)
    if not items:
        st.caption("Nothing saved yet: load files on the home page or save a snapshot on a page.")
        return
    counts = count_by_kind(items)
    for column, (kind, n) in zip(st.columns(len(counts)), counts.items(), strict=True):
        column.metric(kind_label(kind, n), n)
    st.dataframe(activity_table(items), hide_index=True, key="ws.activity", width="stretch")
    labels = {f"{kind_label(i.kind, 1)}: {i.name}": i for i in items}
    picked = st.selectbox("History of", list(labels), key="item", bind="query-params")
    item = labels[picked]
    revisions = store().list_revisions(chosen, item.kind, item.name)
    st.dataframe(activity_table(revisions), hide_index=True, key="ws.revisions", width="stretch")


st.title("Workspaces")
st.caption("A workspace keeps a project's files, snapshots, sheets and experiments, for the team.")
copy_link()
auth = auth_enabled()
user = current_user()
access_banner(auth, user)
undo_banner(auth, user)
opened = current_workspace()
create_form(auth, user)
mine = visible(store().list_workspaces(), user, auth=auth)
st.subheader(f"Your workspaces ({len(mine)})" if auth else f"Workspaces ({len(mine)})")
for each in mine:
    workspace_card(each, is_open=each.id == opened.id, auth=auth, user=user)
if mine:
    contents_section(mine, opened)
