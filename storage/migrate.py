"""Bring a database's schema up to this code's, once, under a lock, at start-up.

Alembic revisions live in storage/migrations/ and run programmatically (no alembic.ini). Two
servers starting at once are safe: PostgreSQL serialises them with an advisory lock, SQLite with
a write transaction taken at BEGIN (IMMEDIATE), and the second finds the work done. A database
made by the first release's create_all (no alembic_version table) is stamped as revision 0001
and upgraded; one stamped by a newer release is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"
# pg_advisory_xact_lock key: any constant shared by every server of this app ("WBSC" in ASCII).
_ADVISORY_KEY = 0x57425343


class SchemaTooNewError(RuntimeError):
    """The database was migrated by a newer release than the code now running."""


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this code knows."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


@contextmanager
def _locked(engine: Engine) -> Iterator[sa.Connection]:
    """One transaction that no other server's migration can run beside."""
    options = {"write": True} if engine.dialect.name == "sqlite" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
        yield conn


def _check_known(current: str | None, script: ScriptDirectory) -> None:
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise SchemaTooNewError(
            f"The workspace database is at schema revision {current!r}, newer than this "
            f"Workbench knows (up to {script.get_current_head()!r}): a newer release wrote it. "
            "Run that release (or newer) against this database, or set WORKBENCH_DB_URL to "
            "another database.")


def upgrade(engine: Engine, to: str = "head") -> str:
    """Upgrade the schema to `to` (the newest by default) under the start-up lock; returns
    the revision reached."""
    with _locked(engine) as conn:
        config = _config(conn)
        script = ScriptDirectory.from_config(config)
        current = MigrationContext.configure(conn).get_current_revision()
        _check_known(current, script)
        if current is None and sa.inspect(conn).has_table("items"):
            command.stamp(config, FIRST_REVISION)  # made by create_all before migrations
        command.upgrade(config, to)
        return MigrationContext.configure(conn).get_current_revision()
