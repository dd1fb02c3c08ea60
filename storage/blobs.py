"""Big blobs as files in a directory, named by the SHA-256 of their bytes, beside the database.

A file is written (temp file, fsync, rename, fsync of the directory) before the row that
references it commits, and removed only after the last row referencing it is deleted, so a
crash leaves at worst an unreferenced file, which the sweep removes once it is older than the
grace period. Writers hold a shared lock from writing the file until their row commits; the
sweep and deletes take it exclusively, so a file is never removed between a writer's write and
its commit. The lock is a flock on one host; servers on other hosts sharing the directory are
covered by the grace period (a save takes seconds, the grace is an hour by default).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

_LOCK_NAME = ".lock"
_TEMP_PREFIX = ".incoming-"
ENV_BLOB_DIR = "WORKBENCH_BLOB_DIR"
DEFAULT_BLOB_DIR = Path(".workbench") / "blobs"


def default_blob_dir(url: str) -> Path:
    """Beside a SQLite file (a copy of its folder is a whole backup), else .workbench/blobs."""
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            return Path(database).parent / "blobs"
    return DEFAULT_BLOB_DIR


class BlobDirectory:
    """Content-addressed files under `root` (one flat folder, names are hex digests)."""

    def __init__(self, root: Path, *, grace_seconds: float = 3600.0) -> None:
        self.root = Path(root)
        self.grace_seconds = grace_seconds
        self.root.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _lock(self, mode: int) -> Iterator[None]:
        with (self.root / _LOCK_NAME).open("a") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def writing(self) -> AbstractContextManager[None]:
        """Hold while writing a file and committing the row that references it."""
        return self._lock(fcntl.LOCK_SH)

    def path(self, ref: str) -> Path:
        """Where the blob `ref` lives (refs are hex digests, never user text)."""
        if not ref or not all(c in "0123456789abcdef" for c in ref):
            raise ValueError(f"Blob reference {ref!r} is not a hex digest: the row is damaged.")
        return self.root / ref

    def put(self, data: bytes) -> str:
        """Store `data` durably (call under `writing()`); returns its reference."""
        ref = hashlib.sha256(data).hexdigest()
        target = self.path(ref)
        try:
            os.utime(target)  # already there: refresh it so no sweep takes it as old
            return ref
        except FileNotFoundError:
            pass
        fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            Path(temp).replace(target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self._sync_directory()
        return ref

    def open(self, ref: str) -> BinaryIO:
        """The blob's bytes as a file opened for reading (streams; nothing is read yet)."""
        try:
            return self.path(ref).open("rb")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"Blob {ref[:12]}… is missing from {self.root}: restore the blob directory from "
                "the backup taken with the database.") from None

    def remove_unreferenced(self, candidates: Iterable[str], referenced: set[str]) -> int:
        """Delete `candidates` no row references (call under `exclusive()`); count removed."""
        removed = 0
        for ref in set(candidates) - referenced:
            try:
                self.path(ref).unlink()
                removed += 1
            except FileNotFoundError:
                continue
        if removed:
            self._sync_directory()
        return removed

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold while deciding which files to remove and removing them."""
        return self._lock(fcntl.LOCK_EX)

    def old_files(self) -> tuple[list[str], list[Path]]:
        """Blob refs and leftover temp files older than the grace period."""
        cutoff = time.time() - self.grace_seconds
        refs, temps = [], []
        for entry in self.root.iterdir():
            if entry.name == _LOCK_NAME or entry.stat().st_mtime > cutoff:
                continue
            (temps if entry.name.startswith(_TEMP_PREFIX) else refs).append(entry)
        return [e.name for e in refs], temps

    def files(self) -> list[str]:
        """Every blob ref present (temp files and the lock left out)."""
        return [e.name for e in self.root.iterdir()
                if e.name != _LOCK_NAME and not e.name.startswith(_TEMP_PREFIX)]

    def _sync_directory(self) -> None:
        """Make a rename or unlink durable (the directory entry itself is fsynced)."""
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
