"""Benchmark: merged saves of one error sheet by several reviewers at once, against the
compare-and-swap save it replaces (the peer: the whole sheet saved on the revision it was
opened from; a save that finds a newer revision is stale and became a conflict copy).

Each writer is a thread acting like a person with the page open (tests/sheet_merge_worker):
it edits the sheet as it last saw it, saves, and then sees what was saved. Mode "tick" only
ticks cells (never a true conflict), mode "comment" writes comments in four shared rows (two
people changing one comment from the same value at once are a true conflict). Reported per engine and mode:
edits landed, true conflicts, changes reported unapplied, save rounds, seconds, edits per
second; for the peer, saves landed and saves that would have been conflict copies. Ratio:
our edits per second over the peer's saves per second.

Run:  python benchmarks/bench_sheet_merge.py                  (SQLite, and PostgreSQL if installed)
      python benchmarks/bench_sheet_merge.py --writers 8 --edits 40
Not a test: it prints a table; the figures go in the closing note.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import StaleRevisionError, WorkspaceStore
from tests.postgres import PostgresServer, find_bin_dir
from tests.sheet_merge_worker import SHEET, create_shared_sheet, in_threads, review
from workspace.kinds import ERROR_SHEET


def ours(url: str, writers: int, edits: int, mode: str) -> dict:
    """Merged saves: every edit lands unless it is a true conflict."""
    store = WorkspaceStore(url)
    workspace = store.create_workspace(f"bench {mode} {time.time_ns()}")
    create_shared_sheet(store, workspace.id)
    reports, seconds = in_threads(lambda w: review(store, workspace.id, w, edits, 7, mode),
                                  writers)
    store.engine.dispose()
    total = writers * edits
    conflicts = sum(r["conflicts"] for r in reports)
    return {"edits": total, "revisions": sum(r["saves"] for r in reports),
            "conflicts": conflicts, "unapplied": sum(r["unapplied"] for r in reports),
            "rounds": sum(r["attempts"] for r in reports), "seconds": seconds,
            "per_second": total / seconds}


def peer(url: str, writers: int, edits: int) -> dict:
    """Compare-and-swap of the whole sheet on the revision each writer last saw."""
    store = WorkspaceStore(url)
    workspace = store.create_workspace(f"peer {time.time_ns()}")
    create_shared_sheet(store, workspace.id)

    def write(writer: int) -> dict:
        landed = stale = 0
        item = store.get_item(workspace.id, ERROR_SHEET.name, SHEET)
        for _ in range(edits):
            try:
                item = store.save_item(workspace.id, ERROR_SHEET.name, SHEET,
                                       content=item.content, expected_revision=item.revision)
                landed += 1
            except StaleRevisionError as err:
                stale += 1  # the old page saved this edit as a conflict copy
                item = store.get_item(workspace.id, ERROR_SHEET.name, SHEET)
                del err
        return {"landed": landed, "stale": stale}

    reports, seconds = in_threads(write, writers)
    store.engine.dispose()
    return {"landed": sum(r["landed"] for r in reports),
            "copies": sum(r["stale"] for r in reports), "seconds": seconds,
            "per_second": writers * edits / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--edits", type=int, default=25)
    args = parser.parse_args()
    engines = {"SQLite": f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"}
    server = None
    bin_dir = find_bin_dir()
    if bin_dir is not None:
        server = PostgresServer(bin_dir).start()
        engines["PostgreSQL"] = server.new_database()
    print(f"{args.writers} writers x {args.edits} edits each, threads, one sheet of 100 rows")
    print("| engine | mode | edits | revisions | true conflicts | unapplied | save rounds | "
          "time | edits/s | peer: landed | peer: conflict copies | peer edits/s | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for engine, url in engines.items():
            theirs = peer(url, args.writers, args.edits)
            for mode in ("tick", "comment"):
                got = ours(url, args.writers, args.edits, mode)
                print(f"| {engine} | {mode} | {got['edits']} | {got['revisions']} | "
                      f"{got['conflicts']} | {got['unapplied']} | {got['rounds']} | "
                      f"{got['seconds']:.1f} s | {got['per_second']:.0f} | {theirs['landed']} | "
                      f"{theirs['copies']} | {theirs['per_second']:.0f} | "
                      f"{got['per_second'] / theirs['per_second']:.2f}x |", flush=True)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
