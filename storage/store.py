"""Workspaces and their items, kept in any SQLAlchemy database (SQLite by default).

A workspace holds named items (a page's saved state as JSON, uploaded files as blobs); every
save is a new revision, kept until the clean-up (storage.tidy) prunes old ones. Deleting an item
or a workspace only marks it (who, when) so it can be restored; the clean-up erases it for good
after the retention period.
Saves can be compare-and-swap (expected_revision) so two teammates never silently overwrite
each other, on every engine: the item row is locked (SELECT ... FOR UPDATE on PostgreSQL, the
write lock taken at BEGIN IMMEDIATE on SQLite) and its update is conditioned on the revision read,
so the loser of a race gets StaleRevisionError, never an IntegrityError or a silent overwrite.
SQLite runs in WAL mode with a busy timeout, so several sessions write at once. The schema is
kept by Alembic revisions (storage/migrate.py); blobs above a size the caller sets live as files
in a blob directory (storage/blobs.py), referenced from their revision row.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from storage import migrate, tidy
from storage.blobs import BlobDirectory
from storage.live import LiveLog
from storage.schema import (
    Item,
    StaleRevisionError,
    UnreadableContent,
    Workspace,
    aware,
    decode,
    item_of,
    items,
    now,
    revisions,
    workspace_of,
    workspaces,
)

DEFAULT_SQLITE_PATH = Path(".workbench") / "workbench.sqlite"
ENV_URL = "WORKBENCH_DB_URL"
BUSY_TIMEOUT_MS = 15_000
NAME_LIMIT = 200  # characters of a workspace or item name
_RACE_RETRIES = 20  # a blind save retried after losing a first-insert race (each retry is rare)
__all__ = ["Item", "StaleRevisionError", "UnreadableContent", "Workspace", "WorkspaceStore",
           "default_url", "items", "make_engine", "revisions", "workspaces"]


class _LostRace(Exception):
    """Another writer created or advanced the item inside our transaction's window."""


def default_url() -> str:
    """The database URL: $WORKBENCH_DB_URL, else a SQLite file under .workbench/."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run while one session writes; the busy timeout makes writers queue."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Writes take the lock at BEGIN (IMMEDIATE), so a read-then-write cannot deadlock."""
    immediate = connection.get_execution_options().get("write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and immediate transactions."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000,
                                                     "isolation_level": None})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _check_name(what: str, name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValueError(f"{what} name is empty: type a name.")
    if len(cleaned) > NAME_LIMIT:
        raise ValueError(f"{what} name is {len(cleaned)} characters long: keep it to "
                         f"{NAME_LIMIT}.")
    return cleaned


def _item_query(workspace_id: int, kind: str, name: str, *, deleted: bool | None = False
                ) -> sa.Select:
    """The item row of (kind, name): live ones only by default, deleted ones with
    deleted=True, either with deleted=None."""
    query = sa.select(items).where(items.c.workspace_id == workspace_id, items.c.kind == kind,
                                   items.c.name == name)
    if deleted is None:
        return query
    return query.where(items.c.deleted_at.is_not(None) if deleted else items.c.deleted_at.is_(None))


class WorkspaceStore:
    """Workspaces and revisioned items in one database; every write is one transaction."""

    def __init__(self, url: str, *, blob_dir: Path | str | None = None,
                 blob_threshold_bytes: int = 0,
                 blob_grace_seconds: float = 3600.0) -> None:
        """Open (and migrate, under a lock) the database at `url`.

        With `blob_dir`, blobs of `blob_threshold_bytes` or more are kept as files there
        (content-addressed), and files no row references, older than `blob_grace_seconds`,
        are swept away now. Without it every blob stays in the database.
        """
        self.url = url
        self.engine = make_engine(url)
        migrate.upgrade(self.engine)
        self.blobs = (BlobDirectory(Path(blob_dir), grace_seconds=blob_grace_seconds)
                      if blob_dir else None)
        self.blob_threshold_bytes = blob_threshold_bytes
        self.live = LiveLog(self.engine)  # cell changes, revision checks, presence
        if self.blobs is not None:
            self.sweep_blobs()

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction (committed on success, rolled back on error)."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    @classmethod
    def from_env(cls) -> WorkspaceStore:
        """The store the app uses: $WORKBENCH_DB_URL or the default SQLite file."""
        return cls(default_url())

    # Workspaces ---------------------------------------------------------------------------

    def create_workspace(self, name: str, *, owner: str | None = None,
                         members: tuple[str, ...] = ()) -> Workspace:
        """Create a workspace; its owner is also its first member."""
        name = _check_name("Workspace", name)
        moment = now()
        people = list(dict.fromkeys(([owner] if owner else []) + list(members)))
        with self._write() as conn:
            new_id = conn.execute(workspaces.insert().values(
                name=name, owner=owner, members=json.dumps(people), created_at=moment,
                updated_at=moment)).inserted_primary_key[0]
        return self.get_workspace(new_id)

    def get_workspace(self, workspace_id: int) -> Workspace | None:
        """The workspace with this id, deleted or not; None when there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(workspaces.select().where(workspaces.c.id == workspace_id)).first()
        return workspace_of(row) if row else None

    def list_workspaces(self, *, include_deleted: bool = False) -> list[Workspace]:
        """Workspaces by most recently updated (who may see which is workspace.access's rule)."""
        query = workspaces.select().order_by(workspaces.c.updated_at.desc(), workspaces.c.id)
        if not include_deleted:
            query = query.where(workspaces.c.deleted_at.is_(None))
        with self.engine.connect() as conn:
            return [workspace_of(row) for row in conn.execute(query)]

    def rename_workspace(self, workspace_id: int, name: str) -> Workspace:
        """Give a workspace a new name."""
        self._update_workspace(workspace_id, name=_check_name("Workspace", name))
        return self.get_workspace(workspace_id)

    def set_members(self, workspace_id: int, members: list[str]) -> Workspace:
        """Replace the member list (the owner stays a member)."""
        workspace = self._require_workspace(workspace_id)
        people = [m.strip() for m in members if m and m.strip()]
        if workspace.owner:
            people = [workspace.owner, *people]
        self._update_workspace(workspace_id, members=json.dumps(list(dict.fromkeys(people))))
        return self.get_workspace(workspace_id)

    def set_owner(self, workspace_id: int, owner: str) -> Workspace:
        """Give a workspace an owner (who becomes its first member, the others stay)."""
        workspace = self._require_workspace(workspace_id)
        owner = _check_name("Owner", owner)
        people = [owner, *(m for m in workspace.members if m != owner)]
        self._update_workspace(workspace_id, owner=owner, members=json.dumps(people))
        return self.get_workspace(workspace_id)

    def delete_workspace(self, workspace_id: int, *, author: str | None = None) -> None:
        """Mark a workspace deleted by `author`; restore_workspace undoes it until the
        clean-up erases it after the retention period."""
        self._update_workspace(workspace_id, deleted_at=now(), deleted_by=author)

    def restore_workspace(self, workspace_id: int) -> Workspace:
        """Undo delete_workspace."""
        self._update_workspace(workspace_id, deleted_at=None, deleted_by=None)
        return self.get_workspace(workspace_id)

    def duplicate_workspace(self, workspace_id: int, name: str, *,
                            owner: str | None = None) -> Workspace:
        """Copy a workspace with the latest revision of every item (a damaged item, whose
        content no longer reads, stays in the original only)."""
        source = self._require_workspace(workspace_id)
        copy = self.create_workspace(name, owner=owner or source.owner, members=source.members)
        for summary in self.list_item_summaries(workspace_id):
            item = self.get_item(workspace_id, summary.kind, summary.name)
            if isinstance(item.content, UnreadableContent):
                continue
            self.save_item(copy.id, item.kind, item.name, content=item.content, blob=item.blob,
                           author=owner or item.updated_by)
        return copy

    def _require_workspace(self, workspace_id: int) -> Workspace:
        workspace = self.get_workspace(workspace_id)
        if workspace is None:
            raise ValueError(f"There is no workspace with id {workspace_id}: it may have been purged.")
        return workspace

    def _update_workspace(self, workspace_id: int, **values: Any) -> None:
        self._require_workspace(workspace_id)
        with self._write() as conn:
            conn.execute(workspaces.update().where(workspaces.c.id == workspace_id)
                         .values(updated_at=now(), **values))

    # Items ---------------------------------------------------------------------------------

    def save_item(self, workspace_id: int, kind: str, name: str, *, content: Any = None,
                  blob: bytes | None = None, expected_revision: int | None = None,
                  author: str | None = None,
                  changes: Sequence[Mapping[str, Any]] | None = None) -> Item:
        """Save a new revision of (kind, name) in one transaction and return it.

        With `expected_revision`, the save happens only if the stored revision is still that
        one (0 means "must not exist yet"); otherwise StaleRevisionError carries what is stored.
        Without it the save always lands as the next revision (a lost race is retried).
        A big blob is written to the blob directory before the row commits. Saving under a deleted
        item's name brings it back with the new revision on top. `changes` (the cells the
        revision changed, see storage.live) are written in the same transaction.
        """
        self._require_workspace(workspace_id)
        name = _check_name("Item", name)
        text = json.dumps(content) if content is not None else None
        external = (self.blobs is not None and blob is not None
                    and len(blob) >= self.blob_threshold_bytes)
        with self.blobs.writing() if external else nullcontext():
            ref = self.blobs.put(blob) if external else None
            record = {"content": text, "blob": None if external else blob, "blob_ref": ref,
                      "created_by": author}
            for _attempt in range(_RACE_RETRIES):
                try:
                    revision, created = self._save_once(workspace_id, kind, name, record,
                                                        expected_revision, changes or ())
                except _LostRace:
                    self._raise_if_stale(workspace_id, kind, name, expected_revision)
                    continue
                return Item(workspace_id, kind, name, revision, content, blob, created,
                            record["created_at"], author, ref)
        raise RuntimeError(f"Saving '{name}' lost {_RACE_RETRIES} races in a row with other "
                           "writers: try again.")

    def _save_once(self, workspace_id: int, kind: str, name: str, record: dict[str, Any],
                   expected_revision: int | None,
                   changes: Sequence[Mapping[str, Any]]) -> tuple[int, datetime]:
        """One attempt in one transaction; _LostRace when another writer got in between."""
        record["created_at"] = moment = now()
        try:
            with self._write() as conn:
                row = conn.execute(_item_query(workspace_id, kind, name, deleted=None)
                                   .with_for_update()).first()
                visible = row.revision if row is not None and row.deleted_at is None else 0
                if expected_revision is not None and expected_revision != visible:
                    raise _LostRace
                item_id = self._advance(conn, row, workspace_id, kind, name, record)
                revision = row.revision + 1 if row else 1
                conn.execute(revisions.insert().values(item_id=item_id, revision=revision,
                                                       **record))
                self.live.record(conn, item_id, revision, changes)
                conn.execute(workspaces.update().where(workspaces.c.id == workspace_id)
                             .values(updated_at=moment))
        except sa.exc.IntegrityError as err:  # two creators of a new item: the second lost
            raise _LostRace from err
        return revision, aware(row.created_at) if row else moment

    @staticmethod
    def _advance(conn: sa.Connection, row: sa.Row | None, workspace_id: int, kind: str,
                 name: str, record: dict[str, Any]) -> int:
        """Create the item row or move it one revision on (bringing a deleted one back), only
        from the revision read."""
        stamp = {"updated_at": record["created_at"], "updated_by": record["created_by"]}
        if row is None:
            return conn.execute(items.insert().values(
                workspace_id=workspace_id, kind=kind, name=name, revision=1,
                created_at=record["created_at"], **stamp)).inserted_primary_key[0]
        moved = conn.execute(items.update().where(items.c.id == row.id,
                                                  items.c.revision == row.revision)
                             .values(revision=row.revision + 1, deleted_at=None,
                                     deleted_by=None, **stamp))
        if moved.rowcount != 1:
            raise _LostRace
        return row.id

    def _raise_if_stale(self, workspace_id: int, kind: str, name: str,
                        expected_revision: int | None) -> None:
        """After a lost race: a compare-and-swap save is stale; a blind one may retry."""
        if expected_revision is None:
            return
        current = self.get_item(workspace_id, kind, name, with_blob=False)
        if current is None and expected_revision:
            raise ValueError(f"'{name}' was deleted after you opened revision "
                             f"{expected_revision}: save it under a new name.")
        if current is not None and current.revision != expected_revision:
            raise StaleRevisionError(current, expected_revision)

    def rename_item(self, workspace_id: int, kind: str, old_name: str, new_name: str, *,
                    expected_revision: int | None = None, author: str | None = None) -> Item:
        """Give an item a new name, keeping its revisions; refused if the name is taken.

        With `expected_revision`, the rename happens only if nobody saved since.
        """
        new_name = _check_name("Item", new_name)
        try:
            with self._write() as conn:
                row = conn.execute(_item_query(workspace_id, kind, old_name)
                                   .with_for_update()).first()
                if row is None:
                    raise ValueError(f"{old_name!r} no longer exists: a teammate may have renamed "
                                     "or deleted it; reload the page.")
                if expected_revision is not None and row.revision != expected_revision:
                    raise StaleRevisionError(self._item_at(conn, row, row.revision, False),
                                             expected_revision)
                conn.execute(items.update().where(items.c.id == row.id).values(
                    name=new_name, updated_at=now(), updated_by=author))
        except sa.exc.IntegrityError:
            raise ValueError(f"the name {new_name!r} is already used (perhaps by a deleted item "
                             "that can still be restored): choose another name.") from None
        return self.get_item(workspace_id, kind, new_name, with_blob=False)

    def delete_item(self, workspace_id: int, kind: str, name: str, *,
                    author: str | None = None) -> None:
        """Mark an item deleted by `author` (it leaves every listing); restore_item undoes it
        until the clean-up erases it, its revisions and blob files after the retention."""
        with self._write() as conn:
            conn.execute(items.update().where(
                items.c.workspace_id == workspace_id, items.c.kind == kind, items.c.name == name,
                items.c.deleted_at.is_(None)).values(deleted_at=now(), deleted_by=author))

    def restore_item(self, workspace_id: int, kind: str, name: str) -> Item:
        """Bring a deleted item back with all its revisions."""
        with self._write() as conn:
            restored = conn.execute(items.update().where(
                items.c.workspace_id == workspace_id, items.c.kind == kind, items.c.name == name,
                items.c.deleted_at.is_not(None)).values(deleted_at=None, deleted_by=None))
        if restored.rowcount != 1:
            raise ValueError(f"{name!r} is not among the deleted items any more: it was restored "
                             "or erased meanwhile; reload the page.")
        return self.get_item(workspace_id, kind, name, with_blob=False)

    def list_deleted_items(self, workspace_id: int) -> list[Item]:
        """Deleted items of a workspace not erased yet, most recently deleted first."""
        query = (sa.select(items).where(items.c.workspace_id == workspace_id,
                                        items.c.deleted_at.is_not(None))
                 .order_by(items.c.deleted_at.desc(), items.c.id.desc()))
        with self.engine.connect() as conn:
            return [item_of(row) for row in conn.execute(query)]

    def pin_revision(self, workspace_id: int, kind: str, name: str, revision: int, *,
                     pinned: bool = True) -> None:
        """Pin a revision so the clean-up never prunes it (pinned=False unpins it)."""
        with self._write() as conn:
            row = conn.execute(_item_query(workspace_id, kind, name)).first()
            changed = 0 if row is None else conn.execute(revisions.update().where(
                revisions.c.item_id == row.id, revisions.c.revision == revision)
                .values(pinned=pinned)).rowcount
        if changed != 1:
            raise ValueError(f"revision {revision} of {name!r} is not stored (it was pruned, or "
                             "the item deleted): reload the page.")

    def get_item(self, workspace_id: int, kind: str, name: str, *,
                 revision: int | None = None, with_blob: bool = True) -> Item | None:
        """The item at its latest revision (or the one asked for); None when absent or deleted.

        with_blob=False leaves the blob out (open_blob streams it instead).
        """
        with self.engine.connect() as conn:
            row = conn.execute(_item_query(workspace_id, kind, name)).first()
            if row is None:
                return None
            item = self._item_at(conn, row, revision or row.revision, with_blob)
        if item is not None and with_blob and item.blob_ref is not None:
            with self._blob_directory().open(item.blob_ref) as handle:
                item = dataclasses.replace(item, blob=handle.read())
        return item

    def open_blob(self, workspace_id: int, kind: str, name: str, *,
                  revision: int | None = None) -> BinaryIO | None:
        """The item's blob as a readable binary file (a file on disk for big ones, streamed);
        None when the item or its blob is absent. Close it after use."""
        with self.engine.connect() as conn:
            row = conn.execute(_item_query(workspace_id, kind, name)).first()
            if row is None:
                return None
            found = conn.execute(sa.select(revisions.c.blob, revisions.c.blob_ref).where(
                revisions.c.item_id == row.id,
                revisions.c.revision == (revision or row.revision))).first()
        if found is None or (found.blob is None and found.blob_ref is None):
            return None
        if found.blob_ref is not None:
            return self._blob_directory().open(found.blob_ref)
        return io.BytesIO(found.blob)

    def list_items(self, workspace_id: int, kind: str | None = None) -> list[Item]:
        """Items of a workspace (latest revision, content included, blob left out), newest first."""
        query = (sa.select(items, revisions.c.content)
                 .join(revisions, sa.and_(revisions.c.item_id == items.c.id,
                                          revisions.c.revision == items.c.revision)))
        with self.engine.connect() as conn:
            return [item_of(row, decode(row.content))
                    for row in conn.execute(self._listing(query, workspace_id, kind))]

    def list_item_summaries(self, workspace_id: int, kind: str | None = None) -> list[Item]:
        """Items of a workspace without content or blob (names, revisions, times), newest first.

        What a listing needs and nothing more: no revision row is read.
        """
        with self.engine.connect() as conn:
            return [item_of(row) for row in
                    conn.execute(self._listing(sa.select(items), workspace_id, kind))]

    @staticmethod
    def _listing(query: sa.Select, workspace_id: int, kind: str | None) -> sa.Select:
        query = (query.where(items.c.workspace_id == workspace_id, items.c.deleted_at.is_(None))
                 .order_by(items.c.updated_at.desc(), items.c.id.desc()))
        return query if kind is None else query.where(items.c.kind == kind)

    def list_revisions(self, workspace_id: int, kind: str, name: str, *,
                       with_content: bool = True) -> list[Item]:
        """Every revision of an item, newest first (blob left out; content too with
        with_content=False, for a history that lists who saved what when)."""
        columns = [revisions.c.revision, revisions.c.created_at, revisions.c.created_by,
                   revisions.c.blob_ref, revisions.c.pinned]
        with self.engine.connect() as conn:
            row = conn.execute(_item_query(workspace_id, kind, name)).first()
            if row is None:
                return []
            found = conn.execute(sa.select(*columns, *([revisions.c.content] if with_content
                                                       else []))
                                 .where(revisions.c.item_id == row.id)
                                 .order_by(revisions.c.revision.desc()))
            return [Item(workspace_id, kind, name, rev.revision,
                         decode(rev.content) if with_content else None, None,
                         aware(row.created_at), aware(rev.created_at), rev.created_by,
                         rev.blob_ref, bool(rev.pinned))
                    for rev in found]

    # Clean-up and checks (storage.tidy holds the rules) -----------------------------------

    def sweep_blobs(self) -> int:
        """Remove blob files no row references, older than the grace period (crash leftovers);
        returns how many blobs went. Runs at start-up; safe beside running writers."""
        return tidy.sweep_blobs(self.engine, self.blobs)

    def integrity_check(self) -> list[str]:
        """Problems found in the store (empty when sound): SQLite's own check plus ours."""
        return tidy.integrity_check(self.engine, self.blobs)

    def _blob_directory(self) -> BlobDirectory:
        if self.blobs is None:
            raise ValueError("This item's blob is kept in a blob directory, but none is "
                             "configured: set [workbench] blob_dir to the folder it was saved in.")
        return self.blobs

    @staticmethod
    def _item_at(conn: sa.Connection, row: sa.Row, revision: int,
                 with_blob: bool = True) -> Item | None:
        columns = [c for c in revisions.c if with_blob or c.name != "blob"]
        rev = conn.execute(sa.select(*columns).where(revisions.c.item_id == row.id,
                                                     revisions.c.revision == revision)).first()
        if rev is None:
            return None
        return Item(row.workspace_id, row.kind, row.name, rev.revision,
                    decode(rev.content),
                    rev.blob if with_blob else None,
                    aware(row.created_at), aware(rev.created_at), rev.created_by, rev.blob_ref,
                    bool(rev.pinned))
