"""The training lab's optimizer race, saddle surface and neuron tiles, drawn in real Chromium."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def _chart(page: Page, title: str) -> Locator:
    return page.get_by_test_id("stPlotlyChart").filter(has_text=title).first


def test_race_surface_and_tiles_render(page, app_url, open_page, wait_idle, assert_no_exception,
                                       shot):
    open_page(page, f"{app_url}/training-lab")
    expect(page.get_by_role("heading", name="Training lab")).to_be_visible()

    page.get_by_role("tab", name="Optimizer race").click()
    surface = _chart(page, "A saddle point and a plateau")
    expect(surface).to_be_visible()
    # four drawn paths (gd, momentum, rmsprop, adam), each a line with a real SVG path
    expect(surface.locator(".scatterlayer .trace path.js-line")).to_have_count(4)
    expect(surface.locator(".contourlayer path").first).to_be_attached()

    epochs = page.get_by_test_id("stMain").get_by_label("Epochs", exact=True).first
    epochs.fill("30")
    epochs.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Race").click()
    curves = _chart(page, "Optimizers from the same start")
    expect(curves).to_be_visible(timeout=60_000)
    lines = curves.locator(".scatterlayer .trace path.js-line")
    expect(lines).to_have_count(4)
    assert all((lines.nth(k).get_attribute("d") or "").count("L") > 5 for k in range(4))
    expect(page.get_by_text("After 30 epochs from the same start")).to_be_visible()
    assert_no_exception(page)
    shot(page, "lab-race")

    page.get_by_role("tab", name="Inside the network").click()
    tiles = _chart(page, "Hidden units over the input plane")
    expect(tiles).to_be_visible()
    # 48 heatmaps (32 + 16 hidden units), each drawn as an image
    expect(tiles.locator(".heatmaplayer image, .hm image")).to_have_count(48)
    expect(tiles.get_by_text("L2 u16")).to_be_attached()
    assert_no_exception(page)
    shot(page, "lab-tiles")
