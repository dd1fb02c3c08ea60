"""Uploads too big for the server's memory, evaluated as DuckDB sources.

From `[workbench] duckdb_above_mb` on, an uploaded CSV/TSV/Parquet file is not read into
pandas: DuckDB rewrites it as a Parquet file in a folder the app owns (named by the file's
content digest, never by the user) and the pages query it like an admin's DuckDB source, so
the server holds the upload's bytes plus DuckDB's memory limit, not the decoded table.

The file is held to the in-memory reading's own limits (analysis/limits.py), with its
wording: its size; before DuckDB reads a row, a text file's header and line count (a gzipped
one streamed through the bomb check) or a Parquet file's footer; then the Parquet copy's row
and column counts, read from its footer before it is moved into place. Anything refused
leaves no file behind. Not applied: max_inflated_mb, which bounds a table held in memory
(here DuckDB streams it within its memory limit).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
import uuid
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from analysis.limits import ReadLimits, check_shape
from analysis.reading import (
    check_not_binary,
    check_text_shape,
    check_upload_size,
    count_lines,
    gzip_pieces,
    no_rows,
)
from sources.adapter import file_to_parquet
from sources.config import DEFAULT_MEMORY_LIMIT, DEFAULT_TABLE, SourceConfig

MB = 1024 * 1024
KEEP_SECONDS = 7 * 24 * 3600  # a copy not uploaded again for a week is deleted
HEAD_BYTES = 65536  # the start of a text file whose header and delimiter are read
PARQUET = (".parquet", ".pq")
# the routed kinds of upload: Parquet, or text with its delimiter (None: sniffed, as in memory)
_DELIMITERS = {".csv": None, ".csv.gz": None, ".txt": None, ".gz": None, ".tsv": "\t",
               ".tsv.gz": "\t", ".tab": "\t", ".parquet": None, ".pq": None}


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
                  limits: ReadLimits | None = None,
                  memory_limit: str = DEFAULT_MEMORY_LIMIT) -> SourceConfig:
    """The upload as a DuckDB source over its Parquet copy in `folder` (made once per content).

    Raises ValueError (the reading's own wording) when the file passes `limits` (the defaults
    of ReadLimits when None), is empty or has no rows, when DuckDB cannot read it, or when its
    kind is not CSV/TSV/Parquet; nothing is left in `folder` then.
    """
    limits = limits or ReadLimits()
    kind = routed_kind(filename)
    if kind is None:
        raise ValueError(f"{filename} is not a CSV, TSV or Parquet file, which large uploads "
                         "must be (they are read by DuckDB, not in memory).")
    check_upload_size(filename, len(data), limits)
    delimiter, header = (None, None) if kind.endswith(PARQUET) else \
        text_header(data, filename, kind, limits)
    # one folder per content: the locked-down DuckDB connection may read this file only
    home = folder.resolve() / hashlib.blake2b(data, digest_size=16).hexdigest()
    home.mkdir(parents=True, exist_ok=True)
    target = home / f"{DEFAULT_TABLE}.parquet"
    if target.exists():
        target.touch()  # uploaded again: kept another KEEP_SECONDS
    else:
        _write_copy(data, filename, kind, (delimiter, header), home, limits, memory_limit)
    prune(folder.resolve(), keep=home)
    return SourceConfig(filename, "duckdb", str(target), DEFAULT_TABLE, "parquet", memory_limit)


def _write_copy(data: bytes, filename: str, kind: str,
                text: tuple[str | None, list[str] | None], home: Path, limits: ReadLimits,
                memory_limit: str) -> None:
    """Write the upload, let DuckDB rewrite it as `home`'s Parquet copy, delete the upload; a
    refused or broken file leaves nothing in `home` (nor `home` itself when it was new).
    `text` is a text file's (delimiter, header), (None, None) for Parquet."""
    upload = home / f"upload-{uuid.uuid4().hex}{kind}"  # two sessions may race here
    delimiter, header = text

    def check_copy(rows: int, columns: list[str]) -> None:
        check_shape(filename, rows, len(columns), limits)
        if header is not None and len(columns) != len(header):
            raise ValueError(f"{filename}: DuckDB reads {len(columns)} columns where the header "
                             f"has {len(header)} (delimiter {delimiter!r}): check the delimiter "
                             "and quoting.")
        if rows == 0:
            raise no_rows(filename, columns)

    try:
        upload.write_bytes(data)
        file_to_parquet(upload, home / f"{DEFAULT_TABLE}.parquet", delimiter=delimiter,
                        gzipped=data[:2] == b"\x1f\x8b", memory_limit=memory_limit,
                        check=check_copy)
    except BaseException:
        upload.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # only when empty: another session's copy stays
            home.rmdir()
        raise
    upload.unlink(missing_ok=True)


def text_header(data: bytes, name: str, kind: str, limits: ReadLimits) -> tuple[str, list[str]]:
    """The delimiter and header of a text upload whose header and lines fit the limits, checked
    before DuckDB reads it as the in-memory reading checks it (a gzipped file is streamed
    through the bomb check, and stops as soon as its lines pass the limits)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ValueError(f"{name} is UTF-16 text, and large files are read by DuckDB, which "
                         "reads UTF-8 only: save it as 'CSV UTF-8' (Excel) or re-encode it.")
    if data[:2] != b"\x1f\x8b":
        check_not_binary(data[:HEAD_BYTES], name)
        return check_text_shape(data[:HEAD_BYTES], count_lines([data]), name,
                                _DELIMITERS[kind], limits)
    pieces = gzip_pieces(data, name, limits, cap=None)
    head = b""
    for piece in pieces:
        head += piece
        if len(head) >= HEAD_BYTES:
            break
    check_not_binary(head[:HEAD_BYTES], name)
    delimiter, header = check_text_shape(head[:HEAD_BYTES], 1, name, _DELIMITERS[kind], limits)
    lines = count_lines(_lines_within(chain([head], pieces), name, len(header), limits))
    return check_text_shape(head[:HEAD_BYTES], lines, name, delimiter, limits)


def _lines_within(pieces: Iterator[bytes], name: str, columns: int,
                  limits: ReadLimits) -> Iterator[bytes]:
    """`pieces`, refused as soon as the line breaks of those known not to be the last pass
    the rows or cells limit (the rest of a bomb is never decompressed); the last piece is
    left to the exact count."""
    most, seen, pending = min(limits.max_rows, limits.max_cells // max(columns, 1)), 0, None
    for piece in pieces:
        if pending is not None:
            seen += pending.count(b"\n")
            if seen - 1 > most:
                check_shape(name, seen - 1, columns, limits,
                            rows_word="or more lines below its header")
            yield pending
        pending = piece
    if pending is not None:
        yield pending


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
