"""End-to-end fixtures: `streamlit run app.py` on a free localhost port, Debian's Chromium.

Under CI=true a missing Chromium fails the run: browser tests must never be skipped there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e import browser as helpers

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--disable-component-update", "--no-first-run"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is a browser test."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """A `streamlit run app.py` child process with its own store: a SQLite file (a Path) or a
    database URL (a str, e.g. the test PostgreSQL server's), blobs in a folder of its own."""

    launcher: tuple[str, ...] = ("-m", "streamlit")  # what runs `run app.py ...`

    def __init__(self, store: Path | str, log: Path, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store = store
        self.log_path = log
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AppServer:
        env = {**os.environ, "WORKBENCH_DB_URL": self.db_url,
               "WORKBENCH_BLOB_DIR": str(self.log_path.parent / "blobs"), **self.extra_env}
        command = [sys.executable, *self.launcher, "run", "app.py",
                   "--server.port", str(self.port), "--server.headless", "true",
                   "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        self._wait_healthy()
        return self

    @property
    def db_url(self) -> str:
        return self.store if isinstance(self.store, str) else f"sqlite:///{self.store}"

    def _wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not answer in {timeout}s:\n"
                           f"{self.log_path.read_text()[-3000:]}")

    def stop(self, *, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            self.process.wait(timeout=30)


# The provider's test users: subject -> the claims it puts in their ID token.
OIDC_USERS = {
    "ann": {"email": "ann@example.com", "email_verified": True, "name": "Ann"},
    "bob": {"email": "bob@example.com", "email_verified": True, "name": "Bob"},
    "carol": {"email": "Carol@Example.com", "email_verified": True, "name": "Carol"},
    "dave": {"email": "dave@example.com", "email_verified": False, "name": "Dave"},
}


class OidcProvider:
    """oidc-provider-mock on a free localhost port: its sign-in page offers OIDC_USERS as one
    button each (their subject), and any client id and secret are accepted."""

    def __init__(self, url: str) -> None:
        self.url = url

    def secrets(self) -> str:
        """A secrets.toml for an app server that signs in here ({port} is the app's own)."""
        return (f'[auth]\nredirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"\n'
                f'cookie_secret = "e2e-cookie-secret-{"0" * 32}"\n'
                f'client_id = "workbench-e2e"\nclient_secret = "e2e-client-secret"\n'
                f'server_metadata_url = "{self.url}/.well-known/openid-configuration"\n')


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """A real OpenID Connect provider for the whole session (plain http is fine on localhost:
    Authlib treats loopback addresses as secure transport, so nothing is relaxed for it)."""
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=sub, claims=claims) for sub, claims in OIDC_USERS.items()]
    with run_server_in_thread(port=_free_port(), user_claims=users) as server:
        yield OidcProvider(f"http://localhost:{server.server_port}")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; a hard failure under CI, a skip on a developer machine without it."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., AppServer]]:
    """A factory of app servers (each with its own store and optional extra environment
    variables); all are stopped at the end."""
    servers: list[AppServer] = []

    def start(store: Path | str | None = None, env: dict[str, str] | None = None) -> AppServer:
        folder = tmp_path_factory.mktemp("server")
        server = AppServer(store or folder / "workbench.sqlite", folder / "streamlit.log",
                           env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def app_url(start_server: Callable[..., AppServer], chromium_path: str) -> str:
    """Base URL of one app server shared by the session's browser tests."""
    return start_server().url


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                              args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def context(browser: object) -> Iterator[object]:
    """A fresh browser context (its own cookies: a new Streamlit session)."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: object) -> object:
    """A new page in a fresh context."""
    return context.new_page()


@pytest.fixture
def wait_idle() -> Callable[..., None]:
    return helpers.wait_idle


@pytest.fixture
def open_page() -> Callable[..., None]:
    return helpers.open_page


@pytest.fixture
def load_sample() -> Callable[..., None]:
    return helpers.load_sample


@pytest.fixture
def assert_no_exception() -> Callable[..., None]:
    return helpers.assert_no_exception


@pytest.fixture
def shot() -> Callable[..., Path]:
    return helpers.shot
