"""Tidying a workspace in real Chromium: delete a file, undo, delete it again; the report and
the file pickers no longer offer it, while the deleted list says who deleted it and when."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_exception, load_sample, open_page, shot, wait_idle

DOOMED, KEPT = "driving_multitask.csv", "animals_multiclass.csv"


def _pick(page: Page) -> None:
    """Choose the doomed file in the item picker (typed: the option list is virtualised)."""
    page.get_by_test_id("stSelectbox").filter(has_text="Item").click()
    page.keyboard.type(DOOMED)
    page.get_by_role("option", name=f"predictions file: {DOOMED}").click()
    wait_idle(page)


def _delete(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Delete…")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(f"Delete the predictions file {re.escape(DOOMED)}"))
           ).to_be_visible()
    page.get_by_role("button", name="Yes, delete it").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(f"Deleted the predictions file {re.escape(DOOMED)} "
                                       r"\(local user, just now\)"))).to_be_visible()


def test_delete_a_file_undo_delete_again_and_the_report_no_longer_offers_it(
        page: Page, start_server, chromium_path):
    app = start_server().url
    load_sample(page, app)
    open_page(page, f"{app}/workspaces")
    _pick(page)
    _delete(page)
    shot(page, "tidy_file_deleted_with_undo")
    page.get_by_role("button", name=re.compile("Undo")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(f"Deleted the predictions file {re.escape(DOOMED)}"))
           ).to_have_count(0)
    _pick(page)
    _delete(page)
    assert_no_exception(page)

    open_page(page, f"{app}/report")
    page.get_by_role("button", name=re.compile("Build the report")).click()
    wait_idle(page, timeout=120_000)
    expect(page.get_by_text(re.compile("Report built with"))).to_be_visible(timeout=60_000)
    summary = page.get_by_test_id("stCode").first  # Markdown: names escaped, animals\_multi...
    expect(summary).to_contain_text(KEPT.split("_")[0])
    expect(summary).not_to_contain_text(DOOMED.split("_")[0])
    assert_no_exception(page)

    open_page(page, f"{app}/metrics")
    expect(page.get_by_text(DOOMED)).to_have_count(0)
    assert_no_exception(page)
