"""Ten teammates at once: ten Playwright contexts (ten Streamlit sessions) on one server and
one workspace. Every page answers, and two people editing the same error-analysis sheet at
the same moment lose nothing: ticks in different cells merge into the one sheet and appear
on both screens, and nobody gets a conflict copy (a same-cell clash, the only case left, is
covered by test_sheet_together_e2e)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from components.pages import PAGES as REGISTERED
from storage import WorkspaceStore
from tests.e2e.browser import (
    assert_no_exception,
    load_sample,
    open_page,
    sheet_revision,
    start_sample_sheet,
    wait_idle,
)
from tests.e2e.sheet_grid import DOG, GREAT_CAT, cell, press_space, select_cell, wait_ready

SHEET = "Team sheet"
# Home's heading is the app's name; every other page's heading is its title in the sidebar.
PAGES = [(spec.url_path, "ML Strategy Workbench" if spec.is_home else spec.title)
         for spec in REGISTERED]
N_TEAMMATES = 10


@pytest.fixture(scope="module")
def team_server(start_server, chromium_path):
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def contexts(browser):
    made = [browser.new_context(viewport={"width": 1280, "height": 900})
            for _ in range(N_TEAMMATES)]
    for context in made:
        context.set_default_timeout(120_000)
    yield made
    for context in made:
        context.close()


def _create_sheet(page: Page, url: str) -> None:
    assert start_sample_sheet(page, url, SHEET) == 1


@pytest.mark.timeout(1500)  # ten sessions on two busy cores: minutes for the slowest to load
def test_ten_sessions_on_one_workspace(team_server, contexts):
    url = team_server.url
    first = contexts[0].new_page()
    load_sample(first, url)
    _create_sheet(first, url)

    # Ten sessions open their pages at the same moment (navigation only committed, then all
    # are waited for): two of them on the shared sheet, the others spread over every page.
    pages = [context.new_page() for context in contexts]
    targets = [f"error-analysis?sheet={quote(SHEET)}"] * 2 + [
        path for path, _ in PAGES] * 2
    for page, target in zip(pages, targets, strict=False):
        page.goto(f"{url}/{target}", wait_until="commit")
    for page, target in zip(pages, targets, strict=False):
        # ten sessions on two busy cores: the last may wait minutes for its turn
        page.wait_for_selector("[data-testid='stApp']", timeout=600_000)
        wait_idle(page, timeout=600_000)
        title = dict(PAGES)[target.split("?")[0]] if "?" not in target else "Error analysis"
        expect(page.get_by_role("heading", name=re.compile(re.escape(title))).first
               ).to_be_visible(timeout=120_000)
        assert_no_exception(page)

    # Two teammates tick different cells of the same sheet at once (both had revision 1 on
    # screen): both ticks land in the one sheet and each sees the other's without a reload.
    alice, bob = pages[0], pages[1]
    assert sheet_revision(alice) == sheet_revision(bob) == 1
    for page, column, row in ((alice, DOG, 0), (bob, GREAT_CAT, 3)):
        wait_ready(page)
        select_cell(page, column, row)
        press_space(page)

    # Both see revision 3 holding both ticks, each without a reload.
    for page in (alice, bob):
        expect(page.get_by_text(re.compile(r"revision 3 · saved on every edit"))).to_be_visible(
            timeout=120_000)
        for column, row in ((DOG, 0), (GREAT_CAT, 3)):
            expect(cell(page, column, row)).to_have_text("true", timeout=60_000)
        assert page.get_by_text("changed the same cell").count() == 0
        assert_no_exception(page)
    store = WorkspaceStore(f"sqlite:///{team_server.store}")
    assert store.integrity_check() == []
    (workspace,) = store.list_workspaces()
    names = [i.name for i in store.list_items(workspace.id, "error_sheet")]
    assert [n for n in names if "(conflict" in n] == [], names  # nobody got a conflict copy
    edits = store.live.edits(workspace.id, "error_sheet", SHEET)
    assert {(e.row, e.column, e.new) for e in edits if e.op == "SetCell"} == {
        ("r0", "dog", True), ("r3", "great_cat", True)}
    assert [i.revision for i in store.list_revisions(workspace.id, "error_sheet", SHEET)
            ] == [3, 2, 1]  # one revision per tick, nothing else written
    started, merged = (store.get_item(workspace.id, "error_sheet", SHEET, revision=r
                                      ).content["meta"] for r in (1, 3))
    assert merged == started  # no page sent a settings widget's bare default back as typed
    # Every other page still answers after the edits.
    for page in pages[2:]:
        page.reload()
        page.wait_for_selector("[data-testid='stApp']", timeout=120_000)
        wait_idle(page, timeout=120_000)
        assert_no_exception(page)
    open_page(first, f"{url}/workspaces")
    assert_no_exception(first)
