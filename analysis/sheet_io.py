"""Export an error-analysis sheet to CSV / Excel and read it back.

Exports neutralise spreadsheet formulas (OWASP "CSV injection"): a text cell that begins with
= + - @, a tab or a carriage return gets a leading apostrophe so a spreadsheet shows it as text
instead of running it. Numbers stay numbers. Text that already begins with an apostrophe gets
one more, so reading the file back strips exactly one and returns the original text.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from analysis.error_analysis import infer_categories, validate_sheet

#: First characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
EXCEL_SHEET_NAME = "error analysis"


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula; other values unchanged.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell(-3.5)
    -3.5
    """
    if isinstance(value, str) and value.startswith((*FORMULA_TRIGGERS, _QUOTE)):
        return _QUOTE + value
    return value


def restore_cell(value: object) -> object:
    """Undo neutralise_cell on a cell read back from an exported file."""
    if isinstance(value, str) and value.startswith(_QUOTE):
        return value[1:]
    return value


def neutralise_frame(sheet: pd.DataFrame) -> pd.DataFrame:
    """Copy of `sheet` with every text cell neutralised; numeric and boolean columns untouched."""
    frame = sheet.copy()
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        frame[column] = series.astype(object).map(neutralise_cell)
    return frame


def _rename_header(frame: pd.DataFrame) -> pd.DataFrame:
    # A column header is a cell too: a category typed as "=cmd" must not run either.
    return frame.rename(columns={c: neutralise_cell(str(c)) for c in frame.columns})


def export_csv(sheet: pd.DataFrame) -> bytes:
    """The sheet as UTF-8 CSV bytes (with a byte-order mark so Excel reads accents), formulas neutralised."""
    frame = _rename_header(neutralise_frame(sheet))
    return frame.to_csv(index=False).encode("utf-8-sig")


def export_excel(sheet: pd.DataFrame) -> bytes:
    """The sheet as .xlsx bytes, formulas neutralised; numbers and ticks keep their types."""
    frame = _rename_header(neutralise_frame(sheet))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=EXCEL_SHEET_NAME)
    return buffer.getvalue()


def _is_excel(data: bytes, filename: str | None) -> bool:
    if filename:
        return Path(filename).suffix.lower() in (".xlsx", ".xlsm", ".xls")
    return data[:4] == b"PK\x03\x04"  # .xlsx is a zip archive


def read_sheet(source: str | Path | bytes | BinaryIO, filename: str | None = None, *,
               categories: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read an exported (or hand-made) sheet from CSV or Excel: (sheet, categories).

    Undoes the export's formula neutralisation so the text round-trips. Category columns are
    the given `categories`, else every column holding only ticks (True/False, 1/0, x, empty)
    apart from the example's own columns.

    Raises ValueError naming the file problem (empty, unreadable, a column that is not ticks).
    """
    data, name = _read_bytes(source, filename)
    if not data.strip():
        raise ValueError(f"file {name or '(no name)'} is empty: export a sheet or pick another file.")
    try:
        if _is_excel(data, name):
            frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=object)
        else:
            frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=object,
                                keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise ValueError(f"file {name or ''} could not be read as CSV or Excel: {err}.") from None
    # A column where the export quoted a cell held text: it must not turn into numbers.
    quoted = [c for c in frame.columns
              if frame[c].map(lambda v: isinstance(v, str) and v.startswith(_QUOTE)).any()]
    frame = frame.map(restore_cell)
    frame = _numbers_back(frame, keep_text=quoted)
    frame = frame.rename(columns={c: restore_cell(str(c)) for c in frame.columns})
    names = list(categories) if categories is not None else infer_categories(frame)
    return validate_sheet(frame, names), names


def _numbers_back(frame: pd.DataFrame, *, keep_text: list[Any]) -> pd.DataFrame:
    """Turn columns that hold only numbers (read as text) back into numbers; text stays text."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column in keep_text:
            out[column] = values.astype(object).where(~values.isna(), "")
            continue
        text = values.astype(str).str.strip()
        blank = values.isna() | (text == "")
        if blank.all():
            continue
        numbers = pd.to_numeric(values.where(~blank, np.nan), errors="coerce")
        if numbers[~blank].notna().all() and not _looks_like_ticks(text[~blank]):
            out[column] = numbers
        else:
            out[column] = values.astype(object).where(~values.isna(), "")
    return out


def _looks_like_ticks(text: pd.Series) -> bool:
    # 0/1 in a category column stay as ticks; validate_sheet reads them.
    return bool(text.isin(["True", "False", "TRUE", "FALSE", "true", "false"]).all())


def _read_bytes(source: Any, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), filename
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise ValueError(f"file {str(path)!r} does not exist.")
        return path.read_bytes(), filename or path.name
    if hasattr(source, "read"):
        data = source.read()
        return (data.encode() if isinstance(data, str) else data), filename or getattr(source, "name", None)
    raise ValueError(f"source must be a path, bytes or an open file, got {type(source).__name__}.")
