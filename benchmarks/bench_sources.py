"""Benchmark: the metric suite on 100M rows of Parquet evaluated where they live (DuckDB
through sources/), against scikit-learn on a 10M-row in-memory subset in the same run.

Data: seeded, written in 10M-row groups (one Parquet file each, at most 2 GB in all, in a
temporary folder deleted afterwards): y (0/1), score (float32), split, and metadata
(device: 3 values, country: 20 values, age: numeric with missing values, flag: 0/1).
The DuckDB suite: errors per split (Wilson), every threshold metric with ROC AUC / AP from a
2**16-bucket score histogram (the error bound printed), and the calibration table. Each
side runs in a child process of its own, so peak RSS is that side's alone. scikit-learn's
time on 10M rows (read + roc_auc_score + average_precision_score + confusion_matrix +
calibration_curve + per-split errors with pandas) is scaled per row to the full size. The
slice search (DuckDB, 4 metadata columns, single columns and pairs) is timed separately.

Run:  nice -n 10 python benchmarks/bench_sources.py                (100M rows)
      nice -n 10 python benchmarks/bench_sources.py --rows 10000000
Not a test: it prints a table; the figures go in the closing note.
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
GROUP = 10_000_000
SPLITS = np.array(["train", "train-dev", "dev", "test"])
DEVICES, COUNTRIES = np.array(["phone", "web", "tv"]), np.array([f"c{i}" for i in range(20)])


def write_data(folder: Path, rows: int, seed: int = 0) -> int:
    """`rows` rows in files of GROUP rows; returns the bytes on disk."""
    rng = np.random.default_rng(seed)
    for part, start in enumerate(range(0, rows, GROUP)):
        n = min(GROUP, rows - start)
        y = rng.random(n) < 0.3
        score = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1).astype(np.float32)
        age = rng.normal(40, 12, n).round().astype(np.float32)
        age[rng.random(n) < 0.02] = np.nan
        table = pa.table({
            "y": y.astype(np.int8), "score": score,
            "split": pa.DictionaryArray.from_arrays(rng.integers(0, 4, n, dtype=np.int8), SPLITS),
            "device": pa.DictionaryArray.from_arrays(rng.integers(0, 3, n, dtype=np.int8), DEVICES),
            "country": pa.DictionaryArray.from_arrays(rng.integers(0, 20, n, dtype=np.int8),
                                                      COUNTRIES),
            "age": pa.array(age, from_pandas=True), "flag": rng.integers(0, 2, n, dtype=np.int8)})
        pq.write_table(table, folder / f"part-{part:03d}.parquet", row_group_size=1_000_000)
    return sum(f.stat().st_size for f in folder.glob("*.parquet"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_duckdb(folder: str, slices: bool) -> dict[str, object]:
    """The metric suite (or the slice search) on the DuckDB source; time and peak RSS."""
    from sources import adapter, pushdown
    from sources.config import SourceConfig
    from sources.slices import find_error_slices

    conn = adapter.connect(SourceConfig("bench", "duckdb", f"{folder}/*.parquet",
                                        memory_limit="1GB"))
    table = adapter.table(conn, "predictions")
    roles = pushdown.Roles(y_true="y", score="score", split="split")
    started = time.perf_counter()
    if slices:
        found = find_error_slices(table, roles, ["device", "country", "age", "flag"])
        return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb(),
                "findings": len(found)}
    per_split = pushdown.errors_by_split(table, roles)
    metrics, curve = pushdown.binary_metrics(table, roles, threshold=0.5)
    calibration = pushdown.calibration(table, roles)
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb(),
            "rows": int(per_split["examples"].sum()), "auc": metrics.roc_auc.value,
            "ap": metrics.average_precision.value, "auc_bound": curve.roc_auc_bound,
            "ap_bound": curve.ap_bound, "ece": calibration.ece.value}


def run_sklearn(file: str) -> dict[str, object]:
    """scikit-learn's metric suite on one 10M-row file read into memory."""
    import pandas as pd
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

    started = time.perf_counter()
    frame = pd.read_parquet(file, columns=["y", "score", "split"])
    y, score = frame["y"].to_numpy(), frame["score"].to_numpy(dtype=np.float64)
    predicted = score >= 0.5
    frame["wrong"] = predicted != (y == 1)
    frame.groupby("split", observed=True)["wrong"].agg(["sum", "count"])
    confusion_matrix(y, predicted)
    auc, ap = roc_auc_score(y, score), average_precision_score(y, score)
    calibration_curve(y, score, n_bins=10)
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb(), "rows": len(y),
            "auc": auc, "ap": ap}


def _child(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--child", choices=["duckdb", "slices", "sklearn"])
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.child:
        work = {"duckdb": lambda: run_duckdb(args.path, False),
                "slices": lambda: run_duckdb(args.path, True),
                "sklearn": lambda: run_sklearn(args.path)}[args.child]
        print(json.dumps(work()))
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-sources-"))
    try:
        started = time.perf_counter()
        size = write_data(folder, args.rows)
        print(f"data: {args.rows:,} rows in {len(list(folder.glob('*.parquet')))} files, "
              f"{size / 1e9:.2f} GB, written in {time.perf_counter() - started:.0f} s")
        ours = _child("--child", "duckdb", "--path", str(folder))
        peer = _child("--child", "sklearn", "--path", str(sorted(folder.glob("*.parquet"))[0]))
        scaled = peer["seconds"] * args.rows / peer["rows"]
        sliced = _child("--child", "slices", "--path", str(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'':34}{'seconds':>10}{'peak RSS MB':>14}")
    print(f"{'DuckDB metric suite, all rows':34}{ours['seconds']:>10.1f}{ours['peak_mb']:>14.0f}")
    subset = f"scikit-learn, {peer['rows'] / 1e6:g}M rows in memory"
    print(f"{subset:34}{peer['seconds']:>10.1f}{peer['peak_mb']:>14.0f}")
    print(f"{'scikit-learn scaled to all rows':34}{scaled:>10.1f}{'':>14}")
    print(f"{'DuckDB slice search (4 columns)':34}{sliced['seconds']:>10.1f}"
          f"{sliced['peak_mb']:>14.0f}")
    print(f"ratio (scikit-learn scaled / DuckDB): {scaled / ours['seconds']:.2f}x; "
          f"AUC {ours['auc']:.5f} (±{ours['auc_bound']:.1e}) vs sklearn's subset "
          f"{peer['auc']:.5f}; AP {ours['ap']:.5f} (±{ours['ap_bound']:.1e}) vs "
          f"{peer['ap']:.5f}; {sliced['findings']} slices found")


if __name__ == "__main__":
    main()
