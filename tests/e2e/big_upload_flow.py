"""Uploading a big predictions file in the browser and waiting until the page has drawn it.

Shared by tests/e2e/test_big_files_e2e.py and benchmarks/bench_upload.py, so the benchmark
times exactly what the test checks.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

from components.inputs import UPLOAD_CHOICE
from storage import WorkspaceStore
from tests.e2e.browser import IDLE, open_page

PICKER_LABEL = "Predictions file"
LONG = 900_000  # ms: a 5M-row upload on a busy 2-core machine


@dataclass(frozen=True)
class UploadTiming:
    """Seconds from choosing the file to the page's analysis drawn, and what was seen."""

    seconds: float
    progress_seen: str  # the status text the page showed while it worked
    rows_shown: str  # the 'Loaded ...: N rows' line


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def current_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def wait_saved(db_url: str, name: str, timeout: float = LONG / 1000) -> None:
    """Until the upload `name` is in the server's workspace store (a big upload is saved in
    the background once its page is drawn; a new session lists only what the store holds)."""
    store = WorkspaceStore(db_url)
    deadline = time.monotonic() + timeout
    try:
        while not any(item.name == name for workspace in store.list_workspaces()
                      for item in store.list_item_summaries(workspace.id, "predictions")):
            assert time.monotonic() < deadline, f"{name} was not saved within {timeout:.0f} s"
            time.sleep(0.5)
    finally:
        store.engine.dispose()


def wait_settled(page: Page, timeout: float = LONG) -> None:
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=timeout)


def _pick(page: Page, option: str) -> None:
    """Choose `option` in the picker; typed to filter, as the option list is virtualised."""
    page.get_by_test_id("stSelectbox").filter(has_text=PICKER_LABEL).first.click()
    page.keyboard.type(option.rstrip("…"))
    page.get_by_role("option", name=option, exact=True).click()
    wait_settled(page)


def choose_upload(page: Page) -> None:
    """Make the picker show its uploader (when files are loaded it shows a selectbox first)."""
    if not page.locator("input[type=file]").count():
        _pick(page, UPLOAD_CHOICE)


def choose_loaded(page: Page, name: str) -> None:
    """Pick an already loaded file in the picker's selectbox."""
    _pick(page, name)


def expect_analysis_drawn(page: Page, page_path: str) -> None:
    """The page's analysis of the file is on screen (not just the upload message)."""
    main = page.get_by_test_id("stMain")
    if page_path.startswith("metrics"):
        expect(main.get_by_test_id("stMetric").filter(has_text="Accuracy").first
               ).to_be_visible(timeout=LONG)
    expect(main.locator(".js-plotly-plot").first).to_be_visible(timeout=LONG)
    assert page.get_by_test_id("stException").count() == 0, "the page shows an exception"


def most_points_drawn(page: Page) -> int:
    """The largest number of points any Plotly chart on the page draws (its traces summed)."""
    # _fullData is Plotly's own view of the traces (typed arrays decoded); _length is the
    # number of points a trace draws.
    return page.evaluate("""() => Math.max(0, ...Array.from(
        document.querySelectorAll('.js-plotly-plot'),
        plot => (plot._fullData || []).reduce((n, trace) => n + (trace._length || 0), 0)))""")


def upload_and_render(page: Page, url: str, path: Path, page_path: str, *,
                      while_working: Callable[[], None] | None = None) -> UploadTiming:
    """Open `page_path`, upload `path`, wait until the analysis is drawn; time it.

    `while_working` runs once the page shows its progress, while the server is still busy
    with the file (the browser keeps working on this page meanwhile).
    """
    open_page(page, f"{url}/{page_path}")
    choose_upload(page)
    uploader = page.locator("input[type=file]").first
    started = time.perf_counter()
    uploader.set_input_files(str(path))
    # The page says what it is doing while it works (the picker's st.status box).
    progress = page.get_by_test_id("stExpander").filter(
        has_text=re.compile(rf"(Reading|Read|Checking|Saving|Checked).*{re.escape(path.name)}|"
                            r"Checking the columns"))
    expect(progress.first).to_be_visible(timeout=LONG)
    progress_seen = progress.first.inner_text().splitlines()[0]
    if while_working is not None:
        while_working()
    loaded = page.get_by_test_id("stAlert").filter(has_text=f"Loaded {path.name}")
    expect(loaded.first).to_be_visible(timeout=LONG)
    wait_settled(page)
    expect_analysis_drawn(page, page_path)
    seconds = time.perf_counter() - started
    return UploadTiming(seconds, progress_seen, " ".join(loaded.first.inner_text().split()))
