"""AppTest fixtures: the real app.py against a temporary store."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from analysis.text import WORD_JOINER

APP_PATH = str(Path(__file__).resolve().parents[2] / "app.py")
# [auth] secrets that turn sign-in on (the provider is never called: AppTest sets st.user).
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "workbench", "client_secret": "s3cret",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}


@pytest.fixture
def app_test(store_url: str) -> AppTest:
    """app.py with its own empty workspace store, run once on the home page.

    st.navigation registers the pages during that first run; only then can
    at.switch_page("views/x.py") find them (AppTest's documented order).
    """
    return AppTest.from_file(APP_PATH, default_timeout=60).run()


@pytest.fixture
def sample_app(app_test: AppTest) -> AppTest:
    """app.py after 'Load the sample project' on the home page."""
    app_test.button(key="home.load_sample").click().run()
    assert not app_test.exception
    return app_test


def open_view(at: AppTest, path: str) -> AppTest:
    """Switch `at` to the page file `path` (e.g. "views/metrics.py"), run it, and check that it
    rendered without an exception."""
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def upload_on(at: AppTest, page: str, key: str, name: str, frame: Any) -> AppTest:
    """Open `page`, choose its picker's upload entry (picker `key`) and upload `frame` as a CSV
    named `name`; checks that the page ran without an exception."""
    from components.inputs import UPLOAD_CHOICE  # the app's own label for the upload entry

    at.switch_page(page).run()
    if at.selectbox(key=f"{key}.file").value != UPLOAD_CHOICE:
        at.selectbox(key=f"{key}.file").set_value(UPLOAD_CHOICE).run()
    at.file_uploader(key=f"{key}.upload").set_value(
        (name, frame.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    """Every st.metric on the page, label -> shown value."""
    return {m.label: m.value for m in at.metric}


def plain(text: object) -> str:
    """What a reader sees of Markdown-escaped text: the backslash escapes and the invisible word
    joiners that keep user text literal taken out ("sign\\-in" -> "sign-in")."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(text)).replace(WORD_JOINER, "")


def texts(elements) -> str:
    """The plain words of elements (errors, captions, markdown...) joined by spaces: escaped
    Markdown (show_error escapes user text) compared as a reader sees it."""
    return " ".join(plain(e.value) for e in elements)


def table_with(at: AppTest, column: str) -> Any:
    """The first table shown whose columns include `column` (read-only tables carry no key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def cards(at: AppTest) -> list[str]:
    """Each workspace card's title line as a reader sees it (names are escaped Markdown)."""
    return [plain(m.value) for m in at.main.markdown
            if m.value.startswith("**") and "Delete" not in m.value]


def signed_in(app_test: AppTest, email: str) -> AppTest:
    """`app_test` with sign-in configured and `email` signed in (verified)."""
    app_test.secrets["auth"] = AUTH
    app_test.user = {"is_logged_in": True, "email": email, "email_verified": True,
                     "iss": "https://id.example.com", "sub": f"sub-{email}"}
    return app_test


def app_on_source(path: Path | str, name: str = "lake") -> AppTest:
    """app.py, run once, with one DuckDB data source `name` over the Parquet file(s) `path`
    (a glob may name several)."""
    at = AppTest.from_file(APP_PATH, default_timeout=90)
    at.secrets["workbench"] = {"sources": {name: {"engine": "duckdb", "path": str(path)}}}
    return at.run()


def never_again(what: str) -> Any:
    """A stand-in for a function a rerun must not call again: it fails the test, saying
    `what` happened."""
    def called(*_: object, **__: object) -> None:
        raise AssertionError(what)

    return called
