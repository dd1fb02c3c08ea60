"""Workspaces in real Chromium: create, rename, delete and undo in the open app; with sign-in
configured, a fresh server's deep links to the workspaces and report pages show nothing but
'Sign in'."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import assert_no_exception, open_page, shot, wait_idle

AUTH_SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:9/oauth2callback"
cookie_secret = "a-long-random-test-secret-0123456789"
client_id = "workbench-test"
client_secret = "not-a-real-secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
"""


def test_create_rename_delete_and_undo(page, app_url):
    open_page(page, app_url)  # app.py runs st.navigation once before the deep link below
    open_page(page, f"{app_url}/workspaces")
    expect(page.get_by_test_id("stAlertContentInfo").get_by_text("Open for local use")).to_be_visible()
    page.get_by_label("New workspace").fill("Browser project")
    page.get_by_role("button", name=re.compile("Create and open")).click()
    wait_idle(page)
    card = page.locator("[class*='st-key-ws-card']").filter(has_text="Browser project").first
    expect(card).to_contain_text("open")

    card.get_by_role("button", name=re.compile("Rename")).click()
    name = page.get_by_label("New name").last
    name.fill("Browser project v2")
    page.get_by_role("button", name="Save the name").last.click()
    wait_idle(page)
    renamed = page.locator("[class*='st-key-ws-card']").filter(has_text="Browser project v2").first
    expect(renamed).to_be_visible()

    renamed.get_by_role("button", name=re.compile("Delete")).click()
    page.get_by_role("button", name="Yes, delete it").last.click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Deleted .*Browser project v2"))).to_be_visible()
    shot(page, "workspaces_deleted_with_undo")
    page.get_by_role("button", name=re.compile("Undo")).first.click()
    wait_idle(page)
    expect(page.locator("[class*='st-key-ws-card']").filter(has_text="Browser project v2").first
           ).to_be_visible()
    assert_no_exception(page)


@pytest.fixture
def auth_url(start_server, chromium_path, tmp_path, monkeypatch) -> str:
    """A fresh server with an OpenID Connect provider configured (never reached here)."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH_SECRETS)
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
    return start_server().url


def test_with_sign_in_configured_deep_links_show_only_sign_in(browser, auth_url):
    # On a fresh server nobody has opened the root yet: the pages must still refuse.
    for path, hidden in (("workspaces", "New workspace"), ("report", "Build the report")):
        context = browser.new_context()
        try:
            page = context.new_page()
            open_page(page, f"{auth_url}/{path}")
            expect(page.get_by_text("Sign in to see your workspaces.")).to_be_visible()
            expect(page.get_by_role("button", name=re.compile("Sign in"))).to_be_visible()
            assert page.get_by_text(hidden).count() == 0
        finally:
            context.close()
    context = browser.new_context()
    try:
        page = context.new_page()
        open_page(page, auth_url)
        expect(page.get_by_text("sign in to see your workspaces", exact=False).first).to_be_visible()
    finally:
        context.close()
