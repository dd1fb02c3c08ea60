"""One workspace's saved data, typed: pages read and write through `WorkspaceData`.

It is bound to a WorkspaceGate (the user) and one workspace id, and takes a kind from
workspace.kinds, so no page spells a kind name or builds a content dict. Every call goes
through the gate, which checks access at that moment.
"""

from __future__ import annotations

from typing import IO, Any, TypeVar

from storage import Item, UnreadableContent
from workspace.cleanup import uses_of
from workspace.gate import WorkspaceGate
from workspace.kinds import SavedKind

T = TypeVar("T")


class WorkspaceData:
    """Typed reads and writes of one workspace's items, each checked by the access gate."""

    def __init__(self, gate: WorkspaceGate, workspace_id: int) -> None:
        self.gate = gate
        self.workspace_id = int(workspace_id)

    def items(self, kind: SavedKind[Any]) -> list[Item]:
        """The latest revision of each item of `kind` (no blobs), newest first."""
        return self.gate.list_items(self.workspace_id, kind.name)

    def names(self, kind: SavedKind[Any]) -> list[str]:
        """The names of the items of `kind`, newest first."""
        return [item.name for item in self.items(kind)]

    def item(self, kind: SavedKind[Any], name: str, *, revision: int | None = None,
             with_blob: bool = False) -> Item | None:
        """The stored item (raw, with its revision and author), or None when absent."""
        return self.gate.get_item(self.workspace_id, kind.name, name, revision=revision,
                                  with_blob=with_blob)

    def load(self, kind: SavedKind[T], name: str, *, revision: int | None = None) -> T | None:
        """The object saved as `name` (None when absent); ValueError says why it does not read."""
        item = self.item(kind, name, revision=revision)
        return None if item is None else self.read(kind, item)

    @staticmethod
    def read(kind: SavedKind[T], item: Item) -> T:
        """The object in an item already fetched (e.g. from items()); ValueError when damaged."""
        if isinstance(item.content, UnreadableContent):
            raise ValueError(item.content.error)
        return kind.from_content(item.content)

    def save(self, kind: SavedKind[T], name: str, obj: T, *,
             expected_revision: int | None = None) -> Item:
        """Save `obj` as a new revision of `name` (compare-and-swap with `expected_revision`)."""
        return self.gate.save_item(self.workspace_id, kind.name, name,
                                   content=kind.to_content(obj), blob=kind.to_blob(obj),
                                   expected_revision=expected_revision)

    def open_blob(self, kind: SavedKind[Any], name: str) -> IO[bytes] | None:
        """The item's blob as a binary file to close after use; None when absent."""
        return self.gate.open_blob(self.workspace_id, kind.name, name)

    def revisions(self, kind: SavedKind[Any], name: str) -> list[Item]:
        """Every revision of an item, newest first."""
        return self.gate.list_revisions(self.workspace_id, kind.name, name)

    def history(self, kind: SavedKind[Any], name: str) -> list[Item]:
        """Every revision of an item, newest first, metadata only (who, when, pinned)."""
        return self.gate.list_revisions(self.workspace_id, kind.name, name, with_content=False)

    def pin(self, kind: SavedKind[Any], name: str, revision: int, *, pinned: bool = True) -> None:
        """Keep (or, with pinned=False, stop keeping) a revision from the clean-up's pruning."""
        self.gate.pin_revision(self.workspace_id, kind.name, name, revision, pinned=pinned)

    def delete(self, kind: SavedKind[Any], name: str) -> None:
        """Mark an item deleted (restore undoes it until the clean-up erases it)."""
        self.gate.delete_item(self.workspace_id, kind.name, name)

    def restore(self, kind: SavedKind[Any], name: str) -> Item:
        """Bring a deleted item back, with its revisions."""
        return self.gate.restore_item(self.workspace_id, kind.name, name)

    def uses(self, name: str) -> list[Item]:
        """Saved items whose content names `name` (a sheet made from a file, a log entry at a
        snapshot), to say so before `name` is deleted."""
        return uses_of(self.gate.list_items(self.workspace_id), name)

    def rename(self, kind: SavedKind[Any], old_name: str, new_name: str) -> Item:
        """Give an item a new name, its revisions kept."""
        return self.gate.rename_item(self.workspace_id, kind.name, old_name, new_name)
