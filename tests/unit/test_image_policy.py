"""Image previews: only http(s) images on the admin's hosts reach the browser; a value that
names a server file, another host, or carries its own data never does."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.image_policy import allowed_hosts, preview_url

HOSTS = frozenset({"images.example.com"})


@pytest.mark.parametrize("url", [
    "https://images.example.com/cat.jpg",
    "http://images.example.com/a/b.png?size=small#top",
    "HTTPS://IMAGES.EXAMPLE.COM/cat.jpg",
    "https://images.example.com:8443/cat.jpg",
])
def test_an_image_on_an_allowed_host_is_previewed(url):
    assert preview_url(url, HOSTS) == url


@pytest.mark.parametrize("value", [
    "/etc/passwd", "../../.streamlit/secrets.toml", "/proc/self/environ", "/proc/self/mem",
    "images/mobile/img_07501.jpg", "C:\\Windows\\win.ini", "~/.ssh/id_rsa",
    "file:///etc/passwd", "file://images.example.com/etc/passwd",
    "data:image/png;base64,iVBORw0KGgo=", "javascript:alert(1)", "ftp://images.example.com/a.png",
    "https://evil.example.net/cat.jpg",
    "https://images.example.com.evil.net/cat.jpg",
    "https://evilimages.example.com/cat.jpg",
    "https://sub.images.example.com/cat.jpg",
    "https://images.example.com@evil.net/cat.jpg",
    "https://user:pw@images.example.com/cat.jpg",
    "https://evil.net\\@images.example.com/cat.jpg",
    "https://evil.net\\images.example.com/cat.jpg",
    "https://evil.net#@images.example.com/",
    "https://images.example.com./cat.jpg",
    "https://images%2eexample.com/cat.jpg",
    "https://images.example.com:bad/cat.jpg",
    "https:images.example.com/cat.jpg",
    "//images.example.com/cat.jpg",
    "https://images.example.com/a b.jpg",
    "https://images.example.com/\x00.jpg",
    "", "   ", None, 42, float("nan"), b"https://images.example.com/cat.jpg",
])
def test_anything_else_stays_text(value):
    assert preview_url(value, HOSTS) is None


def test_no_configured_host_previews_nothing():
    assert preview_url("https://images.example.com/cat.jpg", frozenset()) is None
    assert allowed_hosts(None) == frozenset()


def test_configured_hosts_are_plain_names_compared_lower_case():
    assert allowed_hosts(["Images.Example.com ", "cdn.example.org"]) == {
        "images.example.com", "cdn.example.org"}


@pytest.mark.parametrize("configured", [
    "images.example.com", 5, ["https://images.example.com"], ["images.example.com/x"],
    ["user@images.example.com"], ["images.example.com:443"], [""],
])
def test_a_malformed_host_setting_is_refused_with_its_fix(configured):
    with pytest.raises(ValueError, match="image_hosts"):
        allowed_hosts(configured)


def test_the_sheet_editor_previews_only_allowed_images_and_never_reads_a_file(tmp_path):
    from analysis.error_analysis import new_sheet
    from components.error_analysis_state import (
        PREVIEW_COLUMN,
        editor_input,
        has_preview,
        sheet_from_editor,
    )

    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    values = ["https://images.example.com/a.jpg", str(picture), "/etc/passwd",
              "/proc/self/mem", "https://evil.example.net/b.jpg"]
    frame = new_sheet(pd.DataFrame({"example_id": list("abcde"), "image_path": values}),
                      categories=["dog"])
    base = editor_input(frame, HOSTS)
    assert has_preview(base)
    assert base[PREVIEW_COLUMN].tolist()[0] == "https://images.example.com/a.jpg"
    assert base[PREVIEW_COLUMN].iloc[1:].isna().all()
    assert base["image_path"].tolist() == values  # every value is still shown, as text
    edited = sheet_from_editor(base, {"edited_rows": {2: {"dog": True}}}, ["dog"])
    assert PREVIEW_COLUMN not in edited.columns and edited["dog"].tolist() == [0, 0, 1, 0, 0]
    assert not has_preview(editor_input(frame, frozenset()))


def test_a_users_own_image_column_is_kept_beside_the_preview():
    from analysis.error_analysis import new_sheet
    from components.error_analysis_state import PREVIEW_COLUMN, editor_input, sheet_from_editor

    frame = new_sheet(pd.DataFrame({"example_id": ["a"], "image": ["mine"],
                                    "image_path": ["https://images.example.com/a.jpg"]}),
                      categories=["dog"])
    edited = sheet_from_editor(editor_input(frame, HOSTS), {"edited_rows": {}}, ["dog"])
    assert edited[PREVIEW_COLUMN].tolist() == ["mine"]
