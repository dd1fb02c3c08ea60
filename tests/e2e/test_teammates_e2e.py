"""Ten teammates at once: ten Playwright contexts (ten Streamlit sessions) on one server and
one workspace. Every page answers, and two people editing the same error-analysis sheet at
the same moment lose nothing: both edits are kept, or the conflict is shown to the one whose
save came second (their version kept as a conflict copy)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from components.pages import PAGES as REGISTERED
from storage import WorkspaceStore
from tests.e2e.browser import (
    IDLE,
    assert_no_exception,
    load_sample,
    open_page,
    sheet_revision,
    start_sample_sheet,
    wait_idle,
)

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
        page.wait_for_selector("[data-testid='stApp']", timeout=180_000)
        wait_idle(page, timeout=180_000)
        title = dict(PAGES)[target.split("?")[0]] if "?" not in target else "Error analysis"
        expect(page.get_by_role("heading", name=re.compile(re.escape(title))).first
               ).to_be_visible(timeout=120_000)
        assert_no_exception(page)

    # Two teammates edit the same sheet at once: both had revision 1 on screen.
    alice, bob = pages[0], pages[1]
    assert sheet_revision(alice) == sheet_revision(bob) == 1
    for page, value in ((alice, "12.50"), (bob, "7.50")):
        page.get_by_label("Dev error (%)").fill(value)
    alice.get_by_label("Dev error (%)").press("Enter")
    bob.get_by_label("Dev error (%)").press("Enter")
    for page in (alice, bob):
        page.wait_for_timeout(300)
        page.wait_for_selector(IDLE, timeout=120_000)
        assert_no_exception(page)

    store = WorkspaceStore(f"sqlite:///{team_server.store}")
    assert store.integrity_check() == []
    (workspace,) = store.list_workspaces()
    sheets = {i.name: store.get_item(workspace.id, "error_sheet", i.name)
              for i in store.list_items(workspace.id, "error_sheet")}
    history = [r.content["meta"]["dev_error"]
               for r in store.list_revisions(workspace.id, "error_sheet", SHEET)]
    copies = [s for name, s in sheets.items() if name.startswith(f"{SHEET} (conflict")]
    saved_values = set(history) | {c.content["meta"]["dev_error"] for c in copies}
    assert {12.5, 7.5} <= saved_values, (history, list(sheets))
    print(f"\nsheet history (dev error per revision): {history}; conflict copies: "
          f"{[(c.name, c.content['meta']['dev_error']) for c in copies]}")
    if copies:
        # The second save did not overwrite the first: the one who saved second is told.
        told = [p for p in (alice, bob)
                if p.get_by_text(re.compile("Nothing was overwritten")).count()]
        assert told, "a conflict copy was made but nobody was told"
    # Every other page still answers after the edits.
    for page in pages[2:]:
        page.reload()
        page.wait_for_selector("[data-testid='stApp']", timeout=120_000)
        wait_idle(page, timeout=120_000)
        assert_no_exception(page)
    open_page(first, f"{url}/workspaces")
    assert_no_exception(first)
