"""Cell-level merge of a table two people edited at once (an error sheet, a model table, a goal).

A table is a `Doc`: rows and columns with ids that never change (a renamed column keeps its id,
so a tick made in 'blurry' while a teammate renamed it 'out of focus' lands in 'out of focus'),
cells keyed by (row id, column id), and settings ("fields") merged key by key. An edit is the
list of `Op`s that turned the revision someone opened into what they have now (`diff`); each
cell op carries the value it replaced. `rebase` replays an edit on the latest revision: a cell
whose value is still the replaced one takes the new value, a cell a teammate set to the same
value is already done, and only a cell a teammate set to a different value is a true
`Conflict` (both values kept, for the person to choose). An op that no longer has a target (a
tick on a row deleted meanwhile) is returned as `Unapplied`, never dropped silently.

Rows added (or columns added) by two people at once land in the order their saves arrive;
everything else is independent of that order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import uuid4


@dataclass(frozen=True)
class Doc:
    """A table by ids: `cells[row][column]`, `names[column]` (what people read), `categories`
    (tick columns, in their order), `fields` (settings merged key by key)."""

    row_ids: tuple[str, ...]
    cells: Mapping[str, Mapping[str, Any]]
    columns: tuple[str, ...]
    names: Mapping[str, str]
    categories: tuple[str, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)

    def value(self, row: str, column: str) -> Any:
        """The cell's value (None when the row has no value in that column)."""
        return self.cells[row].get(column)

    def column_named(self, name: str) -> str | None:
        """The id of the column called `name`, None when there is none."""
        return next((c for c in self.columns if self.names[c] == name), None)

    def default(self, column: str) -> Any:
        """A new cell's value: unticked in a tick column, empty elsewhere."""
        return False if column in self.categories else None


@dataclass(frozen=True)
class SetCell:
    """Cell (row, column) went from `old` to `new`."""

    row: str
    column: str
    old: Any
    new: Any


@dataclass(frozen=True)
class AddRow:
    """A new row with its values by column id."""

    row: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class DeleteRow:
    """Row removed; its values are kept for the history."""

    row: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class AddColumn:
    """A new column (a category when `category`), placed after column `after`."""

    column: str
    name: str
    category: bool
    after: str | None = None


@dataclass(frozen=True)
class RenameColumn:
    """Column renamed from `old` to `new` (its cells and id stay)."""

    column: str
    old: str
    new: str


@dataclass(frozen=True)
class DeleteColumn:
    """Column removed."""

    column: str
    name: str


@dataclass(frozen=True)
class SetField:
    """Setting `key` went from `old` to `new`."""

    key: str
    old: Any
    new: Any


Op = SetCell | AddRow | DeleteRow | AddColumn | RenameColumn | DeleteColumn | SetField


@dataclass(frozen=True)
class Conflict:
    """The same cell (or column name, or setting) changed by two people to different values.

    `what` is "cell", "name" or "field"; `column` is the column id (the field's key for a
    field); `theirs_by` / `theirs_revision` say who set `theirs` when the history knows.
    """

    what: str
    row: str | None
    column: str
    base: Any
    mine: Any
    theirs: Any
    theirs_by: str | None = None
    theirs_revision: int | None = None


@dataclass(frozen=True)
class Unapplied:
    """An op with nothing left to apply to (its row or column was deleted meanwhile)."""

    op: Op
    reason: str


@dataclass(frozen=True)
class Merged:
    """What a rebase gives: the merged doc, the ops that changed it, and what it could not do."""

    doc: Doc
    applied: tuple[Op, ...]
    conflicts: tuple[Conflict, ...] = ()
    unapplied: tuple[Unapplied, ...] = ()


def new_id() -> str:
    """A fresh row or column id (random, so two people adding at once never collide)."""
    return uuid4().hex[:12]


def diff(base: Doc, mine: Doc) -> list[Op]:
    """The ops that turn `base` into `mine` (columns first, then rows, cells and fields)."""
    ops: list[Op] = []
    for position, column in enumerate(mine.columns):
        if column not in base.names:
            after = mine.columns[position - 1] if position else None
            ops.append(AddColumn(column, mine.names[column], column in mine.categories, after))
        elif base.names[column] != mine.names[column]:
            ops.append(RenameColumn(column, base.names[column], mine.names[column]))
    ops += [DeleteColumn(c, base.names[c]) for c in base.columns if c not in mine.names]
    ops += [DeleteRow(r, dict(base.cells[r])) for r in base.row_ids if r not in mine.cells]
    ops += [AddRow(r, dict(mine.cells[r])) for r in mine.row_ids if r not in base.cells]
    for row in mine.row_ids:
        if row not in base.cells:
            continue
        for column in mine.columns:
            old = base.value(row, column) if column in base.names else mine.default(column)
            new = mine.value(row, column)
            if not _same(old, new):
                ops.append(SetCell(row, column, old, new))
    for key in dict.fromkeys([*base.fields, *mine.fields]):
        if not _same(base.fields.get(key), mine.fields.get(key)):
            ops.append(SetField(key, base.fields.get(key), mine.fields.get(key)))
    return ops


def _same(a: Any, b: Any) -> bool:
    """Equal values of comparable types: a tick True is not the number 1, 2 is 2.0."""
    return a is b or ((type(a) is type(b) or {type(a), type(b)} <= {int, float}) and a == b)


class _Work:
    """A doc being rebuilt by a rebase: mutable copies plus the column aliases met so far."""

    def __init__(self, doc: Doc) -> None:
        self.rows = list(doc.row_ids)
        self.cells = {r: dict(v) for r, v in doc.cells.items()}
        self.columns = list(doc.columns)
        self.names = dict(doc.names)
        self.categories = list(doc.categories)
        self.fields = dict(doc.fields)
        self.alias: dict[str, str] = {}
        self.reports: list[Unapplied] = []  # side notes of ops that did apply

    def doc(self) -> Doc:
        return Doc(tuple(self.rows), self.cells, tuple(self.columns), self.names,
                   tuple(self.categories), self.fields)

    def column(self, column: str) -> str:
        return self.alias.get(column, column)

    def default(self, column: str) -> Any:
        return False if column in self.categories else None


def rebase(ops: Sequence[Op], theirs: Doc) -> Merged:
    """Replay `ops` (made on an older revision) on `theirs`, the latest revision.

    Returns the merged doc, the ops that changed it (as applied, with their ids resolved), the
    true conflicts (left as they are in `theirs`) and the ops with nothing left to apply to.
    """
    work = _Work(theirs)
    applied: list[Op] = []
    conflicts: list[Conflict] = []
    unapplied: list[Unapplied] = []
    for op in ops:
        outcome = _APPLY[type(op)](work, op)
        if isinstance(outcome, Conflict):
            conflicts.append(outcome)
        elif isinstance(outcome, Unapplied):
            unapplied.append(outcome)
        elif outcome is not None:
            applied.append(outcome)
    return Merged(work.doc(), tuple(applied), tuple(conflicts), (*unapplied, *work.reports))


def apply(ops: Sequence[Op], doc: Doc) -> Doc:
    """`doc` with `ops` applied (what a rebase on the revision they were made on gives)."""
    return rebase(ops, doc).doc


def _set_cell(work: _Work, op: SetCell) -> Op | Conflict | Unapplied | None:
    column = work.column(op.column)
    if op.row not in work.cells:
        return Unapplied(op, "row deleted")
    if column not in work.names:
        return Unapplied(op, "column deleted")
    current = work.cells[op.row].get(column, work.default(column))
    if _same(current, op.new):
        return None
    if not _same(current, op.old):
        return Conflict("cell", op.row, column, op.old, op.new, current)
    work.cells[op.row][column] = op.new
    return replace(op, column=column, old=current)


def _add_row(work: _Work, op: AddRow) -> Op | None:
    if op.row in work.cells:
        return None
    values = {work.column(c): v for c, v in op.values.items()}
    lost = [c for c, v in values.items() if c not in work.names and v not in (None, False, "")]
    work.rows.append(op.row)
    work.cells[op.row] = {c: values.get(c, work.default(c)) for c in work.columns}
    if lost:  # the row lands; its values in columns deleted meanwhile are reported
        work.reports.append(Unapplied(AddRow(op.row, {c: values[c] for c in lost}),
                                      "column deleted"))
    return AddRow(op.row, dict(work.cells[op.row]))


def _delete_row(work: _Work, op: DeleteRow) -> Op | None:
    if op.row not in work.cells:
        return None
    work.rows.remove(op.row)
    return DeleteRow(op.row, work.cells.pop(op.row))


def _add_column(work: _Work, op: AddColumn) -> Op | None:
    if op.column in work.names:
        return None
    twin = next((c for c in work.columns if work.names[c] == op.name), None)
    if twin is not None:  # a teammate added the same name meanwhile: one column, both ticks
        work.alias[op.column] = twin
        return None
    after = work.column(op.after) if op.after is not None else None
    position = work.columns.index(after) + 1 if after in work.names else len(work.columns)
    work.columns.insert(position, op.column)
    work.names[op.column] = op.name
    if op.category:
        work.categories.append(op.column)
    for values in work.cells.values():
        values.setdefault(op.column, work.default(op.column))
    return op


def _rename_column(work: _Work, op: RenameColumn) -> Op | Conflict | Unapplied | None:
    column = work.column(op.column)
    if column not in work.names:
        return Unapplied(op, "column deleted")
    current = work.names[column]
    if current == op.new:
        return None
    taken = next((c for c in work.columns if work.names[c] == op.new), None)
    if taken is not None or current != op.old:
        return Conflict("name", None, column, op.old, op.new, current)
    work.names[column] = op.new
    return replace(op, column=column)


def _delete_column(work: _Work, op: DeleteColumn) -> Op | None:
    column = work.column(op.column)
    if column not in work.names:
        return None
    work.columns.remove(column)
    if column in work.categories:
        work.categories.remove(column)
    name = work.names.pop(column)
    for values in work.cells.values():
        values.pop(column, None)
    return DeleteColumn(column, name)


def _set_field(work: _Work, op: SetField) -> Op | Conflict | None:
    current = work.fields.get(op.key)
    if _same(current, op.new):
        return None
    if not _same(current, op.old):
        return Conflict("field", None, op.key, op.old, op.new, current)
    work.fields[op.key] = op.new
    return replace(op, old=current)


def mine_over_theirs(conflict: Conflict) -> Op:
    """The op that puts my value of a conflict over the teammate's (the person chose mine)."""
    if conflict.what == "cell":
        return SetCell(conflict.row or "", conflict.column, conflict.theirs, conflict.mine)
    if conflict.what == "name":
        return RenameColumn(conflict.column, conflict.theirs, conflict.mine)
    return SetField(conflict.column, conflict.theirs, conflict.mine)


_APPLY: dict[type, Callable[[_Work, Any], Any]] = {
    SetCell: _set_cell, AddRow: _add_row, DeleteRow: _delete_row, AddColumn: _add_column,
    RenameColumn: _rename_column, DeleteColumn: _delete_column, SetField: _set_field}


def op_record(op: Op) -> dict[str, Any]:
    """A JSON-able record of an applied op for the revision history (who changed which cell)."""
    record: dict[str, Any] = {"op": type(op).__name__}
    if isinstance(op, SetCell):
        record.update(row=op.row, column=op.column, old=op.old, new=op.new)
    elif isinstance(op, AddRow | DeleteRow):
        record.update(row=op.row, column=None, old=None, new=None)
    elif isinstance(op, SetField):
        record.update(row=None, column=op.key, old=op.old, new=op.new)
    elif isinstance(op, RenameColumn):
        record.update(row=None, column=op.column, old=op.old, new=op.new)
    else:
        record.update(row=None, column=op.column, old=None, new=op.name)
    return record
