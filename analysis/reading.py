"""Read an uploaded table (CSV, TSV, gzip, Parquet, Excel .xlsx) into a DataFrame, within limits.

The bytes are bounded (size, inflation, rows, columns, cells) before any table is built, and
every problem raises ValueError naming the file, the line or the column, and the fix.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from analysis.limits import (
    BOMB_CHECK_BYTES,
    MB,
    ReadLimits,
    check_shape,
    refusal,
    refuse_inflated,
    refuse_ratio,
)
from analysis.xlsx_guard import check_workbook

# The file types every uploader offers: exactly what read_table can read (".gz" holds a
# gzipped CSV/TSV; ".pq" is Parquet; ".xlsm" is an .xlsx with macros, which are never run).
READABLE_FILE_TYPES = ("csv", "tsv", "txt", "gz", "parquet", "pq", "xlsx", "xlsm")
_CHUNK = 4 * MB  # gzip output is streamed in pieces of this size
_PARQUET_BATCH_ROWS = 1 << 16

def _source_bytes(source: str | Path | bytes | BinaryIO, filename: str | None) -> tuple[bytes, str]:
    """Bytes and a display name from a path, raw bytes or an uploaded file object."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), filename or "uploaded file"
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"No file at {str(path)!r}: check the path.")
        return path.read_bytes(), filename or path.name
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return data, filename or getattr(source, "name", None) or "uploaded file"
    raise ValueError(f"source must be a path, bytes or a file object; got {type(source).__name__}.")


def gzip_pieces(data: bytes, name: str, limits: ReadLimits, *,
                cap: int | None) -> Iterator[bytes]:
    """Decompress a .gz upload piece by piece, refusing a bomb before it fills memory or disk.

    Refused: more than `cap` bytes (when set), or (past the first BOMB_CHECK_BYTES) an
    inflation ratio above max_ratio, which real CSV never reaches (numbers compress about
    3-10x) but a bomb always does, so a 3 MB bomb stops after ~16 MB instead of gigabytes.
    """
    raw, size = io.BytesIO(data), 0
    try:
        with gzip.GzipFile(fileobj=raw) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if cap is not None and size > cap:
                    raise refuse_inflated(name, size, limits, "inflates to")
                if size > BOMB_CHECK_BYTES and size > limits.max_ratio * raw.tell():
                    raise refuse_ratio(name, size, raw.tell(), limits)
                yield chunk
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{name} is not a valid gzip file ({err}): re-compress it or upload "
                         "the CSV itself.") from None


def _inflate_gzip(data: bytes, name: str, limits: ReadLimits) -> bytes:
    """The whole decompressed .gz upload, at most max_inflated_mb. The pieces go into one
    growing buffer, never a list joined at the end (which would hold the table twice)."""
    inflated = io.BytesIO()
    for piece in gzip_pieces(data, name, limits, cap=limits.max_inflated_mb * MB):
        inflated.write(piece)
    return inflated.getvalue()


def _decode_text(data: bytes, name: str) -> bytes:
    """UTF-8 bytes without BOM; UTF-16 files (with BOM) are converted, other encodings refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{name} starts with a UTF-16 byte-order mark but is not valid "
                             "UTF-16: save it again as UTF-8 CSV.") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    check_not_binary(data[:65536], name)
    _check_utf8(data, name)
    return data


def check_not_binary(head: bytes, name: str) -> None:
    """Refuse a file whose first bytes hold a NUL: binary data (an image, an archive) named
    like a text table."""
    if b"\x00" in head:
        raise ValueError(f"{name} is not a text table (it holds binary data): upload a CSV, TSV, "
                         "Parquet or Excel file.")


def _check_utf8(data: bytes, name: str) -> None:
    """Refuse non-UTF-8 text, naming the byte and line; checked in slices (no decoded copy)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 8 * 1024 * 1024
    for start in range(0, len(data), step):
        pending = len(decoder.getstate()[0])  # bytes of a character cut by the previous slice
        try:
            decoder.decode(data[start:start + step], final=start + step >= len(data))
        except UnicodeDecodeError as err:
            position = max(0, start - pending + err.start)
            line = data[:position].count(b"\n") + 1
            raise ValueError(f"{name} is not UTF-8 text (byte 0x{data[position]:02x} on line "
                             f"{line}): save it as 'CSV UTF-8' (Excel) or re-encode it as "
                             "UTF-8.") from None


def _sniff_delimiter(data: bytes, name: str) -> str:
    """The delimiter among , ; tab | that splits the header and first lines consistently."""
    sample = data[:65536].decode("utf-8", errors="ignore")
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if not lines:
        raise ValueError(f"{name} holds no text lines: it looks empty.")
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] > 0 else ","


def _arrow_error(err: Exception, name: str, delimiter: str) -> ValueError:
    """Turn a pyarrow parse error into a message about the user's file."""
    text = str(err)
    match = re.search(r"Expected (\d+) columns, got (\d+): ?(.*)", text)
    if match:
        line = match.group(3).strip()[:80]
        return ValueError(
            f"{name}: the line {line!r} has {match.group(2)} fields where the header has "
            f"{match.group(1)} (delimiter {delimiter!r}): check the delimiter and quoting.")
    return ValueError(f"{name} could not be read as a table: {text.splitlines()[0]}")


def _read_text_table(data: bytes, name: str, delimiter: str | None,
                     limits: ReadLimits) -> pd.DataFrame:
    """Parse CSV/TSV bytes with pyarrow (multi-threaded, no row-by-row Python), once their
    shape is bounded (check_text_shape)."""
    data = _decode_text(data, name)
    if not data[:65536].strip() and not data.strip():
        raise ValueError(f"{name} is empty: it has no header and no rows.")
    delimiter, _ = check_text_shape(data[:65536], count_lines([data]), name, delimiter, limits)
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(block_size=1 << 24),
            # Without any quote no value can hold a line break: parse blocks in parallel.
            parse_options=pa_csv.ParseOptions(delimiter=delimiter,
                                              newlines_in_values=b'"' in data),
            convert_options=pa_csv.ConvertOptions(
                null_values=["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"],
                strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as err:
        raise _arrow_error(err, name, delimiter) from None
    _check_quotes_closed(data, table.num_rows, name)
    return _arrow_to_pandas(table)


def count_lines(pieces: Iterable[bytes]) -> int:
    """Lines of a text table given in consecutive pieces (header included; a last line
    without its line break counts; old Mac files break lines with a lone \\r)."""
    newlines = returns = 0
    last = b""
    for piece in pieces:
        newlines, returns = newlines + piece.count(b"\n"), returns + piece.count(b"\r")
        last = piece[-1:] or last
    return max(newlines, returns) + (last not in (b"\n", b"\r"))


def check_text_shape(head: bytes, lines: int, name: str, delimiter: str | None,
                     limits: ReadLimits) -> tuple[str, list[str]]:
    """The delimiter (sniffed when None) and header of a CSV/TSV starting with `head` and
    holding `lines` lines, refused past the limits before anything reads its rows: the header
    gives the columns and the lines bound the rows (a quoted value may span lines, so a table
    has at most as many rows as lines)."""
    delimiter = delimiter or _sniff_delimiter(head, name)
    text = io.StringIO(head.decode("utf-8", errors="ignore"), newline="")
    try:
        header = next(csv.reader(text, delimiter=delimiter), [])
    except csv.Error as err:  # e.g. a lone carriage return inside the first line
        raise ValueError(f"{name}: the header line cannot be read as CSV ({err}): save the "
                         "file again as CSV.") from None
    _check_header([h.strip() for h in header], name)
    check_shape(name, lines - 1, len(header), limits, rows_word="lines below its header")
    return delimiter, header


def _check_quotes_closed(data: bytes, n_rows: int, name: str) -> None:
    """Refuse a file whose quoted field never closes: it silently swallows every later line.

    Only an odd number of double quotes together with fewer rows than lines triggers it (a
    legitimate cell may hold a line break, or a lone inch mark like 12" in an unquoted field).
    """
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if data.count(b'"') % 2 == 0 or n_rows >= lines - 1:
        return
    opened_at, inside = None, False
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.count(b'"') % 2:
            inside = not inside
            opened_at = number if inside else opened_at
    raise ValueError(f"{name}: a quoted value opened on line {opened_at} is never closed, so "
                     f"the {lines - 1:,} lines below the header read as {n_rows:,} "
                     f"row{'' if n_rows == 1 else 's'}: add the "
                     "missing closing quote (\").")


def _arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert to pandas with numpy dtypes for numbers and strings for text."""
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _read_parquet(data: bytes, name: str, limits: ReadLimits) -> pd.DataFrame:
    """Read a Parquet file whose footer, pages and decoded columns all fit the limits.

    The footer's row count, column count and uncompressed size are checked before any page is
    read; then the decoded size of the text columns: a constant 1 KB string over ten million
    rows is a few bytes on disk and 10 GB decoded.
    """
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        metadata, schema = parquet.metadata, parquet.schema_arrow
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{name} is not a readable Parquet file ({str(err).splitlines()[0]}).") from None
    _check_header(schema.names, name)
    nested = [f.name for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise ValueError(f"{name}: columns {', '.join(map(repr, nested))} hold lists or structs; "
                         "flatten them into one value per cell.")
    check_shape(name, metadata.num_rows, len(schema), limits)
    encoded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if encoded > limits.max_inflated_mb * MB:
        raise refuse_inflated(name, encoded, limits, "holds pages that uncompress to")
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
            or pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)]
    # Text is read dictionary-encoded, batch by batch, and each batch's decoded size is added up
    # before anything is decoded.
    try:
        reader = pq.ParquetFile(io.BytesIO(data), read_dictionary=text)
        batches, decoded = [], 0
        for batch in reader.iter_batches(batch_size=_PARQUET_BATCH_ROWS):
            decoded += sum(map(_decoded_nbytes, batch.columns))
            if decoded > limits.max_inflated_mb * MB:
                raise refuse_inflated(name, decoded, limits, "decodes to")
            batches.append(batch)
        # Decoded only now that the total is known to fit.
        table = pa.Table.from_batches(
            [pa.RecordBatch.from_arrays([_decoded(column, f.type) for column, f
                                         in zip(batch.columns, schema, strict=True)],
                                        schema=schema) for batch in batches], schema=schema)
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{name} is not a readable Parquet file ({str(err).splitlines()[0]}).") from None
    return _arrow_to_pandas(table)


def _decoded_nbytes(column: pa.Array) -> int:
    """Bytes `column` takes once its dictionary (if any) is decoded, without decoding it.

    Counted decoded even when the file keeps the dictionary: the labels are decoded later on.
    """
    if not pa.types.is_dictionary(column.type):
        return column.nbytes
    lengths = pc.binary_length(column.dictionary)
    values = pc.sum(pc.take(lengths, column.indices)).as_py() or 0
    return values + 8 * len(column)  # + offsets and validity


def _decoded(column: pa.Array, wanted: pa.DataType) -> pa.Array:
    """`column` as the file's own type (text read dictionary-encoded is decoded back)."""
    if pa.types.is_dictionary(column.type) and not pa.types.is_dictionary(wanted):
        return column.dictionary_decode().cast(wanted)
    return column


def _read_excel(data: bytes, name: str, sheet: str | int | None,
                limits: ReadLimits) -> tuple[pd.DataFrame, list[str]]:
    """Read one sheet (the named one, else the first non-empty) and note the others."""
    check_workbook(data, name, limits)
    notes: list[str] = []
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except Exception as err:  # openpyxl raises many types for a damaged workbook
        raise ValueError(f"{name} is not a readable .xlsx workbook ({err.__class__.__name__}): "
                         "save it again from Excel as .xlsx, or as CSV.") from None
    names = book.sheet_names
    if sheet is not None:
        if sheet not in names and not (isinstance(sheet, int) and 0 <= sheet < len(names)):
            raise ValueError(f"{name} has no sheet {sheet!r}; its sheets are "
                             f"{', '.join(map(repr, names))}.")
        chosen = sheet if isinstance(sheet, str) else names[sheet]
        frame = pd.read_excel(book, sheet_name=chosen)
    else:
        chosen, frame = names[0], pd.DataFrame()
        for candidate in names:
            frame = pd.read_excel(book, sheet_name=candidate)
            if not frame.empty:
                chosen = candidate
                break
    if len(names) > 1:
        others = [n for n in names if n != chosen]
        notes.append(f"Read sheet {chosen!r}; the workbook also has {', '.join(map(repr, others))} "
                     "(choose another sheet in the column mapping).")
    header = [str(c) for c in frame.columns]
    unnamed = [i + 1 for i, c in enumerate(header) if c.startswith("Unnamed:")]
    if unnamed and len(frame.columns) > 0:
        raise ValueError(
            f"{name}, sheet {chosen!r}: column{'s' if len(unnamed) > 1 else ''} "
            f"{', '.join(map(str, unnamed[:5]))} {'have' if len(unnamed) > 1 else 'has'} no header "
            "(merged or empty header cells?): the first row must hold one name per column.")
    _check_header(header, name)
    frame.columns = header
    return frame, notes


def _check_header(header: Sequence[str], name: str) -> None:
    """Column names must exist, be non-empty and unique."""
    if not header:
        raise ValueError(f"{name} has no columns.")
    blanks = [i + 1 for i, h in enumerate(header) if not str(h).strip()]
    if blanks:
        raise ValueError(f"{name}: column{'s' if len(blanks) > 1 else ''} "
                         f"{', '.join(map(str, blanks[:5]))} {'have' if len(blanks) > 1 else 'has'} "
                         "an empty name: give every column a header.")
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        key = str(column).strip()
        if key in seen:
            raise ValueError(f"{name}: the column name {key!r} appears twice (columns {seen[key]} "
                             f"and {position}): rename one of them.")
        seen[key] = position


def read_table(source: str | Path | bytes | BinaryIO, filename: str | None = None, *,
               sheet: str | int | None = None,
               delimiter: str | None = None,
               limits: ReadLimits | None = None) -> tuple[pd.DataFrame, str, list[str]]:
    """Read any supported file into a DataFrame: (frame, display name, notes).

    The format comes from the content (Parquet/xlsx/gzip signatures) and then the extension.
    Every file is held to `limits` (the defaults of ReadLimits when None) before its table is
    built: its bytes, inflation, rows, columns and cells.
    """
    limits = limits or ReadLimits()
    data, name = _source_bytes(source, filename)
    check_upload_size(name, len(data), limits)
    notes: list[str] = []
    lower = name.lower()
    if data[:2] == b"\x1f\x8b":
        data = _inflate_gzip(data, name, limits)
        lower = lower.removesuffix(".gz")
        if not data:
            raise ValueError(f"{name} decompresses to nothing (0 bytes).")
    if data[:4] == b"PAR1":
        frame = _read_parquet(data, name, limits)
    elif data[:4] == b"PK\x03\x04":
        frame, notes = _read_excel(data, name, sheet, limits)
    elif lower.endswith((".parquet", ".pq", ".xlsx", ".xlsm")):
        kind = "a Parquet" if lower.endswith((".parquet", ".pq")) else "an Excel (.xlsx)"
        raise ValueError(f"{name} is named like {kind} file but its content is not one: "
                         "upload the original file.")
    elif lower.endswith(".xls"):
        raise ValueError(f"{name} is an old Excel 97 (.xls) workbook: save it as .xlsx or CSV.")
    else:
        if delimiter is None and lower.endswith((".tsv", ".tab")):
            delimiter = "\t"
        frame = _read_text_table(data, name, delimiter, limits)
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise no_rows(name, list(frame.columns))
    return frame, name, notes


def check_upload_size(name: str, size: int, limits: ReadLimits) -> None:
    """Refuse an empty upload, or one of more than max_upload_mb."""
    if not size:
        raise ValueError(f"{name} is empty (0 bytes): upload the file again.")
    if size > limits.max_upload_mb * MB:
        raise refusal(name, "is", f"{size / MB:,.0f} MB", "max_upload_mb",
                      f"{limits.max_upload_mb:,} MB")


def no_rows(name: str, columns: Sequence[str]) -> ValueError:
    """The refusal of a table that has a header but no rows."""
    return ValueError(f"{name} has a header ({', '.join(map(str, columns[:6]))}) but no "
                      "rows: add the predictions below it.")
