"""Benchmark: a workspace used for a week, then cleaned, takes no more space than its kept content.

A week of a team's use, simulated on a SQLite store with a blob folder (blobs from 8 MB are
files, as the app's default): every day dozens of autosaves of an error-analysis sheet (a
500-row sheet saved in full each time), re-uploads of three predictions files (Parquet kept
in the database) and of one big file (Parquet above the 8 MB threshold, kept as a blob file),
waterfall snapshots, and deletes: a scratch file a day, a wrong export of the big file, a
scratch sheet, and a whole scratch workspace. Then the clean-up runs as the admin command would after the retention (30 days,
20 revisions kept per file or sheet): prune, purge, VACUUM.

Measured, in bytes on disk (database file + write-ahead log + blob folder):
- before: after the week;
- after: after the clean-up;
- kept content: the bytes of what the clean-up kept (each kept revision's JSON and blob, each
  blob file once);
- peer: a fresh store into which only the kept revisions are saved (the smallest store that
  holds the same content), measured the same way.
The goal: after <= peer (ratio <= 1.0x) and after close to the kept content.

Run:  python benchmarks/bench_workspace_space.py              (a week, ~2 min on a quiet machine)
      python benchmarks/bench_workspace_space.py --days 2 --autosaves 10   (quick look)
Not a test: it prints a table; the figures go in the closing note.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import WorkspaceStore, tidy
from storage.schema import Item, revisions
from workspace.cleanup import CleanupSettings, clean
from workspace.kinds import (
    ERROR_SHEET,
    PREDICTIONS,
    WATERFALL_SNAPSHOT,
    ErrorSheet,
)

THRESHOLD = 8 * 1024 * 1024
CATEGORIES = ["blurry", "dog", "great cat", "instagram filter", "incorrectly labeled"]


def _parquet(rng: np.random.Generator, rows: int) -> bytes:
    """A predictions table as an upload is saved (Parquet): ids, labels, scores, split."""
    frame = pd.DataFrame({"id": np.arange(rows), "y_true": rng.integers(0, 2, rows),
                          "score": rng.random(rows), "score_b": rng.random(rows),
                          "split": rng.choice(["train", "dev", "test"], rows)})
    out = io.BytesIO()
    frame.to_parquet(out, index=False)
    return out.getvalue()


def _sheet(rng: np.random.Generator, rows: int, edits: int) -> dict:
    """An error sheet's content after `edits` ticks (saved whole on every autosave)."""
    frame = pd.DataFrame({"example_id": [f"img_{i:05d}.jpg" for i in range(rows)],
                          "image_path": [f"images/dev/img_{i:05d}.jpg" for i in range(rows)],
                          "y_true": rng.integers(0, 2, rows), "y_pred": rng.integers(0, 2, rows),
                          "score": rng.random(rows).round(4),
                          "comments": [f"looked at on edit {edits}" if i < edits else ""
                                       for i in range(rows)]})
    for category in CATEGORIES:
        frame[category] = rng.random(rows) < 0.2
    return ERROR_SHEET.to_content(ErrorSheet(frame, CATEGORIES, {"source": "cat.csv",
                                                                "dev_error": 9.9}))


def simulate_week(store: WorkspaceStore, args: argparse.Namespace) -> int:
    """A week of saves and deletes; returns the workspace id."""
    rng = np.random.default_rng(7)
    team = store.create_workspace("Cat app")
    scratch = store.create_workspace("Scratch")
    files = ("cat.csv", "cat_v2.csv", "mobile.csv")
    for day in range(args.days):
        for edit in range(args.autosaves):
            store.save_item(team.id, ERROR_SHEET.name, "dev errors", author="ann@example.com",
                            content=_sheet(rng, args.sheet_rows, day * args.autosaves + edit))
        for name in files:
            store.save_item(team.id, PREDICTIONS.name, name, content={"rows": args.file_rows},
                            blob=_parquet(rng, args.file_rows), author="bob@example.com")
        store.save_item(team.id, PREDICTIONS.name, "full_dev_set.csv", author="bob@example.com",
                        content={"rows": args.big_rows}, blob=_parquet(rng, args.big_rows))
        store.save_item(team.id, WATERFALL_SNAPSHOT.name, f"day {day + 1}",
                        content={"inputs": {"train": 8.0 - day / 2, "dev": 10.0 - day / 2}})
        store.save_item(team.id, PREDICTIONS.name, f"scratch day {day + 1}.csv",
                        content={"rows": 1000}, blob=_parquet(rng, 1000))
        store.save_item(scratch.id, ERROR_SHEET.name, "try", content=_sheet(rng, 50, day))
        store.delete_item(team.id, PREDICTIONS.name, f"scratch day {day + 1}.csv",
                          author="bob@example.com")
    store.save_item(team.id, PREDICTIONS.name, "full_dev_set (wrong export).csv",
                    content={"rows": args.big_rows}, blob=_parquet(rng, args.big_rows))
    store.delete_item(team.id, PREDICTIONS.name, "full_dev_set (wrong export).csv")
    store.save_item(team.id, ERROR_SHEET.name, "first try", content=_sheet(rng, 100, 0))
    store.delete_item(team.id, ERROR_SHEET.name, "first try", author="ann@example.com")
    store.delete_workspace(scratch.id, author="ann@example.com")
    return team.id


def disk_bytes(db_path: Path, blob_dir: Path) -> int:
    """Database file, its write-ahead log and every blob file."""
    paths = [db_path, Path(f"{db_path}-wal"), *blob_dir.iterdir()]
    return sum(p.stat().st_size for p in paths if p.exists() and p.is_file())


def kept_revisions(store: WorkspaceStore, workspace_id: int) -> list[Item]:
    """Every revision the clean-up kept, oldest first per item, blobs included."""
    kept = []
    for summary in store.list_item_summaries(workspace_id):
        for rev in reversed(store.list_revisions(workspace_id, summary.kind, summary.name)):
            kept.append(store.get_item(workspace_id, summary.kind, summary.name,
                                       revision=rev.revision))
    return kept


def content_bytes(kept: list[Item]) -> int:
    """JSON text and blob bytes of the kept revisions (a blob file's bytes counted once)."""
    seen: set[str] = set()
    total = 0
    for item in kept:
        total += len(json.dumps(item.content).encode()) if item.content is not None else 0
        if item.blob is not None and (item.blob_ref is None or item.blob_ref not in seen):
            total += len(item.blob)
        if item.blob_ref is not None:
            seen.add(item.blob_ref)
    return total


def fresh_copy(kept: list[Item], folder: Path) -> int:
    """The peer: only the kept revisions saved into a new store; its bytes on disk."""
    db_path, blob_dir = folder / "fresh.sqlite", folder / "fresh-blobs"
    store = WorkspaceStore(f"sqlite:///{db_path}", blob_dir=blob_dir,
                           blob_threshold_bytes=THRESHOLD)
    workspace = store.create_workspace("Cat app")
    for item in kept:
        store.save_item(workspace.id, item.kind, item.name, content=item.content, blob=item.blob,
                        author=item.updated_by)
    tidy.vacuum(store.engine)
    store.engine.dispose()
    return disk_bytes(db_path, blob_dir)


def store_revisions(store: WorkspaceStore) -> int:
    """Every revision row in the store (all workspaces, deleted items too)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(revisions)).scalar()


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--autosaves", type=int, default=40, help="sheet autosaves per day")
    parser.add_argument("--sheet-rows", type=int, default=500)
    parser.add_argument("--file-rows", type=int, default=50_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000, help="rows of the big file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-space-") as tmp:
        folder = Path(tmp)
        db_path, blob_dir = folder / "week.sqlite", folder / "blobs"
        store = WorkspaceStore(f"sqlite:///{db_path}", blob_dir=blob_dir,
                               blob_threshold_bytes=THRESHOLD)
        started = time.perf_counter()
        workspace_id = simulate_week(store, args)
        week_s = time.perf_counter() - started
        before = disk_bytes(db_path, blob_dir)
        revisions_before = store_revisions(store)
        started = time.perf_counter()
        report = clean(store, CleanupSettings(), now=datetime.now(UTC) + timedelta(days=31))
        clean_s = time.perf_counter() - started
        after = disk_bytes(db_path, blob_dir)
        kept = kept_revisions(store, workspace_id)
        kept_bytes = content_bytes(kept)
        store.engine.dispose()
        peer = fresh_copy(kept, folder)
    print(f"week: {args.days} days x {args.autosaves} sheet autosaves ({args.sheet_rows} rows), "
          f"3 files of {args.file_rows:,} rows and 1 of {args.big_rows:,} rows re-uploaded "
          f"daily, deletes; simulated in {week_s:.1f} s")
    print(f"clean-up: {report.text()} ({clean_s:.1f} s)")
    print(f"revisions: {revisions_before} before, {len(kept)} kept")
    print("| | bytes on disk |")
    print("|---|---:|")
    print(f"| before clean-up | {_mb(before)} |")
    print(f"| after clean-up | {_mb(after)} |")
    print(f"| kept content (JSON + blobs) | {_mb(kept_bytes)} |")
    print(f"| peer: fresh store with only the kept content | {_mb(peer)} |")
    print(f"after / kept content = {after / kept_bytes:.3f}x; after / peer = {after / peer:.3f}x;"
          f" before / after = {before / after:.1f}x")


if __name__ == "__main__":
    main()
