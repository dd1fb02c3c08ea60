"""Data sources the admin configures in secrets.toml, and the checks on what a user may ask of them.

A source is `[workbench.sources.<name>]` with `engine = "duckdb" | "postgres" | "spark"` and
where its data lives: `path` (a Parquet or CSV file, folder glob, read by DuckDB or Spark) or
`url` (a PostgreSQL connection URL, credentials included, or a Spark master URL). Users pick a
source by its NAME and then a table of it or a read-only query over its tables: a server
path or a connection URL never comes from a user, so every user-facing entry point goes
through `source_named` (unknown names are refused) and `check_table` / `check_query`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

ENGINES = ("duckdb", "postgres", "spark")
DEFAULT_TABLE = "predictions"
DEFAULT_MEMORY_LIMIT = "1GB"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_DIALECT = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark"}
# statements that only read; anything else (COPY, ATTACH, SET, INSERT, ...) is refused
_READ_ONLY = (exp.Select, exp.Union, exp.Intersect, exp.Except)


@dataclass(frozen=True)
class SourceConfig:
    """One admin-configured source. `location` is a path/glob (duckdb, spark) or a URL
    (postgres; spark's optional `master`); it is never shown to users nor taken from them."""

    name: str
    engine: str
    location: str
    table: str = DEFAULT_TABLE
    file_format: str = "parquet"
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    master: str = "local[1]"

    @property
    def dialect(self) -> str:
        return _DIALECT[self.engine]

    @property
    def is_files(self) -> bool:
        """True when the source is files (Parquet/CSV) exposed as one table named `table`."""
        return self.engine in ("duckdb", "spark")


def _one_source(name: str, entry: Mapping[str, object]) -> SourceConfig:
    if not _NAME.match(name):
        raise ValueError(f"[workbench.sources.{name}] in secrets.toml: a source name is letters, "
                         "digits and _ (at most 63), starting with a letter.")
    engine = str(entry.get("engine", "duckdb"))
    if engine not in ENGINES:
        raise ValueError(f"[workbench.sources.{name}] engine must be one of {', '.join(ENGINES)}; "
                         f"got {engine!r}.")
    key = "url" if engine == "postgres" else "path"
    location = entry.get(key)
    if not isinstance(location, str) or not location.strip():
        raise ValueError(f"[workbench.sources.{name}] needs {key} = \"...\" (the {engine} "
                         f"{'connection URL' if key == 'url' else 'Parquet or CSV path or glob'}).")
    table = str(entry.get("table", DEFAULT_TABLE))
    check_table(table)
    fmt = str(entry.get("format", "csv" if location.lower().endswith((".csv", ".csv.gz"))
                        else "parquet"))
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"[workbench.sources.{name}] format must be parquet or csv; got {fmt!r}.")
    return SourceConfig(name, engine, location.strip(), table, fmt,
                        str(entry.get("memory_limit", DEFAULT_MEMORY_LIMIT)),
                        str(entry.get("master", "local[1]")))


def sources_from_settings(settings: Mapping[str, object] | None) -> dict[str, SourceConfig]:
    """The configured sources by name, from the `[workbench.sources]` table of secrets.toml."""
    if not settings:
        return {}
    if not isinstance(settings, Mapping):
        raise ValueError("[workbench.sources] in secrets.toml must be a table of sources.")
    found = {}
    for name, entry in settings.items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"[workbench.sources.{name}] must be a table (engine, path or url).")
        found[str(name)] = _one_source(str(name), entry)
    return found


def source_named(name: object, configured: Mapping[str, SourceConfig]) -> SourceConfig:
    """The configured source called `name`; anything else (a path, a URL, a typo) is refused."""
    if isinstance(name, str) and name in configured:
        return configured[name]
    shown = ", ".join(sorted(configured)) or "none is configured"
    raise ValueError(f"{str(name)[:60]!r} is not a configured data source (sources: {shown}). "
                     "Sources are set by the server's admin in secrets.toml.")


def check_table(table: object) -> str:
    """A plain table name (letters, digits, _; optionally schema.table): never a path."""
    text = str(table)
    if all(_NAME.match(part) for part in text.split(".")) and text.count(".") <= 1:
        return text
    raise ValueError(f"{text[:60]!r} is not a table name: use letters, digits and _ "
                     "(schema.table at most); files are reached only through configured sources.")


def check_query(query: object, source: SourceConfig, tables: list[str]) -> str:
    """One read-only SELECT over the source's own tables (no table functions, no file
    literals, no writes); raises ValueError naming what was refused."""
    text = str(query).strip().rstrip(";")
    try:
        statements = sqlglot.parse(text, read=source.dialect)
    except sqlglot.errors.ParseError as err:
        raise ValueError(f"The query does not parse: {str(err).splitlines()[0][:160]}") from None
    if len(statements) != 1 or not isinstance(statements[0], _READ_ONLY):
        raise ValueError("Only one read-only SELECT query is allowed.")
    tree = statements[0]
    named = {name.lower() for name in tables}
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for node in tree.find_all(exp.Table):
        if not isinstance(node.this, exp.Identifier):
            raise ValueError("The query may read tables only by name (no table functions "
                             "or file paths).")
        if node.name.lower() not in named | ctes:
            raise ValueError(f"The query reads {node.name[:60]!r}, which is not a table of "
                             f"source {source.name!r} (tables: {', '.join(tables)}).")
    for node in tree.find_all(exp.Func):
        name = (node.sql_name() if not isinstance(node, exp.Anonymous) else node.name).lower()
        if name.startswith(("read_", "pg_read", "pg_ls", "lo_", "dblink", "glob")):
            raise ValueError(f"The query may not call {name}: files are reached only through "
                             "configured sources.")
    return text
