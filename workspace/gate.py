"""The one way to workspace data: every read and write checks, at that moment, that the user may.

Views never hold a WorkspaceStore: they ask components.state.workspace_data() for a
WorkspaceGate bound to the session's user. Each call reads the workspace row afresh, so a member
the owner removed, or a workspace deleted a second ago, is refused on the very next read or save
even from a page that was already open. "No such workspace" and "no access" raise the same
NoAccess with the same words, so an id cannot be probed. The methods mirror WorkspaceStore's, so
anything written against the store (the report, the sheet helpers) runs through the gate as is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, BinaryIO

from storage import Item, Workspace, WorkspaceStore
from workspace.access import (
    UNDO_WINDOW,
    Permissions,
    permissions,
    restorable,
    unowned,
    visible,
)
from workspace.identity import Identity, normalise_email

LOCAL_USER = "local user"  # who saves when the app runs open (no sign-in configured)
NO_ACCESS = ("This workspace does not exist or you do not have access to it (its owner may have "
             "removed you): open one of yours on the Workspaces page, or ask its owner to add "
             "you as a member.")


class NoAccess(ValueError):
    """The workspace does not exist or this user may not reach it (deliberately one message)."""

    def __init__(self, message: str = NO_ACCESS) -> None:
        super().__init__(message)


class NotAllowed(ValueError):
    """The user belongs to the workspace but their role does not allow this action."""


_ACTIONS = {"open": "open", "rename": "rename", "duplicate": "duplicate",
            "delete": "delete or restore", "manage_members": "change the members of"}


class WorkspaceGate:
    """Workspace data as one user may reach it; every method re-checks access when called."""

    def __init__(self, store: WorkspaceStore, *, user: Identity | None, auth: bool,
                 admins: frozenset[str] = frozenset()) -> None:
        if auth and user is None:
            raise ValueError("with sign-in configured the workspace gate needs a signed-in user.")
        self._store = store
        self.user = user
        self.auth = auth
        self._admins = frozenset(normalise_email(a) for a in admins)

    @property
    def author(self) -> str:
        """Who this gate reads and writes as: the verified e-mail, or 'local user' when open."""
        return self.user.email if self.auth and self.user else LOCAL_USER

    @property
    def is_admin(self) -> bool:
        """An admin named in the secrets may give an owner to workspaces made in open mode."""
        return self.auth and self.author in self._admins

    def permissions(self, workspace: Workspace) -> Permissions:
        """What this user may do with `workspace` (for showing the right buttons)."""
        return permissions(workspace, self.author, auth=self.auth)

    def _check(self, workspace_id: int, action: str, *, deleted_ok: bool = False) -> Workspace:
        """The workspace, read now, if this user may take `action` on it; raises otherwise."""
        try:
            workspace = self._store.get_workspace(int(workspace_id))
        except (TypeError, ValueError):
            workspace = None
        if workspace is None:
            raise NoAccess()
        rights = self.permissions(replace(workspace, deleted_at=None))
        if not rights.see:
            raise NoAccess()
        if workspace.deleted_at is not None and not deleted_ok:
            minutes = int(UNDO_WINDOW.total_seconds() // 60)
            raise NoAccess(f"The workspace {workspace.name!r} was deleted: nothing more can be "
                           f"read from or saved into it. Its owner can undo the deletion on the "
                           f"Workspaces page for {minutes} minutes; open another workspace there.")
        if not getattr(rights, action):
            raise NotAllowed(f"Only the owner ({workspace.owner or 'nobody'}) can "
                             f"{_ACTIONS[action]} the workspace {workspace.name!r}.")
        return workspace

    # Workspaces ---------------------------------------------------------------------------

    def list_workspaces(self) -> list[Workspace]:
        """The workspaces this user sees, most recently changed first (deleted ones left out)."""
        return visible(self._store.list_workspaces(), self.author, auth=self.auth)

    def get_workspace(self, workspace_id: int) -> Workspace:
        """The workspace if this user may open it (NoAccess otherwise, never None)."""
        return self._check(workspace_id, "open")

    def create_workspace(self, name: str) -> Workspace:
        """A new workspace owned by this user (by nobody when the app runs open)."""
        return self._store.create_workspace(name, owner=self.author if self.auth else None)

    def rename_workspace(self, workspace_id: int, name: str) -> Workspace:
        """Give a workspace a new name (members and owner)."""
        self._check(workspace_id, "rename")
        return self._store.rename_workspace(workspace_id, name)

    def duplicate_workspace(self, workspace_id: int, name: str) -> Workspace:
        """Copy a workspace; the copy is owned by this user."""
        self._check(workspace_id, "duplicate")
        return self._store.duplicate_workspace(workspace_id, name,
                                               owner=self.author if self.auth else None)

    def delete_workspace(self, workspace_id: int) -> None:
        """Mark a workspace deleted (owner only); restore_workspace undoes it for a while."""
        self._check(workspace_id, "delete")
        self._store.delete_workspace(workspace_id)

    def restore_workspace(self, workspace_id: int) -> Workspace:
        """Undo a deletion (owner only)."""
        self._check(workspace_id, "delete", deleted_ok=True)
        return self._store.restore_workspace(workspace_id)

    def deleted_workspaces(self) -> list[Workspace]:
        """Recently deleted workspaces this user could restore, newest first."""
        return restorable(self._store.list_workspaces(include_deleted=True), self.author,
                          auth=self.auth)

    def set_members(self, workspace_id: int, members: list[str]) -> Workspace:
        """Replace the member list (owner only); the owner stays a member."""
        self._check(workspace_id, "manage_members")
        return self._store.set_members(workspace_id, [normalise_email(m) for m in members])

    def unowned_workspaces(self) -> list[Workspace]:
        """Workspaces made in open mode, which nobody sees once sign-in is on (admins only)."""
        return unowned(self._store.list_workspaces()) if self.is_admin else []

    def set_owner(self, workspace_id: int, owner: str) -> Workspace:
        """Give a workspace made in open mode an owner (admins only, once)."""
        workspace = self._store.get_workspace(workspace_id) if self.is_admin else None
        if workspace is None or workspace.owner is not None or workspace.deleted_at is not None:
            raise NoAccess()
        email = normalise_email(owner)
        if "@" not in email or any(c.isspace() for c in email):
            raise ValueError(f"owner: {owner[:60]!r} is not an e-mail address: type the sign-in "
                             "e-mail of the person who should own the workspace.")
        return self._store.set_owner(workspace_id, email)

    # Items ----------------------------------------------------------------------------------

    def list_items(self, workspace_id: int, kind: str | None = None) -> list[Item]:
        """Items of a workspace this user may open (latest revisions, no blobs), newest first."""
        self._check(workspace_id, "open")
        return self._store.list_items(workspace_id, kind)

    def get_item(self, workspace_id: int, kind: str, name: str, *,
                 revision: int | None = None, with_blob: bool = True) -> Item | None:
        """An item of a workspace this user may open; None when the item is absent."""
        self._check(workspace_id, "open")
        return self._store.get_item(workspace_id, kind, name, revision=revision,
                                    with_blob=with_blob)

    def open_blob(self, workspace_id: int, kind: str, name: str, *,
                  revision: int | None = None) -> BinaryIO | None:
        """An item's blob as a readable binary file (close it after use); None when absent."""
        self._check(workspace_id, "open")
        return self._store.open_blob(workspace_id, kind, name, revision=revision)

    def list_revisions(self, workspace_id: int, kind: str, name: str) -> list[Item]:
        """Every revision of an item, newest first."""
        self._check(workspace_id, "open")
        return self._store.list_revisions(workspace_id, kind, name)

    def save_item(self, workspace_id: int, kind: str, name: str, *, content: Any = None,
                  blob: bytes | None = None, expected_revision: int | None = None,
                  author: str | None = None) -> Item:
        """Save a new revision into a workspace this user may open (never into a deleted one).

        `author` is taken for WorkspaceStore's signature only: the revision is always recorded
        under this gate's user, so no caller can save in someone else's name.
        """
        del author
        self._check(workspace_id, "open")
        return self._store.save_item(workspace_id, kind, name, content=content, blob=blob,
                                     expected_revision=expected_revision, author=self.author)

    def delete_item(self, workspace_id: int, kind: str, name: str) -> None:
        """Remove an item and its revisions."""
        self._check(workspace_id, "open")
        self._store.delete_item(workspace_id, kind, name)

    def rename_item(self, workspace_id: int, kind: str, old_name: str, new_name: str) -> Item:
        """Give an item of a workspace this user may open a new name (its revisions kept)."""
        self._check(workspace_id, "open")
        return self._store.rename_item(workspace_id, kind, old_name, new_name)
