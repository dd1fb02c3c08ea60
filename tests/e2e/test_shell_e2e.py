"""The whole app in real Chromium: home, the sample project, every page without a traceback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components.pages import PAGES as REGISTERED
from tests.e2e.browser import assert_no_exception, load_sample, open_page, shot

PAGES = [(spec.url_path, spec.title) for spec in REGISTERED if not spec.is_home]


@pytest.fixture
def fresh_url(start_server, chromium_path) -> str:
    """This test's own server: the sample project is loaded into an empty store."""
    return start_server().url


def test_home_loads_sample_and_every_page_renders(page, fresh_url):
    load_sample(page, fresh_url)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    shot(page, "home")
    for path, title in PAGES:
        open_page(page, f"{fresh_url}/{path}")
        expect(page.get_by_role("heading", name=re.compile(re.escape(title))).first).to_be_visible()
        assert_no_exception(page)
        shot(page, path)


def test_sidebar_names_the_open_workspace(page, fresh_url):
    open_page(page, fresh_url)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Workspace", exact=True)).to_be_visible()
    expect(sidebar.get_by_text("My project")).to_be_visible()


@pytest.mark.parametrize("path", ["waterfall?train=8&dev=10", "error-analysis", "split-planner"])
def test_a_deep_link_to_a_fresh_server_goes_through_app_py(page, start_server, chromium_path, path):
    """The first request a server ever gets is a page link: it must still get app.py's
    navigation and sidebar (and so its sign-in gate), and no 'Page not found'."""
    url = start_server().url
    open_page(page, f"{url}/{path}")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Diagnose")).to_be_visible()
    expect(sidebar.get_by_text("My project")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert_no_exception(page)
