"""One workspace's saved data, typed: pages read and write through `WorkspaceData`.

It is bound to a WorkspaceGate (the user) and one workspace id, and takes a kind from
workspace.kinds, so no page spells a kind name or builds a content dict. Every call goes
through the gate, which checks access at that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any, TypeVar

from storage import Item, UnreadableContent
from storage.live import CellEdit
from workspace.cleanup import uses_of
from workspace.gate import WorkspaceGate
from workspace.kinds import SavedKind
from workspace.merge_formats import FORMATS
from workspace.merged_save import MergedSave, save_merged
from workspace.table_merge import Op, diff

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

    def save_merged(self, kind: SavedKind[Any], name: str, ops: Sequence[Op], *,
                    base_revision: int) -> MergedSave:
        """Merge an edit made on `base_revision` into the latest revision, cell by cell, and
        save it (workspace.merged_save); conflicts and unapplied changes come back."""
        return save_merged(self, FORMATS[kind.name], name, ops, base_revision=base_revision)

    def save_edit(self, kind: SavedKind[T], name: str, obj: T, *, base: Item) -> MergedSave:
        """Save `obj`, an edit of the revision `base`, as what changed since `base` merged into
        the latest revision (a teammate's changes to other cells or fields are kept)."""
        fmt = FORMATS[kind.name]
        ops = diff(fmt.to_doc(base.content), fmt.to_doc(kind.to_content(obj)))
        return self.save_merged(kind, name, ops, base_revision=base.revision)

    def latest_revision(self, kind: SavedKind[Any], name: str) -> int | None:
        """The item's latest revision number (one small query): is there news?"""
        return self.gate.latest_revision(self.workspace_id, kind.name, name)

    def cell_edits(self, kind: SavedKind[Any], name: str, *, row: str | None = None,
                   since: int = 0) -> list[CellEdit]:
        """Who changed which cell after revision `since` (of one row when given)."""
        return self.gate.cell_edits(self.workspace_id, kind.name, name, row=row, since=since)

    def touch_presence(self, kind: SavedKind[Any], name: str) -> None:
        """Record that the user has the item open now."""
        self.gate.touch_presence(self.workspace_id, kind.name, name)

    def present(self, kind: SavedKind[Any], name: str) -> list[tuple[str, datetime]]:
        """Who had the item open in the last minute, most recent first."""
        return self.gate.present(self.workspace_id, kind.name, name)
