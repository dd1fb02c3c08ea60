"""All backend-specific code of sources/: connecting to DuckDB, PostgreSQL or Spark through
Ibis, locking the connection to reading, asking a running query for its progress and
stopping it. Everything else in sources/ is written once in Ibis expressions.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis

from sources.config import SourceConfig, check_query, check_table

_MODULES = {"duckdb": "duckdb", "postgres": "psycopg", "spark": "pyspark"}
_OPTIONAL = "pip install -r requirements-optional.txt"


@dataclass
class Connection:
    """An open Ibis backend for one source, plus the raw handle used to stop its queries."""

    source: SourceConfig
    backend: Any
    tables: list[str] = field(default_factory=list)


def check_installed(source: SourceConfig) -> None:
    """A clear message when the source's engine library is not installed on this server."""
    module = _MODULES[source.engine]
    if importlib.util.find_spec(module) is None:
        raise ValueError(f"Source {source.name!r} runs on {source.engine}, whose Python library "
                         f"({module}) is not installed on this server: {_OPTIONAL}.")


def _allowed_directory(path: str) -> str:
    """The folder DuckDB may read after lock-down: the directory before the first glob char."""
    plain = path.split("*")[0].split("?")[0].split("[")[0]
    folder = Path(plain) if plain.endswith(os.sep) else Path(plain).parent
    return str(folder.resolve()) + os.sep


def _matches(pattern: str) -> list[Path]:
    """The files an admin's path or glob names right now."""
    path = Path(pattern)
    if not any(ch in pattern for ch in "*?["):
        return [path] if path.exists() else []
    root = Path(_allowed_directory(pattern))
    return list(root.glob(str(path.relative_to(root)))) if path.is_absolute() else []


def _connect_duckdb(source: SourceConfig) -> Connection:
    backend = ibis.duckdb.connect(memory_limit=source.memory_limit, threads=2)
    reader = backend.read_parquet if source.file_format == "parquet" else backend.read_csv
    if not any(_matches(source.location)):
        raise ValueError(f"Source {source.name!r} finds no files right now; ask the admin to "
                         "check its path.")
    reader(source.location, table_name=source.table)
    raw = backend.con
    # from here on the connection reads the source's folder only: no other file, no writes
    # elsewhere, no ATTACH, and the settings cannot be changed back by a query
    raw.execute("SET allowed_directories = [?]", [_allowed_directory(source.location)])
    raw.execute("SET enable_external_access = false")
    raw.execute("SET lock_configuration = true")
    return Connection(source, backend, [source.table])


def _ibis_postgres_url(url: str) -> str:
    """SQLAlchemy-style URLs (postgresql+psycopg://) in the form Ibis reads (postgres://)."""
    scheme, _, rest = url.partition("://")
    if not scheme.startswith(("postgres", "postgresql")):
        raise ValueError("A postgres source's url must start with postgresql://.")
    return "postgres://" + rest


def _connect_postgres(source: SourceConfig) -> Connection:
    backend = ibis.connect(_ibis_postgres_url(source.location))
    with backend.con.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    backend.con.commit()
    tables = sorted(backend.list_tables())
    return Connection(source, backend, tables)


_SPARK: dict[str, Any] = {}


def spark_session(master: str) -> Any:
    """One Spark session per process and master (Spark allows one active context)."""
    if master not in _SPARK:
        from pyspark.sql import SparkSession

        _SPARK[master] = (SparkSession.builder.master(master).appName("workbench")
                          .config("spark.ui.enabled", "false")
                          .config("spark.sql.shuffle.partitions", "4")
                          .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    return _SPARK[master]


def _connect_spark(source: SourceConfig) -> Connection:
    session = spark_session(source.master)
    backend = ibis.pyspark.connect(session)
    reader = backend.read_parquet if source.file_format == "parquet" else backend.read_csv
    reader(source.location, table_name=source.table)
    return Connection(source, backend, [source.table])


def connect(source: SourceConfig) -> Connection:
    """Open the source (read-only); ValueError with a message a user can act on."""
    check_installed(source)
    opener = {"duckdb": _connect_duckdb, "postgres": _connect_postgres,
              "spark": _connect_spark}[source.engine]
    try:
        return opener(source)
    except ValueError:
        raise
    except Exception as err:  # the engine's own error: say which source, never its location
        raise ValueError(f"Source {source.name!r} ({source.engine}) cannot be opened: "
                         f"{type(err).__name__}. Ask the admin to check its settings.") from None


def table(conn: Connection, name: str) -> ibis.Table:
    """One of the source's tables as an Ibis expression (refused when it is not one of them)."""
    check_table(name)
    if name not in conn.tables:
        raise ValueError(f"{name!r} is not a table of source {conn.source.name!r} "
                         f"(tables: {', '.join(conn.tables)}).")
    return conn.backend.table(name)


def sql(conn: Connection, query: str) -> ibis.Table:
    """The user's query, once checked read-only over the source's tables, as an Ibis expression."""
    query = check_query(query, conn.source, conn.tables)
    return conn.backend.sql(query, dialect=conn.source.dialect)


def progress(conn: Connection) -> float | None:
    """Fraction of the running query done, when the engine can tell (DuckDB), else None."""
    if conn.source.engine != "duckdb":
        return None
    done = conn.backend.con.query_progress()
    return None if done is None or done < 0 else min(1.0, float(done) / 100)


def interrupt(conn: Connection) -> None:
    """Stop the query running on this connection (the engine stops it, not just the client)."""
    if conn.source.engine == "duckdb":
        conn.backend.con.interrupt()
    elif conn.source.engine == "postgres":
        conn.backend.con.cancel_safe()
    else:
        conn.backend._session.sparkContext.cancelAllJobs()


def file_to_parquet(upload: Path, target: Path, *, delimiter: str | None, gzipped: bool,
                    memory_limit: str, check: Callable[[int, list[str]], None]) -> None:
    """DuckDB rewrites the uploaded file `upload` (CSV/TSV with `delimiter`, gzipped or not;
    else Parquet) as the Parquet file `target`, streaming within `memory_limit`: the table is
    never held in pandas. `check(rows, columns)` judges a Parquet upload's footer before any
    page is read, and the copy's footer before the copy is renamed into place; whatever it
    raises, or DuckDB's error as a ValueError, leaves no partial file."""
    import duckdb

    partial = upload.with_name(f"{upload.name}.parquet.partial")
    con = duckdb.connect(config={"memory_limit": memory_limit, "threads": 2})
    try:
        if delimiter is None:
            check(*_parquet_shape(con, upload))
            con.read_parquet(str(upload)).write_parquet(str(partial))
        else:
            csv = {"sep": delimiter, "header": True, "compression": "gzip" if gzipped else "none"}
            try:
                con.read_csv(str(upload), **csv).write_parquet(str(partial))
            except duckdb.ConversionException:
                # a value past the sniffed sample does not fit the column's type (text late in
                # a numeric column): sniff the whole file, as the in-memory reader does
                con.read_csv(str(upload), **csv, sample_size=-1).write_parquet(str(partial))
        check(*_parquet_shape(con, partial))
        partial.replace(target)
    except duckdb.Error as err:
        raise ValueError(f"DuckDB could not read the file ({_without_paths(err, upload)}): check "
                         "that it is UTF-8 CSV or TSV with one header line and the same number "
                         "of fields on every line, or Parquet.") from None
    finally:
        partial.unlink(missing_ok=True)
        con.close()


def _parquet_shape(con: Any, path: Path) -> tuple[int, list[str]]:
    """Rows and column names of a Parquet file, from its footer (no page is read)."""
    rows = con.execute("SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata(?)",
                       [str(path)]).fetchone()[0]
    return int(rows), list(con.read_parquet(str(path)).columns)


def _without_paths(err: Exception, upload: Path) -> str:
    """DuckDB's message about an upload in words a user can act on: its first line and the
    line saying what was wrong, with the server's folder never shown."""
    folder = re.compile(r"(file )?[\"']?" + re.escape(str(upload.parent)) + r"[^\s\"']*[\"']?")
    lines = [folder.sub("the file", line).strip().removeprefix("Invalid Input Error: ")
             for line in str(err).splitlines()]
    detail = next((line for line in lines[1:] if line and not line.startswith(
        ("Original Line", "The search space", "Possible", "*", "file ="))), "")
    return " ".join(filter(None, (lines[0] if lines else "", detail))).rstrip(".")[:300]
