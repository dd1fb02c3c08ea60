"""A configured DuckDB source over a folder of Parquet files shows the waterfall, metrics (with
its per-slice section) and error-slices pages (with the error tree), computed by the engine (the
page says so), with no file uploaded."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import assert_no_exception, open_page, shot, wait_idle

LONG = 120_000


@pytest.fixture(scope="module")
def lake_server(start_server, chromium_path, tmp_path_factory):
    """A server with one source, `lake`: DuckDB over three Parquet files."""
    folder = tmp_path_factory.mktemp("lake")
    rng = np.random.default_rng(7)
    for part in range(3):
        n = 2_000
        y = rng.integers(0, 2, n)
        pd.DataFrame({"y_true": y, "score": np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1),
                      "split": rng.choice(["train", "train-dev", "dev", "test"], n),
                      "device": rng.choice(["phone", "web", "tv"], n)}) \
            .to_parquet(folder / f"part-{part}.parquet")
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[workbench.sources.lake]\nengine = "duckdb"\n'
                       f'path = "{folder}/*.parquet"\n')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
        server = start_server()
    yield server
    server.stop()


def _choose_lake(page) -> None:
    page.get_by_test_id("stRadio").get_by_text("lake", exact=True).click()
    wait_idle(page, timeout=LONG)


@pytest.fixture
def lake_page(browser):
    """A page of a fresh browser context (a new session), waiting up to LONG for the engine."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(LONG)
    yield page
    context.close()


def test_waterfall_and_metrics_from_a_duckdb_source(lake_server, lake_page):
    page = lake_page
    open_page(page, f"{lake_server.url}/waterfall")
    page.get_by_role("radio", name="Predictions file").click()
    wait_idle(page, timeout=LONG)
    _choose_lake(page)
    expect(page.get_by_text(re.compile(r"computed by duckdb on source lake in"))).to_be_visible()
    expect(page.get_by_test_id("stTable").get_by_text("train-dev", exact=True)).to_be_visible()
    assert_no_exception(page)
    shot(page, "sources-waterfall")
    open_page(page, f"{lake_server.url}/metrics")
    _choose_lake(page)
    expect(page.get_by_text(re.compile(r"computed by duckdb on source lake in")).first
           ).to_be_visible()
    expect(page.get_by_test_id("stTable").get_by_text("roc auc", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"exact \(the engine grouped every distinct score\)"))
           ).to_be_visible()
    # the slices section: one bar per device, counted by the engine
    slices = page.get_by_test_id("stPlotlyChart").filter(has_text="Error per device")
    expect(slices.get_by_text("phone", exact=True)).to_be_visible()
    assert_no_exception(page)
    shot(page, "sources-metrics")


def test_error_slices_from_a_duckdb_source(lake_server, lake_page):
    page = lake_page
    open_page(page, f"{lake_server.url}/error-slices")
    _choose_lake(page)
    page.get_by_test_id("stMultiSelect").filter(has_text="Metadata columns").click()
    page.get_by_role("option", name="device").click()
    page.keyboard.press("Escape")
    wait_idle(page, timeout=LONG)
    expect(page.get_by_text(re.compile(r"computed by duckdb on source lake in")).first) \
        .to_be_visible()
    expect(page.get_by_text(re.compile(r"slices tried"))).to_be_visible()
    # the error tree, grown on the engine's sample (here every dev row: fewer than 100k)
    expect(page.get_by_text(re.compile(r"^Grown on all [\d,]+ rows\.$"))).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").last).to_contain_text("all rows")
    assert_no_exception(page)
    shot(page, "sources-error-slices")
