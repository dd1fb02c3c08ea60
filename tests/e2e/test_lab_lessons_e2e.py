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
    curves = _chart(page, "Optimizers from the same start")
    expect(page.get_by_text("After 30 epochs from the same start")).to_be_visible(timeout=WAIT)
    expect(curves).to_be_visible(timeout=WAIT)
    lines = curves.locator(".scatterlayer .trace path.js-line")
    expect(lines).to_have_count(4, timeout=WAIT)
    assert all((lines.nth(k).get_attribute("d") or "").count("L") > 5 for k in range(4))
    assert_no_exception(page)
    shot(page, "lab-race")

    page.get_by_role("tab", name="Inside the network").click()
    tiles = _chart(page, "Hidden units over the input plane")
    expect(tiles).to_be_visible(timeout=WAIT)
    # 48 heatmaps (32 + 16 hidden units), each drawn as an image
    expect(tiles.locator(".heatmaplayer image, .hm image")).to_have_count(48, timeout=WAIT)
    expect(tiles.get_by_text("L2 u16")).to_be_attached(timeout=WAIT)
    assert_no_exception(page)
    shot(page, "lab-tiles")
