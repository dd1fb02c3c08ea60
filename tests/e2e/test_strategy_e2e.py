"""The project strategy page in real Chromium: the sample's goal, log and learning curve; a goal
saved and an entry added to the log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import assert_no_exception, load_sample, open_page, shot, wait_idle

pytestmark = pytest.mark.e2e

ENTRIES = re.compile(r"(\d+) entries: the aimed gap")


def _open_strategy(page, app_url) -> None:
    load_sample(page, app_url)
    # Through the sidebar, so the session stays the same.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Project strategy").click()
    wait_idle(page)


def _entry_count(page) -> int:
    summary = page.get_by_text(ENTRIES)
    expect(summary).to_be_visible()
    return int(ENTRIES.search(summary.inner_text()).group(1))


def test_sample_strategy_shows_goal_log_and_learning_curve(page, app_url):
    _open_strategy(page, app_url)
    assert_no_exception(page)
    expect(page.get_by_label("Single-number metric")).to_have_value("accuracy")
    expect(page.get_by_label("Dev set: distribution")).to_have_value("mobile-app uploads")
    assert _entry_count(page) >= 4
    expect(page.get_by_text("Orthogonalization", exact=False).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"Waterfall at v3")).first).to_be_visible()
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    expect(chart.get_by_text("fit: a + b·n^-c")).to_be_visible()
    expect(chart.get_by_text("Dev error against training-set size")).to_be_visible()
    expect(page.get_by_text(re.compile(r"More data helps .* but will not close the gap"))
           ).to_be_visible()
    shot(page, "f1-strategy-sample")


def test_set_a_goal_and_add_a_log_entry(page, app_url):
    _open_strategy(page, app_url)
    target = page.get_by_label("Target", exact=True)
    target.fill("96")
    target.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Save the goal").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Saved \(revision \d+\)"))).to_be_visible()
    before = _entry_count(page)
    page.get_by_label("Decision").fill("Grow the dev set to 5,000 mobile uploads")
    page.get_by_role("button", name="Add to the log").click()
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text(re.compile(rf"{before + 1} entries: the aimed gap"))).to_be_visible()


def test_a_link_reopens_the_same_advice(page, app_url):
    open_page(page, f"{app_url}/strategy?tl_source=10000&tl_target=1&tl_same=yes")
    assert_no_exception(page)
    expect(page.get_by_label("Source examples (task A)")).to_have_value("10000")
    expect(page.get_by_text(re.compile(r"speech recognition \(10,000 h\) \S+ wake-word")).first
           ).to_be_visible()


def test_an_uploaded_learning_curve_is_fitted(page, app_url, tmp_path):
    sizes = [1000, 2000, 4000, 8000, 16000]
    rows = "\n".join(f"{n},1.0,{3 + 300 * n ** -0.5:.3f}" for n in sizes)
    path = tmp_path / "curve.csv"
    path.write_text(f"size,train_error_pct,dev_error_pct\n{rows}\n")
    open_page(page, f"{app_url}/strategy")
    page.locator("input[type=file]").first.set_input_files(str(path))
    wait_idle(page)
    assert_no_exception(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.get_by_text("fit: a + b·n^-c")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Dev error at 2x the data \(32,000\)"))).to_be_visible()


def test_save_snapshots_and_see_them_in_the_log(page, app_url):
    """A snapshot saved on the Bias & variance page can be tied to a log entry; the log then
    says what happened to the gap the entry aimed at."""
    for name, rates in (("e2e-s1", "train=8&train_dev=9&dev=10"),
                        ("e2e-s2", "train=3&train_dev=4&dev=4.5")):
        open_page(page, f"{app_url}/waterfall?human=0.5&{rates}")
        page.get_by_label("Model version", exact=True).fill(name)
        page.get_by_label("Model version", exact=True).press("Enter")
        wait_idle(page)
        page.get_by_role("button", name=re.compile("Save snapshot")).click()
        wait_idle(page)
        expect(page.get_by_text(re.compile(f"Saved snapshot {name}"))).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_role("link", name="Project strategy").click()
    wait_idle(page)
    before = _entry_count(page) if page.get_by_text(ENTRIES).count() else 0
    page.get_by_test_id("stSelectbox").filter(has_text="Snapshot").first.click()
    page.keyboard.type("e2e-s1")  # typed to filter: the option list is virtualised
    page.get_by_role("option", name="e2e-s1", exact=True).click()
    wait_idle(page)
    page.get_by_label("Decision").fill("A bigger network for the avoidable bias")
    page.get_by_role("button", name="Add to the log").click()
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text(re.compile(rf"{before + 1} entries: the aimed gap"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Avoidable bias went from 7\.50 to 2\.50")).first
           ).to_be_visible()
    expect(page.get_by_text(re.compile(r"Waterfall at e2e-s2"))).to_be_visible()
