"""Schema migrations: the first release's database opens and upgrades with nothing lost, on
SQLite and PostgreSQL; revision 0001 is exactly the first release's DDL; a database newer than
the code is refused; two servers starting at once on one database both come up."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import WorkspaceStore, migrate
from storage.store import items, revisions, workspaces

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "storage"
OLD_DB = FIXTURES / "workbench_885ea16.sqlite"
TABLES = ("workspaces", "items", "item_revisions")


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of the first release's tables, in key order (what must not be lost)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {name: [tuple(row) for row in conn.execute(sa.text(
            f"SELECT * FROM {name} ORDER BY 1, 2"))] for name in TABLES}
    engine.dispose()
    return found


def _apply_frozen_ddl(url: str) -> None:
    """Create the tables with the first release's DDL as frozen in the fixtures."""
    engine = sa.create_engine(url)
    ddl = (FIXTURES / f"schema_885ea16.{engine.dialect.name}.sql").read_text()
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()


def _first_release_db(db_url: str) -> str:
    """`db_url` holding the 885ea16 fixture's data in the 885ea16 schema (no alembic_version)."""
    engine = sa.create_engine(db_url)
    if engine.dialect.name == "sqlite":
        shutil.copy(OLD_DB, sa.engine.make_url(db_url).database)
        return db_url
    _apply_frozen_ddl(db_url)
    source = sa.create_engine(f"sqlite:///{OLD_DB}")
    with engine.begin() as conn, source.connect() as old:
        for table in (workspaces, items, revisions):
            rows = [dict(r._mapping) for r in old.execute(sa.text(f"SELECT * FROM {table.name}"))]
            old_columns = [c for c in table.c if c.name != "blob_ref"]
            conn.execute(sa.insert(sa.table(table.name, *[sa.column(c.name, c.type)
                                                          for c in old_columns])), rows)
        for name in ("workspaces", "items"):
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                 f"(SELECT max(id) FROM {name}))")
    source.dispose()
    engine.dispose()
    return db_url


def test_first_release_database_upgrades_with_nothing_lost(db_url):
    url = _first_release_db(db_url)
    before = _rows(url)
    store = WorkspaceStore(url)
    after = _rows(url)
    assert {name: [row[:len(before[name][0])] for row in rows] for name, rows in after.items()
            } == before
    cat = next(w for w in store.list_workspaces() if w.name == "Cat app")
    assert cat.members == ("ana@example.com", "ben@example.com")
    sheet = store.get_item(cat.id, "error_sheet", "dev errors")
    assert (sheet.revision, sheet.content["meta"]["dev_error"]) == (3, 9.75)
    assert store.get_item(cat.id, "predictions", "cat_classifier.csv").blob == b"PAR1" + bytes(256)
    assert [w.name for w in store.list_workspaces(include_deleted=True)
            if w.deleted_at] == ["Old project"]
    assert store.save_item(cat.id, "error_sheet", "dev errors", content={"meta": {}},
                           expected_revision=3).revision == 4
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == \
            migrate.head_revision()
    store.engine.dispose()


def _schema(url: str) -> dict[str, object]:
    """Tables, columns (type, nullability), keys and constraints as the database reports them."""
    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    found = {}
    for table in TABLES:
        found[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"])
                        for c in inspector.get_columns(table)],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "unique": sorted(tuple(u["column_names"])
                             for u in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"])
                                   for f in inspector.get_foreign_keys(table)),
        }
    engine.dispose()
    return found


@pytest.fixture
def other_db_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second empty database on the same engine as `db_url`."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'other.sqlite'}"
    return request.getfixturevalue("postgres_server").new_database()


def test_revision_0001_is_the_first_release_ddl(db_url, other_db_url):
    _apply_frozen_ddl(other_db_url)
    frozen_url = other_db_url
    engine = sa.create_engine(db_url)
    assert migrate.upgrade(engine, to=migrate.FIRST_REVISION) == migrate.FIRST_REVISION
    engine.dispose()
    assert _schema(db_url) == _schema(frozen_url)


def test_a_database_newer_than_the_code_is_refused(db_url):
    WorkspaceStore(db_url).engine.dispose()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(migrate.SchemaTooNewError, match=r"revision '9999', newer than this "
                                                        r"Workbench knows \(up to '0003'\)"):
        WorkspaceStore(db_url)


@pytest.mark.parametrize("start_from", ["fresh", "first release"])
def test_two_servers_starting_at_once_both_come_up(db_url, start_from, tmp_path):
    url = _first_release_db(db_url) if start_from == "first release" else db_url
    go = tmp_path / "go"
    code = ("import pathlib, time\n"
            f"while not pathlib.Path({str(go)!r}).exists(): time.sleep(0.005)\n"
            "from storage import WorkspaceStore\n"
            f"store = WorkspaceStore({url!r})\n"
            "print(len(store.list_workspaces(include_deleted=True)))\n")
    servers = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    time.sleep(0.3)
    go.touch()
    outputs = [server.communicate(timeout=120) for server in servers]
    assert [server.returncode for server in servers] == [0, 0], outputs
    expected = "2" if start_from == "first release" else "0"
    assert [out.strip() for out, _ in outputs] == [expected, expected]
