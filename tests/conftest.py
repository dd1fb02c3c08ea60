"""Fixtures for every test: the project root, an isolated workspace store, and database URLs
for the storage tests on SQLite and on a real PostgreSQL server (tests/postgres.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import BIN_GLOB, PostgresServer, find_bin_dir

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite store for this test; the app picks it up from $WORKBENCH_DB_URL."""
    url = f"sqlite:///{tmp_path / 'workbench.sqlite'}"
    monkeypatch.setenv("WORKBENCH_DB_URL", url)
    return url


@pytest.fixture
def data_dir() -> Path:
    """The folder of sample files (data/)."""
    return DATA


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session; a skip without one locally, a failure under CI."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        message = f"PostgreSQL not found ({BIN_GLOB}): apt-get install -y postgresql"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer(bin_dir).start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh, empty PostgreSQL database for this test."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The test runs once on a SQLite file and once on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("pg_url")
