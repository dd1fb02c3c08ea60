"""The workspace is read once per page run: every access check of the run reuses that read
(a new run, or a widget callback, reads it afresh, so a removed member is still refused)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_view

PAGES = ["views/home.py", "views/workspaces.py", "views/waterfall.py", "views/metrics.py",
         "views/error_analysis.py", "views/split_planner.py", "views/training_lab.py",
         "views/report.py"]
READS_WORKSPACES = re.compile(r"\bFROM workspaces\b", re.IGNORECASE)


@pytest.fixture
def workspace_reads(store_url: str) -> Iterator[list[str]]:
    """Every statement reading the workspaces table of the test's store, as it runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if str(conn.engine.url) == store_url and READS_WORKSPACES.search(statement):
            seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


@pytest.mark.parametrize("path", PAGES)
def test_one_page_run_reads_the_workspaces_table_at_most_once(sample_app: AppTest,
                                                             workspace_reads: list[str],
                                                             path: str):
    open_view(sample_app, path)
    workspace_reads.clear()
    sample_app.run()
    assert not sample_app.exception
    assert len(workspace_reads) <= 1, workspace_reads
