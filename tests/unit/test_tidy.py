"""Tidy workspaces: delete with undo, purge after the retention that really erases (rows,
blobs, blob files, read back from the database and the blob folder directly), revision
retention that keeps pinned and referenced revisions, storage figures, and the admin command;
on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import WorkspaceStore, migrate
from tests.unit.test_migrations import _first_release_db
from workspace.cleanup import CleanupSettings, clean, main, uses_of
from workspace.gate import WorkspaceGate
from workspace.identity import Identity

THRESHOLD = 1024
BIG = b"BIGFILE-MARKER-" + bytes(range(256)) * 8  # above THRESHOLD: kept as a blob file
SMALL = b"INLINE-MARKER-0123456789"  # under THRESHOLD: kept in the database
LATER = timedelta(days=31)


@pytest.fixture
def blob_dir(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def store(db_url: str, blob_dir: Path) -> WorkspaceStore:
    opened = WorkspaceStore(db_url, blob_dir=blob_dir, blob_threshold_bytes=THRESHOLD)
    yield opened
    opened.engine.dispose()


def _files(blob_dir: Path) -> set[str]:
    return {p.name for p in blob_dir.iterdir() if not p.name.startswith(".")}


def _raw_counts(url: str, name: str) -> tuple[int, int]:
    """Rows of the item named `name` and of its revisions, read with a plain engine."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT count(*) FROM items WHERE name = :n"),
                             {"n": name}).scalar()
        revs = conn.execute(sa.text(
            "SELECT count(*) FROM item_revisions r JOIN items i ON r.item_id = i.id "
            "WHERE i.name = :n"), {"n": name}).scalar()
    engine.dispose()
    return found, revs


def _database_bytes(url: str) -> bytes:
    """Everything SQLite keeps on disk for this database (file and write-ahead log)."""
    path = Path(sa.engine.make_url(url).database)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def _gate(store: WorkspaceStore, email: str = "ann@example.com") -> WorkspaceGate:
    return WorkspaceGate(store, user=Identity(email=email, issuer="t", subject=email), auth=True)


def test_delete_undo_and_purge_erase_rows_blobs_and_files(store, db_url, blob_dir):
    ann = _gate(store)
    workspace = ann.create_workspace("Cats")
    for round_ in range(3):
        ann.save_item(workspace.id, "predictions", "big.csv", content={"round": round_},
                      blob=BIG + bytes([round_]))
    ann.save_item(workspace.id, "predictions", "small.csv", content={"rows": 2}, blob=SMALL)
    assert len(_files(blob_dir)) == 3
    ann.delete_item(workspace.id, "predictions", "big.csv")
    assert [i.name for i in ann.list_items(workspace.id)] == ["small.csv"]
    assert ann.get_item(workspace.id, "predictions", "big.csv") is None
    deleted = ann.deleted_items(workspace.id)
    assert [(i.name, i.deleted_by) for i in deleted] == [("big.csv", "ann@example.com")]
    assert ann.restore_item(workspace.id, "predictions", "big.csv").revision == 3
    assert ann.get_item(workspace.id, "predictions", "big.csv").blob == BIG + bytes([2])
    ann.delete_item(workspace.id, "predictions", "big.csv")
    ann.delete_item(workspace.id, "predictions", "small.csv")

    report = clean(store, CleanupSettings(), now=datetime.now(UTC) + LATER)

    assert (report.purged.items, report.purged.revisions, report.purged.blob_files) == (2, 4, 3)
    assert _raw_counts(db_url, "big.csv") == (0, 0)
    assert _raw_counts(db_url, "small.csv") == (0, 0)
    assert _files(blob_dir) == set()
    if db_url.startswith("sqlite"):
        on_disk = _database_bytes(db_url)
        assert b"INLINE-MARKER" not in on_disk and b"BIGFILE-MARKER" not in on_disk
    else:
        engine = sa.create_engine(db_url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM item_revisions WHERE "
                                        "position(:m in blob) > 0"), {"m": SMALL}).scalar() == 0
        engine.dispose()
    assert ann.deleted_items(workspace.id) == []
    assert store.integrity_check() == []


def test_a_deleted_item_stays_restorable_until_the_retention_is_over(store):
    workspace = store.create_workspace("Cats")
    store.save_item(workspace.id, "error_sheet", "dev errors", content={"rows": []})
    store.delete_item(workspace.id, "error_sheet", "dev errors", author="ben@example.com")
    nearly = datetime.now(UTC) + timedelta(days=29)
    assert clean(store, CleanupSettings(retention_days=30), now=nearly).purged.items == 0
    assert [i.name for i in store.list_deleted_items(workspace.id)] == ["dev errors"]
    assert clean(store, CleanupSettings(retention_days=30),
                 now=nearly + timedelta(days=2)).purged.items == 1
    assert store.list_deleted_items(workspace.id) == []


def test_a_deleted_workspace_is_erased_with_everything_in_it(store, db_url, blob_dir):
    ann = _gate(store)
    gone, kept = ann.create_workspace("Old"), ann.create_workspace("Kept")
    ann.save_item(gone.id, "predictions", "old.csv", content={}, blob=BIG)
    ann.save_item(kept.id, "predictions", "kept.csv", content={}, blob=BIG + b"k")
    ann.delete_workspace(gone.id)
    assert store.get_workspace(gone.id).deleted_by == "ann@example.com"
    report = clean(store, CleanupSettings(), now=datetime.now(UTC) + LATER)
    assert (report.purged.workspaces, report.purged.items) == (1, 1)
    assert store.get_workspace(gone.id) is None
    assert _raw_counts(db_url, "old.csv") == (0, 0)
    assert len(_files(blob_dir)) == 1 and ann.get_item(kept.id, "predictions",
                                                       "kept.csv").blob == BIG + b"k"


def test_a_file_shared_with_a_kept_item_stays_on_disk(store, blob_dir):
    workspace = store.create_workspace("Cats")
    store.save_item(workspace.id, "predictions", "a.csv", blob=BIG)
    store.save_item(workspace.id, "predictions", "copy of a.csv", blob=BIG)
    store.delete_item(workspace.id, "predictions", "a.csv")
    clean(store, CleanupSettings(), now=datetime.now(UTC) + LATER)
    assert len(_files(blob_dir)) == 1
    assert store.get_item(workspace.id, "predictions", "copy of a.csv").blob == BIG


def test_retention_keeps_pinned_and_referenced_revisions_and_drops_the_rest(store, blob_dir):
    workspace = store.create_workspace("Cats")
    for n in range(1, 31):  # a month of sheet autosaves and re-uploads
        store.save_item(workspace.id, "error_sheet", "dev errors",
                        content={"rows": n, "meta": {"source": "cat.csv"}})
        store.save_item(workspace.id, "waterfall_snapshot", "v1", content={"inputs": n})
    for n in range(1, 6):
        store.save_item(workspace.id, "predictions", "cat.csv", content={"n": n},
                        blob=BIG + bytes([n]))
    store.save_item(workspace.id, "iteration_log", "iteration log",
                    content={"entries": [{"snapshot": "v1"}]})
    store.pin_revision(workspace.id, "error_sheet", "dev errors", 3)
    store.pin_revision(workspace.id, "predictions", "cat.csv", 1)

    report = clean(store, CleanupSettings(keep_revisions=2))

    sheet = [r.revision for r in store.list_revisions(workspace.id, "error_sheet", "dev errors")]
    assert sheet == [30, 29, 3], "the last two and the pinned one"
    files = store.list_revisions(workspace.id, "predictions", "cat.csv", with_content=False)
    assert [(r.revision, r.pinned) for r in files] == [(5, False), (4, False), (1, True)]
    assert len(store.list_revisions(workspace.id, "waterfall_snapshot", "v1")) == 30, \
        "waterfall snapshots are never pruned"
    assert store.get_item(workspace.id, "iteration_log", "iteration log").revision == 1
    assert (report.pruned.revisions, report.pruned.blob_files) == (27 + 2, 2)
    assert len(_files(blob_dir)) == 3
    assert store.get_item(workspace.id, "error_sheet", "dev errors").content["rows"] == 30
    store.pin_revision(workspace.id, "error_sheet", "dev errors", 3, pinned=False)
    clean(store, CleanupSettings(keep_revisions=2))
    assert len(store.list_revisions(workspace.id, "error_sheet", "dev errors")) == 2


def test_pinning_a_pruned_revision_says_so(store):
    workspace = store.create_workspace("Cats")
    store.save_item(workspace.id, "error_sheet", "s", content={})
    with pytest.raises(ValueError, match="revision 7 of 's' is not stored"):
        store.pin_revision(workspace.id, "error_sheet", "s", 7)


def test_saving_under_a_deleted_name_brings_the_item_back_on_top(store):
    workspace = store.create_workspace("Cats")
    store.save_item(workspace.id, "predictions", "cat.csv", content={"v": 1})
    store.delete_item(workspace.id, "predictions", "cat.csv")
    again = store.save_item(workspace.id, "predictions", "cat.csv", content={"v": 2},
                            expected_revision=0)
    assert again.revision == 2
    assert store.list_deleted_items(workspace.id) == []
    assert [i.name for i in store.list_items(workspace.id)] == ["cat.csv"]


def test_renaming_onto_a_deleted_name_is_refused_with_the_reason(store):
    workspace = store.create_workspace("Cats")
    store.save_item(workspace.id, "predictions", "a.csv", content={})
    store.save_item(workspace.id, "predictions", "b.csv", content={})
    store.delete_item(workspace.id, "predictions", "b.csv")
    with pytest.raises(ValueError, match="perhaps by a deleted item"):
        store.rename_item(workspace.id, "predictions", "a.csv", "b.csv")


def test_storage_figures_count_files_revisions_and_bytes(store):
    ann = _gate(store)
    workspace = ann.create_workspace("Cats")
    ann.save_item(workspace.id, "predictions", "big.csv", content={}, blob=BIG)
    ann.save_item(workspace.id, "predictions", "small.csv", content={}, blob=SMALL)
    ann.save_item(workspace.id, "predictions", "small.csv", content={}, blob=SMALL)
    ann.save_item(workspace.id, "error_sheet", "s", content={"a": 1})
    figures = ann.storage_figures(workspace.id)
    assert figures.items_by_kind == {"predictions": 2, "error_sheet": 1}
    assert figures.revisions == 4
    assert figures.file_bytes == len(BIG)
    assert figures.database_bytes == 2 * len(SMALL) + 3 * len(b"{}") + len(b'{"a": 1}')


def test_a_file_in_use_is_named_before_it_is_deleted(store):
    workspace = store.create_workspace("Cats")
    store.save_item(workspace.id, "predictions", "cat.csv", content={"mapping": {}})
    store.save_item(workspace.id, "error_sheet", "dev errors",
                    content={"meta": {"source": "cat.csv"}})
    store.save_item(workspace.id, "error_sheet", "other", content={"meta": {"source": "x"}})
    store.save_item(workspace.id, "iteration_log", "iteration log",
                    content={"entries": [{"snapshot": "v1"}, {"snapshot": "v2"}]})
    listed = store.list_items(workspace.id)
    assert [i.name for i in uses_of(listed, "cat.csv")] == ["dev errors"]
    assert [i.name for i in uses_of(listed, "v2")] == ["iteration log"]
    assert uses_of(listed, "nothing.csv") == []


@pytest.mark.parametrize(("days", "keep", "message"), [
    ("soon", None, "retention_days is 'soon'"), ("-1", None, "retention_days is -1.0"),
    ("nan", None, "retention_days is nan"), (None, "0", "keep_revisions is 0"),
    (None, "2.5", "keep_revisions is '2.5'")])
def test_bad_settings_say_which_and_how_to_fix_them(days, keep, message):
    with pytest.raises(ValueError, match=message):
        CleanupSettings.parse(days, keep)


def test_the_defaults_are_thirty_days_and_twenty_revisions():
    assert CleanupSettings.parse(None, None) == CleanupSettings(30.0, 20)


def test_the_admin_command_cleans_the_configured_store(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    store = WorkspaceStore(url, blob_dir=tmp_path / "blobs", blob_threshold_bytes=THRESHOLD)
    workspace = store.create_workspace("Cats")
    store.save_item(workspace.id, "predictions", "cat.csv", blob=BIG)
    store.delete_item(workspace.id, "predictions", "cat.csv")
    store.engine.dispose()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[workbench]\ndb_url = "{url}"\nretention_days = 0\n')
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)
    monkeypatch.delenv("WORKBENCH_BLOB_DIR", raising=False)
    assert main(["--secrets", str(secrets)]) == 0
    assert "erased 0 workspaces, 1 items and 1 revisions" in capsys.readouterr().out
    assert _files(tmp_path / "blobs") == set()


def test_revision_0002_databases_upgrade_with_nothing_deleted_or_pinned(db_url):
    engine = sa.create_engine(db_url)
    migrate.upgrade(engine, to="0002")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO workspaces (name, members, created_at, updated_at) "
                             "VALUES ('Cats', '[]', :t, :t)"), {"t": now})
        conn.execute(sa.text("INSERT INTO items (workspace_id, kind, name, revision, "
                             "created_at, updated_at) VALUES (1, 'predictions', 'a.csv', 1, "
                             ":t, :t)"), {"t": now})
        conn.execute(sa.text("INSERT INTO item_revisions (item_id, revision, content, "
                             "created_at) VALUES (1, 1, '{}', :t)"), {"t": now})
    engine.dispose()
    store = WorkspaceStore(db_url)
    assert [i.name for i in store.list_items(1)] == ["a.csv"]
    assert store.list_deleted_items(1) == []
    assert [r.pinned for r in store.list_revisions(1, "predictions", "a.csv")] == [False]
    store.delete_item(1, "predictions", "a.csv")
    assert store.list_items(1) == []
    store.engine.dispose()


def test_the_first_release_database_upgrades_to_tidy_with_every_item_live(db_url):
    store = WorkspaceStore(_first_release_db(db_url))
    cat = next(w for w in store.list_workspaces() if w.name == "Cat app")
    assert store.list_deleted_items(cat.id) == []
    history = store.list_revisions(cat.id, "error_sheet", "dev errors", with_content=False)
    assert [(r.revision, r.pinned, r.content) for r in history] == [
        (3, False, None), (2, False, None), (1, False, None)]
    store.delete_item(cat.id, "error_sheet", "dev errors", author="ana@example.com")
    assert clean(store, CleanupSettings(retention_days=0)).purged.revisions == 3
    store.engine.dispose()


def test_the_admin_command_refuses_a_bad_setting_with_the_fix(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--keep-revisions", "0", "--secrets", "/nonexistent/secrets.toml"])
    assert stopped.value.code == 2
    assert "keep_revisions is 0: set it to a whole number of at least 1" in capsys.readouterr().err


def _purge_after(start: threading.Barrier, store: WorkspaceStore) -> None:
    start.wait()
    clean(store, CleanupSettings(retention_days=0))


def _save_after(start: threading.Barrier, store: WorkspaceStore, workspace_id: int, name: str,
                content: dict) -> None:
    start.wait()
    store.save_item(workspace_id, "error_sheet", name, content=content)


def test_a_save_racing_the_purge_of_its_deleted_name_is_never_lost(store):
    workspace = store.create_workspace("Cats")
    for attempt in range(15):
        name = f"sheet {attempt}"
        store.save_item(workspace.id, "error_sheet", name, content={"old": True})
        store.delete_item(workspace.id, "error_sheet", name)
        start = threading.Barrier(2)
        threads = [threading.Thread(target=_purge_after, args=(start, store)),
                   threading.Thread(target=_save_after, args=(start, store, workspace.id, name,
                                                              {"new": attempt}))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert store.get_item(workspace.id, "error_sheet", name).content == {"new": attempt}
    assert store.integrity_check() == []


def test_storage_figures_read_as_people_say_them():
    from storage.tidy import StorageFigures
    from workspace.summary import size_text, storage_text

    assert [size_text(n) for n in (0, 812, 4300, 12_900_000, 3 * 1024 ** 3)] == [
        "0 B", "812 B", "4.2 KB", "12.3 MB", "3.0 GB"]
    figures = StorageFigures({"predictions": 1, "error_sheet": 2}, 14, 3, 1024, 2 * 1024 ** 2)
    assert storage_text(figures) == ("1 predictions file · 14 revisions · 2.0 MB "
                                     "(3 deleted items awaiting erasure)")
