"""Hostile uploads in the browser: each is refused with a message naming the limit, and the
server's peak memory grows by less than 100 MB for each; large parses queue for a slot.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from components.limits import WAITING
from tests.corpus.hostile import HOSTILE_UPLOADS
from tests.e2e.big_upload_flow import LONG, choose_upload, current_rss_mb, peak_rss_mb
from tests.e2e.browser import open_page

MAX_GROWTH_MB = 100


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, (make, _) in HOSTILE_UPLOADS.items():
        files[name] = folder / name
        files[name].write_bytes(make())
    return files


@pytest.fixture(scope="module")
def limits_server(start_server, chromium_path):
    """A server of its own (default limits), so its memory is this test's alone."""
    server = start_server()
    yield server
    server.stop()


def _reset_peak(pid: int) -> float:
    """Set the process's peak RSS (VmHWM) back to its current RSS; returns that RSS in MB."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return current_rss_mb(pid)


@pytest.mark.parametrize("name", list(HOSTILE_UPLOADS))
def test_hostile_upload_is_refused_naming_the_limit_without_growing_the_server(
        name, hostile_files, limits_server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(120_000)
    page = context.new_page()
    pid = limits_server.process.pid
    try:
        open_page(page, f"{limits_server.url}/metrics")
        choose_upload(page)
        before = _reset_peak(pid)
        page.locator("input[type=file]").first.set_input_files(str(hostile_files[name]))
        refusal = page.get_by_test_id("stAlert").filter(has_text=f"Could not read {name}")
        expect(refusal).to_be_visible(timeout=LONG)
        message = refusal.inner_text()
        growth = peak_rss_mb(pid) - before
    finally:
        context.close()
    key = HOSTILE_UPLOADS[name][1]
    assert "the limit is" in message and f"({key})" in message, message
    assert "Split it into smaller files" in message and "[workbench.limits]" in message, message
    print(f"\n{name}: server peak RSS grew by {growth:.0f} MB")
    assert growth < MAX_GROWTH_MB, f"{name}: the server grew by {growth:.0f} MB"


def _slow_xlsx(rows: int) -> bytes:
    """A valid predictions workbook that takes openpyxl seconds to read (rows x 4 cells)."""
    rng = np.random.default_rng(1)
    splits = ("train", "dev")
    cells = [f'<row r="{i + 2}"><c r="A{i + 2}"><v>{i}</v></c>'
             f'<c r="B{i + 2}" t="inlineStr"><is><t>{splits[i % 2]}</t></is></c>'
             f'<c r="C{i + 2}"><v>{i % 2}</v></c><c r="D{i + 2}"><v>{score:.4f}</v></c></row>'
             for i, score in enumerate(rng.random(rows))]
    header = "".join(f'<c r="{col}1" t="inlineStr"><is><t>{text}</t></is></c>'
                     for col, text in zip("ABCD", ("example_id", "split", "y_true", "score"), strict=True))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             f'<row r="1">{header}</row>{"".join(cells)}</sheetData></worksheet>')
    from tests.corpus.hostile import xlsx_far_cell

    sink = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_far_cell(None))) as template, \
            zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in template.infolist():
            content = sheet if item.filename.endswith("sheet1.xml") else template.read(item)
            archive.writestr(item, content, compress_type=zipfile.ZIP_DEFLATED)
    return sink.getvalue()


@pytest.fixture(scope="module")
def one_slot_server(start_server, chromium_path, tmp_path_factory):
    """A server allowing one large parse at a time, files from 1 MB on being large."""
    folder = tmp_path_factory.mktemp("one_slot")
    secrets = folder / "secrets.toml"
    secrets.write_text("[workbench.limits]\nparallel_parses = 1\nqueue_above_mb = 1\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
        server = start_server()
    yield server
    server.stop()


def test_a_second_large_upload_waits_for_the_first_and_says_so(one_slot_server, browser,
                                                               tmp_path):
    slow = tmp_path / "slow_book.xlsx"
    slow.write_bytes(_slow_xlsx(150_000))
    second = tmp_path / "second.csv"
    second.write_bytes(b"y_true,score\n" + b"".join(
        b"%d,%.6f\n" % (i % 2, v) for i, v in enumerate(np.random.default_rng(2).random(150_000))))
    assert second.stat().st_size > 1024**2
    contexts = [browser.new_context(viewport={"width": 1440, "height": 1000}) for _ in range(2)]
    try:
        first, other = (ctx.new_page() for ctx in contexts)
        for page in (first, other):
            page.set_default_timeout(LONG)
            open_page(page, f"{one_slot_server.url}/metrics")
            choose_upload(page)
        first.locator("input[type=file]").first.set_input_files(str(slow))
        expect(first.get_by_test_id("stExpander").filter(has_text=re.compile(
            r"Reading slow_book\.xlsx"))).to_be_visible(timeout=LONG)
        other.locator("input[type=file]").first.set_input_files(str(second))
        expect(other.get_by_test_id("stExpander").filter(has_text=WAITING)
               ).to_be_visible(timeout=LONG)
        for page, name in ((first, slow.name), (other, second.name)):
            expect(page.get_by_test_id("stAlert").filter(has_text=f"Loaded {name}")
                   ).to_be_visible(timeout=LONG)
    finally:
        for ctx in contexts:
            ctx.close()
