"""Every file of the bad-input corpus uploaded in real Chromium on every page that takes files.

One server of our own (an empty store, and a small server.maxUploadSize so that the "over the
limit" file stays small), one browser context per page, reused across all files. For each
upload the page must: show a clear message naming the problem (the very message the library
gives for that file), show no exception or traceback, keep what the user typed elsewhere on
the page, and never turn HTML from the file into elements (no injected node, no script run).

The outcome of every upload is written to corpus_<page>.md in the screenshots folder: the
table of the closing note (input, page, what the user saw).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from analysis.predictions import (
    READABLE_FILE_TYPES,
    read_predictions,
    read_table,
    suggest_mapping,
)
from analysis.sheet_io import read_sheet
from components.error_analysis_state import SHEET_TYPES
from components.inputs import wrong_task_message
from tests.corpus.make_corpus import (
    CASES,
    INJECTED_SELECTORS,
    TEST_UPLOAD_LIMIT_MB,
    Case,
    write_corpus,
)
from tests.e2e.big_upload_flow import choose_upload
from tests.e2e.browser import IDLE, SHOTS, open_page

PICKER_TYPES = READABLE_FILE_TYPES


@dataclass(frozen=True)
class PageSpec:
    """A page that takes files: where it is, how to reach its uploader, what it reads with."""

    name: str
    path: str
    picker: str | None  # the predictions picker's selectbox label, when the uploader is one
    reader: Callable[[bytes, str], object]  # the library call the page makes with the file
    typed_label: str | re.Pattern[str]  # an input the user filled before uploading: it must keep its value
    typed_value: str
    types: tuple[str, ...]  # the uploader's accepted extensions (others are refused by it)
    setup: Callable[[Page], None] | None = None


def _picker_reader(tasks: tuple[str, ...]) -> Callable[[bytes, str], object]:
    """What the predictions picker of a page analysing only `tasks` makes of a file."""
    def read(data: bytes, name: str) -> object:
        frame, _, _ = read_table(data, name)
        mapping = suggest_mapping(frame, name=name)
        if mapping.task not in tasks:
            raise ValueError(wrong_task_message(name, mapping, tasks))
        return read_predictions(data, name)
    return read


def _choose_sheet_upload(page: Page) -> None:
    page.get_by_text("Upload a CSV or Excel sheet").click()


PAGES = [
    PageSpec("waterfall", "waterfall?src=Predictions+file", "Predictions file",
             _picker_reader(("binary", "multiclass")),
             "Typical human", "1.5", PICKER_TYPES),
    PageSpec("metrics", "metrics", "Predictions file", read_predictions,
             # a widget label is escaped Markdown, and its accessible name keeps the escapes
             re.compile(r"Bound for running\\?_time\\?_ms"), "120.00", PICKER_TYPES),
    PageSpec("error-analysis", "error-analysis", "Predictions file",
             _picker_reader(("binary", "multiclass")),
             "Sheet name", "Hardening sheet", PICKER_TYPES),
    PageSpec("error-analysis (sheet upload)", "error-analysis", None,
             lambda data, name: read_sheet(data, name), "Sheet name", "Hardening sheet",
             SHEET_TYPES, setup=_choose_sheet_upload),
    PageSpec("split-planner", "split-planner", None, lambda data, name: read_table(data, name),
             "Data sources and their sizes", "web: 150000; mobile: 12000",
             READABLE_FILE_TYPES),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every corpus file, the big ones included (written here, never committed)."""
    return write_corpus(tmp_path_factory.mktemp("corpus"), include_big=True)


@pytest.fixture(scope="module")
def corpus_url(start_server, chromium_path) -> Iterator[str]:
    """One server for the whole corpus run, its upload limit lowered for the over-limit file."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", str(TEST_UPLOAD_LIMIT_MB))
        server = start_server()
    yield server.url
    server.stop()


def _expected(spec: PageSpec, item: Case, data: bytes) -> tuple[str | None, tuple[str, ...]]:
    """(error message or None, notes) the library gives for this file: the page must show it."""
    try:
        result = spec.reader(data, item.name)
    except ValueError as err:
        return str(err), ()
    return None, tuple(getattr(result, "notes", ()))


def _settle(page: Page, *, started: bool = False) -> None:
    """The rerun the upload triggered has started (known, or given 150 ms) and finished."""
    if not started:
        page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_timeout(100)
    page.wait_for_selector(IDLE, timeout=90_000)


def _uploader(page: Page, spec: PageSpec):
    """The uploader's file input; in the picker, 'Upload a file…' is chosen first if needed."""
    inputs = page.locator("input[type=file]")
    if spec.picker:
        choose_upload(page)
    expect(inputs.first).to_be_attached(timeout=30_000)
    return inputs.first


def _typed_field(page: Page, spec: PageSpec):
    """The text/number input labelled typed_label (not its help button, labelled alike)."""
    return page.locator("input, textarea").and_(page.get_by_label(spec.typed_label)).first


def _fill_typed(page: Page, spec: PageSpec) -> None:
    field = _typed_field(page, spec)
    field.fill(spec.typed_value)
    field.press("Enter")
    _settle(page)


# Streamlit's markdown prints a few character pairs typographically ("->" as an arrow).
_TYPOGRAPHY = str.maketrans({"≥": ">=", "≤": "<=", "→": "->", "←": "<-", "—": "--", "–": "-",
                             "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'"})


def _alerts(page: Page) -> list[str]:
    return [" ".join(text.translate(_TYPOGRAPHY).split())
            for text in page.get_by_test_id("stAlert").all_inner_texts()]


def _injected(page: Page) -> list[str]:
    """Selectors of hostile markup that became real elements, and whether a script ran."""
    found = [s for s in INJECTED_SELECTORS if page.locator(s).count()]
    if page.evaluate("() => window.__pwned !== undefined"):
        found.append("window.__pwned was set (a script ran)")
    return found


def _check_upload(page: Page, spec: PageSpec, item: Case, path: Path) -> tuple[str, list[str]]:
    """Upload one file; returns (what the user saw, problems found)."""
    problems: list[str] = []
    uploader = _uploader(page, spec)
    before = page.get_by_test_id("stFileUploader").first.inner_text() if page.get_by_test_id(
        "stFileUploader").count() else ""
    uploader.set_input_files(str(path))
    refusal = None
    if item.upload_limit:
        refusal = r"File must be .*MB or smaller"
    elif not item.name.lower().endswith(tuple(f".{t}" for t in spec.types)):
        refusal = r"files are not allowed"
    if refusal:
        message = page.get_by_test_id("stFileUploader").get_by_text(re.compile(refusal))
        expect(message.first).to_be_visible(timeout=30_000)
        seen = message.first.inner_text()
        _settle(page)
    else:
        # The uploader lists the new file instead of the previous one (long names are shortened).
        page.wait_for_function(
            "before => { const u = document.querySelector(\"[data-testid='stFileUploader']\");"
            " return u && u.innerText !== before; }", arg=before, timeout=180_000)
        error, notes = _expected(spec, item, path.read_bytes())
        if spec.picker or (error and item.name in error):
            # Every outcome of the picker names the file: wait for this file's message.
            expect(page.get_by_test_id("stAlert").filter(has_text=item.name).first
                   ).to_be_visible(timeout=60_000)
            _settle(page, started=True)
        else:
            page.wait_for_timeout(400)
            _settle(page)
        alerts = _alerts(page)
        seen = " | ".join(a for a in alerts if item.name in a or (error and error[:30] in a)
                          or any(" ".join(n.split())[:30] in a for n in notes))
        read_caption = page.get_by_text(re.compile(r"^\d+ rows; categories found"))
        if not seen and read_caption.count():
            seen = read_caption.first.inner_text()
        if error is not None:
            wanted = " ".join(error.translate(_TYPOGRAPHY).split())
            if not any(wanted in alert for alert in alerts):
                problems.append(f"the message {wanted!r} is not shown (alerts: {alerts})")
            if (spec.picker and item.error and re.search(item.error, error)
                    and not re.search(item.error, " ".join(alerts))):
                problems.append(f"no alert matches {item.error!r}")
        elif spec.picker:
            if not any(f"Loaded {item.name}" in alert for alert in alerts):
                problems.append(f"no 'Loaded {item.name}' message (alerts: {alerts})")
            missing = [n for n in notes if not any(" ".join(n.split()) in a for a in alerts)]
            if missing:
                problems.append(f"notes not shown: {missing}")
        if not seen:
            seen = "; ".join(alerts[:2]) or "(no message)"
    if page.get_by_test_id("stException").count():
        problems.append("an exception box is shown")
    if "Traceback" in page.get_by_test_id("stApp").inner_text():
        problems.append("a traceback is shown")
    injected = _injected(page)
    if injected:
        problems.append(f"markup from the file was rendered: {injected}")
    typed = _typed_field(page, spec)
    if not _same_value(typed.input_value(), spec.typed_value):
        problems.append(f"{spec.typed_label!r} lost its value ({typed.input_value()!r})")
    return seen, problems


def _same_value(shown: str, typed: str) -> bool:
    """'1.50' in a number input is the '1.5' that was typed."""
    try:
        return float(shown.replace(",", "")) == float(typed)
    except ValueError:
        return shown == typed


def _table_row(item: Case, spec: PageSpec, seen: str, problems: list[str]) -> str:
    verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
    cell = seen.replace("|", "\\|")[:220]
    return f"| {item.name} ({item.topic}) | {spec.name} | {cell} | {verdict} |"


@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.name)
def test_every_corpus_file_on_this_page(spec, corpus, corpus_url, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        open_page(page, f"{corpus_url}/{spec.path}")
        if spec.setup:
            spec.setup(page)
            _settle(page)
        _fill_typed(page, spec)
        heading = page.get_by_role("heading").first.inner_text()
        rows, failures = [], []
        for item in CASES:
            started = time.perf_counter()
            try:
                seen, problems = _check_upload(page, spec, item, corpus[item.name])
            except (AssertionError, PlaywrightError) as err:  # record it, go on with the rest
                seen, problems = "(page did not settle)", [str(err).splitlines()[0]]
                page.reload()
                open_page(page, f"{corpus_url}/{spec.path}")
                if spec.setup:
                    spec.setup(page)
                    _settle(page)
                _fill_typed(page, spec)
            print(f"{spec.name} {item.name}: {time.perf_counter() - started:.1f}s "
                  f"{problems or 'ok'}", flush=True)
            rows.append(_table_row(item, spec, seen, problems))
            if problems:
                failures.append(f"{item.name}: {'; '.join(problems)}")
                page.screenshot(path=str(SHOTS / f"corpus_fail_{spec.name}_{item.name}.png"))
        expect(page.get_by_role("heading").first).to_have_text(heading)
    finally:
        context.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / f"corpus_{re.sub(r'[^a-z-]+', '_', spec.name)}.md"
    out.write_text("| input | page | what the user saw | verdict |\n|---|---|---|---|\n"
                   + "\n".join(rows) + "\n")
    print(f"\n{out}")
    assert not failures, "\n".join(failures)
    assert len(rows) == len(CASES) >= 40


def test_markup_in_a_file_shows_as_text_not_elements(corpus, corpus_url, browser):
    """The HTML cell of html_in_score.csv is quoted, as text, in the error message."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        open_page(page, f"{corpus_url}/metrics")
        _uploader(page, PAGES[1]).set_input_files(str(corpus["html_in_score.csv"]))
        expect(page.get_by_text("<script>window.__pwned=1</script>", exact=False).first
               ).to_be_visible(timeout=60_000)
        assert _injected(page) == []
    finally:
        context.close()
