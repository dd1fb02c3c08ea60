"""The workspace store: revisions, compare-and-swap saves, soft delete, several writers at once,
renames and big blobs kept as files; on SQLite and on a real PostgreSQL server (db_url)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import StaleRevisionError, WorkspaceStore
from tests.storage_worker import ITEM_KIND, ITEM_NAME, race
from workspace.access import visible

ROOT = Path(__file__).resolve().parents[2]
WRITERS, SAVES = 8, 50


@pytest.fixture
def store(db_url) -> Iterator[WorkspaceStore]:
    opened = WorkspaceStore(db_url)
    yield opened
    opened.engine.dispose()


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
    everything = store.list_workspaces()
    assert [w.name for w in visible(everything, "carl@example.com", auth=True)] == ["Mine"]
    assert [w.name for w in visible(everything, "ana@example.com", auth=True)] == ["Mine"]


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


def test_data_survives_a_new_process(db_url):
    url = db_url
    store = WorkspaceStore(url)
    workspace = store.create_workspace("Persisted")
    store.save_item(workspace.id, "error_sheet", "sheet", content={"ticks": [1, 2]})
    code = ("from storage import WorkspaceStore;"
            f"s = WorkspaceStore({url!r});"
            f"print(s.get_item({workspace.id}, 'error_sheet', 'sheet').content)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert out.stdout.strip() == "{'ticks': [1, 2]}"


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'ws.sqlite'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# Eight writers on one item: every save lands as the next revision or is told it is stale -----

def _check_race(store: WorkspaceStore, workspace_id: int, reports: list[dict],
                engine: str, how: str, seconds: float) -> None:
    """Nothing lost: landed + stale = every save, blind saves all land, each landed revision
    holds what its writer saved, and the revisions run 1..N without a gap."""
    landed = [(rev, payload) for report in reports for rev, payload in report["landed"]]
    stale = sum(report["stale"] for report in reports)
    assert len(landed) + stale == WRITERS * SAVES
    blind = sum(len(r["landed"]) for r in reports if r["writer"] % 2 == 0)
    assert blind == (WRITERS // 2) * SAVES, "a save without an expected revision was dropped"
    final = store.get_item(workspace_id, ITEM_KIND, ITEM_NAME)
    assert final.revision == len(landed)
    assert sorted(rev for rev, _ in landed) == list(range(1, final.revision + 1))
    stored = {r.revision: r.content for r in store.list_revisions(workspace_id, ITEM_KIND,
                                                                   ITEM_NAME)}
    assert all(stored[rev] == payload for rev, payload in landed)
    assert store.integrity_check() == []
    print(f"\n{engine} {how}: {len(landed)} landed, {stale} stale, {seconds:.1f} s")


def test_eight_threads_race_on_one_item_and_nothing_is_lost(store, db_url):
    workspace = store.create_workspace("Race")
    reports: list[dict] = []
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            reports.append(race(store, workspace.id, writer, SAVES))
        except BaseException as err:
            errors.append(err)

    started = time.perf_counter()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    _check_race(store, workspace.id, reports, db_url.split(":")[0], "threads",
                time.perf_counter() - started)


@pytest.mark.slow
def test_eight_processes_race_on_one_item_and_nothing_is_lost(store, db_url, tmp_path):
    workspace = store.create_workspace("Race")
    go = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-m", "tests.storage_worker", "race", db_url,
                                 str(workspace.id), str(w), str(SAVES), str(go)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for w in range(WRITERS)]
    time.sleep(0.5)  # let the interpreters import before the start signal; correctness
    started = time.perf_counter()  # does not depend on it, only how much they overlap
    go.touch()
    reports = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        reports.append(json.loads(out))
    _check_race(store, workspace.id, reports, db_url.split(":")[0], "processes",
                time.perf_counter() - started)


def test_two_creators_of_a_new_item_one_wins_the_other_is_told(store):
    workspace = store.create_workspace("Race")
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def create(writer: int) -> None:
        barrier.wait()
        try:
            store.save_item(workspace.id, "model_table", "models", content={"w": writer},
                            expected_revision=0)
            outcomes.append("landed")
        except StaleRevisionError:
            outcomes.append("stale")

    threads = [threading.Thread(target=create, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["landed"] + ["stale"] * 5
    assert store.get_item(workspace.id, "model_table", "models").revision == 1


# Renames ------------------------------------------------------------------------------------

def test_rename_keeps_revisions_and_refuses_a_taken_name(store):
    workspace = store.create_workspace("Files")
    for value in (1, 2):
        store.save_item(workspace.id, "error_sheet", "dev", content={"v": value})
    store.save_item(workspace.id, "error_sheet", "taken", content={"v": 0})
    renamed = store.rename_item(workspace.id, "error_sheet", "dev", "dev errors")
    assert (renamed.name, renamed.revision, renamed.content) == ("dev errors", 2, {"v": 2})
    assert store.get_item(workspace.id, "error_sheet", "dev") is None
    assert [r.revision for r in store.list_revisions(workspace.id, "error_sheet", "dev errors")
            ] == [2, 1]
    with pytest.raises(ValueError, match="'taken' is already used"):
        store.rename_item(workspace.id, "error_sheet", "dev errors", "taken")
    with pytest.raises(ValueError, match="'gone' no longer exists"):
        store.rename_item(workspace.id, "error_sheet", "gone", "new")
    with pytest.raises(StaleRevisionError):
        store.rename_item(workspace.id, "error_sheet", "dev errors", "x", expected_revision=1)


def test_listing_summaries_read_no_content(store):
    workspace = store.create_workspace("Files")
    store.save_item(workspace.id, "predictions", "a.csv", content={"rows": 2}, blob=b"PAR1")
    (summary,) = store.list_item_summaries(workspace.id, "predictions")
    assert (summary.name, summary.revision, summary.content, summary.blob) == ("a.csv", 1, None,
                                                                               None)
