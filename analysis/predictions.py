"""Read a model's predictions file (CSV, TSV, Parquet, Excel), find its columns, validate it.

Every page starts here. The reader decides once which column is the true label, the
prediction, the scores, the split, ...; the user may override any of it; then the values are
checked and normalised so that the rest of the package can do plain array arithmetic. Every
problem raises ValueError naming the column, the rows and what was expected.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
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
from analysis.validation import rows_preview
from analysis.xlsx_guard import check_workbook

TASKS = ("binary", "multiclass", "multilabel")
SPLITS = ("train", "train-dev", "dev", "test")
_CHUNK = 4 * MB  # gzip output is streamed in pieces of this size
_PARQUET_BATCH_ROWS = 1 << 16

_SPLIT_SYNONYMS = {
    "train": "train", "training": "train", "trn": "train",
    "train-dev": "train-dev", "train_dev": "train-dev", "traindev": "train-dev",
    "train dev": "train-dev", "training-dev": "train-dev", "training_dev": "train-dev",
    "dev": "dev", "development": "dev", "val": "dev", "valid": "dev", "validation": "dev",
    "test": "test", "testing": "test", "tst": "test", "holdout": "test",
}



def canonical_split(value: object) -> str | None:
    """The canonical split name ('train', 'train-dev', 'dev', 'test') of a name found in a file
    ('Validation', 'train_dev', 'holdout'), or None when it is not a split name."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return _SPLIT_SYNONYMS.get(re.sub(r"\s+", " ", str(value).strip().lower()))


# Column names the detector recognises for each single-column role, in order of preference.
_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "y_true": ("y_true", "true_label", "label", "labels", "target", "truth", "ground_truth",
               "actual", "gold", "y", "true", "class", "true_class"),
    "y_pred": ("y_pred", "predicted_label", "pred_label", "prediction", "predicted", "pred",
               "y_hat", "yhat", "predicted_class", "pred_class"),
    "split": ("split", "subset", "partition", "set", "dataset", "fold", "data_split"),
    "weight": ("weight", "sample_weight", "weights", "w", "cost"),
    "example_id": ("example_id", "id", "image_id", "uid", "row_id", "key", "sample_id", "item_id"),
    "image": ("image_path", "image", "image_url", "img", "path", "file", "filename", "url",
              "filepath"),
}
_SCORE_NAMES = ("score", "scores", "y_score", "y_prob", "prob", "proba", "probability",
                "p", "confidence", "p_1", "prob_1", "proba_1", "p_positive", "score_1")
_SCORE_PREFIXES = ("score_", "prob_", "proba_", "p_", "probability_")
_SCORE_SUFFIXES = ("_score", "_prob", "_proba", "_probability")
_TRUTH_PREFIXES = ("y_", "true_", "label_", "gt_")
_POSITIVE_WORDS = ("1", "true", "yes", "y", "positive", "pos")
_NEGATIVE_PREFIXES = ("not", "non", "no_", "no-", "no ")
_MISSING_LABELS = ("", "?", "nan", "na", "n/a", "none", "null", "missing")
_MAX_GROUP_VALUES = 50
_TEXT_WORDS = ("description", "comment", "caption", "note", "text", "remark", "transcript")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file plays which role; the user may override every field."""

    task: str
    y_true: str | None = None
    y_pred: str | None = None
    scores: tuple[str, ...] = ()
    proba: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    positive_label: str | None = None
    split: str | None = None
    weight: str | None = None
    example_id: str | None = None
    image: str | None = None
    groups: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    task_labels: tuple[str, ...] = ()
    task_scores: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        """Rebuild a mapping saved with to_dict (unknown keys are ignored)."""
        known = {f.name: f for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}
        return cls(**values)

    def roles(self) -> dict[str, str]:
        """Column -> role description, for showing the user what was understood."""
        described: dict[str, str] = {}
        for role in ("y_true", "y_pred", "split", "weight", "example_id", "image"):
            column = getattr(self, role)
            if column:
                described[column] = role
        for role in ("scores", "proba", "groups", "text", "task_labels", "task_scores"):
            for column in getattr(self, role):
                described[column] = role
        return described


@dataclass(frozen=True)
class Predictions:
    """A validated predictions table: the frame (original column names), its mapping, notes."""

    frame: pd.DataFrame
    mapping: ColumnMapping
    name: str = "predictions"
    notes: tuple[str, ...] = field(default=())

    @property
    def n_rows(self) -> int:
        """Number of examples."""
        return len(self.frame)

    @property
    def task(self) -> str:
        """'binary', 'multiclass' or 'multilabel'."""
        return self.mapping.task

    def y_true(self) -> np.ndarray:
        """True labels: int8 0/1 for binary, str for multiclass, (n, tasks) float for multilabel."""
        if self.task == "multilabel":
            return self.frame[list(self.mapping.task_labels)].to_numpy(dtype=float)
        return self.frame[self.mapping.y_true].to_numpy()

    def score(self, model: str | None = None) -> np.ndarray | None:
        """P(positive) of one model (the first score column unless `model` names another)."""
        if not self.mapping.scores:
            return None
        column = model or self.mapping.scores[0]
        if column not in self.mapping.scores:
            raise ValueError(f"model {column!r} is not a score column; choose one of "
                             f"{', '.join(self.mapping.scores)}.")
        return self.frame[column].to_numpy(dtype=float)

    def y_pred(self, threshold: float = 0.5, model: str | None = None) -> np.ndarray:
        """Predicted labels. Binary with scores: score >= threshold (so the threshold slider
        governs); otherwise the predicted-label column, else the most probable class."""
        if self.task == "binary" and self.mapping.scores:
            return (self.score(model) >= threshold).astype(np.int8)
        if self.mapping.y_pred:
            return self.frame[self.mapping.y_pred].to_numpy()
        if self.task == "multiclass" and self.mapping.proba:
            probabilities = self.frame[list(self.mapping.proba)].to_numpy(dtype=float)
            return np.asarray(self.mapping.classes, dtype=object)[probabilities.argmax(axis=1)]
        raise ValueError(f"{self.name} has neither predicted labels nor scores to predict from.")

    def splits(self) -> list[str]:
        """Canonical split names present, in train -> test order."""
        if not self.mapping.split:
            return []
        present = set(self.frame[self.mapping.split].unique())
        return [s for s in SPLITS if s in present]

    def subset(self, split: str) -> Predictions:
        """The rows of one split, as Predictions of their own."""
        if not self.mapping.split:
            raise ValueError("This file has no split column: map one to look at a single split.")
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}; got {split!r}.")
        rows = self.frame[self.frame[self.mapping.split] == split].reset_index(drop=True)
        return replace(self, frame=rows, name=f"{self.name} [{split}]")


# Reading bytes into a DataFrame --------------------------------------------------------------


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


def _inflate_gzip(data: bytes, name: str, limits: ReadLimits) -> bytes:
    """Decompress a .gz upload piece by piece, refusing a bomb before it fills the memory.

    Refused: more than max_inflated_mb, or (past the first BOMB_CHECK_BYTES) an inflation ratio
    above max_ratio, which real CSV never reaches (numbers compress about 3-10x) but a bomb
    always does, so a 3 MB bomb stops after ~16 MB instead of gigabytes. The pieces go into one
    growing buffer, never a list joined at the end (which would hold the table twice).
    """
    raw, inflated = io.BytesIO(data), io.BytesIO()
    cap = limits.max_inflated_mb * MB
    try:
        with gzip.GzipFile(fileobj=raw) as stream:
            while chunk := stream.read(_CHUNK):
                inflated.write(chunk)
                size = inflated.tell()
                if size > cap:
                    raise refuse_inflated(name, size, limits, "inflates to")
                if size > BOMB_CHECK_BYTES and size > limits.max_ratio * raw.tell():
                    raise refuse_ratio(name, size, raw.tell(), limits)
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{name} is not a valid gzip file ({err}): re-compress it or upload "
                         "the CSV itself.") from None
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
    head = data[:65536]
    if b"\x00" in head:
        raise ValueError(f"{name} is not a text table (it holds binary data): upload a CSV, TSV, "
                         "Parquet or Excel file.")
    _check_utf8(data, name)
    return data


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
    """Parse CSV/TSV bytes with pyarrow (multi-threaded, no row-by-row Python).

    The shape is bounded before pyarrow builds anything: the header gives the columns and the
    line count bounds the rows (a quoted value may span lines, so a table has at most as many
    rows as lines).
    """
    data = _decode_text(data, name)
    if not data[:65536].strip() and not data.strip():
        raise ValueError(f"{name} is empty: it has no header and no rows.")
    delimiter = delimiter or _sniff_delimiter(data, name)
    head = io.StringIO(data[:65536].decode("utf-8", errors="ignore"), newline="")
    try:
        header = next(csv.reader(head, delimiter=delimiter), [])
    except csv.Error as err:  # e.g. a lone carriage return inside the first line
        raise ValueError(f"{name}: the header line cannot be read as CSV ({err}): save the "
                         "file again as CSV.") from None
    _check_header([h.strip() for h in header], name)
    lines = max(data.count(b"\n"), data.count(b"\r")) + (not data.endswith((b"\n", b"\r")))
    check_shape(name, lines - 1, len(header), limits, rows_word="lines below its header")
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
    if not data:
        raise ValueError(f"{name} is empty (0 bytes): upload the file again.")
    if len(data) > limits.max_upload_mb * MB:
        raise refusal(name, "is", f"{len(data) / MB:,.0f} MB", "max_upload_mb",
                      f"{limits.max_upload_mb:,} MB")
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
        raise ValueError(f"{name} has a header ({', '.join(map(str, frame.columns[:6]))}) but no "
                         "rows: add the predictions below it.")
    return frame, name, notes


# Detecting the roles of columns --------------------------------------------------------------


def _normal(column: str) -> str:
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def _find_named(columns: Sequence[str], names: Sequence[str], taken: set[str]) -> str | None:
    by_normal = {_normal(c): c for c in columns if c not in taken}
    for candidate in names:
        if candidate in by_normal:
            return by_normal[candidate]
    return None


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _score_like(column: str) -> bool:
    key = _normal(column)
    return (key in _SCORE_NAMES or key.startswith(_SCORE_PREFIXES)
            or key.endswith(_SCORE_SUFFIXES))


def _strip_affixes(key: str, prefixes: Sequence[str], suffixes: Sequence[str] = ()) -> str | None:
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):]
    for suffix in suffixes:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return None


def _detect_multilabel(frame: pd.DataFrame) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pairs (truth column, score column) such as y_car / p_car, when there are two or more."""
    by_task_score: dict[str, str] = {}
    for column in frame.columns:
        task = _strip_affixes(_normal(column), (*_SCORE_PREFIXES, "pred_"),
                              (*_SCORE_SUFFIXES, "_pred"))
        if task and _is_numeric(frame[column]):
            by_task_score.setdefault(task, column)
    labels, scores = [], []
    for column in frame.columns:
        key = _normal(column)
        if key in ("y_true", "y_pred", "y_score", "y_prob"):
            continue
        task = _strip_affixes(key, _TRUTH_PREFIXES)
        if task and task in by_task_score and by_task_score[task] != column:
            labels.append(column)
            scores.append(by_task_score[task])
    if len(labels) >= 2:
        return tuple(labels), tuple(scores)
    return (), ()


def _label_texts(uniques: Any) -> np.ndarray:
    """Distinct raw values as label text: 1.0 -> '1', True -> 'True', ' cat ' -> 'cat'."""
    values = pd.Series(uniques)
    if (pd.api.types.is_float_dtype(values) and (values.abs() < 2**53).all()
            and (values == np.round(values)).all()):
        texts = [str(int(v)) for v in values]
    else:
        texts = [str(v).strip() for v in values]
    return np.asarray(texts, dtype=object)


def _label_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels): sorted distinct label texts and each row's index into them (-1: empty).

    Works on the distinct values only, so a 5M-row column costs one factorize, not 5M Python
    calls. Raw values giving the same text (1 and 1.0, 'cat' and ' cat') share one code.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = _label_texts(uniques)
    if not len(texts):
        return codes.astype(np.int64), texts
    labels, inverse = np.unique(texts, return_inverse=True)
    codes = np.where(codes >= 0, inverse[np.maximum(codes, 0)], -1)
    if "" in set(labels):  # a cell of spaces is an empty cell
        blank = int(np.flatnonzero(labels == "")[0])
        codes = np.where(codes == blank, -1, codes)
        codes = np.where(codes > blank, codes - 1, codes)
        labels = np.delete(labels, blank)
    return codes, labels


def _distinct_labels(values: pd.Series) -> list[str]:
    """The label texts present in a column, sorted (empty cells left out)."""
    codes, labels = _label_codes(values)
    present = np.zeros(len(labels), dtype=bool)
    present[codes[codes >= 0]] = True
    return [str(v) for v in labels[present]]


def _take_labels(codes: np.ndarray, labels: np.ndarray, index: pd.Index) -> pd.Series:
    texts = pd.array([*labels, None], dtype="str")
    return pd.Series(texts.take(np.where(codes >= 0, codes, len(labels))), index=index)


def _detect_proba(frame: pd.DataFrame, classes: Sequence[str], taken: set[str]) -> tuple[str, ...]:
    """Per-class probability columns named p_<class>, prob_<class>, <class>_score, ..."""
    wanted = {_normal(str(c)): str(c) for c in classes}
    found: dict[str, str] = {}
    for column in frame.columns:
        if column in taken or not _is_numeric(frame[column]):
            continue
        cls = _strip_affixes(_normal(column), _SCORE_PREFIXES, _SCORE_SUFFIXES)
        if cls in wanted:
            found.setdefault(wanted[cls], column)
    if found and len(found) == len(wanted):
        return tuple(found[str(c)] for c in classes)
    return ()


def detect_columns(frame: pd.DataFrame) -> ColumnMapping:
    """Guess the role of each column from its name and content; the user may override it."""
    columns = list(frame.columns)
    taken: set[str] = set()
    found: dict[str, Any] = {}
    task_labels, task_scores = _detect_multilabel(frame)
    if task_labels:
        found.update(task="multilabel", task_labels=task_labels, task_scores=task_scores)
        taken.update(task_labels + task_scores)
    for role in ("y_true", "y_pred", "split", "weight", "example_id", "image"):
        if role in ("y_true", "y_pred") and task_labels:
            continue
        column = _find_named(columns, _ROLE_NAMES[role], taken)
        if role == "weight" and column and not _is_numeric(frame[column]):
            column = None
        if column:
            found[role] = column
            taken.add(column)
    if not task_labels:
        distinct = _distinct_labels(frame[found["y_true"]]) if "y_true" in found else []
        proba = _detect_proba(frame, distinct, taken) if len(distinct) > 2 else ()
        if proba:
            found.update(proba=proba, classes=tuple(distinct))
            taken.update(proba)
        else:
            # By name only: a score column holding text is reported by validation, not ignored.
            scores = tuple(c for c in columns if c not in taken and _score_like(c))
            found["scores"] = scores
            taken.update(scores)
    groups, text = [], []
    for column in columns:
        if column in taken:
            continue
        series = frame[column]
        if _is_numeric(series):
            continue
        distinct_count = series.nunique(dropna=True)
        if any(word in _normal(column) for word in _TEXT_WORDS):
            text.append(column)
        elif 2 <= distinct_count <= min(_MAX_GROUP_VALUES, max(2, len(frame) // 2)):
            groups.append(column)
        elif distinct_count > 1:
            text.append(column)
    found["groups"], found["text"] = tuple(groups), tuple(text)
    found.setdefault("task", "binary")
    return ColumnMapping(**found)


# Validating and normalising -------------------------------------------------------------------


def _require_columns(frame: pd.DataFrame, mapping: ColumnMapping, name: str) -> None:
    """Every mapped column must exist in the file."""
    listed = list(mapping.roles())
    missing = [c for c in listed if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column {missing[0]!r} (mapped as {mapping.roles()[missing[0]]}); "
                         f"its columns are {', '.join(map(repr, frame.columns[:12]))}.")


def _check_scores(frame: pd.DataFrame, column: str, what: str) -> None:
    """Scores are finite probabilities in [0, 1]; logits must be squashed first."""
    series = frame[column]
    if not _is_numeric(series):
        numbers = pd.to_numeric(series, errors="coerce")
        bad = np.flatnonzero(numbers.isna() & series.notna())
        if len(bad):
            shown = series.iloc[bad[:3]].tolist()
            examples = ", ".join(repr(v) for v in shown)
            hint = ""
            if all(re.fullmatch(r"-?\d*,\d+", str(v).strip()) for v in shown):
                hint = (" They look like numbers with a decimal comma: export the file with a "
                        "point as the decimal separator (0.9, not 0,9).")
            raise ValueError(f"{what} column {column!r} has {len(bad)} values that are not numbers: "
                             f"{examples} ({rows_preview(bad)}).{hint}")
        frame[column] = series = numbers
    values = series.to_numpy(dtype=float)
    missing = np.flatnonzero(~np.isfinite(values))
    if len(missing):
        kind = "empty/NaN" if np.isnan(values[missing[0]]) else "infinite"
        raise ValueError(f"{what} column {column!r} has {len(missing)} {kind} or non-finite values "
                         f"({rows_preview(missing)}): fill or drop those rows.")
    outside = np.flatnonzero((values < 0) | (values > 1))
    if len(outside):
        raise ValueError(
            f"{what} column {column!r} has {len(outside)} values outside [0, 1] (e.g. "
            f"{values[outside[0]]:g}, {rows_preview(outside)}): scores must be probabilities; "
            "if these are logits, apply a sigmoid (or softmax) first.")
    frame[column] = values


def _check_labels_present(frame: pd.DataFrame, column: str,
                          what: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels) of a label column that must have a label in every row."""
    codes, labels = _label_codes(frame[column])
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        raise ValueError(f"{what} column {column!r} has {len(missing)} empty cells "
                         f"({rows_preview(missing)}): every example needs a label.")
    return codes, labels


def _choose_positive(values: Sequence[str], true_counts: Mapping[str, int],
                     positive_label: str | None) -> tuple[str, list[str]]:
    """Pick the positive class of a binary problem, and a note when it was a guess.

    1 / true / yes / positive win; else the label that is not "not x" / "non-x"; else the
    rarer class (the usual convention: positives are what we look for).
    """
    distinct = sorted(set(values))
    if positive_label is not None:
        if str(positive_label) not in distinct:
            raise ValueError(f"positive_label {positive_label!r} is not among the labels "
                             f"{', '.join(map(repr, distinct))}.")
        return str(positive_label), _one_class_note(distinct)
    for value in distinct:
        if value.lower() in _POSITIVE_WORDS:
            return value, _one_class_note(distinct)
    negatives = [v for v in distinct if v.lower().startswith(_NEGATIVE_PREFIXES)]
    if len(distinct) == 2 and len(negatives) == 1:
        return next(v for v in distinct if v != negatives[0]), []
    if len(distinct) == 1:
        if distinct[0].lower() in ("0", "false", "no", "n", "negative", "neg"):
            return "1", _one_class_note(distinct)
        return distinct[0], [*_one_class_note(distinct), f"{distinct[0]!r} is taken as positive."]
    if len(true_counts) == 2:
        chosen = min(sorted(true_counts), key=lambda label: true_counts[label])
    else:
        chosen = distinct[-1]
    return chosen, [f"Positive class taken as {chosen!r} (the rarer one); choose another in the "
                    "column mapping if that is wrong."]


def _one_class_note(distinct: Sequence[str]) -> list[str]:
    if len(distinct) != 1:
        return []
    return [f"Only the label {distinct[0]!r} appears (one class only): error and accuracy are "
            "defined, but precision, recall and ROC need both classes."]


def _normalise_binary(frame: pd.DataFrame, mapping: ColumnMapping, name: str,
                      positive_label: str | None) -> tuple[ColumnMapping, list[str]]:
    true_codes, true_labels = _check_labels_present(frame, mapping.y_true, "true-label")
    seen = set(true_labels)
    if mapping.y_pred:
        pred_codes, pred_labels = _check_labels_present(frame, mapping.y_pred, "predicted-label")
        seen |= set(pred_labels)
    if len(seen) > 2:
        shown = ", ".join(map(repr, sorted(seen)[:6]))
        raise ValueError(f"labels in {mapping.y_true!r}"
                         f"{' and ' + repr(mapping.y_pred) if mapping.y_pred else ''} are not binary: "
                         f"{len(seen)} different values ({shown}). Choose the multiclass task, or "
                         "map a 0/1 column.")
    counts = np.bincount(true_codes, minlength=len(true_labels))
    true_counts = {str(label): int(n) for label, n in zip(true_labels, counts, strict=True)}
    positive, notes = _choose_positive(sorted(seen), true_counts, positive_label)
    negative = next((v for v in sorted(seen) if v != positive), f"not {positive}")
    frame[mapping.y_true] = _is_label(true_codes, true_labels, positive)
    if mapping.y_pred:
        frame[mapping.y_pred] = _is_label(pred_codes, pred_labels, positive)
    for column in mapping.scores:
        _check_scores(frame, column, "score")
    if not mapping.scores and not mapping.y_pred:
        raise ValueError(f"{name} has no predicted-label or score column: map the column holding "
                         "the model's prediction (a label or a probability).")
    return replace(mapping, positive_label=positive, classes=(negative, positive)), notes


def _is_label(codes: np.ndarray, labels: np.ndarray, label: str) -> np.ndarray:
    """int8 0/1: which rows hold `label`."""
    hits = np.flatnonzero(labels == label)
    return (codes == hits[0]).astype(np.int8) if len(hits) else np.zeros(len(codes), np.int8)


def _normalise_multiclass(frame: pd.DataFrame, mapping: ColumnMapping,
                          name: str) -> tuple[ColumnMapping, list[str]]:
    notes: list[str] = []
    true_codes, true_labels = _check_labels_present(frame, mapping.y_true, "true-label")
    frame[mapping.y_true] = _take_labels(true_codes, true_labels, frame.index)
    classes = list(mapping.classes) or sorted(map(str, true_labels))
    if mapping.y_pred:
        pred_codes, pred_labels = _check_labels_present(frame, mapping.y_pred, "predicted-label")
        frame[mapping.y_pred] = _take_labels(pred_codes, pred_labels, frame.index)
        classes = sorted(set(classes) | set(map(str, pred_labels)))
    if mapping.proba:
        if len(mapping.proba) != len(mapping.classes):
            raise ValueError(f"{len(mapping.proba)} probability columns are mapped for "
                             f"{len(mapping.classes)} classes: map one column per class.")
        for column in mapping.proba:
            _check_scores(frame, column, "probability")
        sums = frame[list(mapping.proba)].to_numpy(dtype=float).sum(axis=1)
        off = np.flatnonzero(np.abs(sums - 1) > 1e-3)
        if len(off):
            notes.append(f"Class probabilities do not sum to 1 in {len(off)} rows "
                         f"({rows_preview(off)}); they are used as given.")
        classes = list(mapping.classes) + [c for c in classes if c not in mapping.classes]
    elif not mapping.y_pred:
        raise ValueError(f"{name} has no predicted-label column and no per-class probability "
                         "columns: map one of them.")
    if len(classes) < 2:
        notes.append("Only one class appears in the file.")
    return replace(mapping, classes=tuple(map(str, classes))), notes


def _normalise_multilabel(frame: pd.DataFrame, mapping: ColumnMapping,
                          name: str) -> tuple[ColumnMapping, list[str]]:
    if not mapping.task_labels:
        raise ValueError(f"{name}: a multi-label file needs one 0/1 column per task (e.g. y_car) "
                         "and a score column for each (e.g. p_car).")
    if len(mapping.task_labels) != len(mapping.task_scores):
        raise ValueError(f"{len(mapping.task_labels)} task label columns but "
                         f"{len(mapping.task_scores)} task score columns: map one score per task.")
    notes: list[str] = []
    for label_column, score_column in zip(mapping.task_labels, mapping.task_scores, strict=True):
        codes, labels = _label_codes(frame[label_column])
        # Per distinct value: 0/1 as a number, NaN for a missing label, -1 for anything else.
        per_label = np.array([np.nan if text.lower() in _MISSING_LABELS
                              else {"0": 0.0, "1": 1.0}.get(text, -1.0)
                              for text in labels] + [np.nan])
        numbers = pd.Series(per_label[np.where(codes >= 0, codes, len(labels))], index=frame.index)
        missing = numbers.isna()
        bad = np.flatnonzero((numbers == -1).to_numpy())
        if len(bad):
            examples = ", ".join(repr(v) for v in frame[label_column].iloc[bad[:3]].tolist())
            raise ValueError(f"task column {label_column!r} has {len(bad)} values that are not "
                             f"0, 1 or empty (missing): {examples} ({rows_preview(bad)}).")
        frame[label_column] = numbers.astype(float).to_numpy()
        if missing.any():
            notes.append(f"{label_column}: {int(missing.sum())} missing labels are left out of "
                         "that task's metrics.")
        _check_scores(frame, score_column, "task score")
    return mapping, notes


def _normalise_split(frame: pd.DataFrame, column: str) -> None:
    codes, labels = _label_codes(frame[column])
    canonical = [canonical_split(label) for label in labels]
    known = np.array([c is not None for c in canonical] + [False])
    unknown = np.flatnonzero(~known[np.where(codes >= 0, codes, len(labels))])
    if len(unknown):
        values = list(dict.fromkeys(frame[column].iloc[unknown[:1000]].tolist()))[:4]
        shown = ", ".join("an empty cell" if pd.isna(v) else repr(v) for v in values)
        raise ValueError(f"split column {column!r} has values the app does not know: "
                         f"{shown} ({rows_preview(unknown)}); use train, "
                         "train-dev, dev or test (synonyms like validation and holdout work too).")
    frame[column] = _take_labels(codes, np.asarray(canonical, dtype=object), frame.index)


def _normalise_weight(frame: pd.DataFrame, column: str) -> None:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if len(bad):
        raise ValueError(f"weight column {column!r} has {len(bad)} values that are empty, "
                         f"negative or not numbers ({rows_preview(bad)}): weights must be 0 or more.")
    frame[column] = values


def _apply_overrides(detected: ColumnMapping, overrides: Mapping[str, Any],
                     task: str | None) -> ColumnMapping:
    known = {f.name for f in fields(ColumnMapping)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown mapping option {unknown[0]!r}; the roles are "
                         f"{', '.join(sorted(known - {'task', 'classes', 'positive_label'}))}.")
    values = {}
    for key, value in overrides.items():
        if key in ("scores", "proba", "groups", "text", "task_labels", "task_scores", "classes"):
            value = () if value is None else ((value,) if isinstance(value, str) else tuple(value))
        values[key] = value
    mapping = replace(detected, **values)
    if task is not None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}.")
        mapping = replace(mapping, task=task)
    return mapping


def _infer_task(frame: pd.DataFrame, mapping: ColumnMapping) -> str:
    if mapping.task == "multilabel" or not mapping.y_true:
        return mapping.task
    if mapping.proba:
        return "multiclass"
    labels = set(_distinct_labels(frame[mapping.y_true]))
    if mapping.y_pred:
        labels |= set(_distinct_labels(frame[mapping.y_pred]))
    return "binary" if len(labels) <= 2 else "multiclass"


def validate_predictions(frame: pd.DataFrame, mapping: ColumnMapping, *, name: str = "the file",
                         positive_label: str | None = None) -> Predictions:
    """Check `frame` against `mapping` and return normalised Predictions (frame is copied)."""
    frame = frame.copy(deep=False)  # copy-on-write: replaced columns never reach the caller
    if mapping.task != "multilabel" and not mapping.y_true:
        raise ValueError(f"{name}: no true-label column was found; map the column that holds "
                         "the correct answer (e.g. 'y_true' or 'label').")
    _require_columns(frame, mapping, name)
    if mapping.task == "binary":
        mapping, notes = _normalise_binary(frame, mapping, name, positive_label)
    elif mapping.task == "multiclass":
        mapping, notes = _normalise_multiclass(frame, mapping, name)
    else:
        mapping, notes = _normalise_multilabel(frame, mapping, name)
    if mapping.split:
        _normalise_split(frame, mapping.split)
    if mapping.weight:
        _normalise_weight(frame, mapping.weight)
    if mapping.example_id and frame[mapping.example_id].duplicated().any():
        dupes = np.flatnonzero(frame[mapping.example_id].duplicated().to_numpy())
        notes.append(f"example ids in {mapping.example_id!r} repeat ({len(dupes)} duplicates, "
                     f"{rows_preview(dupes)}); rows are kept as separate examples.")
    if len(frame) == 1:
        notes.append("The file has a single row: every figure from it is a guess.")
    return Predictions(frame=frame, mapping=mapping, name=name, notes=tuple(notes))


def suggest_mapping(frame: pd.DataFrame, *, name: str = "the file", task: str | None = None,
                    **mapping: Any) -> ColumnMapping:
    """The mapping read_predictions would use: detected roles, the task inferred from the
    labels, per-class probability columns found; `mapping` overrides roles as there.

    Raises ValueError when no mapping can work: text labels of several classes whose only
    prediction is one binary score column.

    Examples
    --------
    >>> frame = pd.DataFrame({"y_true": ["cat", "dog", "bird"], "y_pred": ["cat", "dog", "cat"]})
    >>> suggest_mapping(frame).task
    'multiclass'
    """
    chosen = _apply_overrides(detect_columns(frame), mapping, None)
    _require_columns(frame, chosen, name)
    if task is None:
        chosen = replace(chosen, task=_infer_task(frame, chosen))
    else:
        chosen = _apply_overrides(chosen, {}, task)
    if chosen.task == "multiclass" and not chosen.proba and chosen.y_true and "proba" not in mapping:
        labels = _distinct_labels(frame[chosen.y_true])
        proba = _detect_proba(frame, labels, set(chosen.roles()) - set(chosen.scores))
        if proba:
            chosen = replace(chosen, proba=proba, classes=tuple(labels), scores=())
    if chosen.task == "multiclass" and chosen.scores and "scores" not in mapping:
        if not chosen.y_pred and not chosen.proba and task is None:
            labels = _distinct_labels(frame[chosen.y_true])
            raise ValueError(
                f"labels in {chosen.y_true!r} are not binary: {len(labels)} different values "
                f"({', '.join(map(repr, labels[:6]))}), but the only prediction is the score "
                f"column {chosen.scores[0]!r} (one probability per row). Fix the labels to two "
                "values (e.g. 0/1), or add one probability column per class (p_<class>).")
        chosen = replace(chosen, scores=())
    return chosen


def read_predictions(source: str | Path | bytes | BinaryIO, filename: str | None = None, *,
                     task: str | None = None, positive_label: str | None = None,
                     sheet: str | int | None = None, limits: ReadLimits | None = None,
                     **mapping: Any) -> Predictions:
    """Read, detect and validate a predictions file.

    Parameters
    ----------
    source : path, bytes or file-like
        The file: CSV/TSV (optionally gzipped), Parquet, or Excel .xlsx.
    filename : str, optional
        Display name (and format hint) when `source` is bytes.
    task : {"binary", "multiclass", "multilabel"}, optional
        Forces the task; by default it is inferred from the labels.
    positive_label : str, optional
        The positive class of a binary problem whose labels are not 0/1.
    sheet : str or int, optional
        The Excel sheet to read (default: the first non-empty one).
    limits : ReadLimits, optional
        The most the file may hold (bytes, rows, columns, cells, inflation); the defaults
        when None.
    **mapping
        Overrides of the detected roles, by ColumnMapping field: y_true="label",
        scores=["model_a", "model_b"], split=None (to unset), ...

    Returns
    -------
    Predictions
        The normalised frame, the final mapping and notes for the user.

    Raises
    ------
    ValueError
        With a message that names the column, the rows and what was expected.

    Examples
    --------
    >>> p = read_predictions(b"y_true,score\\n1,0.9\\n0,0.2\\n1,0.4\\n", "demo.csv")
    >>> p.mapping.task, p.mapping.scores, p.y_pred().tolist()
    ('binary', ('score',), [1, 0, 0])
    """
    frame, name, notes = read_table(source, filename, sheet=sheet, limits=limits)
    chosen = suggest_mapping(frame, name=name, task=task, **mapping)
    result = validate_predictions(frame, chosen, name=name, positive_label=positive_label)
    return replace(result, notes=tuple(notes) + result.notes)


def predictions_to_parquet(predictions: Predictions) -> bytes:
    """Serialise the normalised frame (for the workspace store)."""
    sink = io.BytesIO()
    predictions.frame.to_parquet(sink, index=False)
    return sink.getvalue()


def predictions_from_parquet(data: bytes | BinaryIO, mapping: Mapping[str, Any], name: str,
                             notes: Sequence[str] = ()) -> Predictions:
    """Rebuild Predictions saved with predictions_to_parquet (already validated); `data` is
    the bytes or a binary file opened on them (read as a stream)."""
    frame = pd.read_parquet(io.BytesIO(data) if isinstance(data, bytes | bytearray) else data)
    return Predictions(frame=frame, mapping=ColumnMapping.from_dict(mapping), name=name,
                       notes=tuple(notes))
