"""What teammates working on one item at once need from the store, besides its revisions:
the cell changes each revision made (who changed which cell), the latest revision number
alone (a cheap "is there news?" check), and who has the item open (presence).

Cell changes are written in the same transaction as their revision (WorkspaceStore.save_item
calls `record`), so a revision and its changes land together or not at all. Tables: revision
0003 of storage/migrations.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

cell_edits = sa.Table(
    "cell_edits", metadata,
    sa.Column("item_id", sa.Integer, primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("op", sa.String(16), nullable=False),
    sa.Column("row_key", sa.String(64)),
    sa.Column("column_key", sa.String(300)),
    sa.Column("old", sa.Text),
    sa.Column("new", sa.Text),
)

presence = sa.Table(
    "presence", metadata,
    sa.Column("workspace_id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(300), primary_key=True),
    sa.Column("person", sa.String(200), primary_key=True),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)

# The columns of the store's own tables read here (storage.store owns their definition).
_items = sa.table("items", sa.column("id"), sa.column("workspace_id"), sa.column("kind"),
                  sa.column("name"), sa.column("revision"))
_revisions = sa.table("item_revisions", sa.column("item_id"), sa.column("revision"),
                      sa.column("created_at", sa.DateTime(timezone=True)),
                      sa.column("created_by", sa.String))


@dataclass(frozen=True)
class CellEdit:
    """One change a revision made: a cell (row, column), a row, a column or a setting."""

    revision: int
    op: str
    row: str | None
    column: str | None
    old: Any
    new: Any
    by: str | None
    at: datetime


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _item_id(workspace_id: int, kind: str, name: str) -> sa.ScalarSelect:
    return (sa.select(_items.c.id).where(_items.c.workspace_id == workspace_id,
                                         _items.c.kind == kind, _items.c.name == name)
            .scalar_subquery())


class LiveLog:
    """Cell changes, latest revision numbers and presence, in the store's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def record(conn: sa.Connection, item_id: int, revision: int,
               changes: Sequence[Mapping[str, Any]]) -> None:
        """Write a revision's changes inside the caller's (the save's) transaction."""
        if changes:
            conn.execute(cell_edits.insert(), [
                {"item_id": item_id, "revision": revision, "seq": seq, "op": str(c["op"])[:16],
                 "row_key": c.get("row"), "column_key": c.get("column"),
                 "old": json.dumps(c.get("old")), "new": json.dumps(c.get("new"))}
                for seq, c in enumerate(changes)])

    def latest_revision(self, workspace_id: int, kind: str, name: str) -> int | None:
        """The item's latest revision number, None when absent: one small indexed query."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(_items.c.revision).where(
                _items.c.workspace_id == workspace_id, _items.c.kind == kind,
                _items.c.name == name)).scalar()

    def edits(self, workspace_id: int, kind: str, name: str, *, row: str | None = None,
              since: int = 0) -> list[CellEdit]:
        """The item's recorded changes after revision `since` (of one row when `row` is given),
        oldest first, with who saved each and when."""
        query = (sa.select(cell_edits, _revisions.c.created_by, _revisions.c.created_at)
                 .join(_revisions, sa.and_(_revisions.c.item_id == cell_edits.c.item_id,
                                           _revisions.c.revision == cell_edits.c.revision))
                 .where(cell_edits.c.item_id == _item_id(workspace_id, kind, name),
                        cell_edits.c.revision > since)
                 .order_by(cell_edits.c.revision, cell_edits.c.seq))
        if row is not None:
            query = query.where(cell_edits.c.row_key == row)
        with self.engine.connect() as conn:
            return [CellEdit(r.revision, r.op, r.row_key, r.column_key, json.loads(r.old),
                             json.loads(r.new), r.created_by, _aware(r.created_at))
                    for r in conn.execute(query)]

    def touch(self, workspace_id: int, kind: str, name: str, person: str) -> None:
        """Record that `person` has the item open now."""
        key = {"workspace_id": workspace_id, "kind": kind, "name": name, "person": person}
        now = datetime.now(UTC)
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            moved = conn.execute(presence.update().where(
                *(presence.c[k] == v for k, v in key.items())).values(seen_at=now))
            if moved.rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(presence.insert().values(**key, seen_at=now))
                except sa.exc.IntegrityError:
                    pass  # the same person's other tab inserted first: that is the same news

    def present(self, workspace_id: int, kind: str, name: str, *,
                within: timedelta = timedelta(minutes=1)) -> list[tuple[str, datetime]]:
        """Who had the item open within `within`, most recent first."""
        since = datetime.now(UTC) - within
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(presence.c.person, presence.c.seen_at).where(
                presence.c.workspace_id == workspace_id, presence.c.kind == kind,
                presence.c.name == name, presence.c.seen_at >= since)
                .order_by(presence.c.seen_at.desc()))
            return [(r.person, _aware(r.seen_at)) for r in found]
