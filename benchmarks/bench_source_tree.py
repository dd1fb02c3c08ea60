"""Benchmark: a source's error tree (a seeded 100k-row sample drawn by DuckDB, then the
in-memory tree on it) against the in-memory page's way (every row read into pandas, the tree
fitted on all of them), in the same run, each in a child process of its own (peak RSS is that
side's alone). Also prints how far the sampled tree's root-split error rates are from the
full tree's.

Data: seeded, `--rows` rows (default 10M) of y (0/1), score, device (3 values) and age
(numeric, some missing), errors concentrated in phones over 45; one Parquet file in a
temporary folder deleted afterwards.

Run:  nice -n 10 python benchmarks/bench_source_tree.py [--rows 10000000]
Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
COLUMNS = ["device", "age"]


def write(folder: Path, rows: int) -> None:
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, rows).astype(np.int8)
    score = rng.random(rows).astype(np.float32)
    device = np.array(["phone", "web", "tv"])[rng.integers(0, 3, rows)]
    age = np.round(rng.normal(40, 10, rows)).astype(np.float32)
    age[rng.random(rows) < 0.05] = np.nan
    hard = (device == "phone") & (age > 45)
    y[hard] = 1 - (score[hard] >= 0.5)
    pq.write_table(pa.table({"y": y, "score": score, "device": device, "age": age}),
                   folder / "part-0.parquet", row_group_size=1_000_000)


def engine_side(folder: Path) -> dict:
    from sources import adapter, pushdown
    from sources.config import SourceConfig
    from sources.error_tree import error_tree_on_sample

    started = time.perf_counter()
    conn = adapter.connect(SourceConfig("bench", "duckdb", str(folder / "*.parquet")))
    tree = error_tree_on_sample(adapter.table(conn, "predictions"),
                                pushdown.Roles(y_true="y", score="score"), COLUMNS, seed=0)
    return {"seconds": time.perf_counter() - started, "rows": tree.sampled,
            "root_children": [(n.path, n.error_rate) for n in tree.nodes if n.depth == 1]}


def memory_side(folder: Path) -> dict:
    import pandas as pd

    from analysis.error_tree import fit_error_tree

    started = time.perf_counter()
    frame = pd.read_parquet(folder / "part-0.parquet")
    errors = ((frame["score"] >= 0.5).astype(int) != frame["y"]).to_numpy()
    nodes = fit_error_tree(frame, errors, COLUMNS)
    return {"seconds": time.perf_counter() - started, "rows": len(frame),
            "root_children": [(n.path, n.error_rate) for n in nodes if n.depth == 1]}


def child(side: str, folder: str) -> None:
    result = {"engine": engine_side, "memory": memory_side}[side](Path(folder))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run(side: str, folder: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", side, str(folder)], check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    folder = Path(tempfile.mkdtemp(prefix="bench_tree_"))
    try:
        write(folder, args.rows)
        engine, memory = run("engine", folder), run("memory", folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"| {args.rows:,} rows | rows grown on | seconds | peak RSS MB |")
    print("|---|---:|---:|---:|")
    for name, side in (("DuckDB sample + tree", engine), ("pandas, every row", memory)):
        print(f"| {name} | {side['rows']:,} | {side['seconds']:.2f} | {side['peak_rss_mb']:.0f} |")
    print(f"time ratio (in memory / sample): {memory['seconds'] / engine['seconds']:.1f}x; "
          f"RSS ratio: {memory['peak_rss_mb'] / engine['peak_rss_mb']:.1f}x")
    for label, side in (("sample", engine), ("every row", memory)):
        print(f"root split, {label}: " + "; ".join(f"{path} {rate:.2%}"
                                                   for path, rate in side["root_children"]))


if __name__ == "__main__":
    main()
