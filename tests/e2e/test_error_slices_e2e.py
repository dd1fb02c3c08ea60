"""Error slices in real Chromium: load the sample, see the found slices and the error tree,
select the top slice, make it a category, and open the sheet with that column."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_exception, load_sample, shot, wait_idle

TOP_SLICE = "blur = yes"


@pytest.fixture
def fresh_url(start_server, chromium_path) -> str:
    """This test's own server and empty store, so the sheets are the ones this test makes."""
    return start_server().url


def _slices_table(page: Page):
    return page.get_by_test_id("stDataFrame").first  # the page's only table


def _select_first_row(page: Page) -> None:
    """Click the first row's selection box (the grid is a canvas: click by position)."""
    box = _slices_table(page).bounding_box()
    header, row_height = 35, 35
    page.mouse.click(box["x"] + 15, box["y"] + header + row_height / 2)


def test_sample_top_slice_becomes_a_category_of_a_sheet(page, fresh_url):
    load_sample(page, fresh_url)
    page.goto(f"{fresh_url}/error-slices")
    wait_idle(page)
    table = _slices_table(page)
    expect(table).to_be_visible(timeout=60_000)
    expect(table.get_by_test_id("glide-cell-1-0")).to_have_text(TOP_SLICE, timeout=30_000)
    tree = page.get_by_test_id("stPlotlyChart").first
    expect(tree).to_be_visible(timeout=30_000)
    expect(tree.get_by_text(TOP_SLICE).first).to_be_attached(timeout=30_000)
    assert_no_exception(page)

    _select_first_row(page)
    wait_idle(page)
    make = page.get_by_role("button", name=re.compile("Make it a category"))
    expect(make).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"Selected: blur = yes"))).to_be_visible()
    shot(page, "error-slices-selected")
    make.click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"with 105 examples ticked"))).to_be_visible(timeout=30_000)
    assert_no_exception(page)

    page.get_by_role("link", name=re.compile("Open the sheet in error analysis")).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Errors where blur = yes")).to_be_visible(
        timeout=60_000)
    editor = page.get_by_test_id("stDataFrame").filter(
        has=page.locator("[role=columnheader]", has_text=re.compile(r"^blur = yes$"))).first
    expect(editor).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"105 examples · revision 1"))).to_be_visible()
    assert_no_exception(page)
    shot(page, "error-slices-sheet")
