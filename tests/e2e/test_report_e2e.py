"""Build the report after loading the sample project, download it, and open the file in
Chromium with the network cut: the charts still draw and stay interactive."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.browser import assert_no_exception, load_sample, open_page, shot, wait_idle


def test_report_downloads_and_renders_offline(browser, page, app_url, tmp_path):
    load_sample(page, app_url)
    open_page(page, f"{app_url}/report")
    page.get_by_role("button", name=re.compile("Build the report")).click()
    wait_idle(page, timeout=120_000)
    expect(page.get_by_text(re.compile("Report built with"))).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    preview = page.frame_locator("iframe").first
    expect(preview.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    shot(page, "report_page")

    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download the report")).click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.suffix == ".html" and saved.stat().st_size > 1_000_000  # plotly.js inside

    offline = browser.new_context(offline=True, viewport={"width": 1280, "height": 1000})
    attempted: list[str] = []

    def cut(route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    try:
        offline.route("**/*", cut)
        report = offline.new_page()
        report.goto(saved.as_uri())
        plots = report.locator(".js-plotly-plot")
        expect(plots.first).to_be_visible(timeout=30_000)
        assert plots.count() >= 4  # waterfall, ROC, precision-recall, A/B comparison
        for index in range(plots.count()):
            expect(plots.nth(index).locator(".main-svg").first).to_be_attached()
            assert plots.nth(index).locator(".point, .trace, .bars path").count() > 0
        expect(report.get_by_role("heading", name=re.compile("Project review"))).to_be_visible()
        # the sample project opens with its reviewed sheet
        expect(report.locator("#error_analysis")).to_contain_text("Sample: reviewed dev errors")
        # interactive: hovering a bar of the waterfall shows plotly's hover label
        bar = report.locator("#waterfall .js-plotly-plot .bars path").nth(2)
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        # plotly's drag layer lies on top of the bars: move the mouse there as a user would
        report.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(report.locator("#waterfall .hoverlayer .hovertext").first).to_be_attached(timeout=5_000)
        shot(report, "report_offline")
        assert attempted == [], f"the report tried to fetch {attempted}"
    finally:
        offline.close()
