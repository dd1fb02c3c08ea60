"""Every upload is bounded before anything big is built: small hostile files, built here, are
refused with a message naming the limit, the file's figure and how to split the file."""

from __future__ import annotations

import gzip
import io
import re
import threading
import time
import tracemalloc
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.limits import BOMB_CHECK_BYTES, MB, ParseGate, ReadLimits
from analysis.predictions import read_predictions, read_table
from analysis.xlsx_guard import check_workbook
from tests.corpus.hostile import (
    csv_long,
    csv_wide,
    parquet_constant_rows,
    parquet_text_bomb,
    xlsx_claiming,
    xlsx_far_cell,
    xlsx_strings_bomb,
)
from tests.corpus.make_corpus import gzip_bomb


def _refused(data: bytes, name: str, key: str, limits: ReadLimits | None = None) -> str:
    """read_table refuses `data` naming the limit `key`; the message tells how to proceed."""
    with pytest.raises(ValueError, match=re.escape(f"({key})")) as caught:
        read_table(data, name, limits=limits)
    message = str(caught.value)
    assert message.startswith(name) and "Split it into smaller files" in message
    assert f"({key} under [workbench.limits]" in message
    return message


@pytest.fixture(scope="module")
def forty_million_rows() -> bytes:
    return parquet_constant_rows(40_000_000)


# Excel ------------------------------------------------------------------------------------


def test_xlsx_with_one_value_at_XFD1500_is_refused_at_once_from_its_declared_range():
    data = xlsx_far_cell("XFD1500")
    assert len(data) < 5_000
    started = time.perf_counter()
    message = _refused(data, "far.xlsx", "max_columns")
    assert time.perf_counter() - started < 0.5
    assert "A1:XFD1500" in message and "16,384 columns" in message and "2,000 columns" in message


def test_xlsx_with_one_value_at_XFD1048576_and_no_declared_range_is_refused_while_streamed():
    message = _refused(xlsx_far_cell("XFD1048576", dimension=None), "far.xlsx", "max_columns")
    assert "cell XFD1048576" in message


def test_xlsx_whose_declared_range_understates_it_is_judged_by_its_cells():
    message = _refused(xlsx_far_cell("XFD1500", dimension="A1:B5"), "lies.xlsx", "max_columns")
    assert "cell XFD1500" in message


def test_xlsx_with_one_value_at_the_last_row_is_refused_by_its_cells():
    """Z1048576: 26 columns x 1,048,576 rows would be built as 27M cells."""
    message = _refused(xlsx_far_cell("Z1048576"), "deep.xlsx", "max_excel_cells")
    assert "27,262,976 cells" in message


def test_xlsx_whose_zip_entry_claims_4GB_is_refused_from_the_zip_directory():
    message = _refused(xlsx_claiming(4_000_000_000), "claims.xlsx", "max_inflated_mb")
    assert "unzips to more than 3,8" in message and "500 MB" in message


def test_xlsx_with_a_shared_strings_bomb_is_refused_by_its_ratio():
    data = xlsx_strings_bomb(32 * MB)
    assert len(data) < 100_000
    message = _refused(data, "bomb.xlsx", "max_ratio")
    assert "zip bomb" in message


def test_xlsx_within_the_limits_is_read():
    frame, _, _ = read_table(xlsx_far_cell("B20"), "ok.xlsx")
    assert frame.shape == (19, 2)


# Parquet ----------------------------------------------------------------------------------


def test_parquet_of_40M_constant_rows_is_refused_from_its_footer(forty_million_rows):
    assert len(forty_million_rows) < 1 * MB
    started = time.perf_counter()
    message = _refused(forty_million_rows, "rows.parquet", "max_rows")
    assert time.perf_counter() - started < 0.5
    assert "40,000,000 rows" in message and "10,000,000 rows" in message


def test_parquet_text_that_decodes_to_600MB_is_refused_before_it_is_decoded():
    data = parquet_text_bomb(600_000, 1024)
    pool = pa.default_memory_pool()
    before = pool.max_memory()
    message = _refused(data, "text.parquet", "max_inflated_mb")
    assert "decodes to more than" in message
    assert pool.max_memory() - before < 100 * MB


def test_parquet_pages_that_uncompress_past_the_limit_are_refused_from_the_footer():
    sink = io.BytesIO()
    pq.write_table(pa.table({"score": np.random.default_rng(0).random(200_000)}), sink)
    message = _refused(sink.getvalue(), "pages.parquet", "max_inflated_mb",
                       ReadLimits(max_inflated_mb=1))
    assert "pages that uncompress to" in message


def test_parquet_constant_rows_that_decode_past_the_limit_are_refused():
    """2M rows of one constant: a few KB of pages, 16 MB decoded."""
    data = parquet_constant_rows(2_000_000, columns=1)
    message = _refused(data, "rows.parquet", "max_inflated_mb", ReadLimits(max_inflated_mb=8))
    assert "decodes to more than 8 MB" in message


def test_parquet_cells_and_columns_are_bounded():
    table = pa.table({f"c{i}": np.zeros(60) for i in range(3)})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    message = _refused(sink.getvalue(), "cells.parquet", "max_cells", ReadLimits(max_cells=100))
    assert "180 cells (60 rows x 3 columns)" in message
    _refused(sink.getvalue(), "cols.parquet", "max_columns", ReadLimits(max_columns=2))


def test_parquet_within_the_limits_reads_as_before():
    frame = pd.DataFrame({"y_true": ["cat", "dog", None] * 100, "score": np.linspace(0, 1, 300),
                          "kind": pd.Categorical(["a", "b", "a"] * 100)})
    sink = io.BytesIO()
    frame.to_parquet(sink)
    expected = pd.read_parquet(io.BytesIO(sink.getvalue()))
    pd.testing.assert_frame_equal(read_table(sink.getvalue(), "ok.parquet")[0], expected)


# gzip -------------------------------------------------------------------------------------


def test_gzip_bomb_is_refused_holding_little_memory():
    """3 GiB in ~5 MB: refused once the ratio shows, having held well under 64 MB."""
    bomb = gzip_bomb()
    tracemalloc.start()
    try:
        message = _refused(bomb, "bomb.csv.gz", "max_ratio")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "zip bomb" in message and "200:1" in message
    assert peak < 2.5 * BOMB_CHECK_BYTES, f"{peak / MB:.0f} MB held"


def _peak_bytes(read) -> int:
    """The most memory Python held while `read()` ran (it may raise ValueError)."""
    tracemalloc.start()
    try:
        read()
    except ValueError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_gzip_is_inflated_into_one_buffer_not_pieces_joined():
    """Reading a gzipped 33 MB CSV holds its text about once (pieces joined hold it twice)."""
    rng = np.random.default_rng(0)
    rows = np.empty((3_000_000, 11), dtype=np.uint8)  # "1,0.123456\n": random, so ~2:1 in gzip
    rows[:, 0] = rng.integers(ord("0"), ord("2"), len(rows))
    rows[:, 1:4] = np.frombuffer(b",0.", dtype=np.uint8)
    rows[:, 4:10] = rng.integers(ord("0"), ord("9") + 1, (len(rows), 6))
    rows[:, 10] = ord("\n")
    text = b"y_true,score\n" + rows.tobytes()
    packed = gzip.compress(text, compresslevel=1, mtime=0)
    # Refused by rows after inflating and checking the text, before pyarrow parses it.
    limits = ReadLimits(max_rows=len(rows) - 1)
    peak = _peak_bytes(lambda: read_table(packed, "packed.csv.gz", limits=limits))
    assert peak < 1.75 * len(text), f"{peak / MB:.0f} MB held for {len(text) / MB:.0f} MB"


def test_gzip_that_inflates_past_the_limit_is_refused():
    packed = gzip.compress(b"y_true,score\n" + b"1,0.25\n0,0.75\n" * 100_000, mtime=0)
    message = _refused(packed, "big.csv.gz", "max_inflated_mb", ReadLimits(max_inflated_mb=1))
    assert "inflates to more than 1 MB" in message


# CSV and bytes ----------------------------------------------------------------------------


def test_csv_with_3000_columns_is_refused_from_its_header():
    message = _refused(csv_wide(3_000), "wide.csv", "max_columns")
    assert "3,000 columns" in message


def test_csv_of_ten_million_and_one_rows_is_refused_before_parsing():
    data = csv_long(10_000_001)
    started = time.perf_counter()
    message = _refused(data, "long.csv", "max_rows")
    assert time.perf_counter() - started < 0.5
    assert "10,000,001 lines below its header" in message


def test_csv_cells_are_bounded_and_a_file_at_the_limit_is_read():
    rows = b"".join(b"%d,0.5\n" % (i % 2) for i in range(25))
    assert read_table(b"y_true,score\n" + rows, "ok.csv", limits=ReadLimits(max_cells=50))[0].size == 50
    message = _refused(b"y_true,score\n" + rows + b"1,0.5\n", "cells.csv", "max_cells",
                       ReadLimits(max_cells=50))
    assert "52 cells (26 lines below its header x 2 columns)" in message


def test_file_over_the_byte_limit_is_refused_before_it_is_read():
    data = b"y_true,score\n" + b"1,0.25\n" * 200_000
    message = _refused(data, "big.csv", "max_upload_mb", ReadLimits(max_upload_mb=1))
    assert "is 1 MB" in message or "is 2 MB" in message


def test_read_predictions_passes_its_limits_on():
    with pytest.raises(ValueError, match=r"\(max_rows\)"):
        read_predictions(b"y_true,score\n1,0.5\n0,0.5\n", "two.csv", limits=ReadLimits(max_rows=1))


# The limits themselves --------------------------------------------------------------------


def test_limits_come_from_a_workbench_limits_table_over_the_defaults():
    limits = ReadLimits.from_mapping({"max_rows": 1_000, "max_inflated_mb": 50})
    assert (limits.max_rows, limits.max_inflated_mb) == (1_000, 50)
    assert limits.max_cells == ReadLimits().max_cells == 200_000_000


@pytest.mark.parametrize(("table", "error"), [
    ({"max_rowz": 5}, r"no key 'max_rowz'; the keys are .*max_rows"),
    ({"max_rows": "many"}, r"max_rows must be a whole number of at least 1; got 'many'"),
    ({"max_rows": 0}, r"max_rows must be a whole number"),
    ({"parallel_parses": True}, r"parallel_parses must be a whole number"),
])
def test_a_wrong_limits_table_is_refused_naming_the_key(table, error):
    with pytest.raises(ValueError, match=error):
        ReadLimits.from_mapping(table)


def test_large_and_compressed_files_need_a_parse_slot():
    limits = ReadLimits(queue_above_mb=10)
    assert not limits.needs_slot(b"y_true\n" * 1000)
    assert limits.needs_slot(b"y" * (10 * MB))
    assert limits.needs_slot(b"\x1f\x8b" + b"z" * MB)  # a 1 MB gzip can hold 200 MB
    assert not limits.needs_slot(b"\x1f\x8b" + b"z" * 1000)


def test_parse_gate_lets_at_most_its_slots_parse_at_once_and_says_when_one_waits():
    gate, waits, release = ParseGate(2), [], threading.Event()
    running = {True: 0, False: 0}
    most = dict(running)
    lock = threading.Lock()

    def parse(large: bool) -> None:
        with gate.hold(large, on_wait=lambda: waits.append(threading.current_thread().name)):
            with lock:
                running[large] += 1
                most[large] = max(most[large], running[large])
            release.wait(10)
            with lock:
                running[large] -= 1

    def until(condition) -> None:
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.001)

    large = [threading.Thread(target=parse, args=(True,), name=f"large{i}") for i in range(3)]
    for thread in large[:2]:
        thread.start()
    until(lambda: running[True] == 2)
    large[2].start()
    until(lambda: waits)  # the third large parse found no slot and said so
    small = threading.Thread(target=parse, args=(False,))
    small.start()
    until(lambda: running[False] == 1)  # a small file never waits
    assert running == {True: 2, False: 1}
    release.set()
    for thread in [*large, small]:
        thread.join(10)
    assert waits == ["large2"]
    assert most == {True: 2, False: 1} and running == {True: 0, False: 0}


def test_the_guard_passes_a_sheet_whose_row_numbers_are_not_numbers_on_to_the_reader():
    """Counted from the previous row, as readers do; the guard never fails on its own."""
    sink, book = io.BytesIO(), zipfile.ZipFile(io.BytesIO(xlsx_far_cell(None)))
    with book, zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as out:
        for item in book.infolist():
            content = book.read(item)
            if item.filename.endswith("sheet1.xml"):
                content = content.replace(b'<row r="2">', b'<row r="two">')
            out.writestr(item, content)
    assert check_workbook(sink.getvalue(), "odd.xlsx", ReadLimits()) is None
