"""Reviewers for the merge tests and benchmark, run in threads or as separate processes.

    python -m tests.sheet_merge_worker URL WORKSPACE_ID WRITER EDITS SEED MODE GO_FILE
        once GO_FILE exists, makes EDITS edits to the shared sheet as writer WRITER through the
        workspace gate and prints a JSON report of what it changed and how the saves went.

Each writer works like a person with the page open: it edits the sheet as it last saw it and
saves through the merged save, then sees the merged revision. Mode "tick" only ticks cells
(and keeps a comment on a row of its own), so every edit must land: the final sheet must hold
the union of all writers' edits. Mode "comment" writes its own text in the comment of one of
the first COMMENTED_ROWS rows, so two writers changing the same comment from one value at
once make true conflicts, which are counted. (Two ticks of one cell never conflict: from the
same old value a tick has one new value.)
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.error_sheet import DEFAULT_CATEGORIES, new_sheet
from storage import WorkspaceStore
from workspace.data import WorkspaceData
from workspace.gate import WorkspaceGate
from workspace.kinds import ERROR_SHEET, ErrorSheet
from workspace.merge_formats import SHEET_FORMAT
from workspace.table_merge import AddRow, SetCell

SHEET, ROWS = "shared sheet", 100
CATEGORIES = list(DEFAULT_CATEGORIES)
COMMENTED_ROWS = 4  # "comment" writes in these first rows only, so writers meet on cells


def create_shared_sheet(store: WorkspaceStore, workspace_id: int) -> None:
    """The sheet every writer edits: ROWS unticked errors, the five course categories."""
    import pandas as pd

    frame = new_sheet(pd.DataFrame({"example_id": [f"img_{i}" for i in range(ROWS)]}),
                      categories=CATEGORIES)
    store.save_item(workspace_id, ERROR_SHEET.name, SHEET, expected_revision=0,
                    content=ERROR_SHEET.to_content(ErrorSheet(frame, CATEGORIES, {})))


def review(store: WorkspaceStore, workspace_id: int, writer: int, edits: int, seed: int,
           mode: str = "tick") -> dict[str, Any]:
    """Make `edits` edits as writer `writer`; report cells set, conflicts and save rounds."""
    data = WorkspaceData(WorkspaceGate(store, user=None, auth=False), workspace_id)
    rng = random.Random(seed * 1000 + writer)
    item = data.item(ERROR_SHEET, SHEET)
    held, revision = SHEET_FORMAT.to_doc(item.content), item.revision
    own_row = f"w{writer}"
    report: dict[str, Any] = {"writer": writer, "ticked": [], "saves": 0, "attempts": 0,
                              "conflicts": 0, "unapplied": 0, "comment": None, "seconds": 0.0}
    started = time.perf_counter()
    for step in range(edits):
        if step == 0:
            ops = [AddRow(own_row, {"example_id": own_row, "comments": "e0"})]
            report["comment"] = "e0"
        elif mode == "tick" and step % 5 == 0:
            ops = [SetCell(own_row, "comments", held.value(own_row, "comments"), f"e{step}")]
            report["comment"] = f"e{step}"
        elif mode == "tick":
            row = rng.choice([r for r in held.row_ids if r.startswith("r")])
            column = rng.choice(held.categories)
            ops = [SetCell(row, column, held.value(row, column), True)]
            report["ticked"].append([row, column])
        else:
            row = rng.choice([r for r in held.row_ids if r.startswith("r")][:COMMENTED_ROWS])
            ops = [SetCell(row, "comments", held.value(row, "comments"), f"w{writer} {step}")]
        saved = data.save_merged(ERROR_SHEET, SHEET, ops, base_revision=revision)
        held, revision = saved.doc, saved.item.revision
        report["saves"] += int(saved.saved)
        report["attempts"] += saved.attempts
        report["conflicts"] += len(saved.merged.conflicts)
        report["unapplied"] += len(saved.merged.unapplied)
    report["seconds"] = time.perf_counter() - started
    return report


def in_threads(work: Callable[[int], dict[str, Any]], writers: int
               ) -> tuple[list[dict[str, Any]], float]:
    """Run `work(writer)` for every writer in its own thread at once; returns the reports and
    the seconds taken. An error in any thread is raised here, not lost in the thread."""
    reports: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run(writer: int) -> None:
        try:
            reports.append(work(writer))
        except BaseException as err:
            errors.append(err)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return reports, time.perf_counter() - started


def main(url: str, workspace_id: str, writer: str, edits: str, seed: str, mode: str,
         go_file: str) -> None:
    """Wait for the start signal, review, print the report."""
    store = WorkspaceStore(url)
    while not Path(go_file).exists():
        time.sleep(0.01)
    print(json.dumps(review(store, int(workspace_id), int(writer), int(edits), int(seed), mode)),
          flush=True)
    store.engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
