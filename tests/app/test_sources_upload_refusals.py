"""Hostile or too-big files uploaded above `[workbench] duckdb_above_mb`, through the metrics
page: refused next to the uploader with the in-memory reading's words, never a traceback,
and nothing left in the app's folder; an Excel workbook above the size says why it is read
in memory and is held to the workbook limits."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from components.inputs import UPLOAD_CHOICE
from tests.app.conftest import APP_PATH, never_again, texts
from tests.app.test_sources_large_upload import _predictions

KEY = "metrics.file"


@pytest.fixture
def limited_app(store_url: str) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=90)
    at.secrets["workbench"] = {"duckdb_above_mb": 1,
                               "limits": {"max_rows": 20_000, "max_excel_cells": 10_000}}
    return at.run()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    assert len(data) > 1024 * 1024  # above duckdb_above_mb
    at.switch_page("views/metrics.py").run()
    if at.selectbox(key=f"{KEY}.file").value != UPLOAD_CHOICE:
        at.selectbox(key=f"{KEY}.file").set_value(UPLOAD_CHOICE).run()
    at.file_uploader(key=f"{KEY}.upload").set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def _files_left(store_url: str) -> list[Path]:
    root = Path(store_url.removeprefix("sqlite:///")).parent
    return [p for p in root.rglob("*") if p.is_file() and p.suffix not in (".sqlite", "")
            and not p.name.startswith("workbench.sqlite")]


def test_an_upload_over_the_row_limit_is_refused_next_to_the_uploader(
        limited_app: AppTest, store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _upload(limited_app, "big.csv", _predictions(80_000).to_csv(index=False).encode())
    shown = texts(at.error)
    assert "big.csv cannot be used as predictions" in shown
    assert ("big.csv has 80,000 lines below its header; the limit is 20,000 rows (max_rows)"
            in shown)
    assert "computed by duckdb" not in texts(at.caption)
    assert _files_left(store_url) == []

    monkeypatch.setattr("components.source_upload.upload_source",
                        never_again("the refused upload was checked again on a rerun"))
    at.run()
    assert not at.exception, at.exception
    assert "the limit is 20,000 rows (max_rows)" in texts(at.error)


@pytest.mark.parametrize(("name", "data", "words"), [
    ("junk.csv", np.random.default_rng(1).bytes(1_200_000),
     "junk.csv is not a text table (it holds binary data)"),
    ("broken.csv", b"y_true,score,split,note\n" + (b"1,0.5,dev," + b"x" * 70 + b"\n") * 15_000
     + b'0,"0.2,dev,x\n1,2\n', "DuckDB could not read the file (")], ids=["junk", "broken"])
def test_files_duckdb_cannot_read_are_refused_with_a_message(
        limited_app: AppTest, store_url: str, name: str, data: bytes, words: str) -> None:
    at = _upload(limited_app, name, data)
    shown = texts(at.error)
    assert words in shown and "Traceback" not in shown
    assert str(Path(store_url.removeprefix("sqlite:///")).parent) not in shown
    assert _files_left(store_url) == []


def test_a_large_workbook_says_why_it_is_read_in_memory_and_meets_the_excel_limit(
        limited_app: AppTest) -> None:
    rng = np.random.default_rng(2)
    frame = _predictions(19_000).assign(note=[rng.bytes(32).hex() for _ in range(19_000)])
    book = io.BytesIO()
    frame.to_excel(book, index=False)
    at = _upload(limited_app, "book.xlsx", book.getvalue())
    captions = texts(at.caption)
    assert "but Excel workbooks are not read by DuckDB on this server: it is read in memory" \
        in captions and "more than 10,000 cells (max_excel_cells)" in captions
    assert "max_excel_cells" in texts(at.error)
