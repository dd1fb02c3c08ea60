"""Big blobs kept as files beside the database: written before their row commits, removed after
the last row referencing them is deleted, swept when a crash left them unreferenced; a SIGKILL
in the middle of a big save leaves neither an orphan file nor a row pointing at nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import WorkspaceStore, tidy
from storage.store import revisions
from tests.storage_worker import BIG_KIND

ROOT = Path(__file__).resolve().parents[2]
THRESHOLD = 1024


@pytest.fixture
def blob_dir(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def store(db_url: str, blob_dir: Path) -> Iterator[WorkspaceStore]:
    opened = WorkspaceStore(db_url, blob_dir=blob_dir, blob_threshold_bytes=THRESHOLD)
    yield opened
    opened.engine.dispose()


def _files(blob_dir: Path) -> set[str]:
    return {p.name for p in blob_dir.iterdir() if p.name != ".lock"}


def _row_refs(store: WorkspaceStore) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(sa.select(revisions.c.blob_ref)
                                .where(revisions.c.blob_ref.is_not(None))).scalars())


def test_a_big_blob_goes_to_a_file_and_a_small_one_stays_in_the_row(store, blob_dir):
    workspace = store.create_workspace("Files")
    big, small = b"B" * (THRESHOLD + 1), b"s" * 10
    saved = store.save_item(workspace.id, BIG_KIND, "big.csv", content={"rows": 1}, blob=big)
    store.save_item(workspace.id, BIG_KIND, "small.csv", content={"rows": 1}, blob=small)
    store.save_item(workspace.id, BIG_KIND, "same.csv", content={"rows": 1}, blob=big)
    assert _files(blob_dir) == {saved.blob_ref}, "identical bytes share one file"
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(revisions.c.blob).where(
            revisions.c.blob_ref == saved.blob_ref)).scalars().all() == [None, None]
    assert store.get_item(workspace.id, BIG_KIND, "big.csv").blob == big
    assert store.get_item(workspace.id, BIG_KIND, "small.csv").blob == small
    with store.open_blob(workspace.id, BIG_KIND, "big.csv") as stream:
        assert Path(stream.name).parent == blob_dir and stream.read(3) == b"BBB"
    assert store.get_item(workspace.id, BIG_KIND, "big.csv", with_blob=False).blob is None
    assert store.integrity_check() == []


def test_a_file_goes_only_when_no_row_references_it_any_more(store, blob_dir):
    workspace = store.create_workspace("Files")
    big = b"B" * (THRESHOLD + 1)
    store.save_item(workspace.id, BIG_KIND, "a.csv", blob=big)
    store.save_item(workspace.id, BIG_KIND, "b.csv", blob=big)
    store.delete_item(workspace.id, BIG_KIND, "a.csv")
    assert len(_files(blob_dir)) == 1, "a deleted item keeps its file until it is purged"
    tidy.purge_deleted(store.engine, store.blobs, datetime.now(UTC) + timedelta(seconds=1))
    assert len(_files(blob_dir)) == 1, "b.csv still references the file"
    store.delete_item(workspace.id, BIG_KIND, "b.csv")
    tidy.purge_deleted(store.engine, store.blobs, datetime.now(UTC) + timedelta(seconds=1))
    assert _files(blob_dir) == set()


def test_the_sweep_removes_old_unreferenced_files_only(store, blob_dir, db_url):
    workspace = store.create_workspace("Files")
    kept = store.save_item(workspace.id, BIG_KIND, "a.csv", blob=b"K" * (THRESHOLD + 1))
    old_orphan, young_orphan = blob_dir / ("a" * 64), blob_dir / ("b" * 64)
    leftover = blob_dir / ".incoming-x"
    for path in (old_orphan, young_orphan, leftover, blob_dir / kept.blob_ref):
        path.write_bytes(b"x")
    long_ago = time.time() - 7200
    for path in (old_orphan, leftover, blob_dir / kept.blob_ref):
        os.utime(path, (long_ago, long_ago))
    assert store.sweep_blobs() == 1
    assert _files(blob_dir) == {kept.blob_ref, young_orphan.name}
    assert not leftover.exists()


def test_a_missing_blob_file_is_reported(store, blob_dir):
    workspace = store.create_workspace("Files")
    saved = store.save_item(workspace.id, BIG_KIND, "a.csv", blob=b"K" * (THRESHOLD + 1))
    (blob_dir / saved.blob_ref).unlink()
    assert store.integrity_check() == ["1 blob files referenced by revisions are missing"]
    with pytest.raises(FileNotFoundError, match="restore the blob directory"):
        store.get_item(workspace.id, BIG_KIND, "a.csv")


def _start_saver(db_url: str, blob_dir: Path, workspace_id: int, pause_at: str
                 ) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.storage_worker", "big-save", db_url,
                             str(blob_dir), str(workspace_id), pause_at],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_when(saver: subprocess.Popen[str], marker: str) -> None:
    """SIGKILL the saver as soon as it prints a line starting with `marker`."""
    for line in saver.stdout:
        if line.startswith(marker):
            break
    else:
        pytest.fail(f"the saver ended before {marker!r}: {saver.stderr.read()}")
    saver.send_signal(signal.SIGKILL)
    saver.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["writing", "written", "saved 2"])
def test_sigkill_during_a_big_save_leaves_no_orphan_and_no_dangling_row(
        db_url, blob_dir, kill_at):
    first = WorkspaceStore(db_url, blob_dir=blob_dir, blob_threshold_bytes=THRESHOLD)
    workspace = first.create_workspace("Uploads")
    first.engine.dispose()
    pause_at = kill_at if kill_at in ("writing", "written") else "none"
    saver = _start_saver(db_url, blob_dir, workspace.id, pause_at)
    _kill_when(saver, "paused" if pause_at != "none" else kill_at)
    if kill_at == "written":
        assert len(_files(blob_dir)) == 1, "the file was in place before the row committed"

    # The next server start sweeps (grace 0 here: no writer is running) and finds it all sound.
    store = WorkspaceStore(db_url, blob_dir=blob_dir, blob_threshold_bytes=THRESHOLD,
                           blob_grace_seconds=0)
    assert store.integrity_check() == []
    assert _files(blob_dir) == _row_refs(store), "an orphan file or a dangling row"
    assert not [p for p in blob_dir.iterdir() if p.name.startswith(".incoming")]
    for item in store.list_item_summaries(workspace.id, BIG_KIND):
        step = store.get_item(workspace.id, BIG_KIND, item.name).content["step"]
        with store.open_blob(workspace.id, BIG_KIND, item.name) as stream:
            assert stream.read(4) == step.to_bytes(4, "big")
    if kill_at == "saved 2":
        assert len(store.list_item_summaries(workspace.id, BIG_KIND)) == 3
    store.engine.dispose()
