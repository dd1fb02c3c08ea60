"""In real Chromium, a workspace full of planted Markdown images, links, HTML and colour
directives: every page shows them as typed text, no element links or points to the planted
host, and the browser never requests anything from it."""

from __future__ import annotations

import pytest

from components.pages import PAGES as REGISTERED
from storage import WorkspaceStore
from tests.e2e.browser import assert_no_exception, open_page
from tests.hostile_workspace import WORKSPACE, plant

# The lab shows no saved names or sheets, so nothing planted reaches it beyond the sidebar.
PAGES = [spec.url_path for spec in REGISTERED if spec.url_path != "training-lab"]
WORD_JOINER = "\u2060"  # invisible; keeps a bare address from becoming a link


@pytest.fixture
def hostile_url(start_server, chromium_path, tmp_path) -> str:
    store = tmp_path / "hostile.sqlite"
    plant(WorkspaceStore(f"sqlite:///{store}"))
    return start_server(store).url


def test_planted_markup_is_shown_as_text_and_fetches_nothing(page, hostile_url):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in PAGES:
        open_page(page, f"{hostile_url}/{path}")
        assert_no_exception(page)
        sidebar = page.get_by_test_id("stSidebar").inner_text().replace(WORD_JOINER, "")
        assert WORKSPACE in sidebar, f"/{path}: the sidebar does not show the name as typed"
        planted = page.locator("img[src*='evil.example'], a[href*='evil.example'], "
                               ".stMarkdownColoredText")
        assert planted.count() == 0, f"/{path}: planted markup was rendered"
    assert [url for url in requested if "evil.example" in url] == []
