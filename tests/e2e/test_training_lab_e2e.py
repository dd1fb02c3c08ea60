"""The training lab in real Chromium: Play trains live (the fragment's timer) and the browser
draws frames in between (the drawing component's data-frame-count), Pause stops both.

AppTest cannot fire run_every timers, so this is where the live loop is seen to work.
"""

from __future__ import annotations

import contextlib
import re

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.browser import IDLE, assert_no_exception, open_page, shot

LIVE = ".lab-live[data-kind='live']"  # the drawing component's root (inside its shadow root)


def _attribute(page: Page, name: str) -> int:
    return int(page.locator(LIVE).get_attribute(name))


def _grows(page: Page, name: str) -> int:
    """Wait (polling the attribute, no sleep) until `name` moves past its current value."""
    before = _attribute(page, name)
    expect(page.locator(LIVE)).not_to_have_attribute(name, str(before), timeout=30_000)
    after = _attribute(page, name)
    assert after > before
    return after


def _open_lab(page: Page, app_url: str, query: str = "") -> None:
    open_page(page, f"{app_url}/training-lab{query}")
    expect(page.get_by_role("heading", name="Training lab")).to_be_visible()


def _pause(page: Page, attempts: int = 4) -> None:
    """Press Pause until the page shows Play.

    force: while the live drawing redraws several times a second a loaded CI box may not give
    Playwright the two quiet animation frames its "stable" check wants, and a click that lands while the live fragment
    swaps the button out is lost; only a button still named Pause is ever clicked, so a retry
    never turns training back on.
    """
    play = page.get_by_role("button", name="Play")
    for _ in range(attempts):
        with contextlib.suppress(PlaywrightTimeoutError):
            page.get_by_role("button", name="Pause").click(force=True, timeout=10_000)
        with contextlib.suppress(AssertionError):
            expect(play).to_be_visible(timeout=15_000)
            return
    expect(play).to_be_visible()


def _run_gradient_check(page: Page, attempts: int = 3) -> None:
    """Press "Run gradient check" until its result shows. On a loaded machine a click that
    lands while the expander below the live drawing is still settling was seen lost (the
    button stayed, no result after a minute); a check run twice shows the same result."""
    result = page.get_by_text(re.compile(r"relative difference .* at epoch"))
    for _ in range(attempts - 1):
        page.get_by_role("button", name="Run gradient check").click()
        with contextlib.suppress(AssertionError):
            expect(result).to_be_visible(timeout=60_000)
            return
    page.get_by_role("button", name="Run gradient check").click()
    expect(result).to_be_visible(timeout=60_000)


def test_play_redraws_in_the_browser_and_pause_stops_the_frames(page, app_url):
    _open_lab(page, app_url, "?until=200000")
    live = page.locator(LIVE)
    expect(live).to_have_attribute("data-epoch", "0")  # paused: the untrained network, drawn
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(live).to_have_attribute("data-playing", "true", timeout=30_000)

    # Frames keep being drawn, and each shows a later epoch (the fragment's timer, no clicks).
    _grows(page, "data-frame-count")
    first_epoch = _grows(page, "data-epoch")
    _grows(page, "data-frame-count")
    assert _grows(page, "data-epoch") > first_epoch > 0
    shot(page, "training-lab-live")

    _pause(page)
    # Paused: the last message says so and no frame is queued, so no timer is left to draw.
    expect(live).to_have_attribute("data-playing", "false", timeout=30_000)
    expect(live).to_have_attribute("data-pending", "0")
    page.wait_for_selector(IDLE, timeout=60_000)
    paused = (_attribute(page, "data-frame-count"), _attribute(page, "data-epoch"))
    # A round trip to the server (a gradient check) and back to idle: still the same frame.
    page.get_by_test_id("stExpander").filter(has_text="Gradient check").locator("summary").click()
    _run_gradient_check(page)
    page.wait_for_selector(IDLE, timeout=60_000)
    expect(live).to_have_attribute("data-playing", "false")
    assert (_attribute(page, "data-frame-count"), _attribute(page, "data-epoch")) == paused
    assert_no_exception(page)
    shot(page, "training-lab-paused")


def test_a_link_reopens_the_same_settings(page, app_url):
    # URL parameters named like the LabConfig fields, with raw option values
    _open_lab(page, app_url,
              "?dataset=xor&hidden=5%2C2&learning_rate=0.003&optimizer=momentum&init=xavier")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name="Optimizer")).to_have_value("momentum")
    expect(sidebar.get_by_role("combobox", name="Weights")).to_have_value("xavier")
    expect(sidebar.get_by_role("combobox", name="Dataset")).to_have_value("xor")
    expect(sidebar.get_by_role("textbox", name="Hidden layers (units per layer)")).to_have_value("5,2")
    expect(sidebar.get_by_role("spinbutton", name="Learning rate α")).to_have_value(re.compile(r"0\.003"))
    assert_no_exception(page)
