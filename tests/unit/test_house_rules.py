"""The house is enforced by lint: each folder's ruff.toml bans the imports that do not belong there.

A probe is piped to `ruff check --stdin-filename <folder>/probe.py`, so ruff applies that
folder's configuration without a file being written into the source tree.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NO_STREAMLIT = ("analysis", "charts", "workspace", "storage", "reporting", "sources")
NO_PLOTLY = ("analysis", "sources")
PROBES = {"streamlit": "import streamlit as st\n", "plotly": "import plotly.graph_objects as go\n"}

pytestmark = pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")


def _banned(folder: str, source: str) -> list[str]:
    """The banned-import findings ruff reports for `source` placed in `folder`."""
    run = subprocess.run(
        ["ruff", "check", "--no-cache", "--select", "TID251", "--output-format", "concise",
         "--stdin-filename", f"{folder}/probe.py", "-"],
        input=source, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    return [line for line in run.stdout.splitlines() if "TID251" in line]


@pytest.mark.parametrize("folder", NO_STREAMLIT)
def test_streamlit_is_banned(folder):
    assert (ROOT / folder / "ruff.toml").is_file()
    found = _banned(folder, PROBES["streamlit"])
    assert len(found) == 1 and "`streamlit` is banned" in found[0]


@pytest.mark.parametrize("folder", NO_PLOTLY)
def test_plotly_is_banned(folder):
    found = _banned(folder, PROBES["plotly"])
    assert len(found) == 1 and "`plotly` is banned" in found[0]


@pytest.mark.parametrize("folder", ["charts", "components", "views"])
def test_plotly_stays_allowed_where_figures_are_built_or_drawn(folder):
    assert _banned(folder, PROBES["plotly"]) == []


def test_streamlit_stays_allowed_in_components():
    assert _banned("components", PROBES["streamlit"]) == []
