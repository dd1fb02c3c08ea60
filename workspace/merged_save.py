"""Save an edit made on an older revision by merging it into the latest, cell by cell.

The loop: read the latest revision, replay the edit on it (workspace.table_merge.rebase), and
save the result compare-and-swap on that revision, with the cells it changed; when a teammate
saved in between (StaleRevisionError), read again and replay again. Nothing of theirs is ever
written over: a cell they changed to another value is a conflict returned to the caller with
who set it, and a change whose row or column they deleted is returned as unapplied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from storage import Item, StaleRevisionError, UnreadableContent
from storage.live import CellEdit
from workspace.merge_formats import MergeFormat
from workspace.table_merge import Conflict, Doc, Merged, Op, op_record, rebase

if TYPE_CHECKING:
    from workspace.data import WorkspaceData

RETRIES = 200  # rounds lost to other writers before giving up (each round re-reads)


@dataclass(frozen=True)
class MergedSave:
    """Where a merged save left the item: its latest revision and content (ours, or theirs
    when nothing was left to write), what was merged, and the history since the base when
    something needs explaining (conflicts, unapplied changes)."""

    item: Item
    doc: Doc
    content: dict[str, Any]
    merged: Merged
    attempts: int
    history: tuple[CellEdit, ...] = ()

    @property
    def saved(self) -> bool:
        """True when this save wrote a revision."""
        return bool(self.merged.applied)

    def deleted_by(self, row: str | None, column: str | None) -> str | None:
        """Who deleted the row (or column) an unapplied change was aimed at, when recorded."""
        ops = {"DeleteRow": row, "DeleteColumn": column}
        found = [e for e in self.history if e.op in ops and ops[e.op] is not None
                 and (e.row if e.op == "DeleteRow" else e.column) == ops[e.op]]
        return found[-1].by if found else None


def _who(conflict: Conflict, history: Sequence[CellEdit]) -> Conflict:
    """The conflict with who set the teammate's value, from the recorded changes."""
    wanted = {"cell": ("SetCell",), "name": ("RenameColumn", "AddColumn"), "field": ("SetField",)}
    found = [e for e in history if e.op in wanted[conflict.what] and e.column == conflict.column
             and (conflict.row is None or e.row == conflict.row)]
    if not found:
        return conflict
    return replace(conflict, theirs_by=found[-1].by, theirs_revision=found[-1].revision)


def _value(doc: Doc, conflict: Conflict) -> Any:
    if conflict.what == "field":
        return doc.fields.get(conflict.column)
    if conflict.what == "name":
        return doc.names.get(conflict.column)
    return doc.cells.get(conflict.row or "", {}).get(conflict.column)


def _who_from_revisions(data: WorkspaceData, fmt: MergeFormat, name: str, base_revision: int,
                        conflicts: Sequence[Conflict]) -> tuple[Conflict, ...]:
    """Who set `theirs` for conflicts the recorded changes do not name (a teammate's plain,
    unmerged save): the revision since which the value has stood, read back from the newest."""
    if all(c.theirs_by for c in conflicts):
        return tuple(conflicts)
    docs = []
    for item in data.revisions(fmt.kind, name):
        if item.revision <= base_revision or isinstance(item.content, UnreadableContent):
            break
        try:
            docs.append((item, fmt.to_doc(item.content)))
        except ValueError:
            break
    named = []
    for conflict in conflicts:
        setter = None
        for item, doc in docs:
            if _value(doc, conflict) != conflict.theirs:
                break
            setter = item
        named.append(conflict if conflict.theirs_by or setter is None else replace(
            conflict, theirs_by=setter.updated_by, theirs_revision=setter.revision))
    return tuple(named)


def save_merged(data: WorkspaceData, fmt: MergeFormat, name: str, ops: Sequence[Op], *,
                base_revision: int) -> MergedSave:
    """Merge `ops` (made on `base_revision`) into the latest revision of `name` and save.

    Raises ValueError when the item was deleted or no longer reads, or when the merged content
    is not valid for its kind; RuntimeError after RETRIES rounds lost to other writers.
    """
    for attempt in range(1, RETRIES + 1):
        latest = data.item(fmt.kind, name)
        if latest is None:
            raise ValueError(f"'{name}' was deleted while you were editing it: nothing of yours "
                             "was saved; start it again under a new name.")
        if isinstance(latest.content, UnreadableContent):
            raise ValueError(latest.content.error)
        merged = rebase(ops, fmt.to_doc(latest.content))
        history: tuple[CellEdit, ...] = ()
        if merged.conflicts or merged.unapplied:
            history = tuple(data.cell_edits(fmt.kind, name, since=base_revision))
            merged = replace(merged, conflicts=_who_from_revisions(
                data, fmt, name, base_revision, [_who(c, history) for c in merged.conflicts]))
        if not merged.applied:
            return MergedSave(latest, fmt.to_doc(latest.content), dict(latest.content), merged,
                              attempt, history)
        content = fmt.to_content(merged.doc, latest.content)
        fmt.kind.from_content(content)  # the merged item must read as its kind
        try:
            item = data.gate.save_item(data.workspace_id, fmt.kind.name, name, content=content,
                                       expected_revision=latest.revision,
                                       changes=[op_record(op) for op in merged.applied])
        except StaleRevisionError:
            continue
        return MergedSave(item, merged.doc, content, merged, attempt, history)
    raise RuntimeError(f"Saving '{name}' lost {RETRIES} rounds in a row to other writers: "
                       "try again.")
