"""Uploads too big for the server's memory, evaluated as DuckDB sources.

From `[workbench] duckdb_above_mb` on, an uploaded CSV/TSV/Parquet file is not read into
pandas: DuckDB rewrites it as a Parquet file in a folder the app owns (named by the file's
content digest, never by the user) and the pages query it like an admin's DuckDB source, so
the server holds the upload's bytes plus DuckDB's memory limit, not the decoded table.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from pathlib import Path

from sources.adapter import file_to_parquet
from sources.config import DEFAULT_MEMORY_LIMIT, DEFAULT_TABLE, SourceConfig

MB = 1024 * 1024
KEEP_SECONDS = 7 * 24 * 3600  # a copy not uploaded again for a week is deleted
# how DuckDB reads each routed kind of upload: a CSV delimiter, or None for Parquet
_DELIMITERS = {".csv": ",", ".csv.gz": ",", ".tsv": "\t", ".tsv.gz": "\t", ".txt": ",",
               ".parquet": None}


def duckdb_above_mb(value: object) -> int | None:
    """The `[workbench] duckdb_above_mb` setting: None (off) when unset, else whole MB ≥ 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"[workbench] duckdb_above_mb must be a whole number of megabytes of "
                         f"at least 1; got {value!r}.")
    return value


def routed_kind(filename: str) -> str | None:
    """The upload's kind when DuckDB can read it (CSV, TSV, Parquet), else None (Excel...)."""
    lowered = filename.lower()
    return next((kind for kind in sorted(_DELIMITERS, key=len, reverse=True)
                 if lowered.endswith(kind)), None)


def upload_source(data: bytes, filename: str, folder: Path, *,
                  memory_limit: str = DEFAULT_MEMORY_LIMIT) -> SourceConfig:
    """The upload as a DuckDB source over its Parquet copy in `folder` (made once per content).

    Raises ValueError when DuckDB cannot read the file or its kind is not CSV/TSV/Parquet.
    """
    kind = routed_kind(filename)
    if kind is None:
        raise ValueError(f"{filename} is not a CSV, TSV or Parquet file, which large uploads "
                         "must be (they are read by DuckDB, not in memory).")
    # one folder per content: the locked-down DuckDB connection may read this file only
    home = folder.resolve() / hashlib.blake2b(data, digest_size=16).hexdigest()
    home.mkdir(parents=True, exist_ok=True)
    target = home / f"{DEFAULT_TABLE}.parquet"
    if target.exists():
        target.touch()  # uploaded again: kept another KEEP_SECONDS
    else:
        upload = home / f"upload-{uuid.uuid4().hex}{kind}"  # two sessions may race here
        try:
            upload.write_bytes(data)
            file_to_parquet(upload, target, delimiter=_DELIMITERS[kind],
                            memory_limit=memory_limit)
        finally:
            upload.unlink(missing_ok=True)
    prune(folder.resolve(), keep=home)
    return SourceConfig(filename, "duckdb", str(target), DEFAULT_TABLE, "parquet", memory_limit)


def prune(folder: Path, *, keep: Path, older_than: float = KEEP_SECONDS) -> list[Path]:
    """Delete the copies in `folder` last uploaded more than `older_than` seconds ago (never
    `keep`); returns the folders removed. A session still showing one reads it again from
    its upload on the next run."""
    cutoff = time.time() - older_than
    removed = []
    for home in folder.iterdir():
        copy = home / f"{DEFAULT_TABLE}.parquet"
        if home == keep or not home.is_dir() or not copy.exists():
            continue  # not a finished copy (being written now, or not ours)
        if copy.stat().st_mtime < cutoff:
            shutil.rmtree(home, ignore_errors=True)
            removed.append(home)
    return removed
