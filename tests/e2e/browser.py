"""Driving the app in headless Chromium: wait for Streamlit to settle, load the sample, check."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SHOTS = Path(os.environ.get("WORKBENCH_SHOTS") or tempfile.mkdtemp(prefix="workbench-shots-"))


def wait_idle(page: Page, *, timeout: float = 60_000) -> None:
    """Wait until the script has finished running (a rerun starts within a few ms of a click)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=timeout)


def open_page(page: Page, url: str) -> None:
    """Go to `url` and wait for the app to render it."""
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    wait_idle(page)


def load_sample(page: Page, app_url: str) -> None:
    """Home page -> 'Load the sample project' (unless the workspace has it) -> the success
    message."""
    open_page(page, app_url)
    button = page.get_by_role("button", name=re.compile("Load the sample project"))
    loaded = page.get_by_text("The sample project is loaded")
    for _attempt in range(3):  # on a busy machine a click can land before the page listens
        if not button.count():  # on a shared server another test may have loaded it already
            break
        button.first.click()
        wait_idle(page)
        try:
            expect(loaded).to_be_visible(timeout=30_000)
            return
        except AssertionError:
            continue  # loading the sample twice is harmless: it adds only what is missing
    expect(loaded).to_be_visible(timeout=30_000)


def assert_no_exception(page: Page) -> None:
    """No exception block and no 'Traceback' anywhere on the page."""
    assert page.get_by_test_id("stException").count() == 0, "the page shows an exception"
    assert "Traceback" not in page.content(), "the page shows a traceback"


def shot(page: Page, name: str, *, max_height: int = 8000) -> Path:
    """Save a screenshot of the whole page under the screenshots folder and return its path.

    Streamlit scrolls inside its main container, so full_page alone captures one viewport: the
    viewport is stretched to the content's height for the picture, then put back.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = page.viewport_size or {"width": 1440, "height": 1000}
    content = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll(\"[data-testid='stMain'], "
        "[data-testid='stAppViewContainer'], section.main\")].map(e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": size["width"],
                            "height": min(max(size["height"], int(content) + 40), max_height)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def sheet_revision(page: Page, *, timeout: float = 120_000) -> int:
    """The error-analysis sheet's saved revision ("100 examples · revision 3 · saved on every
    edit")."""
    caption = page.get_by_text(re.compile(r"revision \d+ · saved on every edit")).first
    expect(caption).to_be_visible(timeout=timeout)
    return int(re.search(r"revision (\d+)", caption.inner_text()).group(1))


def start_sample_sheet(page: Page, app_url: str, name: str) -> int:
    """Error analysis -> the course's sample sheet under `name` -> its first saved revision."""
    open_page(page, f"{app_url}/error-analysis")
    source = page.get_by_text("The course's sample sheet (100 reviewed errors)")
    if not source.is_visible():  # sheets exist (the sample project starts one): open the form
        page.get_by_text("Start a new sheet", exact=True).click()
    source.click()
    wait_idle(page)
    page.get_by_label("Sheet name").fill(name)
    page.get_by_label("Sheet name").press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Start the sheet")).click()
    wait_idle(page)
    return sheet_revision(page)
