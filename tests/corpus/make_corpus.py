"""The bad-input corpus: files a user (or an attacker) may feed to the predictions uploader.

Each Case says what the file is, how it is made (deterministic: fixed seed, fixed timestamps)
and what the app must do with it: refuse it with a ValueError whose message matches `error`,
or accept it and tell the user what it noticed (`note`). The small files are committed under
tests/corpus/files/ so they can be opened by hand; big ones (the gzip bomb, the file over the
upload limit, the 1M / 5M-row files) are only ever written at test time into a temp folder.

    python tests/corpus/make_corpus.py            # rewrite tests/corpus/files/
    python tests/corpus/make_corpus.py /tmp/out   # write the small files elsewhere
"""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 8
TEST_UPLOAD_LIMIT_MB = 8  # --server.maxUploadSize of the browser test's own server
FILES = Path(__file__).resolve().parent / "files"
MARKUP = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>"
# What a hostile cell must never become in the page: these selectors must find nothing.
INJECTED_SELECTORS = ("img[src='x']", "script:text('__pwned')", "b#injected", "iframe#injected",
                      "a[href^='javascript']")


@dataclass(frozen=True)
class Case:
    """One corpus file and the behaviour the app owes the user for it."""

    name: str
    topic: str
    make: Callable[[], bytes]
    error: str | None = None  # regex the ValueError message must match (None: accepted)
    note: str | None = None  # regex one of Predictions.notes must match (accepted files)
    big: bool = False  # never committed: written at test time only
    upload_limit: bool = False  # refused by the uploader itself (over server.maxUploadSize)
    markup: bool = False  # holds HTML/markdown that must be shown as text, never rendered

    @property
    def accepted(self) -> bool:
        return self.error is None and not self.upload_limit


def _rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def _csv(frame: pd.DataFrame, **kwargs: object) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", **kwargs).encode("utf-8")


def _good(n: int = 40) -> pd.DataFrame:
    """A small valid binary predictions table the bad cases are derived from."""
    rng = _rng()
    y = (np.arange(n) % 3 == 0).astype(int)
    score = np.round(np.clip(0.7 * y + rng.normal(0.15, 0.2, n), 0.0, 1.0), 3)
    return pd.DataFrame({
        "example_id": [f"ex{i:04d}" for i in range(n)],
        "split": np.array(["train", "train-dev", "dev", "test"])[np.arange(n) % 4],
        "y_true": y,
        "score": score,
    })


def _text(lines: list[str]) -> Callable[[], bytes]:
    return lambda: ("\n".join(lines) + "\n").encode("utf-8")


def _with(column: str, values: list[object], base: pd.DataFrame | None = None) -> Callable[[], bytes]:
    """The good table with the first cells of `column` replaced by `values`."""
    def make() -> bytes:
        frame = (base if base is not None else _good()).copy().astype({column: object})
        for i, value in enumerate(values):
            frame.loc[i * 3 + 1, column] = value
        return _csv(frame)
    return make


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def _xlsx(sheets: dict[str, pd.DataFrame], *, merged_header: bool = False) -> bytes:
    """An .xlsx with fixed timestamps (so regenerating gives the same cells)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        sheet = book.create_sheet(title)
        if merged_header:
            # Two header rows, the top one merged over pairs of columns (a typical report).
            sheet.append(["Ground truth", None, "Model", None])
            sheet.merge_cells("A1:B1")
            sheet.merge_cells("C1:D1")
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([v.item() if hasattr(v, "item") else v for v in row])
    book.properties.created = book.properties.modified = datetime(2026, 1, 1)
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()


def _fake_zip() -> bytes:
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        archive.writestr(zipfile.ZipInfo("readme.txt", (2026, 1, 1, 0, 0, 0)), "not a workbook")
    return sink.getvalue()


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def gzip_bomb(inflated: int = 3 * 1024**3) -> bytes:
    """A .csv.gz of a few MB that inflates to `inflated` bytes of one repeated CSV line.

    Built from one compressed member repeated (multi-member gzip is legal), so it is quick to
    make; the header makes it look like a real predictions file up to the point of no return.
    """
    line = b"1,0.5\n" * (1 << 20)  # 6 MiB
    member = _gz(line)
    head = _gz(b"y_true,score\n")
    return head + member * (inflated // len(line) + 1)


def over_limit(size_mb: float) -> bytes:
    """A valid CSV slightly larger than `size_mb` MB (the server's upload limit in the test)."""
    row = b"1,0.25\n"
    return b"y_true,score\n" + row * int(size_mb * 1024 * 1024 / len(row) + 1024)


def _odd_parquet() -> bytes:
    """Bool labels, decimal scores, dictionary-encoded split, timestamps, a null-typed column."""
    import decimal

    good = _good()
    return _parquet(pa.table({
        "example_id": pa.array(good["example_id"]).dictionary_encode(),
        "split": pa.array(good["split"]).dictionary_encode(),
        "y_true": pa.array(good["y_true"].astype(bool)),
        "score": pa.array([decimal.Decimal(str(s)) for s in good["score"]], pa.decimal128(6, 3)),
        "seen_at": pa.array(pd.date_range("2026-01-01", periods=len(good), freq="h")),
        "empty": pa.nulls(len(good)),
    }))


def _wide() -> bytes:
    """200 columns: the four real ones and 196 features."""
    good = _good()
    features = pd.DataFrame(_rng().normal(size=(len(good), 196)).round(3),
                            columns=[f"feature_{i:03d}" for i in range(196)])
    return _csv(pd.concat([good, features], axis=1))


def _html_cells() -> bytes:
    good = _good()
    good["description"] = [MARKUP, "<b id=injected>bold?</b>", "<iframe id=injected src=about:blank>",
                           "[click](javascript:alert(1))", "**not bold** $x^2$"] * 8
    return _csv(good)


def _formula_cells() -> bytes:
    good = _good()
    good["description"] = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
                           "=cmd|' /C calc'!A0"] * 8
    return _csv(good)


CASES: list[Case] = [
    # --- empty, binary and wrongly encoded files
    Case("empty.csv", "0-byte file", lambda: b"", error=r"empty \(0 bytes\)"),
    Case("blank_lines.csv", "only blank lines", lambda: b"\n \n\t\n", error=r"is empty|no text lines"),
    Case("header_only.csv", "a header and no rows", _text(["y_true,score"]),
         error=r"has a header \(y_true, score\) but no rows"),
    Case("png_renamed.csv", "a PNG image renamed .csv",
         lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(_rng().integers(0, 256, 2000, dtype=np.uint8)),
         error=r"not a text table \(it holds binary data\)"),
    Case("random_bytes.csv", "random bytes renamed .csv",
         lambda: bytes(_rng().integers(0, 256, 4096, dtype=np.uint8)),
         error=r"binary data|not UTF-8"),
    Case("latin1.csv", "Latin-1 (cp1252) text, not UTF-8",
         lambda: "y_true,score,description\n1,0.9,café crème\n0,0.1,naïve\n".encode("cp1252"),
         error=r"not UTF-8 text \(byte 0xe9 on line 2\)"),
    Case("utf16_broken.csv", "UTF-16 byte-order mark with a truncated body",
         lambda: b"\xff\xfe" + "y_true,score\n1,0.9\n".encode("utf-16-le")[:-1],
         error=r"not valid UTF-16"),
    Case("utf16.csv", "UTF-16 LE with BOM (Excel 'Unicode text')",
         lambda: _csv(_good()).decode().encode("utf-16")),
    Case("bom.csv", "UTF-8 with byte-order mark", lambda: b"\xef\xbb\xbf" + _csv(_good())),
    Case("crlf_semicolon.csv", "Windows line ends and ; delimiter",
         lambda: _csv(_good(), sep=";").replace(b"\n", b"\r\n")),
    # --- malformed CSV
    Case("ragged_rows.csv", "a row with more fields than the header",
         _text(["y_true,score", "1,0.9", "0,0.2,extra,fields", "1,0.7"]),
         error=r"has 4 fields where the header has 2"),
    Case("unclosed_quote.csv", "an opening quote never closed",
         _text(["y_true,score,description", "1,0.9,\"fine", "0,0.2,ok", "1,0.8,ok"]),
         error=r"quoted value opened on line 2 is never closed"),
    Case("duplicate_header.csv", "two columns with the same name",
         _text(["y_true,score,score", "1,0.9,0.8", "0,0.2,0.1"]), error=r"'score' appears twice"),
    Case("empty_header.csv", "a column without a name",
         _text(["y_true,,score", "1,a,0.9", "0,b,0.2"]), error=r"column 2 has an empty name"),
    Case("no_label_column.csv", "no column the app can take as the true label",
         _text(["a,b,c", "1,2,3", "4,5,6"]), error=r"no true-label column was found"),
    Case("no_prediction.csv", "labels but neither predictions nor scores",
         _text(["example_id,y_true", "a,1", "b,0", "c,1"]),
         error=r"no predicted-label or score column"),
    Case("decimal_comma.csv", "scores written with a decimal comma (0,9)",
         _text(["y_true;score", "1;0,9", "0;0,2", "1;0,75"]),
         error=r"'score' has 3 values that are not numbers: '0,9'.*decimal comma"),
    # --- NaN, inf, empty, mixed types, out of range
    Case("score_nan.csv", "empty / NaN scores", _with("score", [np.nan, "NaN", ""]),
         error=r"'score' has 3 empty/NaN or non-finite values \(rows 2, 5, 8\)"),
    Case("score_inf.csv", "infinite scores", _with("score", ["inf", "-inf"]),
         error=r"'score' has 2 infinite or non-finite values"),
    Case("score_above_one.csv", "scores above 1 (percentages)", _with("score", [97.5, 12.0]),
         error=r"2 values outside \[0, 1\] \(e.g. 97.5"),
    Case("score_logits.csv", "logits instead of probabilities", _with("score", [-3.2, 4.1, -0.5]),
         error=r"outside \[0, 1\].*apply a sigmoid"),
    Case("score_text.csv", "scores as words", _with("score", ["high", "low"]),
         error=r"'score' has 2 values that are not numbers: 'high', 'low'"),
    Case("score_mixed_types.csv", "numbers, a percent string and a date in one column",
         _with("score", ["55%", "2026-01-01"]), error=r"'score' has 2 values that are not numbers"),
    Case("labels_empty.csv", "true labels missing in some rows", _with("y_true", ["", np.nan]),
         error=r"true-label column 'y_true' has 2 empty cells \(rows 2, 5\)"),
    Case("labels_mixed_types.csv", "labels mixing 0/1 with words",
         _with("y_true", ["cat", "dog", "yes"]),
         error=r"labels in 'y_true'.*not binary: 5 different values"),
    Case("split_unknown.csv", "split values the app does not know",
         _with("split", ["validate-2", "holdout2"]),
         error=r"split column 'split' has values the app does not know: 'validate-2', 'holdout2'"),
    Case("weight_negative.csv", "negative and missing weights",
         lambda: _csv(_good().assign(weight=[1.0, -2.0, np.nan, *[1.0] * 37])),
         error=r"weight column 'weight' has 2 values that are empty, negative"),
    Case("multilabel_bad_values.csv", "a multi-task label column holding 2 and 'yes'",
         _text(["image_id,y_car,y_sign,p_car,p_sign", "a,1,0,0.9,0.1", "b,2,1,0.3,0.8",
                "c,yes,0,0.4,0.2"]),
         error=r"task column 'y_car' has 2 values that are not 0, 1 or empty"),
    Case("multiclass_no_prediction.csv", "text labels of 3 classes with one binary score",
         _text(["y_true,score", "cat,0.9", "dog,0.2", "bird,0.5"]),
         error=r"not binary: 3 different values \('bird', 'cat', 'dog'\), but the only prediction is the score column 'score'"),
    # --- markup and formulas (accepted; shown as text, never run)
    Case("html_cells.csv", "HTML, script tags and markdown in a text column", _html_cells,
         markup=True),
    Case("formula_cells.csv", "spreadsheet formulas in a text column", _formula_cells),
    Case("html_in_score.csv", "a script tag where a score should be",
         _with("score", ["<script>window.__pwned=1</script>", "<b id=injected>0.5</b>"]),
         error=r"not numbers: '<script>window.__pwned=1</script>'", markup=True),
    Case("html_header.csv", "HTML and markdown in column names",
         lambda: _csv(_good().assign(**{"<b id=injected>region</b>": ["a", "b"] * 20,
                                        "**note** [x](javascript:alert(1))": ["c", "d"] * 20})),
         markup=True),
    Case("formula_score.csv", "a formula where a score should be", _with("score", ["=1/2", "=A1"]),
         error=r"'score' has 2 values that are not numbers: '=1/2', '=A1'"),
    # --- odd but valid shapes: accepted with a note the user sees
    Case("single_row.csv", "a single row", _text(["y_true,score", "1,0.8"]),
         note=r"single row"),
    Case("one_class.csv", "only one class in the labels",
         lambda: _csv(_good().assign(y_true=1)), note=r"Only the label '1' appears"),
    Case("duplicate_ids.csv", "repeated example ids",
         lambda: _csv(_good().assign(example_id=[f"ex{i % 10}" for i in range(40)])),
         note=r"example ids in 'example_id' repeat \(30 duplicates"),
    Case("labels_as_text.csv", "labels as words (cat / not cat)",
         lambda: _csv(_good().assign(y_true=np.where(_good()["y_true"] == 1, "cat", "not cat")))),
    Case("proba_not_summing.csv", "class probabilities that do not sum to 1",
         _text(["y_true,p_cat,p_dog,p_bird", "cat,0.9,0.5,0.1", "dog,0.2,0.7,0.1",
                "bird,0.1,0.1,0.8"]), note=r"do not sum to 1 in 1 rows"),
    Case("wide_200_columns.csv", "200 columns", _wide),
    # --- other formats
    Case("excel_several_sheets.xlsx", "a workbook whose first sheet is empty and that has 3 sheets",
         lambda: _xlsx({"Notes": pd.DataFrame(), "predictions": _good(), "Summary": _good().head(3)}),
         note=r"Read sheet 'predictions'; the workbook also has 'Notes', 'Summary'"),
    Case("excel_merged_header.xlsx", "a workbook with a merged two-row header",
         lambda: _xlsx({"Sheet1": _good()}, merged_header=True),
         error=r"columns 2, 4 have no header \(merged or empty header cells\?\)"),
    Case("excel_fake.xlsx", "a text file named .xlsx", _text(["y_true,score", "1,0.9"]),
         error=r"named like an Excel \(.xlsx\) file but its content is not one"),
    Case("excel_zip_not_workbook.xlsx", "a zip archive that is not a workbook", _fake_zip,
         error=r"not a readable .xlsx workbook"),
    Case("parquet_odd_types.parquet", "Parquet with bool labels, decimal scores, dictionary, "
         "timestamp and null columns", _odd_parquet),
    Case("parquet_nested.parquet", "Parquet with a list column",
         lambda: _parquet(pa.table({"y_true": [1, 0], "score": [0.9, 0.1],
                                    "embedding": [[0.1, 0.2], [0.3, 0.4]]})),
         error=r"'embedding' hold lists or structs"),
    Case("parquet_truncated.parquet", "a Parquet file cut in half",
         lambda: _parquet(pa.Table.from_pandas(_good()))[:600],
         error=r"not a readable Parquet file"),
    Case("parquet_fake.parquet", "a CSV named .parquet", lambda: _csv(_good()),
         error=r"named like a Parquet file but its content is not one"),
    Case("gzip_truncated.csv.gz", "a gzip file cut short", lambda: _gz(_csv(_good()))[:-40],
         error=r"not a valid gzip file"),
    Case("gzip_empty.csv.gz", "a gzip file of nothing", lambda: _gz(b""),
         error=r"decompresses to nothing"),
    Case("gzip_ok.csv.gz", "a valid gzipped CSV", lambda: _gz(_csv(_good()))),
    Case("gzip_bomb.csv.gz", "a gzip bomb: 3 MB that inflate to 3 GiB", gzip_bomb,
         error=r"(too large|zip bomb)", big=True),
    Case("over_upload_limit.csv", "a valid CSV larger than the server's upload limit (the "
         f"browser test runs its server with {TEST_UPLOAD_LIMIT_MB} MB)",
         lambda: over_limit(TEST_UPLOAD_LIMIT_MB + 2), big=True, upload_limit=True),
]

def case(name: str) -> Case:
    """The case of one file name."""
    return next(c for c in CASES if c.name == name)


def write_corpus(folder: Path, *, include_big: bool = False) -> dict[str, Path]:
    """Write the corpus into `folder`; returns file name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for item in CASES:
        if item.big and not include_big:
            continue
        path = folder / item.name
        path.write_bytes(item.make())
        written[item.name] = path
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FILES
    for file_name, file_path in write_corpus(target).items():
        print(f"{file_path.stat().st_size:>9,d}  {file_name}")


def big_predictions(n_rows: int, path: Path, *, seed: int = SEED) -> Path:
    """A realistic binary predictions CSV of `n_rows` rows (two models, four splits, a slice).

    Written with pyarrow in chunks so making the 5M-row file takes seconds, not minutes.
    """
    import pyarrow.csv as pa_csv

    rng = np.random.default_rng(seed)
    splits = np.array(["train", "train-dev", "dev", "test"])
    sources = np.array(["web", "mobile"])
    chunk = 1_000_000
    schema = pa.schema([("example_id", pa.int64()), ("split", pa.string()),
                        ("source", pa.string()), ("y_true", pa.int8()), ("score", pa.float64()),
                        ("score_model_b", pa.float64())])
    # Plain CSV as pandas or a spreadsheet writes it: no quotes.
    with path.open("wb") as sink:
        sink.write((",".join(schema.names) + "\n").encode())
        out = pa_csv.CSVWriter(sink, schema, write_options=pa_csv.WriteOptions(
            include_header=False, quoting_style="none"))
        for start in range(0, n_rows, chunk):
            size = min(chunk, n_rows - start)
            y = (rng.random(size) < 0.3).astype(np.int8)
            noise = rng.normal(0.0, 0.22, (2, size))
            score = np.clip(np.where(y == 1, 0.72, 0.22) + noise, 0.0, 1.0).round(4)
            out.write_table(pa.table({
                "example_id": np.arange(start, start + size),
                "split": splits[rng.choice(4, size, p=[0.6, 0.1, 0.15, 0.15])],
                "source": sources[rng.integers(0, 2, size)],
                "y_true": y, "score": score[0], "score_model_b": score[1],
            }, schema=schema))
        out.close()
    return path
