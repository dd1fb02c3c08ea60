"""The error-analysis sheet in real Chromium: start from the course's sample, tick categories in
the grid with the keyboard, reload the page and find the ticks still there (saved per edit)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_exception, open_page, shot, wait_idle

# The editor is a canvas grid; its accessible mirror has cells glide-cell-<column>-<row>
# (column 0 is the row marker, 1 the id, then the categories in order: dog, great cat, ...).
ID, DOG, GREAT_CAT = 1, 2, 3


@pytest.fixture
def fresh_url(start_server, chromium_path) -> str:
    """This test's own server and empty store, so the sample sheet is the only one."""
    return start_server().url


def _editor(page: Page):
    return page.get_by_test_id("stDataFrame").filter(
        has=page.locator("[role=columnheader]", has_text=re.compile(r"^great cat$"))).first


def _cell(page: Page, column: int, row: int):
    return _editor(page).get_by_test_id(f"glide-cell-{column}-{row}")


def _select_cell(page: Page, column: int, row: int) -> None:
    """Click the id cell of `row` on the canvas, then walk right with the keyboard."""
    box = _editor(page).bounding_box()
    header, row_height = 35, 35
    page.mouse.click(box["x"] + 60, box["y"] + header + row_height * row + row_height / 2)
    for _ in range(column - ID):
        page.keyboard.press("ArrowRight")


def _toggle(page: Page, column: int, row: int, wait_idle) -> None:
    _select_cell(page, column, row)
    page.keyboard.press("Space")  # a checkbox cell toggles on Space
    expect(_cell(page, column, row)).to_have_text("true", timeout=10_000)
    wait_idle(page)


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
    expect(_editor(page)).to_be_visible(timeout=30_000)
    for column in (DOG, GREAT_CAT):
        expect(_cell(page, column, 0)).to_have_text("false", timeout=30_000)
    expect(_cell(page, DOG, 2)).to_have_text("false")

    _toggle(page, DOG, 0, wait_idle)
    _toggle(page, DOG, 2, wait_idle)
    _toggle(page, GREAT_CAT, 0, wait_idle)
    expect(page.get_by_text(re.compile(r"100 examples · revision 4"))).to_be_visible(timeout=30_000)
    summary = page.get_by_test_id("stDataFrame").filter(has_text="best dev error")
    expect(summary).to_contain_text("dog1010%9.0%")  # dog: 8 -> 10 of 100 errors, ceiling 9.0%
    assert_no_exception(page)
    shot(page, "error_analysis_ticked")

    page.reload()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"100 examples · revision 4"))).to_be_visible(timeout=30_000)
    expect(_cell(page, DOG, 0)).to_have_text("true", timeout=30_000)
    expect(_cell(page, DOG, 2)).to_have_text("true")
    expect(_cell(page, GREAT_CAT, 0)).to_have_text("true")
    expect(_cell(page, DOG, 1)).to_have_text("false")  # an untouched cell stays unticked
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
    expect(_cell(page, GREAT_CAT, 0)).to_have_text("true", timeout=30_000)
    assert_no_exception(page)
