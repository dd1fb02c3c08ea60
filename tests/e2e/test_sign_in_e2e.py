"""Sign-in for real: st.login against an OpenID Connect provider (oidc-provider-mock) in Chromium.

Two users each see only their workspaces; a member the owner adds sees the shared one and loses
it on their next action once removed; signing out ends access; a deep link to a fresh server asks
for sign-in first; an unverified e-mail is refused; a secrets file that does not parse stops the
real server's pages instead of opening them to everyone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from storage import WorkspaceStore
from tests.e2e.browser import open_page, wait_idle
from tests.e2e.conftest import AppServer, OidcProvider
from workspace.access import visible

CARDS = "[class*='st-key-ws-card']"


def as_shown(text: str) -> re.Pattern[str]:
    """`text` as the page shows it: user text is escaped Markdown, where an invisible word
    joiner after "@" keeps an address from becoming a mailto link."""
    return re.compile(re.escape(text).replace("@", "@\u2060?"))


def _start_signed_in_server(start_server: Callable[..., AppServer], provider: OidcProvider,
                            folder: Path) -> AppServer:
    """An app server whose secrets file (outside the repo) points at the test provider."""
    secrets = folder / "secrets.toml"
    secrets.write_text(provider.secrets())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
        return start_server()


@pytest.fixture(scope="module")
def server(start_server, oidc_provider, chromium_path, tmp_path_factory) -> AppServer:
    """One app server that signs people in at the test provider."""
    return _start_signed_in_server(start_server, oidc_provider, tmp_path_factory.mktemp("auth"))


@pytest.fixture
def people(browser: Browser) -> Iterator[Callable[[], BrowserContext]]:
    """Fresh browser contexts (each its own cookies: one person each), closed after the test."""
    contexts: list[BrowserContext] = []

    def new() -> BrowserContext:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


def sign_in(context: BrowserContext, url: str, subject: str, *, path: str = "") -> Page:
    """Open the app (at `path`), press Sign in, pick `subject` on the provider's page, and land
    back on the app."""
    page = context.new_page()
    open_page(page, f"{url}/{path}" if path else url)
    page.get_by_role("button", name=re.compile("Sign in")).click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"))
    page.get_by_role("button", name=subject, exact=True).click()
    page.wait_for_url(re.compile(re.escape(url)))
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page)
    return page


def workspaces(page: Page, url: str) -> list[str]:
    """The names on the Workspaces page's cards."""
    open_page(page, f"{url}/workspaces")
    cards = page.locator(CARDS)
    return [cards.nth(i).locator("strong").first.inner_text() for i in range(cards.count())]


def create(page: Page, url: str, name: str) -> None:
    open_page(page, f"{url}/workspaces")
    page.get_by_label("New workspace").fill(name)
    page.get_by_role("button", name=re.compile("Create and open")).click()
    wait_idle(page)
    expect(page.locator(CARDS).filter(has_text=name).first).to_be_visible()


def test_two_users_each_see_only_their_own_workspaces(server, people):
    ann = sign_in(people(), server.url, "ann")
    bob = sign_in(people(), server.url, "bob")
    create(ann, server.url, "Ann's cats")
    create(bob, server.url, "Bob's dogs")
    expect(ann.get_by_text(as_shown("Signed in as ann@example.com")).first).to_be_visible()
    assert "Ann's cats" in workspaces(ann, server.url)
    assert "Bob's dogs" not in workspaces(ann, server.url)
    assert "Bob's dogs" in workspaces(bob, server.url)
    assert "Ann's cats" not in workspaces(bob, server.url)


def set_members(page: Page, url: str, workspace: str, members: str) -> None:
    """The owner's Members popover on the workspace's card: type the list and save it."""
    open_page(page, f"{url}/workspaces")
    card = page.locator(CARDS).filter(has_text=workspace).first
    card.get_by_role("button", name=re.compile("Members")).click()
    page.get_by_label("Members (one sign-in e-mail per line)").last.fill(members)
    page.get_by_role("button", name="Save members").last.click()
    wait_idle(page)


def test_a_member_sees_the_shared_workspace_and_loses_it_on_their_next_action(server, people):
    ann = sign_in(people(), server.url, "ann")
    create(ann, server.url, "Shared birds")
    set_members(ann, server.url, "Shared birds", "carol@example.com")
    carol = sign_in(people(), server.url, "carol")  # her provider sends Carol@Example.com
    assert "Shared birds" in workspaces(carol, server.url)  # and it opened: her only one
    expect(carol.get_by_test_id("stSidebarUserContent").get_by_text("Shared birds")).to_be_visible()

    set_members(ann, server.url, "Shared birds", "")
    carol.get_by_test_id("stSidebarNav").get_by_role("link", name="Home").click()  # next action
    wait_idle(carol)
    expect(carol.get_by_text(re.compile("do not have access to it")).first).to_be_visible()
    sidebar = carol.get_by_test_id("stSidebarUserContent")
    expect(sidebar.get_by_text("Shared birds")).to_have_count(0)
    assert "Shared birds" not in workspaces(carol, server.url)


def test_signing_out_ends_access(server, people):
    ann = sign_in(people(), server.url, "ann")
    create(ann, server.url, "Ann's last project")
    ann.get_by_role("button", name=re.compile("Sign out")).click()
    ann.wait_for_url(re.compile(r"/oauth2/end_session"))  # the provider ends its session too
    ann.get_by_role("button", name="End session").click()
    ann.wait_for_url(re.compile(re.escape(server.url)))
    open_page(ann, f"{server.url}/workspaces")
    expect(ann.get_by_role("button", name=re.compile("Sign in"))).to_be_visible()
    assert ann.get_by_text("Ann's last project").count() == 0
    assert ann.get_by_label("New workspace").count() == 0


def test_a_deep_link_to_a_fresh_server_asks_for_sign_in_first(start_server, oidc_provider,
                                                             chromium_path, tmp_path, people):
    fresh = _start_signed_in_server(start_server, oidc_provider, tmp_path)
    page = people().new_page()
    open_page(page, f"{fresh.url}/workspaces")  # nobody has opened this server's root yet
    expect(page.get_by_text("sign in to see your workspaces")).to_be_visible()
    assert page.get_by_label("New workspace").count() == 0
    bob = sign_in(page.context, fresh.url, "bob", path="workspaces")
    expect(bob.get_by_text(as_shown("Signed in as bob@example.com")).first).to_be_visible()
    assert workspaces(bob, fresh.url) == ["My project"]


def test_an_unverified_email_is_refused_with_the_reason(server, people):
    dave = sign_in(people(), server.url, "dave")
    expect(dave.get_by_text(as_shown("has not verified the e-mail address dave@example"))
           ).to_be_visible()
    expect(dave.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    open_page(dave, f"{server.url}/workspaces")
    expect(dave.get_by_text(re.compile("has not verified"))).to_be_visible()
    assert dave.get_by_label("New workspace").count() == 0
    db = WorkspaceStore(f"sqlite:///{server.store}")
    assert visible(db.list_workspaces(), "dave@example.com", auth=True) == []


def test_a_secrets_file_that_does_not_parse_stops_every_page(start_server, chromium_path,
                                                             tmp_path, people):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback\n')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
        broken = start_server()
    page = people().new_page()
    for path in ("workspaces", ""):
        open_page(page, f"{broken.url}/{path}")
        expect(page.get_by_text(re.compile("sign-in configuration is broken"))).to_be_visible()
        assert page.get_by_label("New workspace").count() == 0
        assert page.get_by_test_id("stSidebarNav").count() == 0  # stopped before any page
