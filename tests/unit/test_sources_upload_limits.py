"""Hostile files uploaded above `[workbench] duckdb_above_mb`: held to the same row, column
and cell limits as an in-memory upload, refused with the in-memory reading's own words, and
never leaving a file (a half-written copy, the upload itself) in the app's folder."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.limits import ReadLimits
from analysis.reading import read_table
from sources import adapter
from sources.uploads import upload_source


def _csv(rows: int, columns: int = 3, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.random((rows, columns)).round(4),
                         columns=[f"c{i}" for i in range(columns)])
    return frame.to_csv(index=False).encode()


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _left_behind(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def _refused(data: bytes, name: str, folder: Path, limits: ReadLimits | None = None) -> str:
    """The routed upload's refusal; nothing may be left in `folder`."""
    with pytest.raises(ValueError) as refused:
        upload_source(data, name, folder, limits=limits)
    assert _left_behind(folder) == []
    message = str(refused.value)
    assert str(folder.resolve()) not in message and "upload-" not in message
    return message


def _in_memory(data: bytes, name: str, limits: ReadLimits) -> str:
    with pytest.raises(ValueError) as refused:
        read_table(data, name, limits=limits)
    return str(refused.value)


@pytest.mark.parametrize(("name", "limits"), [
    ("many.csv", ReadLimits(max_rows=1_000)),
    ("many.tsv", ReadLimits(max_rows=1_000)),
    ("many.csv.gz", ReadLimits(max_rows=1_000)),
    ("many.parquet", ReadLimits(max_rows=1_000)),
    ("cells.csv", ReadLimits(max_cells=3_000)),
    ("cells.parquet", ReadLimits(max_cells=3_000)),
    ("wide.csv", ReadLimits(max_columns=2)),
    ("wide.parquet", ReadLimits(max_columns=2))])
def test_rows_columns_and_cells_are_refused_as_the_in_memory_reading_refuses_them(
        tmp_path: Path, name: str, limits: ReadLimits) -> None:
    text = _csv(1_500)
    data = {".csv": text, ".tsv": text.replace(b",", b"\t"), ".gz": gzip.compress(text),
            ".parquet": _parquet(pa.Table.from_pandas(pd.read_csv(io.BytesIO(text)),
                                                      preserve_index=False))}[Path(name).suffix]
    message = _refused(data, name, tmp_path / "large_uploads", limits)
    assert message == _in_memory(data, name, limits)
    assert "the limit is" in message and "[workbench.limits]" in message


def test_a_parquet_file_of_ten_thousand_columns_is_refused_from_its_footer(
        tmp_path: Path) -> None:
    data = _parquet(pa.table({f"c{i}": [0] for i in range(10_000)}))
    message = _refused(data, "wide.parquet", tmp_path)
    assert message.startswith("wide.parquet has 10,000 columns; the limit is 2,000 columns "
                              "(max_columns).")
    assert message == _in_memory(data, "wide.parquet", ReadLimits())


def test_a_gzip_bomb_named_csv_gz_stops_at_the_ratio_check_with_the_in_memory_words(
        tmp_path: Path) -> None:
    bomb = gzip.compress(b"a,b\n" + b"0,0\n" * 6_000_000)  # 24 MB of text in ~24 KB
    message = _refused(bomb, "bomb.csv.gz", tmp_path)
    assert "as a zip bomb does" in message and "(max_ratio)" in message
    assert message == _in_memory(bomb, "bomb.csv.gz", ReadLimits())


def test_a_gzipped_file_stops_being_read_once_its_lines_pass_the_limit(tmp_path: Path) -> None:
    data = gzip.compress(_csv(400_000))  # about 8 MB of text: two pieces of the stream
    message = _refused(data, "many.csv.gz", tmp_path, ReadLimits(max_rows=5_000))
    assert "or more lines below its header; the limit is 5,000 rows (max_rows)" in message


@pytest.mark.parametrize(("name", "data", "words"), [
    ("empty.csv", b"", "is empty (0 bytes)"),
    ("junk.csv", bytes(range(256)) * 64, "is not a text table (it holds binary data)"),
    ("junk.csv.gz", gzip.compress(bytes(range(256)) * 64),
     "is not a text table (it holds binary data)"),
    ("broken.csv", b'a,b,c\n1,2,3\n4,"5\n6,7,8,9,10\n' + b"1,2\n" * 10,
     "DuckDB could not read the file ("),
    ("uneven.csv", b"a,b\n1,2,3,4\n", "DuckDB reads 4 columns where the header has 2"),
    ("utf16.csv", "y_true,score\n1,0.5\n".encode("utf-16"), "is UTF-16 text"),
    ("latin1.csv", b"a,b\n" + "caf\xe9,1\n".encode("latin-1") * 10, "DuckDB could not read"),
    ("cut.csv.gz", gzip.compress(_csv(2_000))[:-30], "is not a valid gzip file"),
    ("fake.parquet", b"PAR1 not really parquet", "DuckDB could not read"),
    ("header.csv", b"y_true,score,split\n", "has a header (y_true, score, split) but no rows"),
    ("blank.csv", b"\n\n\n", "looks empty"),
    ("header.parquet", _parquet(pa.table({"y_true": pa.array([], pa.int64()),
                                          "score": pa.array([], pa.float64())})),
     "has a header (y_true, score) but no rows")])
def test_files_duckdb_cannot_use_are_refused_with_a_message_and_leave_nothing(
        tmp_path: Path, name: str, data: bytes, words: str) -> None:
    folder = tmp_path / "large_uploads"
    folder.mkdir()
    kept = upload_source(_csv(20), "kept.csv", folder)
    with pytest.raises(ValueError, match=f"^({name}|DuckDB could not read)") as found:
        upload_source(data, name, folder)
    message = str(found.value)
    assert words in message
    assert str(folder.resolve()) not in message and "upload-" not in message
    assert _left_behind(folder) == [Path(kept.location).parent, Path(kept.location)]


def test_a_copy_stopped_while_duckdb_writes_it_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def stopped(*_: object) -> None:
        raise KeyboardInterrupt  # the page's script stopped (Cancel, or the user left)

    original = adapter.file_to_parquet

    def write_then_stop(*args: object, **kwargs: object) -> None:
        original(*args, **{**kwargs, "check": stopped})

    monkeypatch.setattr("sources.uploads.file_to_parquet", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        upload_source(_csv(500), "big.csv", tmp_path)
    assert _left_behind(tmp_path) == []


def test_a_file_within_the_limits_is_routed_with_its_sniffed_delimiter(tmp_path: Path) -> None:
    data = _csv(1_000).replace(b",", b";")
    source = upload_source(data, "semicolons.csv", tmp_path,
                           limits=ReadLimits(max_rows=1_000, max_cells=3_000, max_columns=3))
    conn = adapter.connect(source)
    assert adapter.table(conn, "predictions").columns == ("c0", "c1", "c2")
    assert adapter.table(conn, "predictions").count().execute() == 1_000


def test_a_value_past_duckdbs_sniffed_sample_is_read_as_the_in_memory_reader_reads_it(
        tmp_path: Path) -> None:
    data = b"y_true,code\n" + b"".join(b"%d,%d\n" % (i % 2, i) for i in range(60_000)) \
        + b"1,A-17\n"  # text long after the first rows DuckDB sniffs its types from
    conn = adapter.connect(upload_source(data, "late.csv", tmp_path))
    table = adapter.table(conn, "predictions")
    frame = read_table(data, "late.csv")[0]
    assert table.schema()["code"].is_string() and not pd.api.types.is_numeric_dtype(frame["code"])
    assert table.count().execute() == len(frame) == 60_001
    assert table.filter(table["code"] == "A-17").count().execute() == 1
