"""Erasing for real: purge what was deleted long enough ago, prune old revisions, vacuum, and
measure what a workspace takes.

Deletes in storage.store only mark rows; these functions remove the rows, then the blob files
no row references any more (after the delete has committed, under the blob directory's
exclusive lock, so a writer between writing a file and committing its row keeps it), and give
the space back (SQLite VACUUM, PostgreSQL VACUUM). Which kinds are pruned and how many
revisions are kept is decided above, in workspace.cleanup.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from storage.blobs import BlobDirectory
from storage.live import cell_edits, presence
from storage.schema import items, revisions, workspaces


@dataclass(frozen=True)
class Erased:
    """What one clean-up step removed."""

    workspaces: int = 0
    items: int = 0
    revisions: int = 0
    blob_files: int = 0


@dataclass(frozen=True)
class StorageFigures:
    """What one workspace takes: live items by kind, their revisions, and bytes (in the
    database and in blob files; a file shared with another workspace counts in both)."""

    items_by_kind: dict[str, int]
    revisions: int
    deleted_items: int
    database_bytes: int
    file_bytes: int

    @property
    def total_bytes(self) -> int:
        """Database and file bytes together."""
        return self.database_bytes + self.file_bytes


def _octets(engine: Engine, column: sa.ColumnElement) -> sa.ColumnElement:
    """The stored size in bytes of a text or binary column (0 when NULL)."""
    if engine.dialect.name == "sqlite":
        size = sa.func.length(sa.cast(column, sa.LargeBinary))
    else:
        size = sa.func.octet_length(column)
    return sa.func.coalesce(size, 0)


def purge_deleted(engine: Engine, blobs: BlobDirectory | None, before: datetime) -> Erased:
    """Erase workspaces and items deleted before `before`: their rows, revisions, and the
    blob files nothing else references."""
    # The rows are locked as they are chosen, so a teammate's save that would bring an item
    # back waits for the purge and then makes a new item (SQLite: the write lock from BEGIN).
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        gone_spaces = list(conn.execute(sa.select(workspaces.c.id).where(
            workspaces.c.deleted_at.is_not(None), workspaces.c.deleted_at < before)
            .with_for_update()).scalars())
        gone_items = conn.execute(sa.select(items.c.id, items.c.workspace_id, items.c.kind,
                                            items.c.name).where(sa.or_(
            items.c.workspace_id.in_(gone_spaces),
            sa.and_(items.c.deleted_at.is_not(None), items.c.deleted_at < before)))
            .with_for_update()).all()
        item_ids = [row.id for row in gone_items]
        refs = _refs(conn, revisions.c.item_id.in_(item_ids))
        _erase_traces(conn, gone_spaces, gone_items)
        removed = conn.execute(revisions.delete().where(revisions.c.item_id.in_(item_ids)))
        conn.execute(items.delete().where(items.c.id.in_(item_ids)))
        conn.execute(workspaces.delete().where(workspaces.c.id.in_(gone_spaces)))
    files = _remove_files(engine, blobs, refs)
    return Erased(len(gone_spaces), len(item_ids), removed.rowcount, files)


def _erase_traces(conn: sa.Connection, gone_spaces: list[int], gone_items: list[sa.Row]) -> None:
    """Erase what else names the purged items: their cell changes (which hold cell values) and
    who had them open."""
    conn.execute(cell_edits.delete().where(cell_edits.c.item_id.in_([r.id for r in gone_items])))
    conn.execute(presence.delete().where(presence.c.workspace_id.in_(gone_spaces)))
    for row in gone_items:
        conn.execute(presence.delete().where(presence.c.workspace_id == row.workspace_id,
                                             presence.c.kind == row.kind,
                                             presence.c.name == row.name))


def prune_revisions(engine: Engine, blobs: BlobDirectory | None, *, kinds: Collection[str],
                    keep_last: int) -> Erased:
    """Drop revisions of items of `kinds` older than their last `keep_last`, except pinned
    ones; an item's latest revision is always kept."""
    if isinstance(keep_last, bool) or not isinstance(keep_last, int) or keep_last < 1:
        raise ValueError(f"keep_last must be a whole number of at least 1, got {keep_last!r}: "
                         "an item's latest revision is always kept.")
    latest = (sa.select(items.c.revision).where(items.c.id == revisions.c.item_id)
              .scalar_subquery())
    old = sa.and_(revisions.c.pinned.is_(False), revisions.c.revision <= latest - keep_last,
                  revisions.c.item_id.in_(sa.select(items.c.id).where(
                      items.c.kind.in_(list(kinds)))))
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        refs = _refs(conn, old)
        removed = conn.execute(revisions.delete().where(old)).rowcount
    return Erased(revisions=removed, blob_files=_remove_files(engine, blobs, refs))


def _refs(conn: sa.Connection, where: sa.ColumnElement) -> list[str]:
    return list(conn.execute(sa.select(revisions.c.blob_ref).distinct().where(
        where, revisions.c.blob_ref.is_not(None))).scalars())


def _remove_files(engine: Engine, blobs: BlobDirectory | None, refs: list[str]) -> int:
    """Remove the files of `refs` that no row references any more (after the delete committed)."""
    if not refs or blobs is None:
        return 0
    with blobs.exclusive():
        return blobs.remove_unreferenced(refs, referenced(engine, refs))


def referenced(engine: Engine, refs: Iterable[str]) -> set[str]:
    """Which of `refs` some revision row still references."""
    with engine.connect() as conn:
        return set(conn.execute(sa.select(revisions.c.blob_ref).distinct()
                                .where(revisions.c.blob_ref.in_(list(refs)))).scalars())


def sweep_blobs(engine: Engine, blobs: BlobDirectory | None) -> int:
    """Remove blob files no row references, older than the grace period (crash leftovers);
    returns how many blobs went. Safe beside running writers."""
    if blobs is None:
        return 0
    with blobs.exclusive():
        refs, temps = blobs.old_files()
        for temp in temps:
            temp.unlink(missing_ok=True)
        return blobs.remove_unreferenced(refs, referenced(engine, refs))


def vacuum(engine: Engine) -> None:
    """Give the freed space back to the file system: SQLite VACUUM (and a WAL checkpoint that
    truncates the log), PostgreSQL VACUUM of the three tables. Runs outside any transaction."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:  # the pysqlite connection is in autocommit mode (isolation_level None)
            raw.driver_connection.execute("VACUUM")
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("item_revisions", "items", "workspaces"):
            conn.exec_driver_sql(f"VACUUM {table}")


def workspace_figures(engine: Engine, blobs: BlobDirectory | None,
                      workspace_id: int) -> StorageFigures:
    """Items by kind, revisions and bytes of one workspace (deleted items count until erased)."""
    own = sa.select(items.c.id).where(items.c.workspace_id == workspace_id)
    with engine.connect() as conn:
        kinds = dict(conn.execute(sa.select(items.c.kind, sa.func.count()).where(
            items.c.workspace_id == workspace_id, items.c.deleted_at.is_(None))
            .group_by(items.c.kind)).all())
        deleted = conn.execute(sa.select(sa.func.count()).where(
            items.c.workspace_id == workspace_id, items.c.deleted_at.is_not(None))).scalar()
        count, size = conn.execute(sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(
                _octets(engine, revisions.c.content) + _octets(engine, revisions.c.blob)), 0))
            .where(revisions.c.item_id.in_(own))).one()
        refs = _refs(conn, revisions.c.item_id.in_(own))
    file_bytes = sum(_file_size(blobs, ref) for ref in refs)
    return StorageFigures(kinds, count, deleted, int(size), file_bytes)


def _file_size(blobs: BlobDirectory | None, ref: str) -> int:
    if blobs is None:
        return 0
    try:
        return blobs.path(ref).stat().st_size
    except (FileNotFoundError, ValueError):
        return 0


def integrity_check(engine: Engine, blobs: BlobDirectory | None) -> list[str]:
    """Problems found in the store (empty when sound): SQLite's own check plus ours."""
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            verdict = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if verdict != "ok":
                problems.append(f"SQLite integrity check: {verdict}")
        orphans = conn.execute(sa.select(sa.func.count()).select_from(items).where(
            ~sa.exists().where(sa.and_(revisions.c.item_id == items.c.id,
                                       revisions.c.revision == items.c.revision)))).scalar()
        if orphans:
            problems.append(f"{orphans} items point at a revision that is not stored")
        refs = set(conn.execute(sa.select(revisions.c.blob_ref).distinct()
                                .where(revisions.c.blob_ref.is_not(None))).scalars())
    missing = refs - set(blobs.files() if blobs is not None else ())
    if missing:
        problems.append(f"{len(missing)} blob files referenced by revisions are missing")
    return problems
