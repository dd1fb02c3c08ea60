"""Users reach configured sources by name only: an unknown name, a server path or a URL is
refused by the checks, and a DuckDB source's connection itself reads nothing outside its
folder and writes nothing, even if a query got past the checks. A cancelled query stops on
the engine."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from sources import adapter
from sources.config import (
    SourceConfig,
    check_query,
    check_table,
    source_named,
    sources_from_settings,
)
from sources.run import run_query

SETTINGS = {"lake": {"engine": "duckdb", "path": "/data/lake/*.parquet"},
            "warehouse": {"engine": "postgres", "url": "postgresql://u:p@db/preds"}}


@pytest.fixture
def lake(tmp_path: Path) -> adapter.Connection:
    folder = tmp_path / "lake"
    folder.mkdir()
    pd.DataFrame({"y": [0, 1] * 50, "s": [i / 100 for i in range(100)]}).to_parquet(
        folder / "part-0.parquet")
    (tmp_path / "secret.csv").write_text("a\n1\n")
    return adapter.connect(SourceConfig("lake", "duckdb", str(folder / "*.parquet")))


@pytest.mark.parametrize("name", ["/etc/passwd", "postgresql://u@evil/db", "lake ", "LAKE",
                                  "../lake", "s3://bucket/x.parquet", None, 3])
def test_only_configured_names_reach_a_source(name: object) -> None:
    configured = sources_from_settings(SETTINGS)
    with pytest.raises(ValueError, match="not a configured data source"):
        source_named(name, configured)
    assert source_named("lake", configured).engine == "duckdb"


@pytest.mark.parametrize("table", ["/etc/passwd", "../x", "a;drop table b", "x.parquet.gz",
                                   "'/tmp/x'", "read_csv('/etc/passwd')"])
def test_a_table_is_a_name_never_a_path(table: str) -> None:
    with pytest.raises(ValueError, match="not a table name"):
        check_table(table)


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM '/etc/hostname'",
    "SELECT * FROM read_parquet('/data/other/*.parquet')",
    "COPY predictions TO '/tmp/out.csv'",
    "ATTACH '/tmp/x.db' AS x",
    "INSERT INTO predictions VALUES (1, 0.5)",
    "SET enable_external_access = true",
    "SELECT * FROM other_table",
    "SELECT 1; SELECT 2",
    "SELECT pg_read_file('/etc/passwd')",
])
def test_queries_read_the_sources_tables_only(query: str) -> None:
    source = SourceConfig("lake", "duckdb", "/data/lake/*.parquet")
    with pytest.raises(ValueError):
        check_query(query, source, ["predictions"])


def test_a_checked_query_runs() -> None:
    source = SourceConfig("lake", "duckdb", "/data/lake/*.parquet")
    text = "WITH d AS (SELECT * FROM predictions) SELECT y, s FROM d WHERE s > 0.5"
    assert check_query(text, source, ["predictions"]) == text


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="engine must be one of"):
        sources_from_settings({"x": {"engine": "mysql", "path": "/a"}})
    with pytest.raises(ValueError, match="needs url"):
        sources_from_settings({"x": {"engine": "postgres"}})
    with pytest.raises(ValueError, match="source name"):
        sources_from_settings({"../x": {"path": "/a"}})


def test_the_duckdb_connection_reads_its_folder_only(lake: adapter.Connection,
                                                    tmp_path: Path) -> None:
    raw = lake.backend.con
    assert raw.execute("SELECT count(*) FROM predictions").fetchone() == (100,)
    for statement in (f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')",
                      "SELECT * FROM read_csv('/etc/passwd')",
                      f"COPY predictions TO '{tmp_path / 'out.csv'}'",
                      f"ATTACH '{tmp_path / 'x.db'}' AS x",
                      "SET enable_external_access = true"):
        with pytest.raises(Exception, match=r"Permission|Cannot change"):
            raw.execute(statement)
    with pytest.raises(ValueError):
        adapter.sql(lake, "SELECT * FROM read_csv('/etc/passwd')")


def test_unknown_table_of_a_source_is_refused(lake: adapter.Connection) -> None:
    with pytest.raises(ValueError, match="not a table of source"):
        adapter.table(lake, "other")


class _Cancelled(Exception):
    pass


def _cancel_after(seconds: float):
    started = time.perf_counter()

    def poll(_done: float | None) -> None:
        if time.perf_counter() - started > seconds:
            raise _Cancelled
    return poll


def test_a_cancelled_duckdb_query_stops_on_the_engine(lake: adapter.Connection) -> None:
    slow = ("SELECT count(*) FROM predictions a, predictions b, predictions c, predictions d, "
            "predictions e WHERE a.s + b.s + c.s + d.s + e.s = 7.77")
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(_Cancelled):
        run_query(lake, lambda: lake.backend.con.execute(slow).fetchall(),
                  poll=_cancel_after(0.5), interval=0.05)
    stopped = time.perf_counter()
    workers = [t for t in threading.enumerate() if t.name == "source-lake" and t.is_alive()]
    assert not workers, "the engine is still running the cancelled query"
    assert "source-lake" not in before
    # the connection is free again at once
    assert lake.backend.con.execute("SELECT count(*) FROM predictions").fetchone() == (100,)
    assert time.perf_counter() - stopped < 2


def test_a_cancelled_postgres_query_stops_on_the_server(pg_url: str) -> None:
    conn = adapter.connect(SourceConfig("warehouse", "postgres", pg_url))
    with pytest.raises(_Cancelled):
        run_query(conn, lambda: conn.backend.raw_sql("SELECT pg_sleep(60)").fetchall(),
                  poll=_cancel_after(0.5), interval=0.05)
    engine = sa.create_engine(pg_url)
    deadline = time.monotonic() + 2
    with engine.connect() as check:
        while True:
            running = check.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE starts_with(query, 'SELECT pg_sleep') "
                "AND state = 'active'").scalar()
            if running == 0 or time.monotonic() > deadline:
                break
    engine.dispose()
    assert running == 0, "PostgreSQL still runs the cancelled query"


def test_a_missing_backend_is_named_with_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sources.adapter.importlib.util.find_spec", lambda name: None)
    with pytest.raises(ValueError, match=r"pyspark\) is not installed.*requirements-optional"):
        adapter.connect(SourceConfig("cluster", "spark", "/data/*.parquet"))


def test_a_source_whose_files_are_gone_says_so_without_its_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="finds no files") as caught:
        adapter.connect(SourceConfig("lake", "duckdb", str(tmp_path / "none" / "*.parquet")))
    assert str(tmp_path) not in str(caught.value)


def test_a_query_over_the_source_runs_through_the_checks(lake: adapter.Connection) -> None:
    table = adapter.sql(lake, "SELECT y, s FROM predictions WHERE s >= 0.5")
    assert table.count().execute() == 50
