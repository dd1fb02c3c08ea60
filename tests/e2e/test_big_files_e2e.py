"""1M- and 5M-row predictions files uploaded, mapped and analysed in the browser.

The 1M file is uploaded on the waterfall page and then analysed on the metrics page; the 5M
file the other way round, so both pages take both a big upload and a big analysis. The page
must say what it is doing while it works, another teammate's page must still answer during
the 5M upload, and the server's peak memory (VmHWM) is reported and bounded.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.corpus.make_corpus import big_predictions
from tests.e2e.big_upload_flow import (
    choose_loaded,
    expect_analysis_drawn,
    most_points_drawn,
    peak_rss_mb,
    upload_and_render,
    wait_saved,
)
from tests.e2e.browser import open_page

pytestmark = pytest.mark.slow

# Peak server memory allowed for a 5M-row (190 MB) CSV: the upload's bytes, the parsed table,
# its normalised copy and the workspace's Parquet copy fit well under this; a per-rerun copy
# or an unbounded cache of frames would not.
MAX_PEAK_RSS_MB = 3_000
# Curves of millions of scores are drawn downsampled: no chart sends more points than this.
MAX_POINTS_DRAWN = 50_000


@pytest.fixture(scope="module")
def big_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    return {n: big_predictions(n, folder / f"big_{n // 1_000_000}m.csv")
            for n in (1_000_000, 5_000_000)}


@pytest.fixture(scope="module")
def big_server(start_server, chromium_path):
    server = start_server()
    yield server
    server.stop()


def _still_answers(browser, url: str, results: list[str]) -> None:
    """A teammate opens the home page while the big upload is being processed."""
    context = browser.new_context()
    try:
        page = context.new_page()
        open_page(page, url)
        expect(page.get_by_role("heading", name=re.compile("ML Strategy Workbench"))
               ).to_be_visible(timeout=120_000)
        results.append("answered")
    except Exception as err:  # reported by the test below
        results.append(f"did not answer: {err}")
    finally:
        context.close()


def test_big_files_upload_map_and_analyse_on_metrics_and_waterfall(big_files, big_server,
                                                                    browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(120_000)
    page = context.new_page()
    timings = {}
    try:
        one, five = big_files[1_000_000], big_files[5_000_000]
        timings["1M waterfall"] = upload_and_render(page, big_server.url, one,
                                                    "waterfall?src=Predictions+file")
        assert "1,000,000" in timings["1M waterfall"].rows_shown
        # mapped: the detected roles are shown in the mapping expander
        expect(page.get_by_text("Column mapping")).to_be_visible()
        wait_saved(big_server.db_url, one.name)  # the page opened next is a new session
        open_page(page, f"{big_server.url}/metrics")
        choose_loaded(page, one.name)
        expect_analysis_drawn(page, "metrics")

        # The 5M upload, with a teammate's page opened while the server works on it.
        teammate: list[str] = []
        timings["5M metrics"] = upload_and_render(
            page, big_server.url, five, "metrics",
            while_working=lambda: _still_answers(browser, big_server.url, teammate))
        assert teammate == ["answered"], teammate
        assert "5,000,000" in timings["5M metrics"].rows_shown
        points = {"5M metrics": most_points_drawn(page)}
        wait_saved(big_server.db_url, five.name)
        open_page(page, f"{big_server.url}/waterfall?src=Predictions+file")
        choose_loaded(page, five.name)
        expect_analysis_drawn(page, "waterfall")
        points["5M waterfall"] = most_points_drawn(page)
    finally:
        context.close()
    peak = peak_rss_mb(big_server.process.pid)
    for label, timing in timings.items():
        print(f"\n{label}: {timing.seconds:.1f} s upload-to-rendered; progress shown: "
              f"{timing.progress_seen!r}; {timing.rows_shown}")
    print(f"server peak RSS (VmHWM): {peak:,.0f} MB; most points in one chart: {points}")
    assert max(points.values()) <= MAX_POINTS_DRAWN, points
    assert all(t.progress_seen for t in timings.values())
    assert peak < MAX_PEAK_RSS_MB, f"server peak RSS {peak:,.0f} MB"
