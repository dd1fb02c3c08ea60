"""The error-analysis sheet in real Chromium: start from the course's sample, tick categories in
the grid with the keyboard, reload the page and find the ticks still there (saved per edit).

Each tick waits on state: the grid drawn with its data, then the revision its save made.
The page that just started the sheet keeps the 'Start a new sheet' form open above the grid,
so the grid can sit below the fold, where a click at its coordinates misses the canvas: the
likely reason a state-driven version once lost its first tick. The grid helpers scroll the
grid into view and wait for its data before the first click."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import assert_no_exception, open_page, shot, wait_idle
from tests.e2e.sheet_grid import DOG, GREAT_CAT, cell, toggle, wait_ready


@pytest.fixture
def fresh_url(start_server, chromium_path) -> str:
    """This test's own server and empty store, so the sample sheet is the only one."""
    return start_server().url


def test_start_from_sample_tick_in_the_grid_and_find_ticks_after_reload(
        page, fresh_url, tmp_path):
    open_page(page, fresh_url)
    page.goto(f"{fresh_url}/error-analysis")
    wait_idle(page)
    page.get_by_test_id("stRadioGroup").get_by_text("The course's sample sheet").click()
    wait_idle(page)
    page.get_by_role("button", name="Start the sheet").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"100 examples · revision 1"))).to_be_visible(timeout=30_000)
    wait_ready(page)  # the grid holds its data before the first click (else that tick is lost)
    for column in (DOG, GREAT_CAT):
        expect(cell(page, column, 0)).to_have_text("false", timeout=30_000)
    expect(cell(page, DOG, 2)).to_have_text("false")

    # each tick waits for its own save (the revision it made), not for time
    assert [toggle(page, DOG, 0), toggle(page, DOG, 2), toggle(page, GREAT_CAT, 0)] == [2, 3, 4]
    expect(page.get_by_text(re.compile(r"100 examples · revision 4"))).to_be_visible(timeout=30_000)
    summary = page.get_by_test_id("stDataFrame").filter(has_text="best dev error")
    expect(summary).to_contain_text("dog1010%9.0%")  # dog: 8 -> 10 of 100 errors, ceiling 9.0%
    assert_no_exception(page)
    shot(page, "error_analysis_ticked")

    page.reload()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"100 examples · revision 4"))).to_be_visible(timeout=30_000)
    expect(cell(page, DOG, 0)).to_have_text("true", timeout=30_000)
    expect(cell(page, DOG, 2)).to_have_text("true")
    expect(cell(page, GREAT_CAT, 0)).to_have_text("true")
    expect(cell(page, DOG, 1)).to_have_text("false")  # an untouched cell stays unticked
    assert_no_exception(page)
    shot(page, "error_analysis_after_reload")

    # our own export (Streamlit's table download is off): the ticks are in the file
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    exported = pd.read_csv(download.value.path(), encoding="utf-8-sig")
    assert exported["dog"].sum() == 10 and exported["great_cat"].sum() == 44
    assert bool(exported.loc[0, "dog"]) and bool(exported.loc[2, "dog"])

    # ... and it imports back as a new sheet with the same ticks
    page.get_by_text("Start a new sheet", exact=True).click()
    page.get_by_test_id("stRadioGroup").get_by_text("Upload a CSV or Excel sheet").click()
    wait_idle(page)
    page.get_by_label("Sheet name").fill("Imported")
    page.get_by_label("Sheet name").press("Enter")
    wait_idle(page)
    saved = tmp_path / download.value.suggested_filename  # "Dev errors 1.csv"
    download.value.save_as(saved)
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(saved))
    wait_idle(page)
    page.get_by_role("button", name="Start the sheet").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stDataFrame").filter(has_text="best dev error")).to_contain_text(
        "dog1010%9.0%", timeout=30_000)
    expect(cell(page, GREAT_CAT, 0)).to_have_text("true", timeout=30_000)
    assert_no_exception(page)
