"""From the sample to the report in real Chromium: see the found slices, make the top one a
category of the reviewed sheet, tick a cell, then type an effort and an owner beside a
category: the priority table re-ranks and the report shows the new ranking and owner.
Every step waits on what the page shows (the script idle, a cell's text), never on time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_exception, load_sample, open_page, shot, wait_idle
from tests.e2e.sheet_grid import DOG, cell, toggle

TOP_SLICE = "blur = yes"
# The sheet editor's accessible cells: column 0 is the row marker, 1 the id, 2 the first
# category (dog). The priorities editor: 0 category, 1 ideas, 2 effort, 3 owner; its columns
# have fixed widths (200, 400, 75 and 200 pixels), so a cell's centre is known.
EFFORT, OWNER = 2, 3
CENTRE = {EFFORT: 200 + 400 + 75 / 2, OWNER: 200 + 400 + 75 + 100}
ROW = 35  # header and row height of a grid, in pixels


@pytest.fixture
def fresh_url(start_server, chromium_path) -> str:
    """This test's own server and empty store."""
    return start_server().url


def _grid(page: Page, header: str):
    """The grid (table or editor) that has a column titled exactly `header`."""
    return page.get_by_test_id("stDataFrame").filter(
        has=page.locator("[role=columnheader]", has_text=re.compile(f"^{re.escape(header)}$"))).first


def _cell(grid, column: int, row: int):
    return grid.get_by_test_id(f"glide-cell-{column}-{row}")


def _click_row(grid, row: int, x: float = 60) -> None:
    """Click the first cell of `row` (or its selection box, x=15) on the canvas. Playwright
    clicks once the grid is visible, stable (charts above it can still be resizing) and the
    point is not covered (the app's top bar), measuring it at that moment."""
    # the grid's scroller lies over its canvas and takes the pointer events
    grid.locator(".dvn-scroller").click(position={"x": x, "y": ROW * (row + 1) + ROW / 2})


def _priority_row(page: Page, category: str) -> int:
    """Where `category` stands in the priority table (0 = ranked first)."""
    names = [_cell(_grid(page, "gain per effort"), 1, r).inner_text() for r in range(12)
             if _cell(_grid(page, "gain per effort"), 1, r).count()]
    return names.index(category)


def _make_top_slice_a_category_of_the_sample_sheet(page: Page, url: str) -> None:
    open_page(page, f"{url}/error-slices")
    table = page.get_by_test_id("stDataFrame").first
    expect(_cell(table, 1, 0)).to_have_text(TOP_SLICE, timeout=60_000)
    _click_row(table, 0, x=15)  # the row's selection box
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Selected: blur = yes"))).to_be_visible(timeout=30_000)
    page.get_by_test_id("stRadio").get_by_text("An existing sheet").click()
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Make it a category")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"with \d+ examples ticked"))).to_be_visible(timeout=30_000)
    assert_no_exception(page)
    page.get_by_role("link", name=re.compile("Open the sheet in error analysis")).click()
    wait_idle(page)


def _type_in_priorities(page: Page, row: int, column: int, text: str) -> None:
    """Double-click a cell of the priorities editor (its editor opens), type `text`, press
    Enter, and wait for the saved value to come back in the grid."""
    editor = _grid(page, "ideas")
    expect(editor).to_be_visible(timeout=30_000)
    wait_idle(page)
    editor.locator(".dvn-scroller").dblclick(
        position={"x": CENTRE[column], "y": ROW * (row + 1) + ROW / 2})
    typed = page.locator("#portal").locator("input, textarea").first  # the cell's own editor
    expect(typed).to_be_visible(timeout=10_000)
    typed.fill(text)
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(_cell(_grid(page, "ideas"), column, row)).to_have_text(re.compile(re.escape(text)),
                                                                  timeout=30_000)


def test_slice_to_category_effort_and_owner_then_a_tick_rerank_the_table_and_the_report(
        page, fresh_url):
    load_sample(page, fresh_url)
    _make_top_slice_a_category_of_the_sample_sheet(page, fresh_url)
    expect(page.get_by_role("heading", name="Sample: reviewed dev errors")).to_be_visible(
        timeout=60_000)
    ranked = _grid(page, "gain per effort")
    expect(ranked).to_contain_text(TOP_SLICE, timeout=30_000)  # the new category is ranked
    expect(_cell(ranked, 1, 0)).to_have_text(TOP_SLICE)  # first, by ceiling gain
    assert _priority_row(page, "dog") > 0

    # the team says dog is quick and Ana owns it: dog moves to the top, with its owner
    dog = 0  # the priorities editor lists the categories in the sheet's order
    _type_in_priorities(page, dog, EFFORT, "1")
    _type_in_priorities(page, dog, OWNER, "ana")
    ranked = _grid(page, "gain per effort")
    expect(_cell(ranked, 1, 0)).to_have_text("dog", timeout=30_000)
    expect(_cell(ranked, 7, 0)).to_have_text("ana", timeout=30_000)
    assert_no_exception(page)

    # reopened, the sheet keeps the team's plan; tick dog on its first row: dog's share (and
    # its gain) in the table follows
    page.reload()
    wait_idle(page)
    ranked = _grid(page, "gain per effort")
    expect(_cell(ranked, 7, 0)).to_have_text("ana", timeout=60_000)
    dog_share = _cell(ranked, 2, 0).inner_text()
    expect(cell(page, DOG, 0)).to_have_text("false", timeout=30_000)
    toggle(page, DOG, 0)  # the sheet grid's own helper: waits for the tick's save
    wait_idle(page)
    expect(_cell(_grid(page, "gain per effort"), 2, 0)).not_to_have_text(dog_share,
                                                                          timeout=30_000)
    assert_no_exception(page)
    shot(page, "error-priorities-reranked")

    open_page(page, f"{fresh_url}/report")
    page.get_by_role("button", name=re.compile("Build the report")).click()
    wait_idle(page, timeout=120_000)
    summary = page.get_by_test_id("stCode").first
    expect(summary).to_contain_text("What to work on first: priorities and owners",
                                    timeout=60_000)
    expect(summary).to_contain_text(re.compile(r"work on dog first"))
    expect(summary).to_contain_text(re.compile(r"1\\. dog\\: at most .* owner ana"))
    assert_no_exception(page)
