"""Bound an .xlsx before openpyxl opens it: its unzipped size, its inflation, its sheets' extent.

Reading a sheet builds every row out to the last used column and down to the last used row, so
a 5 KB workbook with one value at XFD1048576 would need hundreds of GB. Here the zip's directory
and each worksheet's XML (streamed through expat, only the extent kept) are checked first.
"""

from __future__ import annotations

import io
import re
import xml.parsers.expat
import zipfile
import zlib

from analysis.limits import (
    BOMB_CHECK_BYTES,
    MB,
    ReadLimits,
    check_shape,
    refuse_inflated,
    refuse_ratio,
)

_CHUNK = 4 * MB  # sheet XML is streamed in pieces of this size
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")


def _cell_position(ref: str) -> tuple[int, int] | None:
    """'XFD1500' -> (1500, 16384): the row and column numbers of an A1-style reference."""
    match = _CELL_REF.search(ref)
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)), column


class _SheetExtent:
    """Streams a worksheet's XML and refuses it as soon as its cells pass the limits.

    Reading a sheet builds every row out to the sheet's last used column and down to its last
    used row, so one value at XFD1500 makes 16,384 x 1,500 cells: the extent of the cells that
    hold a value is what must fit. The <dimension> element (the used range the writer
    declares) is judged as soon as it is seen; when it is absent or understates the sheet, the
    cells themselves are.
    """

    def __init__(self, name: str, limits: ReadLimits) -> None:
        self.name, self.limits = name, limits
        self.row = self.column = self.last_row = self.last_column = 0
        self.cell: tuple[int, int] | None = None

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        """Expat's start-element handler (tags may carry a namespace prefix, x:c)."""
        local = tag.rpartition(":")[2]
        if local == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
        elif local == "c":
            position = _cell_position(attributes.get("r", ""))
            self.row, self.column = position or (self.row, self.column + 1)
            self.cell = (self.row, self.column)
        elif local in ("v", "is") and self.cell is not None:
            self._extend(*self.cell)
            self.cell = None
        elif local == "dimension":
            corner = _cell_position(attributes.get("ref", "").rpartition(":")[2])
            if corner is not None:
                self._check(*corner, f"declares a used range of {attributes['ref']}:")

    def _extend(self, row: int, column: int) -> None:
        if row > self.last_row or column > self.last_column:
            self.last_row, self.last_column = max(row, self.last_row), max(column, self.last_column)
            self._check(self.last_row, self.last_column, f"has a value in cell {_a1(row, column)}:")

    def _check(self, rows: int, columns: int, what: str) -> None:
        check_shape(f"{self.name} {what} the sheet", rows, columns, self.limits,
                     rows_word="rows", cells_key="max_excel_cells")


def _a1(row: int, column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"{letters}{row}"


def check_workbook(data: bytes, name: str, limits: ReadLimits) -> None:
    """Refuse an .xlsx whose unzipped parts or sheets pass the limits, before openpyxl opens it.

    The unzipped sizes come from the zip's directory (Python's zip reader never returns more
    than a member declares, so the declaration bounds what openpyxl can read); every worksheet
    is then streamed through expat with only its extent kept.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        return  # not a zip after all: openpyxl's refusal names the problem
    with archive:
        members = archive.infolist()
        inflated = sum(member.file_size for member in members)
        if inflated > limits.max_inflated_mb * MB:
            raise refuse_inflated(name, inflated, limits, "unzips to")
        for member in members:
            if (member.file_size > BOMB_CHECK_BYTES
                    and member.file_size > limits.max_ratio * member.compress_size):
                raise refuse_ratio(name, member.file_size, member.compress_size, limits)
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                _scan_sheet(archive, member, name, limits)


def _scan_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str,
                limits: ReadLimits) -> None:
    """Stream one worksheet through expat; _SheetExtent raises once it passes the limits."""
    extent = _SheetExtent(name, limits)
    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = extent.start
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (xml.parsers.expat.ExpatError, zipfile.BadZipFile, OSError, zlib.error,
            EOFError) as err:
        raise ValueError(f"{name} is not a readable .xlsx workbook ({member.filename}: {err}): "
                         "save it again from Excel as .xlsx, or as CSV.") from None
