"""SIGKILL the server while a sheet is being edited and while a snapshot is being saved.

After a restart on the same store (SQLite, and a real PostgreSQL server), every edit the page
showed as saved is there, the store passes its integrity check, and the pages open the saved
work without an exception.
"""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from storage import WorkspaceStore
from tests.e2e.browser import (
    assert_no_exception,
    open_page,
    sheet_revision,
    start_sample_sheet,
    wait_idle,
)
from workspace.kinds import ERROR_SHEET, WATERFALL_SNAPSHOT

SHEET_KIND, SNAPSHOT_KIND = ERROR_SHEET.name, WATERFALL_SNAPSHOT.name
SHEET = "Crash sheet"
RATES = "waterfall?human=1&train=8&train_dev=10&dev=12&test=12.5"


def _store(server) -> WorkspaceStore:
    """The killed server's store, once every write it had sent is settled."""
    store = WorkspaceStore(server.db_url)
    if store.engine.dialect.name == "postgresql":
        _wait_for_orphaned_backends(store)
    return store


def _wait_for_orphaned_backends(store: WorkspaceStore) -> None:
    """A COMMIT the killed server sent may still be in its PostgreSQL backend, which then
    commits, or rolls back once it sees the closed socket: read the store only when no other
    backend is inside a transaction (an idle one has nothing pending)."""
    query = sa.text("SELECT pid, state, query FROM pg_stat_activity WHERE datname = "
                    "current_database() AND pid <> pg_backend_pid() AND state <> 'idle'")
    deadline = time.monotonic() + 60
    with store.engine.connect() as conn:
        while busy := conn.execute(query).all():
            assert time.monotonic() < deadline, f"the killed server's writes did not end: {busy}"
            time.sleep(0.1)


def _wait_revision(page: Page, revision: int) -> None:
    expect(page.get_by_text(re.compile(rf"revision {revision} · saved on every edit")).first
           ).to_be_visible(timeout=60_000)


def _set_dev_error(page: Page, value: str) -> None:
    field = page.get_by_label("Dev error (%)")
    field.fill(value)
    field.press("Enter")


def _only_sheet(store: WorkspaceStore):
    (workspace,) = store.list_workspaces()
    return workspace, store.get_item(workspace.id, SHEET_KIND, SHEET)


@pytest.fixture
def crash_context(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(60_000)
    yield context
    context.close()


def test_kill_while_editing_a_sheet_and_while_saving_a_snapshot(start_server, chromium_path,
                                                                crash_context, db_url):
    server = start_server(store=db_url)
    page = crash_context.new_page()

    # 1. A sheet from the course sample, then edits the page confirms one by one.
    first = start_sample_sheet(page, server.url, SHEET)
    shown_saved = {}
    for step, value in enumerate(("12.50", "11.25", "9.75"), start=1):
        _set_dev_error(page, value)
        _wait_revision(page, first + step)
        shown_saved = {"revision": first + step, "dev_error": float(value)}
    # 2. One more edit, and the server dies while it is being handled.
    _set_dev_error(page, "8.00")
    page.wait_for_timeout(40)
    server.stop(kill=True)

    store = _store(server)
    assert store.integrity_check() == []
    workspace, sheet = _only_sheet(store)
    assert sheet.revision >= shown_saved["revision"]
    assert sheet.content["meta"]["dev_error"] in (shown_saved["dev_error"], 8.0)
    kept = {r.revision: r.content["meta"]["dev_error"]
            for r in store.list_revisions(workspace.id, SHEET_KIND, SHEET)}
    assert kept[shown_saved["revision"]] == shown_saved["dev_error"]
    assert sorted(kept) == list(range(1, sheet.revision + 1)), "a revision is missing"
    assert len(sheet.content["rows"]) == 100

    # 3. Restart on the same store: the page opens the sheet at its saved revision.
    server = start_server(store=server.store)
    open_page(page, f"{server.url}/error-analysis")
    assert sheet_revision(page) == sheet.revision
    expect(page.get_by_label("Dev error (%)")).to_have_value(f"{sheet.content['meta']['dev_error']:.2f}")
    assert_no_exception(page)

    # 4. Snapshots: one saved and confirmed, then a kill right after clicking Save.
    open_page(page, f"{server.url}/{RATES}")
    page.get_by_label("Model version").fill("v1")
    page.get_by_label("Model version").press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Save snapshot")).click()
    expect(page.get_by_text(re.compile(r"Saved snapshot v1 \(revision 1\)"))).to_be_visible()
    page.get_by_label("Model version").fill("v2")
    page.get_by_label("Model version").press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Save snapshot")).click()
    page.wait_for_timeout(30)
    server.stop(kill=True)

    store = _store(server)
    assert store.integrity_check() == []
    snapshots = {i.name: store.get_item(workspace.id, SNAPSHOT_KIND, i.name)
                 for i in store.list_items(workspace.id, SNAPSHOT_KIND)}
    assert "v1" in snapshots and snapshots["v1"].content["inputs"]["dev"] == 12.0
    assert set(snapshots) <= {"v1", "v2"}
    for item in snapshots.values():  # whatever was written is whole
        assert item.content["result"] and item.content["inputs"]["train"] == 8.0
    assert _only_sheet(store)[1].revision == sheet.revision  # the sheet is untouched

    server = start_server(store=server.store)
    open_page(page, f"{server.url}/waterfall")
    expect(page.get_by_text("No snapshot yet")).to_have_count(0)
    assert_no_exception(page)
    server.stop()
