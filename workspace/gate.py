"""The one way to workspace data: every read and write checks, at that moment, that the user may.

Views never hold a WorkspaceStore: they ask components.state.workspace_data() for a
WorkspaceGate bound to the session's user. Each call reads the workspace row afresh, so a member
the owner removed, or a workspace deleted a second ago, is refused on the very next read or save
even from a page that was already open. "No such workspace" and "no access" raise the same
NoAccess with the same words, so an id cannot be probed. A gate made with `per_run=True` (one per
page run, see components.state) reads the workspace rows once and answers the run's further
checks from that read; its own changes to workspaces drop the read, and the next run (or a
widget callback, which gets a fresh gate) reads again. The methods mirror WorkspaceStore's, so
anything written against the store (the report, the sheet helpers) runs through the gate as is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, BinaryIO, TypeVar

from storage import Item, Workspace, WorkspaceStore, tidy
from storage.live import CellEdit
from workspace.access import (
    UNDO_WINDOW,
    Permissions,
    permissions,
    restorable,
    unowned,
    visible,
)
from workspace.identity import Identity, normalise_email

T = TypeVar("T")
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
                 admins: frozenset[str] = frozenset(), per_run: bool = False) -> None:
        if auth and user is None:
            raise ValueError("with sign-in configured the workspace gate needs a signed-in user.")
        self._store = store
        self.user = user
        self.auth = auth
        self._admins = frozenset(normalise_email(a) for a in admins)
        self.per_run = per_run
        self._rows: list[Workspace] | None = None  # every workspace, deleted too (per_run only)

    def uncached(self) -> WorkspaceGate:
        """A gate for the same user that reads the workspace rows at every check (for work
        that outlives the page run, such as a background save)."""
        return WorkspaceGate(self._store, user=self.user, auth=self.auth, admins=self._admins)

    def _all_workspaces(self) -> list[Workspace]:
        """Every workspace row, deleted ones too: read once per run when `per_run`."""
        if self._rows is None or not self.per_run:
            self._rows = self._store.list_workspaces(include_deleted=True)
        return self._rows

    def _workspace_row(self, workspace_id: int) -> Workspace | None:
        if not self.per_run:
            return self._store.get_workspace(workspace_id)
        return next((w for w in self._all_workspaces() if w.id == workspace_id), None)

    def _changed(self, result: T) -> T:
        """Forget the rows read this run after this gate changed a workspace."""
        self._rows = None
        return result

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
            workspace = self._workspace_row(int(workspace_id))
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
        return visible(self._all_workspaces(), self.author, auth=self.auth)

    def get_workspace(self, workspace_id: int) -> Workspace:
        """The workspace if this user may open it (NoAccess otherwise, never None)."""
        return self._check(workspace_id, "open")

    def create_workspace(self, name: str) -> Workspace:
        """A new workspace owned by this user (by nobody when the app runs open)."""
        return self._changed(self._store.create_workspace(
            name, owner=self.author if self.auth else None))

    def rename_workspace(self, workspace_id: int, name: str) -> Workspace:
        """Give a workspace a new name (members and owner)."""
        self._check(workspace_id, "rename")
        return self._changed(self._store.rename_workspace(workspace_id, name))

    def duplicate_workspace(self, workspace_id: int, name: str) -> Workspace:
        """Copy a workspace; the copy is owned by this user."""
        self._check(workspace_id, "duplicate")
        return self._changed(self._store.duplicate_workspace(
            workspace_id, name, owner=self.author if self.auth else None))

    def delete_workspace(self, workspace_id: int) -> None:
        """Mark a workspace deleted (owner only); restore_workspace undoes it for a while."""
        self._check(workspace_id, "delete")
        self._changed(self._store.delete_workspace(workspace_id, author=self.author))

    def restore_workspace(self, workspace_id: int) -> Workspace:
        """Undo a deletion (owner only)."""
        self._check(workspace_id, "delete", deleted_ok=True)
        return self._changed(self._store.restore_workspace(workspace_id))

    def deleted_workspaces(self) -> list[Workspace]:
        """Recently deleted workspaces this user could restore, newest first."""
        return restorable(self._all_workspaces(), self.author, auth=self.auth)

    def set_members(self, workspace_id: int, members: list[str]) -> Workspace:
        """Replace the member list (owner only); the owner stays a member."""
        self._check(workspace_id, "manage_members")
        return self._changed(self._store.set_members(workspace_id,
                                                     [normalise_email(m) for m in members]))

    def unowned_workspaces(self) -> list[Workspace]:
        """Workspaces made in open mode, which nobody sees once sign-in is on (admins only)."""
        return unowned(self._all_workspaces()) if self.is_admin else []

    def set_owner(self, workspace_id: int, owner: str) -> Workspace:
        """Give a workspace made in open mode an owner (admins only, once)."""
        workspace = self._workspace_row(workspace_id) if self.is_admin else None
        if workspace is None or workspace.owner is not None or workspace.deleted_at is not None:
            raise NoAccess()
        email = normalise_email(owner)
        if "@" not in email or any(c.isspace() for c in email):
            raise ValueError(f"owner: {owner[:60]!r} is not an e-mail address: type the sign-in "
                             "e-mail of the person who should own the workspace.")
        return self._changed(self._store.set_owner(workspace_id, email))

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

    def list_item_summaries(self, workspace_id: int, kind: str | None = None) -> list[Item]:
        """Items of a workspace without content (names, revisions, who, when), newest first."""
        self._check(workspace_id, "open")
        return self._store.list_item_summaries(workspace_id, kind)

    def list_revisions(self, workspace_id: int, kind: str, name: str, *,
                       with_content: bool = True) -> list[Item]:
        """Every revision of an item, newest first (metadata only with with_content=False)."""
        self._check(workspace_id, "open")
        return self._store.list_revisions(workspace_id, kind, name, with_content=with_content)

    def pin_revision(self, workspace_id: int, kind: str, name: str, revision: int, *,
                     pinned: bool = True) -> None:
        """Keep a revision from the clean-up's pruning (pinned=False lets it go again)."""
        self._check(workspace_id, "open")
        self._store.pin_revision(workspace_id, kind, name, revision, pinned=pinned)

    def storage_figures(self, workspace_id: int) -> tidy.StorageFigures:
        """Items by kind, revisions and bytes the workspace takes (deleted items until erased)."""
        self._check(workspace_id, "open")
        return tidy.workspace_figures(self._store.engine, self._store.blobs, workspace_id)

    def save_item(self, workspace_id: int, kind: str, name: str, *, content: Any = None,
                  blob: bytes | None = None, expected_revision: int | None = None,
                  author: str | None = None,
                  changes: Sequence[Mapping[str, Any]] | None = None) -> Item:
        """Save a new revision into a workspace this user may open (never into a deleted one).

        `author` is taken for WorkspaceStore's signature only: the revision is always recorded
        under this gate's user, so no caller can save in someone else's name.
        """
        del author
        self._check(workspace_id, "open")
        return self._changed(self._store.save_item(  # a save moves the workspace up the list
            workspace_id, kind, name, content=content, blob=blob,
            expected_revision=expected_revision, author=self.author, changes=changes))

    def delete_item(self, workspace_id: int, kind: str, name: str) -> None:
        """Mark an item deleted by this user (restore_item undoes it until the clean-up
        erases it after the retention)."""
        self._check(workspace_id, "open")
        self._changed(self._store.delete_item(workspace_id, kind, name, author=self.author))

    def restore_item(self, workspace_id: int, kind: str, name: str) -> Item:
        """Bring a deleted item back, with its revisions."""
        self._check(workspace_id, "open")
        return self._changed(self._store.restore_item(workspace_id, kind, name))

    def deleted_items(self, workspace_id: int) -> list[Item]:
        """Deleted items not erased yet (who deleted each, when), most recent first."""
        self._check(workspace_id, "open")
        return self._store.list_deleted_items(workspace_id)

    def rename_item(self, workspace_id: int, kind: str, old_name: str, new_name: str) -> Item:
        """Give an item of a workspace this user may open a new name (its revisions kept)."""
        self._check(workspace_id, "open")
        return self._changed(self._store.rename_item(workspace_id, kind, old_name, new_name))

    # Working together on an item -------------------------------------------------------------

    def latest_revision(self, workspace_id: int, kind: str, name: str) -> int | None:
        """The item's latest revision number (None when absent): the cheap check for news."""
        self._check(workspace_id, "open")
        return self._store.live.latest_revision(workspace_id, kind, name)

    def cell_edits(self, workspace_id: int, kind: str, name: str, *, row: str | None = None,
                   since: int = 0) -> list[CellEdit]:
        """Who changed which cell of an item after revision `since` (of one row if given)."""
        self._check(workspace_id, "open")
        return self._store.live.edits(workspace_id, kind, name, row=row, since=since)

    def touch_presence(self, workspace_id: int, kind: str, name: str) -> None:
        """Record that this user has the item open now."""
        self._check(workspace_id, "open")
        self._store.live.touch(workspace_id, kind, name, self.author)

    def present(self, workspace_id: int, kind: str, name: str, *,
                within: timedelta = timedelta(minutes=1)) -> list[tuple[str, datetime]]:
        """Who had the item open within `within` (this user included), most recent first."""
        self._check(workspace_id, "open")
        return self._store.live.present(workspace_id, kind, name, within=within)
