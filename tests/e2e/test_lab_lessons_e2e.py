"""The training lab's optimizer race, saddle surface and neuron tiles, drawn in real Chromium."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import assert_no_exception, open_page, shot, wait_idle

WAIT = 60_000  # charts of a loaded 2-core box may take a while to draw


def _chart(page: Page, title: str) -> Locator:
    return page.get_by_test_id("stPlotlyChart").filter(has_text=title).first


def test_race_surface_and_tiles_render(page, app_url):
    open_page(page, f"{app_url}/training-lab")
    expect(page.get_by_role("heading", name="Training lab")).to_be_visible()

    page.get_by_role("tab", name="Optimizer race").click()
    surface = _chart(page, "A saddle point and a plateau")
    expect(surface).to_be_visible(timeout=WAIT)
    # four drawn paths (gd, momentum, rmsprop, adam), each a line with a real SVG path
    expect(surface.locator(".scatterlayer .trace path.js-line")).to_have_count(4, timeout=WAIT)
    expect(surface.locator(".contourlayer path").first).to_be_attached(timeout=WAIT)

    epochs = page.get_by_test_id("stMain").get_by_label("Epochs", exact=True).first
    epochs.fill("30")
    epochs.press("Enter")
    expect(epochs).to_have_value("30")
    wait_idle(page)
    page.get_by_role("button", name="Race", exact=True).click()
    race = page.locator(".lab-live[data-kind='race']")
    expect(race).to_be_attached(timeout=WAIT)
    # the racers are drawn live, then summed up; one legend entry and curve per optimizer
    expect(page.get_by_text("After 30 epochs from the same start")).to_be_visible(timeout=WAIT)
    expect(race).to_have_attribute("data-epoch", "30", timeout=WAIT)
    expect(race).to_have_attribute("data-playing", "false")
    assert int(race.get_attribute("data-frame-count")) >= 2
    expect(race.locator(".legend > span")).to_have_count(4)
    expect(race.get_by_text("adam cost")).to_be_visible()
    assert_no_exception(page)
    shot(page, "lab-race")

    page.get_by_role("tab", name="Inside the network").click()
    tiles = page.locator(".lab-live[data-kind='tiles']")
    # 48 tiles (32 + 16 hidden units), each a small canvas drawn in the browser
    expect(tiles).to_have_attribute("data-tile-count", "48", timeout=WAIT)
    expect(tiles.locator(".tile canvas")).to_have_count(48)
    expect(tiles.get_by_text("L2 u16", exact=True)).to_be_attached()
    assert_no_exception(page)
    shot(page, "lab-tiles")
