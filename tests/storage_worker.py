"""Writers for the storage tests, run in threads or as separate processes.

    python -m tests.storage_worker race URL WORKSPACE_ID WRITER SAVES GO_FILE
        saves one item SAVES times (compare-and-swap for odd writers, blind for even ones)
        once GO_FILE exists, and prints what landed and how many saves were told stale.
    python -m tests.storage_worker big-save URL BLOB_DIR WORKSPACE_ID PAUSE_AT
        saves big blobs forever; with PAUSE_AT ("written" or "writing") it says so on stdout
        and sleeps at that point of the first save, so the test can SIGKILL it exactly there.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from storage import StaleRevisionError, WorkspaceStore
from storage import blobs as blob_module
from workspace.kinds import ERROR_SHEET

ITEM_KIND, ITEM_NAME = ERROR_SHEET.name, "contended"
BIG_KIND = "predictions"
BIG_BYTES = 3 * 1024 * 1024


def race(store: WorkspaceStore, workspace_id: int, writer: int, saves: int) -> dict[str, Any]:
    """Save the contended item `saves` times; odd writers compare-and-swap, even ones don't."""
    landed: list[tuple[int, dict[str, int]]] = []
    stale = 0
    for step in range(saves):
        payload = {"writer": writer, "step": step}
        expected = None
        if writer % 2:
            current = store.get_item(workspace_id, ITEM_KIND, ITEM_NAME, with_blob=False)
            expected = current.revision if current else 0
        try:
            item = store.save_item(workspace_id, ITEM_KIND, ITEM_NAME, content=payload,
                                   expected_revision=expected, author=f"writer {writer}")
        except StaleRevisionError as err:
            assert err.current.revision > expected, "stale error without a newer revision"
            stale += 1
            continue
        landed.append((item.revision, payload))
    return {"writer": writer, "landed": landed, "stale": stale}


def _race_main(url: str, workspace_id: str, writer: str, saves: str, go_file: str) -> None:
    store = WorkspaceStore(url)
    while not Path(go_file).exists():
        time.sleep(0.01)
    print(json.dumps(race(store, int(workspace_id), int(writer), int(saves))), flush=True)


def _pause_in_put(where: str) -> None:
    """Stop the first big save at `where` ('writing': before its temp file is fsynced;
    'written': after the file is in place, before the row commits) until killed."""
    original_fsync, original_put = os.fsync, blob_module.BlobDirectory.put

    def slow_fsync(fd: int) -> None:
        if where == "writing" and not Path(f"/proc/self/fd/{fd}").is_dir():
            print("paused", flush=True)
            time.sleep(600)
        original_fsync(fd)

    def put_then_pause(self: blob_module.BlobDirectory, data: bytes) -> str:
        ref = original_put(self, data)
        if where == "written":
            print("paused", flush=True)
            time.sleep(600)
        return ref

    blob_module.os.fsync = slow_fsync
    blob_module.BlobDirectory.put = put_then_pause


def _big_save_main(url: str, blob_dir: str, workspace_id: str, pause_at: str) -> None:
    store = WorkspaceStore(url, blob_dir=blob_dir, blob_threshold_bytes=1024 * 1024)
    if pause_at != "none":
        _pause_in_put(pause_at)
    for step in range(10_000):
        blob = step.to_bytes(4, "big") * (BIG_BYTES // 4)
        store.save_item(int(workspace_id), BIG_KIND, f"upload-{step % 3}.csv",
                        content={"step": step}, blob=blob)
        print(f"saved {step}", flush=True)


if __name__ == "__main__":
    mode, *arguments = sys.argv[1:]
    {"race": _race_main, "big-save": _big_save_main}[mode](*arguments)
