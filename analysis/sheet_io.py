"""Export an error-analysis sheet to CSV / Excel and read it back.

Exports neutralise spreadsheet formulas (OWASP "CSV injection"): a text cell that begins with
= + - @, a tab or a carriage return gets a leading apostrophe so a spreadsheet shows it as text
instead of running it. Numbers stay numbers. Text that already begins with an apostrophe gets
one more, so reading the file back strips exactly one and returns the original text.
(In .xlsx a carriage return inside a cell comes back as a line feed: XML keeps no bare CR.)
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from analysis.error_sheet import infer_categories, validate_sheet
from analysis.limits import ReadLimits
from analysis.predictions import read_table

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


def neutralise_table(table: pd.DataFrame) -> pd.DataFrame:
    """neutralise_frame, and the column headers too: a header is a cell when exported, so a
    category or column typed as "=cmd" must not run either. For every table a user downloads."""
    frame = neutralise_frame(table)
    return frame.rename(columns={c: neutralise_cell(str(c)) for c in frame.columns})


def export_csv(sheet: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV bytes (with a byte-order mark so Excel reads accents), formulas
    neutralised: the error-analysis sheet, or a user's file with its new split column."""
    frame = neutralise_table(sheet)
    # CRLF rows (as Excel writes them) make the writer quote any cell holding a carriage return.
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def export_excel(sheet: pd.DataFrame) -> bytes:
    """The sheet as .xlsx bytes, formulas neutralised; numbers and ticks keep their types."""
    frame = neutralise_table(sheet)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=EXCEL_SHEET_NAME)
    return buffer.getvalue()


def read_sheet(source: str | Path | bytes | BinaryIO, filename: str | None = None, *,
               categories: list[str] | None = None,
               limits: ReadLimits | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read an exported (or hand-made) sheet from CSV or Excel: (sheet, categories).

    Undoes the export's formula neutralisation so the text round-trips. Category columns are
    the given `categories`, else every column holding only ticks (True/False, 1/0, x, empty)
    apart from the example's own columns.

    Raises ValueError naming the problem (empty, unreadable, over one of `limits`, a column
    that is not ticks).

    Examples
    --------
    >>> sheet = pd.DataFrame({"example_id": [7], "blurry": [True], "comments": ["=1+1"]})
    >>> back, names = read_sheet(export_csv(sheet), "sheet.csv")
    >>> back.loc[0, "comments"], names
    ('=1+1', ['blurry'])
    """
    frame, _, _ = read_table(source, filename, limits=limits)
    frame = frame.rename(columns={c: restore_cell(str(c)) for c in frame.columns})
    for column in frame.columns:
        if not (pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column])):
            frame[column] = frame[column].astype(object).map(restore_cell)
    names = list(categories) if categories is not None else infer_categories(frame)
    return validate_sheet(frame, names), names
