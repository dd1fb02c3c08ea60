"""The metrics page in real Chromium: upload the cat-classifier sample, move the threshold, see
precision and recall change; the page reopens from its URL; multiclass and multi-label views."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_exception, load_sample, open_page, shot, wait_idle

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "cat_classifier.csv"


@pytest.fixture
def fresh_url(start_server, chromium_path) -> str:
    """This test's own server and empty store, so the upload is the only file."""
    return start_server().url


def _metric(page: Page, label: str) -> str:
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    return card.get_by_test_id("stMetricValue").inner_text()


def _upload_sample(page: Page, url: str, path: Path = SAMPLE) -> None:
    """Upload `path` (the cat-classifier sample by default) on the metrics page."""
    open_page(page, f"{url}/metrics")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(path))
    wait_idle(page)
    expect(page.get_by_text(re.compile(rf"Loaded {re.escape(path.name)}"))).to_be_visible(
        timeout=90_000)
    wait_idle(page)


def test_upload_sample_move_threshold_numbers_change(page, fresh_url):
    _upload_sample(page, fresh_url)
    expect(page.get_by_text("Binary metrics")).to_be_visible()
    precision, recall = _metric(page, "Precision"), _metric(page, "Recall")
    assert precision.endswith("%") and recall.endswith("%")
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    shot(page, "metrics_binary_upload")

    thumb = page.get_by_role("slider").first
    thumb.focus()
    for _ in range(25):  # 0.50 -> 0.75, one keyboard step (0.01) at a time
        thumb.press("ArrowRight")
    # each key press is a rerun: wait for the last one (its threshold in the address, the page
    # idle) before reading the cards, or an intermediate threshold's numbers are read
    expect(page).to_have_url(re.compile(r"threshold=0\.75"), timeout=60_000)
    wait_idle(page)
    for label, before in (("Recall", recall), ("Precision", precision)):
        expect(page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
               .get_by_test_id("stMetricValue")).not_to_have_text(before, timeout=60_000)
    assert_no_exception(page)
    shot(page, "metrics_binary_threshold_075")

    # a teammate's link reopens the same threshold
    page.goto(page.url)
    wait_idle(page)
    expect(page.get_by_role("slider").first).to_have_value("0.75")


def test_course_preset_and_a_vs_b_verdict(page, fresh_url):
    _upload_sample(page, fresh_url)
    expect(page.get_by_text(re.compile(r"B wins: maximise accuracy subject to running_time_ms (<=|≤) 100"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"error is [\d.]+ points lower"))).to_be_visible()
    page.get_by_role("button", name=re.compile("Send misclassified dev examples")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Sent [\d,]+ misclassified dev examples"))).to_be_visible()
    assert_no_exception(page)
    shot(page, "metrics_selection_and_comparison")


def test_multiclass_and_multilabel_views(page, fresh_url):
    load_sample(page, fresh_url)
    open_page(page, f"{fresh_url}/metrics")
    for option, heading, name in (("animals_multiclass.csv", "Multiclass metrics", "multiclass"),
                                  ("driving_multitask.csv", "Multilabel metrics", "multilabel")):
        page.get_by_test_id("stSelectbox").filter(has_text="Predictions file").click()
        page.get_by_role("option", name=option).click()
        wait_idle(page)
        expect(page.get_by_text(heading)).to_be_visible()
        expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
        assert_no_exception(page)
        shot(page, f"metrics_{name}")
