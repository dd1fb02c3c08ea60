"""Fixtures for every test: the project root and an isolated workspace store."""

from __future__ import annotations

from pathlib import Path

import pytest

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
