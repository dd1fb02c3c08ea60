"""'Copy link' gives a URL that reopens the same view for a teammate (a new browser context)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_exception, open_page, shot, wait_idle


def _copied_link(page: Page) -> str:
    """Open the 'Copy link' popover and read the URL it offers."""
    page.get_by_role("button", name=re.compile("Copy link")).first.click()
    code = page.get_by_test_id("stCode").filter(has_text="http").first
    expect(code).to_be_visible()
    return code.inner_text().strip()


def _metric_value(page: Page, label: str):
    """The value of the metric card labelled exactly `label` ("dev", not "train-dev")."""
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    return card.get_by_test_id("stMetricValue")


def _metric(page: Page, label: str) -> str:
    return _metric_value(page, label).inner_text().strip()


def test_split_planner_link_reopens_the_same_plan(browser, app_url, page):
    open_page(page, f"{app_url}/split-planner")
    sources = page.get_by_label("Data sources and their sizes", exact=True)
    sources.fill("web: 500000; mobile: 40000")
    sources.press("Enter")
    wait_idle(page)
    page.get_by_text("enter sizes", exact=True).click()
    wait_idle(page)
    dev = page.get_by_label("Dev size", exact=True)
    dev.fill("4000")
    dev.press("Enter")
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="dev").first).to_contain_text("4,000")
    link = _copied_link(page)
    assert "split-planner" in link and "sources=" in link and "dev_size=4000" in link

    teammate = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        other = teammate.new_page()
        open_page(other, link)
        assert_no_exception(other)
        expect(other.get_by_label("Data sources and their sizes", exact=True)).to_have_value(
            "web: 500000; mobile: 40000")
        # the teammate's page may draw once before its linked sizes apply: wait for them
        expect(_metric_value(other, "dev")).to_have_text("4,000")
        expect(_metric_value(other, "train")).to_have_text(_metric(page, "train"))
        shot(other, "split_planner_from_link")
    finally:
        teammate.close()


def test_workspaces_link_reopens_the_same_workspace_contents(browser, app_url, page):
    open_page(page, f"{app_url}/workspaces")
    page.get_by_label("New workspace").fill("Linked review")
    page.get_by_role("button", name=re.compile("Create and open")).click()
    wait_idle(page)
    expect(page.get_by_text("Linked review").first).to_be_visible()
    # the new workspace is open and shown by default; look at the other one's contents
    box = page.get_by_test_id("stSelectbox").filter(has_text="Workspace").first
    expect(box.get_by_role("combobox")).to_have_value("Linked review")
    box.get_by_role("combobox").click()
    page.keyboard.press("ArrowDown")  # a click focuses the box; the arrow opens its list
    page.get_by_role("option", name="My project").click()
    wait_idle(page)
    shot(page, "workspaces_other_selected")
    link = _copied_link(page)
    assert "show=My+project" in link or "show=My%20project" in link

    teammate = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        other = teammate.new_page()
        open_page(other, link)
        assert_no_exception(other)
        chosen = other.get_by_test_id("stSelectbox").filter(has_text="Workspace").first
        expect(chosen.get_by_role("combobox")).to_have_value("My project")
    finally:
        teammate.close()


def test_a_link_shared_before_the_rename_still_opens_the_same_plan(page, app_url):
    open_page(page, f"{app_url}/split-planner?sizing=enter+sizes&dev=4000&test=3000")
    assert_no_exception(page)
    expect(page.get_by_label("Dev size", exact=True)).to_have_value("4000")
    expect(page.get_by_label("Test size", exact=True)).to_have_value("3000")
    expect(page.get_by_test_id("stMetric").filter(has_text="dev").first).to_contain_text("4,000")
