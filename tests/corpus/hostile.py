"""Small files that would make the reader build something huge, built at test time.

Each is a few KB to a few MB on disk and, read naively, grows the server by hundreds of MB to
hundreds of GB: an .xlsx with one value at the sheet's far corner, an .xlsx whose zip claims
gigabytes, Parquet of tens of millions of constant rows, text that decodes to gigabytes, a gzip
bomb, CSV with too many columns or rows. Shared by the unit tests of the limits and the
browser test that uploads them.
"""

from __future__ import annotations

import io
import struct
import zipfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tests.corpus.make_corpus import gzip_bomb

_STAMP = (2026, 1, 1, 0, 0, 0)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet_xml(far_cell: str | None, dimension: str | None) -> str:
    """A predictions sheet (y_true, score; four rows) plus, optionally, one value far away."""
    rows = [f'<row r="1">{_text_cell("A1", "y_true")}{_text_cell("B1", "score")}</row>']
    for row, (label, score) in enumerate([(1, 0.9), (0, 0.2), (1, 0.6), (0, 0.4)], start=2):
        rows.append(f'<row r="{row}"><c r="A{row}"><v>{label}</v></c>'
                    f'<c r="B{row}"><v>{score}</v></c></row>')
    if far_cell is not None:
        row = "".join(ch for ch in far_cell if ch.isdigit())
        rows.append(f'<row r="{row}"><c r="{far_cell}"><v>1</v></c></row>')
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{declared}<sheetData>{"".join(rows)}</sheetData></worksheet>')


def xlsx_far_cell(far_cell: str | None = "XFD1500", *, dimension: str | None = "same",
                  extra: dict[str, bytes] | None = None) -> bytes:
    """A valid .xlsx of a few KB: a small table plus one value at `far_cell`.

    `dimension` is the used range the sheet declares: "same" (A1 to the far cell, as Excel
    writes it), None (absent) or a range of its own (a lie such as "A1:B5").
    """
    if dimension == "same":
        dimension = f"A1:{far_cell or 'B5'}"
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        parts = {"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _ROOT_RELS,
                 "xl/workbook.xml": _WORKBOOK, "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
                 "xl/worksheets/sheet1.xml": _sheet_xml(far_cell, dimension), **(extra or {})}
        for part, content in parts.items():
            archive.writestr(zipfile.ZipInfo(part, _STAMP), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return sink.getvalue()


def xlsx_claiming(member_bytes: int = 4_000_000_000) -> bytes:
    """A small valid .xlsx whose sheet's zip entry claims `member_bytes` once unzipped.

    The size fields of the local header and of the central directory are both rewritten, as a
    hand-made archive would carry them.
    """
    data = bytearray(xlsx_far_cell(None))
    part = b"xl/worksheets/sheet1.xml"
    local = data.index(b"PK\x03\x04" + data[4:8])  # first local header
    while data[local + 30:local + 30 + len(part)] != part:
        local = data.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", data, local + 22, member_bytes)
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(part)] != part:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, member_bytes)
    return bytes(data)


def xlsx_strings_bomb(inflated: int = 32 * 1024**2) -> bytes:
    """A valid .xlsx carrying a shared-strings part of `inflated` bytes of blanks (~1000:1)."""
    blanks = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/' \
             b'spreadsheetml/2006/main">' + b" " * inflated + b"</sst>"
    return xlsx_far_cell(None, extra={"xl/sharedStrings.xml": blanks})


def parquet_constant_rows(n_rows: int = 40_000_000, columns: int = 4) -> bytes:
    """Parquet of `n_rows` rows of int64 zeros: a few hundred KB for 40M rows (1.3 GB read)."""
    chunk = 1_000_000
    block = pa.table({f"c{i}": np.zeros(chunk, dtype=np.int64) for i in range(columns)})
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, block.schema, compression="zstd") as writer:
        for start in range(0, n_rows, chunk):
            writer.write_table(block.slice(0, min(chunk, n_rows - start)),
                               row_group_size=chunk)
    return sink.getvalue()


def parquet_text_bomb(n_rows: int = 600_000, text_bytes: int = 1024) -> bytes:
    """Parquet of one `text_bytes`-long label repeated `n_rows` times (dictionary-encoded, a few
    KB on disk; 600 MB once decoded with the defaults), next to a score column."""
    label = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n_rows, dtype=np.int32)),
                                           pa.array(["x" * text_bytes]))
    table = pa.table({"y_true": label, "score": pa.array(np.zeros(n_rows))})
    sink = io.BytesIO()
    # Without the stored Arrow schema a reader sees a plain text column, as from any writer.
    pq.write_table(table, sink, compression="zstd", store_schema=False)
    return sink.getvalue()


def csv_wide(columns: int = 3_000) -> bytes:
    """A CSV with `columns` columns and two rows."""
    header = ["y_true", "score", *(f"extra_{i}" for i in range(columns - 2))]
    return (",".join(header) + "\n" + ("1," * columns)[:-1] + "\n").encode()


def csv_long(rows: int = 10_000_001) -> bytes:
    """A CSV of one short column and `rows` rows (about 2 bytes a row)."""
    return b"y_true\n" + b"1\n" * rows


#: The hostile uploads of the browser test: file name -> (builder, what the message names).
HOSTILE_UPLOADS = {
    "far_cell_XFD1500.xlsx": (lambda: xlsx_far_cell("XFD1500"), "max_columns"),
    "far_cell_XFD1048576.xlsx": (lambda: xlsx_far_cell("XFD1048576", dimension=None),
                                 "max_columns"),
    "claims_4GB.xlsx": (xlsx_claiming, "max_inflated_mb"),
    "constant_40M_rows.parquet": (parquet_constant_rows, "max_rows"),
    "text_bomb.parquet": (parquet_text_bomb, "max_inflated_mb"),
    "gzip_bomb.csv.gz": (gzip_bomb, "max_ratio"),
    "wide_3000_columns.csv": (csv_wide, "max_columns"),
    "long_10M_rows.csv": (csv_long, "max_rows"),
}
