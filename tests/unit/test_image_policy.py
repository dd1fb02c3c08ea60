"""Image previews: only http(s) images on the admin's hosts reach the browser; a value that
names a server file, another host, or carries its own data never does."""

from __future__ import annotations

import base64
import os

import pandas as pd
import pytest

from analysis.image_policy import allowed_hosts, local_image, preview_url

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
    from analysis.error_sheet import new_sheet
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
    from analysis.error_sheet import new_sheet
    from components.error_analysis_state import PREVIEW_COLUMN, editor_input, sheet_from_editor

    frame = new_sheet(pd.DataFrame({"example_id": ["a"], "image": ["mine"],
                                    "image_path": ["https://images.example.com/a.jpg"]}),
                      categories=["dog"])
    edited = sheet_from_editor(editor_input(frame, HOSTS), {"edited_rows": {}}, ["dog"])
    assert edited[PREVIEW_COLUMN].tolist() == ["mine"]


# --------------------------------------------------------------------------- the image folder

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
def image_root(tmp_path):
    """An admin's image folder with one picture, next to secrets and pictures outside it."""
    root = tmp_path / "images"
    (root / "mobile").mkdir(parents=True)
    (root / "mobile" / "cat.png").write_bytes(PNG)
    (tmp_path / "secrets.toml").write_text('cookie_secret = "s3cret"\n')
    (tmp_path / "outside.png").write_bytes(PNG)
    return root


def test_an_image_inside_the_folder_is_read_by_relative_or_absolute_path(image_root):
    assert local_image("mobile/cat.png", image_root) == (PNG, "image/png")
    assert local_image(str(image_root / "mobile" / "cat.png"), image_root) == (PNG, "image/png")
    assert local_image("mobile/../mobile/./cat.png", image_root) == (PNG, "image/png")


@pytest.mark.parametrize("value", [
    "../outside.png", "../secrets.toml", "mobile/../../outside.png", "/etc/passwd",
    "/proc/self/environ", "/proc/self/mem", "../../../../../../etc/passwd", "mobile",
    ".", "", "mobile/missing.png", "mobile/cat.png\x00.txt",
])
def test_nothing_outside_the_folder_nor_a_non_file_is_read(image_root, value):
    assert local_image(value, image_root) is None


def test_a_symlink_out_of_the_folder_is_refused_one_inside_is_followed(image_root):
    (image_root / "escape.png").symlink_to(image_root.parent / "outside.png")
    (image_root / "secrets.png").symlink_to(image_root.parent / "secrets.toml")
    (image_root / "up").symlink_to(image_root.parent, target_is_directory=True)
    (image_root / "alias.png").symlink_to(image_root / "mobile" / "cat.png")
    for value in ("escape.png", "secrets.png", "up/outside.png", "up/secrets.toml"):
        assert local_image(value, image_root) is None, value
    assert local_image("alias.png", image_root) == (PNG, "image/png")


@pytest.mark.parametrize(("content", "mime"), [
    (b"\xff\xd8\xff\xe0" + b"\x00" * 10, "image/jpeg"), (b"GIF89a" + b"\x00" * 10, "image/gif"),
    (b"GIF87a" + b"\x00" * 10, "image/gif"), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
])
def test_each_image_kind_is_known_by_its_signature(image_root, content, mime):
    (image_root / "picture.bin").write_bytes(content)
    assert local_image("picture.bin", image_root) == (content, mime)


def test_a_file_that_is_not_an_image_or_too_big_is_refused(image_root):
    (image_root / "fake.png").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (image_root / "big.png").write_bytes(PNG + b"\x00" * 600_000)
    (image_root / "svg.png").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    os.mkfifo(image_root / "pipe.png")
    for value in ("fake.png", "big.png", "svg.png", "pipe.png"):
        assert local_image(value, image_root) is None, value
    assert local_image("mobile/cat.png", image_root, max_bytes=10) is None


def test_without_a_folder_no_file_is_ever_read(image_root):
    assert local_image(str(image_root / "mobile" / "cat.png"), None) is None


def test_the_sheet_editor_inlines_only_images_of_the_folder(image_root):
    from analysis.error_sheet import new_sheet
    from components.error_analysis_state import PREVIEW_COLUMN, editor_input

    values = ["mobile/cat.png", str(image_root.parent / "outside.png"), "../secrets.toml",
              "/etc/passwd"]
    frame = new_sheet(pd.DataFrame({"example_id": list("abcd"), "image_path": values}),
                      categories=["dog"])
    shown = editor_input(frame, frozenset(), image_root)[PREVIEW_COLUMN].tolist()
    assert shown[0] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert all(pd.isna(v) for v in shown[1:])


def _configured_previews(workbench: dict) -> list:
    """What the component previews for a few values under `[workbench]` settings `workbench`."""
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import pandas as pd
        import streamlit as st

        from components.image_previews import previews

        values = pd.Series(["https://images.example.com/a.png", "https://evil.example.net/b.png",
                            "/etc/passwd", "cat.png"])
        st.session_state["shown"] = previews(values).tolist()

    at = AppTest.from_function(page)
    at.secrets["workbench"] = workbench
    at.run()
    assert not at.exception
    return at.session_state["shown"]


def test_the_component_reads_the_admins_hosts_and_folder(tmp_path):
    (tmp_path / "cat.png").write_bytes(PNG)
    shown = _configured_previews({"image_hosts": ["images.example.com"],
                                  "image_root": str(tmp_path)})
    assert shown[0] == "https://images.example.com/a.png"
    assert pd.isna(shown[1]) and pd.isna(shown[2])
    assert shown[3].startswith("data:image/png;base64,")


@pytest.mark.parametrize("workbench", [
    {}, {"image_hosts": "images.example.com"}, {"image_hosts": ["https://images.example.com"]},
    {"image_root": "relative/images"}, {"image_root": "/no/such/folder"},
])
def test_no_or_malformed_settings_preview_nothing(workbench):
    assert all(pd.isna(v) for v in _configured_previews(workbench))
