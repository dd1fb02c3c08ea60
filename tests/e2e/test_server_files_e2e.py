"""User data never names a server file: an error sheet and a predictions file whose image column
names /etc/passwd, a planted secret, a planted PNG, /proc/self/environ and /proc/self/mem go
through every page that shows those rows, and nothing of those files reaches the browser (in
no websocket frame, in no page), nor does the browser fetch anything from another host."""

from __future__ import annotations

import base64
import re
import secrets
import struct
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

CANARY_VARIABLE = "WORKBENCH_LEAK_CANARY"
OUTSIDE_HOST = "https://images.evil.example.net/cat.png"


def _png(text: bytes) -> bytes:
    """A real 1x1 PNG carrying `text` in a tEXt chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"tEXt", b"Comment\x00" + text)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def _needles(content: bytes) -> list[bytes]:
    """`content` raw and base64-encoded at the three alignments (0, 1 or 2 leading bytes
    dropped, the partial edge characters stripped), each cut to 80 bytes so a partial leak is
    found too."""
    found = [content[:80]]
    for drop in range(3):
        part = content[drop:]
        whole = len(part) // 3 * 3
        found.append(base64.b64encode(part[:whole])[:80])
    return [n for n in found if len(n) >= 16]


@pytest.fixture
def planted(tmp_path: Path) -> dict[str, object]:
    """The server's files a hostile upload names, and what must never leave the server."""
    token, env_token, png_token = (secrets.token_hex(16) for _ in range(3))
    secret = tmp_path / "secrets.toml"
    secret.write_text(f'[auth]\ncookie_secret = "{token}"\n')
    picture = tmp_path / "outside_any_root.png"
    picture.write_bytes(_png(f"png-canary-{png_token}".encode()))
    paths = ["/etc/passwd", str(secret), str(picture), "/proc/self/environ", "/proc/self/mem",
             OUTSIDE_HOST]
    contents = [Path("/etc/passwd").read_bytes(), secret.read_bytes(), picture.read_bytes(),
                f"{CANARY_VARIABLE}={env_token}".encode()]
    return {"paths": paths, "env": {CANARY_VARIABLE: env_token},
            "needles": [n for c in contents for n in _needles(c)]
            + [token.encode(), env_token.encode(), png_token.encode()]}


@pytest.fixture
def canary_url(start_server, chromium_path, planted) -> str:
    """This test's own server, with a token in its environment (read back by /proc/self/environ)."""
    return start_server(env=planted["env"]).url


def _sheet_file(folder: Path, paths: list[str]) -> Path:
    rows = ["example_id,image_path,y_true,y_pred,dog,blurry,comments"]
    rows += [f"ex_{i},{path},1,0,{i % 2},0,look" for i, path in enumerate(paths)]
    target = folder / "hostile_sheet.csv"
    target.write_text("\n".join(rows) + "\n")
    return target


def _predictions_file(folder: Path, paths: list[str]) -> Path:
    """40 dev rows; the first ones are misclassified and their images are the hostile paths."""
    rows = ["example_id,image_path,y_true,score,split"]
    for i in range(40):
        label = i % 2
        wrong = i < 2 * len(paths)
        score = (0.9 if label == 0 else 0.1) if wrong else (0.8 if label else 0.2)
        image = paths[i % len(paths)] if wrong else f"images/ok_{i}.jpg"
        rows.append(f"p_{i},{image},{label},{score},dev")
    target = folder / "hostile_predictions.csv"
    target.write_text("\n".join(rows) + "\n")
    return target


class Recorder:
    """Every websocket frame the browser receives and every request it makes."""

    def __init__(self, page: Page) -> None:
        self.frames: list[bytes] = []
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        socket.on("framereceived", lambda payload: self.frames.append(
            payload if isinstance(payload, bytes) else payload.encode()))


_DATA_URL = re.compile(rb"data:[a-z]+/[\w.+-]+;base64,([A-Za-z0-9+/=]+)")


def _leaks(blobs: list[bytes], needles: list[bytes], *, data_urls_allowed: bool) -> list[str]:
    """Which needles turn up in which blobs, raw, base64 or inside a data: URL's payload.

    The server never has a reason to send a data: URL (frames: none allowed); a page has the
    browser's own (plotly draws a heatmap as one), so there only their decoded bytes count.
    """
    found = []
    for index, blob in enumerate(blobs):
        for url in _DATA_URL.finditer(blob):
            payload = base64.b64decode(url.group(1) + b"==", validate=False)
            if not data_urls_allowed or any(n in payload for n in needles):
                found.append(f"#{index}: data: URL {blob[url.start():url.end()][:60]!r}")
        found += [f"#{index}: {needle[:24]!r}" for needle in needles if needle in blob]
    return found


def _start_sheet(page: Page, source: str, name: str, wait_idle, upload: Path | None = None) -> None:
    option = page.get_by_test_id("stRadioGroup").get_by_text(source)
    if not option.is_visible():  # the page is idle: the expander is folded
        page.get_by_text("Start a new sheet", exact=True).click()
    option.click()
    wait_idle(page)
    page.get_by_label("Sheet name").fill(name)
    page.get_by_label("Sheet name").press("Enter")
    wait_idle(page)
    if upload is not None:
        page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(upload))
        wait_idle(page)
    page.get_by_role("button", name="Start the sheet").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)


def test_no_server_file_reaches_the_browser_from_an_image_column(
        page, canary_url, planted, open_page, wait_idle, assert_no_exception, tmp_path):
    recorder = Recorder(page)
    pages: list[bytes] = []
    paths = planted["paths"]

    open_page(page, f"{canary_url}/error-analysis")
    _start_sheet(page, "Upload a CSV or Excel sheet", "Uploaded sheet", wait_idle,
                 _sheet_file(tmp_path, paths))
    expect(page.get_by_text(re.compile(r"6 examples · revision 1"))).to_be_visible()
    assert_no_exception(page)
    pages.append(page.content().encode())

    open_page(page, f"{canary_url}/metrics")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(
        str(_predictions_file(tmp_path, paths)))
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Loaded hostile_predictions\.csv"))).to_be_visible(
        timeout=90_000)
    page.get_by_role("button", name=re.compile("Send misclassified dev examples")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Sent 12 misclassified dev examples"))).to_be_visible()
    assert_no_exception(page)
    pages.append(page.content().encode())

    page.get_by_role("link", name="Open error analysis").click()  # same session: rows handed over
    wait_idle(page)
    _start_sheet(page, "Rows handed over by the metrics page", "Handed-over sheet", wait_idle)
    assert_no_exception(page)
    pages.append(page.content().encode())

    _start_sheet(page, "Misclassified dev rows of loaded predictions", "Predictions sheet",
                 wait_idle)
    assert_no_exception(page)
    pages.append(page.content().encode())

    page.reload()  # a fresh session opens the last sheet from the store
    wait_idle(page)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)
    assert_no_exception(page)
    pages.append(page.content().encode())

    assert recorder.frames, "no websocket frame was recorded"
    assert any(b"/etc/passwd" in frame for frame in recorder.frames), "the rows were not shown"
    leaks = _leaks(recorder.frames, planted["needles"], data_urls_allowed=False) + [
        f"page {leak}" for leak in _leaks(pages, planted["needles"], data_urls_allowed=True)]
    assert not leaks, f"server files reached the browser: {leaks[:10]}"
    app_host = urlsplit(canary_url).netloc
    elsewhere = sorted({url for url in recorder.requests
                        if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                        and urlsplit(url).netloc != app_host}
                       | {url for url in recorder.requests if urlsplit(url).scheme == "file"})
    assert not elsewhere, f"the browser fetched from other hosts: {elsewhere[:10]}"
