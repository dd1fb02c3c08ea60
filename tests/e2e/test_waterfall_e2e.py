"""The bias & variance page in real Chromium: a shared link, the sample project, a snapshot."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from analysis.predictions import read_predictions
from analysis.split_errors import errors_by_split
from tests.e2e.browser import assert_no_exception, load_sample, open_page, shot, wait_idle

pytestmark = pytest.mark.e2e


def test_a_link_with_query_parameters_reopens_that_waterfall(page, app_url):
    open_page(page, f"{app_url}/waterfall?human=1&train=10&train_dev=11&dev=20&n_dev=2000")
    assert_no_exception(page)
    expect(page.get_by_label("Training error (%)", exact=True)).to_have_value("10.00")
    expect(page.get_by_label("Train-dev error (%)", exact=True)).to_have_value("11.00")
    expect(page.get_by_label("Dev examples", exact=True)).to_have_value("2000")
    expect(page.get_by_text(re.compile(r"Avoidable bias \(9\.0 points\) and data mismatch "
                                       r"\(9\.0 points\) both matter"))).to_be_visible()
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    # The chart really drew: the dominant gap's call-out and the gap labels are in the SVG.
    expect(chart.get_by_text("Dominant: avoidable bias")).to_be_visible()
    expect(chart.get_by_text("+9.0 pts").first).to_be_visible()
    shot(page, "waterfall-from-link")


def test_typing_updates_the_url_for_a_teammate(page, app_url):
    open_page(page, f"{app_url}/waterfall")
    # With a predictions file in the workspace the page opens on it: switch to typing.
    page.get_by_role("radio", name="Typed rates").click()
    wait_idle(page)
    field = page.get_by_label("Training error (%)", exact=True)
    field.fill("8")
    field.press("Enter")
    page.wait_for_url(re.compile(r"train=8"), timeout=30_000)
    page.get_by_label("Dev error (%)", exact=True).fill("10")
    page.get_by_label("Dev error (%)", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"dev=10"), timeout=30_000)
    shared = page.url
    teammate = page.context.new_page()
    open_page(teammate, shared)
    expect(teammate.get_by_label("Dev error (%)", exact=True)).to_have_value("10.00")
    expect(teammate.get_by_text(re.compile(r"Variance \+ mismatch|variance \(2\.0 points\)",
                                           re.IGNORECASE)).first).to_be_visible()
    teammate.close()


def test_sample_project_shows_per_split_errors_with_intervals(page, app_url, data_dir):
    load_sample(page, app_url)
    # Through the sidebar, so the session (and its active file) stays the same.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Bias & variance").click()
    wait_idle(page)
    page.get_by_role("radio", name="Predictions file").click()
    wait_idle(page)
    assert_no_exception(page)
    table = page.get_by_test_id("stTable")
    expect(table).to_be_visible()
    expect(table.get_by_text("95% interval (Wilson)")).to_be_visible()
    expected = errors_by_split(read_predictions(data_dir / "cat_classifier.csv"))
    for row in expected.itertuples():
        expect(table.get_by_text(f"{row.low:.2f}% – {row.high:.2f}%")).to_be_visible()
        expect(table.get_by_text(f"{row.error:.2f}%", exact=True)).to_be_visible()
    expect(page.get_by_text("Human level from the project")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    shot(page, "waterfall-sample")


def test_a_saved_snapshot_appears_in_the_history(page, app_url):
    open_page(page, f"{app_url}/waterfall?human=0.5&train=4&train_dev=5&dev=9")
    page.get_by_label("Model version", exact=True).fill("e2e-v1")
    page.get_by_label("Model version", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Save snapshot")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile("Saved snapshot e2e-v1"))).to_be_visible()
    expect(page.get_by_text("How the gaps moved across snapshots")).to_be_visible()
    shot(page, "waterfall-snapshot")
