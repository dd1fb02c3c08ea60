"""Workspaces and their items, kept in any SQLAlchemy database (SQLite by default).

A workspace holds named items (a page's saved state as JSON, uploaded files as blobs); every
save is a new revision, and all revisions are kept so an edit can be listed and restored.
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from storage import migrate
from storage.blobs import BlobDirectory
from storage.live import LiveLog

DEFAULT_SQLITE_PATH = Path(".workbench") / "workbench.sqlite"
ENV_URL = "WORKBENCH_DB_URL"
BUSY_TIMEOUT_MS = 15_000
NAME_LIMIT = 200  # characters of a workspace or item name
_RACE_RETRIES = 20  # a blind save retried after losing a first-insert race (each retry is rare)

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


@dataclass(frozen=True)
class Item:
    """One saved thing of a workspace at one revision (blob is None in listings).

    blob_ref names the file of a blob kept in the blob directory (None when inline or absent).
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


class _LostRace(Exception):
    """Another writer created or advanced the item inside our transaction's window."""


@dataclass(frozen=True)
class UnreadableContent:
    """Stands for stored content that is no longer JSON, so one damaged item is reported by
    the page that shows it instead of breaking every listing of the workspace."""

    error: str


def _decode(text: str | None) -> Any:
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


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


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


def _workspace(row: sa.Row) -> Workspace:
    return Workspace(id=row.id, name=row.name, owner=row.owner,
                     members=tuple(json.loads(row.members or "[]")),
                     created_at=_aware(row.created_at), updated_at=_aware(row.updated_at),
                     deleted_at=_aware(row.deleted_at))


def _check_name(what: str, name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValueError(f"{what} name is empty: type a name.")
    if len(cleaned) > NAME_LIMIT:
        raise ValueError(f"{what} name is {len(cleaned)} characters long: keep it to "
                         f"{NAME_LIMIT}.")
    return cleaned


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
        now = _now()
        people = list(dict.fromkeys(([owner] if owner else []) + list(members)))
        with self._write() as conn:
            new_id = conn.execute(workspaces.insert().values(
                name=name, owner=owner, members=json.dumps(people), created_at=now,
                updated_at=now)).inserted_primary_key[0]
        return self.get_workspace(new_id)

    def get_workspace(self, workspace_id: int) -> Workspace | None:
        """The workspace with this id, deleted or not; None when there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(workspaces.select().where(workspaces.c.id == workspace_id)).first()
        return _workspace(row) if row else None

    def list_workspaces(self, *, include_deleted: bool = False) -> list[Workspace]:
        """Workspaces by most recently updated (who may see which is workspace.access's rule)."""
        query = workspaces.select().order_by(workspaces.c.updated_at.desc(), workspaces.c.id)
        if not include_deleted:
            query = query.where(workspaces.c.deleted_at.is_(None))
        with self.engine.connect() as conn:
            return [_workspace(row) for row in conn.execute(query)]

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

    def delete_workspace(self, workspace_id: int) -> None:
        """Mark a workspace deleted; restore_workspace undoes it, nothing is erased."""
        self._update_workspace(workspace_id, deleted_at=_now())

    def restore_workspace(self, workspace_id: int) -> Workspace:
        """Undo delete_workspace."""
        self._update_workspace(workspace_id, deleted_at=None)
        return self.get_workspace(workspace_id)

    def duplicate_workspace(self, workspace_id: int, name: str, *,
                            owner: str | None = None) -> Workspace:
        """Copy a workspace with the latest revision of every item (a damaged item, whose
        content no longer reads, stays in the original only)."""
        source = self._require_workspace(workspace_id)
        copy = self.create_workspace(name, owner=owner or source.owner, members=source.members)
        for summary in self.list_items(workspace_id):
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
                         .values(updated_at=_now(), **values))

    # Items ---------------------------------------------------------------------------------

    def save_item(self, workspace_id: int, kind: str, name: str, *, content: Any = None,
                  blob: bytes | None = None, expected_revision: int | None = None,
                  author: str | None = None,
                  changes: Sequence[Mapping[str, Any]] | None = None) -> Item:
        """Save a new revision of (kind, name) in one transaction and return it.

        With `expected_revision`, the save happens only if the stored revision is still that
        one (0 means "must not exist yet"); otherwise StaleRevisionError carries what is stored.
        Without it the save always lands as the next revision (a lost race is retried).
        A big blob is written to the blob directory before the row commits. `changes` (which
        cells the revision changed, see storage.live) are written in the same transaction.
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
        record["created_at"] = now = _now()
        try:
            with self._write() as conn:
                row = conn.execute(self._item_query(workspace_id, kind, name)
                                   .with_for_update()).first()
                current = row.revision if row else 0
                if expected_revision is not None and expected_revision != current:
                    raise _LostRace
                item_id = self._advance(conn, row, workspace_id, kind, name, record)
                conn.execute(revisions.insert().values(item_id=item_id, revision=current + 1,
                                                       **record))
                self.live.record(conn, item_id, current + 1, changes)
                conn.execute(workspaces.update().where(workspaces.c.id == workspace_id)
                             .values(updated_at=now))
        except sa.exc.IntegrityError as err:  # two creators of a new item: the second lost
            raise _LostRace from err
        return current + 1, _aware(row.created_at) if row else now

    @staticmethod
    def _advance(conn: sa.Connection, row: sa.Row | None, workspace_id: int, kind: str,
                 name: str, record: dict[str, Any]) -> int:
        """Create the item row or move it one revision on, only from the revision read."""
        stamp = {"updated_at": record["created_at"], "updated_by": record["created_by"]}
        if row is None:
            return conn.execute(items.insert().values(
                workspace_id=workspace_id, kind=kind, name=name, revision=1,
                created_at=record["created_at"], **stamp)).inserted_primary_key[0]
        moved = conn.execute(items.update().where(items.c.id == row.id,
                                                  items.c.revision == row.revision)
                             .values(revision=row.revision + 1, **stamp))
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
                row = conn.execute(self._item_query(workspace_id, kind, old_name)
                                   .with_for_update()).first()
                if row is None:
                    raise ValueError(f"{old_name!r} no longer exists: a teammate may have renamed "
                                     "or deleted it; reload the page.")
                if expected_revision is not None and row.revision != expected_revision:
                    raise StaleRevisionError(self._item_at(conn, row, row.revision, False),
                                             expected_revision)
                conn.execute(items.update().where(items.c.id == row.id).values(
                    name=new_name, updated_at=_now(), updated_by=author))
        except sa.exc.IntegrityError:
            raise ValueError(f"the name {new_name!r} is already used: choose another "
                             "name.") from None
        return self.get_item(workspace_id, kind, new_name, with_blob=False)

    @staticmethod
    def _item_query(workspace_id: int, kind: str, name: str) -> sa.Select:
        return sa.select(items).where(items.c.workspace_id == workspace_id,
                                      items.c.kind == kind, items.c.name == name)

    def get_item(self, workspace_id: int, kind: str, name: str, *,
                 revision: int | None = None, with_blob: bool = True) -> Item | None:
        """The item at its latest revision (or the one asked for); None when absent.

        with_blob=False leaves the blob out (open_blob streams it instead).
        """
        with self.engine.connect() as conn:
            row = conn.execute(self._item_query(workspace_id, kind, name)).first()
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
            row = conn.execute(self._item_query(workspace_id, kind, name)).first()
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
            return [Item(row.workspace_id, row.kind, row.name, row.revision,
                         _decode(row.content), None,
                         _aware(row.created_at), _aware(row.updated_at), row.updated_by)
                    for row in conn.execute(self._listing(query, workspace_id, kind))]

    def list_item_summaries(self, workspace_id: int, kind: str | None = None) -> list[Item]:
        """Items of a workspace without content or blob (names, revisions, times), newest first.

        What a listing needs and nothing more: no revision row is read.
        """
        with self.engine.connect() as conn:
            return [Item(row.workspace_id, row.kind, row.name, row.revision, None, None,
                         _aware(row.created_at), _aware(row.updated_at), row.updated_by)
                    for row in conn.execute(self._listing(sa.select(items), workspace_id, kind))]

    @staticmethod
    def _listing(query: sa.Select, workspace_id: int, kind: str | None) -> sa.Select:
        query = (query.where(items.c.workspace_id == workspace_id)
                 .order_by(items.c.updated_at.desc(), items.c.id.desc()))
        return query if kind is None else query.where(items.c.kind == kind)

    def list_revisions(self, workspace_id: int, kind: str, name: str) -> list[Item]:
        """Every revision of an item, newest first (content included, blob left out)."""
        with self.engine.connect() as conn:
            row = conn.execute(self._item_query(workspace_id, kind, name)).first()
            if row is None:
                return []
            found = conn.execute(sa.select(revisions.c.revision, revisions.c.content,
                                           revisions.c.created_at, revisions.c.created_by,
                                           revisions.c.blob_ref)
                                 .where(revisions.c.item_id == row.id)
                                 .order_by(revisions.c.revision.desc()))
            return [Item(workspace_id, kind, name, rev.revision,
                         _decode(rev.content), None,
                         _aware(row.created_at), _aware(rev.created_at), rev.created_by,
                         rev.blob_ref)
                    for rev in found]

    def delete_item(self, workspace_id: int, kind: str, name: str) -> None:
        """Remove an item and its revisions; its blob files go once the delete has committed."""
        with self._write() as conn:
            row = conn.execute(sa.select(items.c.id).where(
                items.c.workspace_id == workspace_id, items.c.kind == kind,
                items.c.name == name)).first()
            if row is None:
                return
            refs = list(conn.execute(sa.select(revisions.c.blob_ref).where(
                revisions.c.item_id == row.id, revisions.c.blob_ref.is_not(None))).scalars())
            self.live.forget(conn, row.id)
            conn.execute(revisions.delete().where(revisions.c.item_id == row.id))
            conn.execute(items.delete().where(items.c.id == row.id))
        if refs and self.blobs is not None:
            with self.blobs.exclusive():
                self.blobs.remove_unreferenced(refs, self._referenced(refs))

    def sweep_blobs(self) -> int:
        """Remove blob files no row references, older than the grace period (crash leftovers);
        returns how many blobs went. Runs at start-up; safe beside running writers."""
        if self.blobs is None:
            return 0
        with self.blobs.exclusive():
            refs, temps = self.blobs.old_files()
            for temp in temps:
                temp.unlink(missing_ok=True)
            return self.blobs.remove_unreferenced(refs, self._referenced(refs))

    def _referenced(self, refs: list[str]) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(revisions.c.blob_ref).distinct()
                                    .where(revisions.c.blob_ref.in_(refs))).scalars())

    def _blob_directory(self) -> BlobDirectory:
        if self.blobs is None:
            raise ValueError("This item's blob is kept in a blob directory, but none is "
                             "configured: set [workbench] blob_dir to the folder it was saved in.")
        return self.blobs

    def integrity_check(self) -> list[str]:
        """Problems found in the store (empty when sound): SQLite's own check plus ours."""
        problems: list[str] = []
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
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
        missing = refs - set(self.blobs.files() if self.blobs is not None else ())
        if missing:
            problems.append(f"{len(missing)} blob files referenced by revisions are missing")
        return problems

    @staticmethod
    def _item_at(conn: sa.Connection, row: sa.Row, revision: int,
                 with_blob: bool = True) -> Item | None:
        columns = [c for c in revisions.c if with_blob or c.name != "blob"]
        rev = conn.execute(sa.select(*columns).where(revisions.c.item_id == row.id,
                                                     revisions.c.revision == revision)).first()
        if rev is None:
            return None
        return Item(row.workspace_id, row.kind, row.name, rev.revision,
                    _decode(rev.content),
                    rev.blob if with_blob else None,
                    _aware(row.created_at), _aware(rev.created_at), rev.created_by, rev.blob_ref)
