"""The training lab in real Chromium: Play trains live (the fragment's timer), Pause stops it.

AppTest cannot fire run_every timers, so this is where the live loop is seen to work.
"""

from __future__ import annotations

import contextlib
import re

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.browser import assert_no_exception, open_page, shot, wait_idle


def _epoch(page: Page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Epoch").first
    text = metric.get_by_test_id("stMetricValue").inner_text()
    return int(text.replace(",", ""))


def _cost_curve(page: Page) -> str:
    """The SVG path of the cost line (first trace of the 'Cost and error' chart), '' if none."""
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text="Cost and error").first
    lines = chart.locator(".scatterlayer .trace path.js-line")
    return lines.first.get_attribute("d") or "" if lines.count() else ""


def _open_lab(page: Page, app_url: str, query: str = "") -> None:
    open_page(page, f"{app_url}/training-lab{query}")
    expect(page.get_by_role("heading", name="Training lab")).to_be_visible()


def _pause(page: Page, attempts: int = 4) -> None:
    """Press Pause until the page shows Play.

    force: while charts redraw every 0.8 s a loaded CI box may not give Playwright the two quiet
    animation frames its "stable" check wants, and a click that lands while the live fragment
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


def test_play_trains_live_and_pause_stops(page, app_url):
    _open_lab(page, app_url, "?until=200000")
    assert _epoch(page) == 0
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()

    # The epoch counter and the cost curve move on their own (fragment ticks, no clicks).
    expect(page.get_by_test_id("stMetric").filter(has_text="Epoch").first
           .get_by_test_id("stMetricValue")).not_to_have_text("0", timeout=30_000)
    first_epoch, first_curve = _epoch(page), _cost_curve(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Epoch").first
           .get_by_test_id("stMetricValue")).not_to_have_text(f"{first_epoch:,}", timeout=30_000)
    later_epoch, later_curve = _epoch(page), _cost_curve(page)
    assert later_epoch > first_epoch > 0
    assert later_curve and later_curve != first_curve
    shot(page, "training-lab-live")

    _pause(page)
    wait_idle(page)
    paused_epoch, paused_curve = _epoch(page), _cost_curve(page)
    page.wait_for_timeout(2500)
    assert _epoch(page) == paused_epoch  # stopped: no tick after Pause
    assert _cost_curve(page) == paused_curve
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
