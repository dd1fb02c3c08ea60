"""The error sheet's grid in Chromium: find a cell, tick it from the keyboard, wait for the save.

The editor is a canvas grid; its accessible mirror has cells glide-cell-<column>-<row>. While
ticking, the grid has fixed rows and no row-marker column: column 0 is the id, then the
categories in order (dog, great cat, blurry, ...).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import sheet_revision, wait_idle

ID, DOG, GREAT_CAT, BLURRY = 0, 1, 2, 3
_HEADER = _ROW = 35  # pixels of the header and of a row


def editor(page: Page):
    """The sheet's grid (the one with a 'great cat' column)."""
    return page.get_by_test_id("stDataFrame").filter(
        has=page.locator("[role=columnheader]", has_text=re.compile(r"^great cat$"))).first


def cell(page: Page, column: int, row: int):
    """A cell of the grid's accessible mirror (its text is 'true'/'false' for a tick)."""
    return editor(page).get_by_test_id(f"glide-cell-{column}-{row}")


def wait_ready(page: Page) -> None:
    """The grid is drawn and holds its data: the script is idle, the first row's cells read."""
    wait_idle(page)
    expect(editor(page)).to_be_visible(timeout=60_000)
    expect(cell(page, ID, 0)).not_to_have_text("", timeout=60_000)
    expect(cell(page, DOG, 0)).to_have_text(re.compile(r"^(true|false)$"), timeout=60_000)


def select_cell(page: Page, column: int, row: int) -> None:
    """Click the id cell of `row` on the canvas, then walk right with the keyboard, each step
    waited for (the grid marks the selected cell aria-selected).

    The grid is scrolled into view first: a mouse click is made at viewport coordinates, so a
    grid pushed below the fold (an expander left open above it) would take the click nowhere
    and the first tick would be lost. Each step waits for the selection to land: on a busy
    machine an arrow pressed before the click's selection was drawn moved nothing, and the
    Space then went to the id cell.
    """
    editor(page).scroll_into_view_if_needed()
    box = editor(page).bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + _HEADER + _ROW * row + _ROW / 2)
    expect(cell(page, ID, row)).to_have_attribute("aria-selected", "true", timeout=30_000)
    for step in range(ID + 1, column + 1):
        page.keyboard.press("ArrowRight")
        expect(cell(page, step, row)).to_have_attribute("aria-selected", "true", timeout=30_000)


def press_space(page: Page) -> None:
    """Toggle the selected checkbox cell, then step the selection down and back: the grid
    repaints an edited cell on its canvas but redraws its accessible mirror (what `cell`
    reads) only when the selection or the data change, so without the step the mirror can
    keep the old value while the canvas shows the new one."""
    page.keyboard.press("Space")  # a checkbox cell toggles on Space
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")


def toggle(page: Page, column: int, row: int) -> int:
    """Tick (or untick) a cell and wait until its save is the sheet's revision; returns it."""
    wait_ready(page)
    before = sheet_revision(page)
    flipped = "false" if cell(page, column, row).inner_text() == "true" else "true"
    select_cell(page, column, row)
    press_space(page)
    expect(cell(page, column, row)).to_have_text(flipped, timeout=30_000)
    expect(page.get_by_text(re.compile(rf"revision (?!{before}\b)\d+ · saved on every edit"))
           ).to_be_visible(timeout=60_000)
    return sheet_revision(page)
