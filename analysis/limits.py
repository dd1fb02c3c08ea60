"""How big an uploaded file may be, in one place: bytes, rows, columns, cells, inflation.

The readers check every figure against these limits before they build anything big, so a small
hostile file (a zip bomb, a sheet with one cell at its far corner, a Parquet file of forty
million constant rows) is refused after a little work instead of filling the server's memory.
The admin may raise or lower each limit under `[workbench.limits]` in secrets.toml. Large
parses also wait for a slot (ParseGate), so many teammates uploading at once cannot run the
server out of memory together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields

MB = 1024**2
BOMB_CHECK_BYTES = 16 * MB  # inflated bytes after which a compression ratio is judged
# Signatures of the compressed formats (gzip, zip/xlsx, Parquet): a small one can inflate a lot.
COMPRESSED_SIGNATURES = (b"\x1f\x8b", b"PK\x03\x04", b"PAR1")
SPLIT_HINT = ("split it into smaller files (for example by split, or by ranges of rows) and "
              "upload them one at a time, or ask the server's admin to raise the limit "
              "({key} under [workbench.limits] in secrets.toml)")


@dataclass(frozen=True)
class ReadLimits:
    """The most an uploaded file may hold; every field is a key of [workbench.limits].

    max_upload_mb: bytes of the file as uploaded.
    max_inflated_mb: bytes once decompressed (gzip output, the xlsx's XML, Parquet pages, the
        decoded table).
    max_ratio: inflation ratio a compressed file may show (real tables compress 3-20x,
        bombs about 1000x).
    max_rows, max_columns, max_cells: the table's shape (cells = rows x columns).
    max_excel_cells: cells of an .xlsx sheet (each becomes a Python object while read,
        about 25 times a CSV cell's memory).
    parallel_parses: large files read at the same time on this server; others wait.
    queue_above_mb: files from this size on (compressed ones from a tenth of it) take a slot.
    """

    max_upload_mb: int = 500
    max_inflated_mb: int = 500
    max_ratio: int = 200
    max_rows: int = 10_000_000
    max_columns: int = 2_000
    max_cells: int = 200_000_000
    max_excel_cells: int = 10_000_000
    parallel_parses: int = 2
    queue_above_mb: int = 10

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"[workbench.limits] {item.name} must be a whole number of "
                                 f"at least 1; got {value!r}.")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> ReadLimits:
        """Limits from a `[workbench.limits]` table: the given keys override the defaults.

        Examples
        --------
        >>> ReadLimits.from_mapping({"max_rows": 1000}).max_rows
        1000
        """
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"[workbench.limits] has no key {unknown[0]!r}; the keys are "
                             f"{', '.join(sorted(known))}.")
        return cls(**dict(values))

    def needs_slot(self, data: bytes) -> bool:
        """True when reading `data` is big enough to wait for one of the parse slots."""
        threshold = self.queue_above_mb * MB
        if data[:4].startswith(COMPRESSED_SIGNATURES):
            threshold //= 10
        return len(data) >= threshold


def refusal(name: str, what: str, figure: str, key: str, limit: str) -> ValueError:
    """The ValueError for a file over a limit: the file's figure, the limit and how to split it.

    Examples
    --------
    >>> str(refusal("a.csv", "has", "12 rows", "max_rows", "10 rows"))[:46]
    'a.csv has 12 rows; the limit is 10 rows (max_r'
    """
    return ValueError(f"{name} {what} {figure}; the limit is {limit} ({key}). "
                      f"{SPLIT_HINT.format(key=key).capitalize()}.")


def check_shape(name: str, rows: int, columns: int, limits: ReadLimits, *,
                rows_word: str = "rows", cells_key: str = "max_cells") -> None:
    """Refuse a table whose columns, rows or cells (rows x columns) pass the limits.

    `cells_key` names the cell limit that applies (max_excel_cells for a sheet); `rows_word`
    says what was counted when the rows are an upper bound (lines of a CSV).
    """
    max_cells = getattr(limits, cells_key)
    if columns > limits.max_columns:
        raise refusal(name, "has", f"{columns:,} columns", "max_columns",
                      f"{limits.max_columns:,} columns")
    if rows > limits.max_rows:
        raise refusal(name, "has", f"{rows:,} {rows_word}", "max_rows", f"{limits.max_rows:,} rows")
    if rows * columns > max_cells:
        raise refusal(name, "has", f"{rows * columns:,} cells ({rows:,} {rows_word} x {columns:,} "
                      "columns)", cells_key, f"{max_cells:,} cells")


def refuse_inflated(name: str, inflated: int, limits: ReadLimits, what: str) -> ValueError:
    """The refusal of a file that decompresses or decodes (`what`) past max_inflated_mb."""
    return refusal(name, what, f"more than {inflated // MB:,} MB", "max_inflated_mb",
                   f"{limits.max_inflated_mb:,} MB")


def refuse_ratio(name: str, inflated: int, packed: int, limits: ReadLimits) -> ValueError:
    """The refusal of a compressed file that inflates by more than max_ratio (a bomb)."""
    return refusal(name, "inflates", f"{inflated / max(1, packed):,.0f}:1 (to more than "
                   f"{inflated // MB:,} MB from {packed // 1024:,} KB), as a zip bomb does",
                   "max_ratio", f"{limits.max_ratio}:1")


class ParseGate:
    """A process-wide cap on how many large files are parsed at once.

    Small files pass straight through; a large one takes one of `slots` slots and, when all
    are taken, calls `on_wait` once (so the page can say it is waiting) and then blocks
    until a slot frees.
    """

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._semaphore = threading.BoundedSemaphore(slots)

    @contextmanager
    def hold(self, needed: bool, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Run the block in a slot when `needed`, else at once."""
        if not needed:
            yield
            return
        if not self._semaphore.acquire(blocking=False):
            if on_wait is not None:
                on_wait()
            self._semaphore.acquire()
        try:
            yield
        finally:
            self._semaphore.release()
