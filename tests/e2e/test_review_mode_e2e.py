"""Review mode in real Chromium: the sample project's report presented as slides and paged by
keys, then the downloaded report printed with page.pdf(): a slide per page, every chart's
title in the text pypdf extracts, every chart inside the printed page's width."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.browser import SHOTS, assert_no_exception, load_sample, open_page, shot, wait_idle

COUNTER = re.compile(r"^(\d+) / (\d+)$")
PRINT_WIDTH_PX = 1047  # A4 landscape (297 mm) less 10 mm margins, at 96 px per inch


def _build_report(page, app_url) -> None:
    load_sample(page, app_url)
    open_page(page, f"{app_url}/report")
    page.get_by_role("button", name=re.compile("Build the report")).click()
    wait_idle(page, timeout=120_000)
    expect(page.get_by_text(re.compile("Report built with"))).to_be_visible(timeout=60_000)


def _slide(frame) -> tuple[int, int]:
    counter = frame.locator(".counter")
    expect(counter).to_have_text(COUNTER)
    shown, total = COUNTER.match(counter.inner_text()).groups()
    return int(shown), int(total)


def _press(page, frame, key: str, expected: int, total: int) -> None:
    page.keyboard.press(key)
    expect(frame.locator(".counter")).to_have_text(f"{expected} / {total}")


def test_review_mode_pages_by_keys_and_the_report_prints_a_slide_per_page(page, app_url,
                                                                          tmp_path):
    _build_report(page, app_url)
    page.get_by_text("Slides (review mode)", exact=True).click()
    wait_idle(page)
    assert_no_exception(page)
    frame = page.frame_locator("iframe[title='The project review as slides']")
    expect(frame.get_by_role("heading", name=re.compile("Project review"))).to_be_visible(
        timeout=30_000)
    expect(frame.get_by_role("heading", name="The project's goal")).to_be_visible()  # 1st slide
    shown, total = _slide(frame)
    assert shown == 1 and 2 <= total <= 10  # the sample's story in at most ten slides
    frame.locator("h1").click()  # the user puts the focus on the slides
    _press(page, frame, "ArrowRight", 2, total)
    expect(frame.get_by_role("heading", name="How the data is split")).to_be_visible()
    expect(frame.locator("h1")).to_be_hidden()
    _press(page, frame, "PageDown", 3, total)
    expect(frame.get_by_role("heading", name="How the data is split")).to_be_hidden()
    _press(page, frame, "PageUp", 2, total)
    _press(page, frame, "ArrowLeft", 1, total)
    expect(frame.locator("h1")).to_be_visible()
    _press(page, frame, "End", total, total)
    expect(frame.get_by_role("heading", name="What we did, what happened, what next")
           ).to_be_visible()
    expect(frame.locator("#course .js-plotly-plot")).to_be_visible()  # the learning curve
    shot(page, "f16-review-mode")

    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download the report")).click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    report = page.context.new_page()
    report.set_viewport_size({"width": 1280, "height": 900})
    report.goto(saved.as_uri())
    plots = report.locator(".js-plotly-plot")
    expect(plots.first.locator(".main-svg").first).to_be_attached(timeout=30_000)
    slides = report.locator('.slide[data-present="true"]').count()
    assert slides == total
    titles = report.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')]"
                             ".map(p => (p.layout.title && p.layout.title.text) || '')")
    assert len(titles) >= 5 and all(titles)

    printed = report.pdf(prefer_css_page_size=True, print_background=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "f16-report.pdf").write_bytes(printed)  # for a look at its pages
    pdf = PdfReader(io.BytesIO(printed))
    assert len(pdf.pages) == slides  # a page per slide, nothing split, no blank page
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    for title in titles:
        plain = " ".join(re.sub(r"<[^>]+>", " ", title).split())
        assert plain in text, f"chart title {plain!r} is not in the PDF's text"
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "Project review" in first

    # Print layout: every chart sits inside the page's printable width.
    report.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 700})
    report.emulate_media(media="print")
    overflow = report.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')]"
                               ".map(p => p.getBoundingClientRect().right)"
                               f".filter(right => right > {PRINT_WIDTH_PX} + 1)")
    assert overflow == []
    report.screenshot(path=str(SHOTS / "f16-pdf-first-page.png"))
    report.close()
