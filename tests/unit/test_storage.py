"""The workspace store: revisions, compare-and-swap saves, soft delete, several writers at once."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from storage import StaleRevisionError, WorkspaceStore


@pytest.fixture
def store(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{tmp_path / 'ws.sqlite'}")


def test_every_save_is_a_new_revision_and_all_are_kept(store):
    workspace = store.create_workspace("Cat app", owner="ana")
    for value in (1, 2, 3):
        store.save_item(workspace.id, "waterfall_snapshot", "v1", content={"train": value},
                        author="ana")
    assert store.get_item(workspace.id, "waterfall_snapshot", "v1").content == {"train": 3}
    assert [r.revision for r in store.list_revisions(workspace.id, "waterfall_snapshot", "v1")] == [3, 2, 1]
    assert store.get_item(workspace.id, "waterfall_snapshot", "v1", revision=1).content == {"train": 1}


def test_a_stale_save_is_refused_and_nothing_is_overwritten(store):
    workspace = store.create_workspace("Cat app")
    first = store.save_item(workspace.id, "error_sheet", "dev errors", content={"rows": 1},
                            expected_revision=0, author="ana")
    store.save_item(workspace.id, "error_sheet", "dev errors", content={"rows": 2},
                    expected_revision=first.revision, author="ben")
    with pytest.raises(StaleRevisionError, match=r"saved by ben .* after you opened revision 1") as err:
        store.save_item(workspace.id, "error_sheet", "dev errors", content={"rows": 99},
                        expected_revision=first.revision, author="ana")
    assert err.value.current.content == {"rows": 2}
    assert store.get_item(workspace.id, "error_sheet", "dev errors").content == {"rows": 2}


def test_blobs_round_trip_and_listings_leave_them_out(store):
    workspace = store.create_workspace("Files")
    store.save_item(workspace.id, "predictions", "a.csv", content={"rows": 2}, blob=b"\x00PAR1")
    assert store.get_item(workspace.id, "predictions", "a.csv").blob == b"\x00PAR1"
    listed = store.list_items(workspace.id)
    assert [(i.name, i.blob, i.content) for i in listed] == [("a.csv", None, {"rows": 2})]


def test_delete_is_undoable_and_duplicate_copies_items(store):
    workspace = store.create_workspace("Old", owner="ana")
    store.save_item(workspace.id, "model_table", "models", content={"A": 0.9})
    store.delete_workspace(workspace.id)
    assert store.list_workspaces() == []
    store.restore_workspace(workspace.id)
    copy = store.duplicate_workspace(workspace.id, "Copy")
    assert store.get_item(copy.id, "model_table", "models").content == {"A": 0.9}
    assert {w.name for w in store.list_workspaces()} == {"Old", "Copy"}


def test_members_see_only_their_workspaces(store):
    mine = store.create_workspace("Mine", owner="ana@example.com")
    store.create_workspace("Theirs", owner="ben@example.com")
    store.set_members(mine.id, ["carl@example.com"])
    assert [w.name for w in store.list_workspaces(user="carl@example.com")] == ["Mine"]
    assert [w.name for w in store.list_workspaces(user="ana@example.com")] == ["Mine"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_bad_names_are_refused(store, name):
    with pytest.raises(ValueError, match="name"):
        store.create_workspace(name)


def test_concurrent_writers_all_land(store):
    workspace = store.create_workspace("Busy")
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for step in range(15):
                store.save_item(workspace.id, "lab_experiment", f"run-{worker}",
                                content={"step": step})
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(store.get_item(workspace.id, "lab_experiment", f"run-{w}").revision == 15
               for w in range(6))
    assert store.integrity_check() == []


def test_data_survives_a_new_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    store = WorkspaceStore(url)
    workspace = store.create_workspace("Persisted")
    store.save_item(workspace.id, "error_sheet", "sheet", content={"ticks": [1, 2]})
    code = ("from storage import WorkspaceStore;"
            f"s = WorkspaceStore({url!r});"
            f"print(s.get_item({workspace.id}, 'error_sheet', 'sheet').content)")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=root)
    assert out.stdout.strip() == "{'ticks': [1, 2]}"


def test_sqlite_runs_in_wal_mode(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
