"""The tables of the workspace store and the rows they hand back, typed.

Kept apart from storage.store (the operations) so that the store, the clean-up
(storage.tidy) and the tests read one definition. The schema itself is kept by Alembic
revisions in storage/migrations/; these Table objects describe the newest one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

workspaces = sa.Table(
    "workspaces", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("owner", sa.String(200)),
    sa.Column("members", sa.Text, nullable=False, default="[]"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("deleted_by", sa.String(200)),  # rev 0003_tidy
)

items = sa.Table(
    "items", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(200)),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),  # rev 0003_tidy: soft delete
    sa.Column("deleted_by", sa.String(200)),
    sa.UniqueConstraint("workspace_id", "kind", "name", name="uq_item"),
)

revisions = sa.Table(
    "item_revisions", metadata,
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("content", sa.Text),
    sa.Column("blob", sa.LargeBinary),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("blob_ref", sa.String(64), index=True),  # file in the blob directory (rev 0002)
    sa.Column("pinned", sa.Boolean, nullable=False, default=False),  # rev 0003_tidy
)


@dataclass(frozen=True)
class Workspace:
    """A team's project: a name, an owner, members, and the items saved in it."""

    id: int
    name: str
    owner: str | None
    members: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    deleted_by: str | None = None


@dataclass(frozen=True)
class Item:
    """One saved thing of a workspace at one revision (blob is None in listings).

    blob_ref names the file of a blob kept in the blob directory (None when inline or absent);
    pinned revisions are never pruned; deleted_at/deleted_by are set on a deleted item.
    """

    workspace_id: int
    kind: str
    name: str
    revision: int
    content: Any
    blob: bytes | None
    created_at: datetime
    updated_at: datetime
    updated_by: str | None
    blob_ref: str | None = None
    pinned: bool = False
    deleted_at: datetime | None = None
    deleted_by: str | None = None


@dataclass(frozen=True)
class UnreadableContent:
    """Stands for stored content that is no longer JSON, so one damaged item is reported by
    the page that shows it instead of breaking every listing of the workspace."""

    error: str


def decode(text: str | None) -> Any:
    """Stored JSON text as content (None when there is none, UnreadableContent when damaged)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as err:
        return UnreadableContent(f"the saved content is damaged and no longer reads as JSON ({err})")


class StaleRevisionError(ValueError):
    """A save expected revision N but someone else saved since; nothing was overwritten."""

    def __init__(self, current: Item, expected: int) -> None:
        self.current = current
        self.expected = expected
        who = f" by {current.updated_by}" if current.updated_by else ""
        super().__init__(
            f"'{current.name}' was saved{who} at {current.updated_at:%H:%M:%S} (revision "
            f"{current.revision}) after you opened revision {expected}: your change was not "
            "written over theirs."
        )


def now() -> datetime:
    """The current moment in UTC (every time the store writes is UTC)."""
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def workspace_of(row: sa.Row) -> Workspace:
    """A workspaces row as a Workspace."""
    return Workspace(id=row.id, name=row.name, owner=row.owner,
                     members=tuple(json.loads(row.members or "[]")),
                     created_at=aware(row.created_at), updated_at=aware(row.updated_at),
                     deleted_at=aware(row.deleted_at), deleted_by=row.deleted_by)


def item_of(row: sa.Row, content: Any = None) -> Item:
    """An items row as an Item summary (its latest revision's number, no content or blob)."""
    return Item(row.workspace_id, row.kind, row.name, row.revision, content, None,
                aware(row.created_at), aware(row.updated_at), row.updated_by,
                deleted_at=aware(row.deleted_at), deleted_by=row.deleted_by)
