"""The metrics page's additions in real Chromium: pricing a false negative higher moves the
cheapest threshold; a confusion cell clicked in the table sends its examples to a new
error-analysis sheet."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_exception, load_sample, open_page, shot, wait_idle

HEADER_HEIGHT = ROW_HEIGHT = 35  # Streamlit's dataframe rows and header, in pixels
INDEX_WIDTH, CELL_WIDTH = 180, 110  # as components/confusion_examples.py fixes them


@pytest.fixture
def fresh_url(start_server, chromium_path) -> str:
    """This test's own server and empty store."""
    return start_server().url


def _metric(page: Page, label: str):
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    return card.get_by_test_id("stMetricValue")


def _open_expander(page: Page, title: str) -> None:
    page.get_by_test_id("stExpander").filter(has_text=title).locator("summary").first.click()
    wait_idle(page)


def test_costs_move_the_threshold_and_a_cell_goes_to_a_sheet(page, fresh_url):
    load_sample(page, fresh_url)
    open_page(page, f"{fresh_url}/metrics")
    expect(page.get_by_text("Binary metrics")).to_be_visible(timeout=60_000)

    _open_expander(page, "Cost of errors")
    cheapest = _metric(page, "Cheapest threshold")
    expect(cheapest).to_be_visible(timeout=60_000)
    before = cheapest.inner_text()
    miss = page.get_by_role("spinbutton", name="Cost of a false negative")
    miss.fill("20")
    miss.press("Enter")
    wait_idle(page)
    expect(cheapest).not_to_have_text(before, timeout=60_000)
    assert float(cheapest.inner_text()) < float(before)
    assert_no_exception(page)

    _open_expander(page, "From a confusion cell to its examples")
    grid = page.locator(".st-key-metrics-cells-table [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    expect(grid).to_be_visible()
    # the false-positive cell: first row (true negative class), second column (predicted positive)
    grid.click(position={"x": INDEX_WIDTH + CELL_WIDTH + CELL_WIDTH / 2,
                         "y": HEADER_HEIGHT + ROW_HEIGHT / 2})
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"\d+ examples: true .*, predicted .*"))).to_be_visible(
        timeout=60_000)
    name = page.get_by_label("New sheet name")
    name.fill("false positives from the browser")
    name.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=re.compile(r"Send [\d,]+ examples to the sheet")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(
        r"Added [\d,]+ examples to .false positives from the browser"))).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    shot(page, "metrics_additions")


def test_costs_saved_with_the_goal_and_the_report_covers_the_chosen_file(page, fresh_url):
    load_sample(page, fresh_url)
    open_page(page, f"{fresh_url}/metrics")
    expect(page.get_by_text("Binary metrics")).to_be_visible(timeout=60_000)
    _open_expander(page, "Cost of errors")
    expect(page.get_by_text(re.compile(r"The costs start from the project goal \(revision 1"))
           ).to_be_visible(timeout=60_000)
    miss = page.get_by_role("spinbutton", name="Cost of a false negative")
    expect(miss).to_have_value("1.00")
    miss.fill("5")
    miss.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Save these costs to the project goal").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Costs saved to the project goal \(revision 2"))
           ).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    shot(page, "metrics_goal_costs")

    open_page(page, f"{fresh_url}/metrics")  # a fresh visit starts from the saved goal
    _open_expander(page, "Cost of errors")
    expect(page.get_by_role("spinbutton", name="Cost of a false negative")).to_have_value(
        "5.00", timeout=60_000)

    open_page(page, f"{fresh_url}/report")
    page.get_by_test_id("stSelectbox").filter(has_text="Predictions file to report").click()
    page.get_by_role("option", name=re.compile(r"animals_multiclass\.csv \(multiclass")).click()
    wait_idle(page)
    expect(page.get_by_text("One model in this file")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name=re.compile("Build the report")).click()
    wait_idle(page, timeout=120_000)
    expect(page.get_by_text(re.compile("Report built with"))).to_be_visible(timeout=60_000)
    preview = page.frame_locator("iframe").first
    expect(preview.locator("#class_metrics")).to_contain_text("animals_multiclass.csv",
                                                              timeout=30_000)
    expect(preview.locator("#class_metrics")).to_contain_text("macro F1")
    assert_no_exception(page)
    shot(page, "report_chooser")
