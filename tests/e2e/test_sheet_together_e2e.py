"""Two reviewers on one error sheet in real Chromium (two browser contexts, two sessions): each
ticks a different cell at the same moment, both ticks land in one sheet with no conflict copy,
and each sees the other's tick without reloading. A change of the same setting by both is
offered to the second saver as a choice between the two values."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from storage import WorkspaceStore
from tests.e2e.browser import assert_no_exception, open_page, shot, start_sample_sheet, wait_idle
from tests.e2e.sheet_grid import DOG, GREAT_CAT, cell, press_space, select_cell, wait_ready

SHEET = "Shared review"


@pytest.fixture
def server(start_server, chromium_path):
    return start_server()


@pytest.fixture
def two(browser):
    made = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    for context in made:
        context.set_default_timeout(60_000)
    yield [context.new_page() for context in made]
    for context in made:
        context.close()


def _revision_shown(page, revision: int):
    return page.get_by_text(re.compile(rf"revision {revision} · saved on every edit"))


def test_two_reviewers_tick_different_cells_at_once_and_both_see_both(server, two):
    ana, ben = two
    assert start_sample_sheet(ana, server.url, SHEET) == 1
    open_page(ben, f"{server.url}/error-analysis?sheet={quote(SHEET)}")
    for page in (ana, ben):
        wait_ready(page)
        expect(_revision_shown(page, 1)).to_be_visible()
        for column, row in ((DOG, 0), (GREAT_CAT, 3)):
            expect(cell(page, column, row)).to_have_text("false")

    # ana ticks, and ben ticks right after, before his page can have merged hers: two saves
    # made on revision 1. (Each page is picked and ticked in one go: clicking into one page
    # blurs the other, and a blurred grid drops its selected cell, so its Space would be lost.)
    for page, column, row in ((ana, DOG, 0), (ben, GREAT_CAT, 3)):
        select_cell(page, column, row)
        press_space(page)

    for page in (ana, ben):  # each sees both ticks, merged into revision 3, without a reload
        expect(_revision_shown(page, 3)).to_be_visible(timeout=60_000)
        expect(cell(page, DOG, 0)).to_have_text("true", timeout=30_000)
        expect(cell(page, GREAT_CAT, 3)).to_have_text("true", timeout=30_000)
        assert_no_exception(page)
    summary = ana.get_by_test_id("stDataFrame").filter(has_text="best dev error")
    expect(summary).to_contain_text("dog99%")  # 8 -> 9 dogs of 100 reviewed errors
    shot(ana, "sheet_together_both_ticks")

    store = WorkspaceStore(f"sqlite:///{server.store}")
    (workspace,) = store.list_workspaces()
    names = [i.name for i in store.list_items(workspace.id, "error_sheet")]
    assert [n for n in names if "conflict" in n] == []
    edits = store.live.edits(workspace.id, "error_sheet", SHEET)
    assert sorted((e.column, e.new) for e in edits) == [("dog", True), ("great_cat", True)]


def _asked(*pages):
    """The one page asked to choose, once both saves are in (the two saves run in parallel
    on the server, so the question may reach either page a moment after the other is idle)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for page in pages:
            wait_idle(page)
        asked = [p for p in pages if p.get_by_text("changed the same cell").count()]
        if asked:
            assert len(asked) == 1, "exactly the second saver is asked to choose"
            return asked[0]
        pages[0].wait_for_timeout(250)
    raise AssertionError("nobody was asked to choose between the two values")


def test_the_same_setting_changed_by_both_is_a_choice_for_the_second(server, two):
    ana, ben = two
    start_sample_sheet(ana, server.url, SHEET)
    open_page(ben, f"{server.url}/error-analysis?sheet={quote(SHEET)}")
    for page, value in ((ana, "12.50"), (ben, "7.50")):
        wait_ready(page)
        page.get_by_label("Dev error (%)").fill(value)
    ana.get_by_label("Dev error (%)").press("Enter")
    ben.get_by_label("Dev error (%)").press("Enter")
    second = _asked(ana, ben)
    expect(second.get_by_text(re.compile(r"you set (7\.5|12\.5); local user set (12\.5|7\.5)"))
           ).to_be_visible()
    shot(second, "sheet_together_choice")
    mine = second.get_by_role("button", name=re.compile(r"^Use mine"))
    expect(mine).to_be_visible()
    wanted = "7.50" if second is ben else "12.50"
    mine.click()
    other = ana if second is ben else ben
    for page in (second, other):  # both show revision 3, with the value chosen
        expect(_revision_shown(page, 3)).to_be_visible(timeout=60_000)
        wait_idle(page)  # the setting's widget is redrawn under a new key: one input again
        expect(page.get_by_label("Dev error (%)")).to_have_value(wanted, timeout=60_000)
    for page in (ana, ben):
        assert_no_exception(page)
