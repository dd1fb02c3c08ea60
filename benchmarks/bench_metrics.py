"""Benchmark: the metrics suite of analysis.metrics against scikit-learn, same process, same data.

Suite = confusion matrix, precision/recall/F1 at a threshold, ROC AUC, average precision, the ROC
curve and the precision-recall curve, on binary labels with continuous scores (every score
distinct: the worst case for curves). Also times one bare `np.argsort` of the scores (the floor
any exact-curve method that sorts pays) and measures peak memory with tracemalloc.

Run:  python benchmarks/bench_metrics.py            (1M and 10M rows)
      python benchmarks/bench_metrics.py --sizes 1000000 --repeats 3
Not a test: it prints a table; the figures go in the closing note.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn import metrics as skm

from analysis.metrics import metrics_at_threshold, score_curve

THRESHOLD = 0.5


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """30% positives; positives score higher on average; float64 scores in [0, 1]."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int8)
    scores = np.clip(0.3 * y + 0.7 * rng.random(n), 0.0, 1.0)
    return y, scores


def ours(y: np.ndarray, scores: np.ndarray) -> dict[str, object]:
    curve = score_curve(y, scores)                         # the one sort
    result = metrics_at_threshold(curve, threshold=THRESHOLD)  # confusion, P/R/F1, AUC, AP
    return {"confusion": result.confusion(), "precision": result.precision.value,
            "recall": result.recall.value, "f1": result.f1.value,
            "roc_auc": result.roc_auc.value, "ap": result.average_precision.value,
            "roc": curve.roc(), "pr": curve.pr()}


def sklearn_suite(y: np.ndarray, scores: np.ndarray) -> dict[str, object]:
    y_pred = (scores >= THRESHOLD).astype(np.int8)
    precision, recall, f1, _ = skm.precision_recall_fscore_support(y, y_pred, average="binary")
    return {"confusion": skm.confusion_matrix(y, y_pred), "precision": precision,
            "recall": recall, "f1": f1, "roc_auc": skm.roc_auc_score(y, scores),
            "ap": skm.average_precision_score(y, scores), "roc": skm.roc_curve(y, scores),
            "pr": skm.precision_recall_curve(y, scores)}


def bare_argsort(_y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    return np.argsort(scores)


def timed_interleaved(suites: dict[str, Callable], *args: object,
                      repeats: int) -> tuple[dict[str, float], dict[str, object]]:
    """Best wall time of each suite over `repeats` rounds; the suites take turns in each round
    so that a burst of load from other processes, or the first touch of fresh memory, does not
    favour one of them."""
    best = dict.fromkeys(suites, float("inf"))
    outputs: dict[str, object] = {}
    for _ in range(repeats):
        for name, fn in suites.items():
            gc.collect()
            start = time.perf_counter()
            outputs[name] = fn(*args)
            best[name] = min(best[name], time.perf_counter() - start)
            if name == "argsort":
                outputs.pop(name)
    return best, outputs


def peak_mb(fn: Callable, *args: object) -> float:
    """Peak traced allocation (MB) while `fn` runs, beyond what was allocated before."""
    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - baseline) / 1e6


def check_agreement(mine: dict[str, object], reference: dict[str, object]) -> float:
    """Largest absolute difference over every number of the suite (must stay below 1e-9)."""
    worst = 0.0
    for key in ("precision", "recall", "f1", "roc_auc", "ap"):
        worst = max(worst, abs(float(mine[key]) - float(reference[key])))
    worst = max(worst, float(np.max(np.abs(mine["confusion"] - reference["confusion"]))))
    for key in ("roc", "pr"):
        for a, b in zip(mine[key], reference[key], strict=True):
            if a.shape != b.shape:
                return float("inf")
            finite = np.isfinite(a) & np.isfinite(b)
            worst = max(worst, float(np.max(np.abs(a[finite] - b[finite]))))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed rounds, best kept (default: 5 below 5M rows, else 3)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    header = (f"{'rows':>12} {'ours s':>8} {'sklearn s':>10} {'speed-up':>9} {'argsort s':>10} "
              f"{'ours/argsort':>13} {'ours MB':>8} {'sklearn MB':>11} {'max |diff|':>11}")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        repeats = args.repeats or (5 if n < 5_000_000 else 3)
        y, scores = make_data(n)
        times, outputs = timed_interleaved(
            {"argsort": bare_argsort, "ours": ours, "sklearn": sklearn_suite}, y, scores,
            repeats=repeats)
        t_sort, t_ours, t_sk = times["argsort"], times["ours"], times["sklearn"]
        diff = check_agreement(outputs["ours"], outputs["sklearn"])
        del outputs
        mem_ours = peak_mb(ours, y, scores)
        mem_sk = peak_mb(sklearn_suite, y, scores)
        print(f"{n:>12,} {t_ours:>8.2f} {t_sk:>10.2f} {t_sk / t_ours:>8.1f}x {t_sort:>10.2f} "
              f"{t_ours / t_sort:>12.2f}x {mem_ours:>8.0f} {mem_sk:>11.0f} {diff:>11.1e}",
              flush=True)
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS {max_rss:,.0f} MB (input arrays included); "
          f"numpy {np.__version__}, scikit-learn "
          f"{__import__('sklearn').__version__}")
    print("speed-up = sklearn / ours; ours/argsort = ours / one bare np.argsort(scores); "
          "MB = tracemalloc peak of the suite beyond its inputs")


if __name__ == "__main__":
    main()
