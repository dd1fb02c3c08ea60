"""The house is enforced: each folder's ruff.toml bans the imports that do not belong there, and
product modules and page functions stay small enough to read in one sitting.

A probe is piped to `ruff check --stdin-filename <folder>/probe.py`, so ruff applies that
folder's configuration without a file being written into the source tree. Sizes are read with
`ast`: a function's length is its `def` line through its last line.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from workspace.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
NO_STREAMLIT = ("analysis", "charts", "workspace", "storage", "reporting", "sources")
NO_PLOTLY = ("analysis", "sources")
PROBES = {"streamlit": "import streamlit as st\n", "plotly": "import plotly.graph_objects as go\n"}
#: Where the product's code lives (tests, benchmarks and data scripts are not product).
PRODUCT = ("app.py", "views", "components", "charts", "analysis", "workspace", "storage",
           "reporting", "sources")
MAX_MODULE_LINES = 500
MAX_VIEW_FUNCTION_LINES = 60

needs_ruff = pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")


def _banned(folder: str, source: str) -> list[str]:
    """The banned-import findings ruff reports for `source` placed in `folder`."""
    run = subprocess.run(
        ["ruff", "check", "--no-cache", "--select", "TID251", "--output-format", "concise",
         "--stdin-filename", f"{folder}/probe.py", "-"],
        input=source, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    return [line for line in run.stdout.splitlines() if "TID251" in line]


@needs_ruff
@pytest.mark.parametrize("folder", NO_STREAMLIT)
def test_streamlit_is_banned(folder):
    assert (ROOT / folder / "ruff.toml").is_file()
    found = _banned(folder, PROBES["streamlit"])
    assert len(found) == 1 and "`streamlit` is banned" in found[0]


@needs_ruff
@pytest.mark.parametrize("folder", NO_PLOTLY)
def test_plotly_is_banned(folder):
    found = _banned(folder, PROBES["plotly"])
    assert len(found) == 1 and "`plotly` is banned" in found[0]


@needs_ruff
@pytest.mark.parametrize("folder", ["charts", "components", "views"])
def test_plotly_stays_allowed_where_figures_are_built_or_drawn(folder):
    assert _banned(folder, PROBES["plotly"]) == []


@needs_ruff
def test_streamlit_stays_allowed_in_components():
    assert _banned("components", PROBES["streamlit"]) == []


def _product_modules() -> list[Path]:
    """Every Python file of the product (tests, benchmarks and data scripts are not product)."""
    found = []
    for part in PRODUCT:
        path = ROOT / part
        found += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return found


def test_every_product_module_is_at_most_500_lines():
    too_long = {str(path.relative_to(ROOT)): lines for path in _product_modules()
                if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert too_long == {}, f"cut these along their seams (limit {MAX_MODULE_LINES} lines)"


def test_every_function_in_views_is_at_most_60_lines():
    too_long = {}
    for path in sorted((ROOT / "views").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_VIEW_FUNCTION_LINES:
                    too_long[f"{path.relative_to(ROOT)}::{node.name}"] = lines
    assert too_long == {}, (f"split these into small named functions or components/ "
                            f"(limit {MAX_VIEW_FUNCTION_LINES} lines)")


def test_no_product_module_spells_a_saved_kinds_store_name():
    # "predictions" is also an ordinary word (a source option, a default file name); the goal's
    # content names its own kind, and workspace/kinds.py takes it from there.
    names = {kind.name for kind in KINDS} - {"predictions"}
    allowed = {("analysis/strategy/goal.py", "project_goal")}
    found = []
    for path in _product_modules():
        where = str(path.relative_to(ROOT))
        if where == "workspace/kinds.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and node.value in names
                    and (where, node.value) not in allowed):
                found.append(f"{where}:{node.lineno} {node.value!r}")
    assert found == [], "use the SavedKind in workspace/kinds.py (KIND.name), not its name"
