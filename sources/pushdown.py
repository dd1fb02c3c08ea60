"""The analysis computed by the engine where the predictions live, returning the same result
objects as the in-memory analysis (`analysis.split_errors`, `analysis.metrics`).

Only aggregates travel back: counts per split, positives and negatives per distinct score
(or per bucket of a fine score histogram), sums per calibration bin, and a few sampled rows.
The arithmetic on those aggregates is the in-memory analysis's own (ScoreCurve,
metrics_at_threshold, reliability_table), so the numbers agree by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
from scipy.special import digamma

from analysis.metrics import BinaryMetrics, CalibrationMetrics, ScoreCurve, metrics_at_threshold
from analysis.metrics.calibration import (
    _bootstrap_estimate,
    _ece_from_sums,
    _verdict,
    reliability_table,
)
from analysis.predictions import SPLITS, canonical_split
from analysis.stats import wilson_interval
from analysis.validation import check_confidence, check_count, check_fraction
from sources.labels import LabelCodes
from sources.sampling import seeded_sample

EXACT_LIMIT = 200_000   # distinct scores fetched exactly; above it, a histogram
HISTOGRAM_BINS = 1 << 16


@dataclass(frozen=True)
class Roles:
    """Which column of the source's table plays which role.

    `codes` (read by the engine, sources/labels.py) says which raw label values mean which
    class and `positive` names the positive class of binary labels; without them y_true is
    0/1. `weight` holds example weights (the weighted error), `score` or `y_pred` the model.
    """

    y_true: str
    score: str | None = None
    y_pred: str | None = None
    split: str | None = None
    positive: str | None = None
    weight: str | None = None
    codes: LabelCodes | None = None

    @property
    def task(self) -> str:
        return "binary" if self.codes is None else self.codes.task

    @property
    def thresholded(self) -> bool:
        """True when the model predicts by score >= threshold (binary labels with a score);
        else its predicted labels are used."""
        return self.score is not None and self.task == "binary"

    @property
    def mapped(self) -> tuple[str, ...]:
        """The columns that play a role (label, score, predicted label, split, weight)."""
        return tuple(c for c in (self.y_true, self.score, self.y_pred, self.split, self.weight)
                     if c)

    def other_columns(self, columns: Sequence[str]) -> list[str]:
        """`columns` that play no role: the metadata a page may slice by."""
        return [c for c in columns if c not in self.mapped]


@dataclass(frozen=True, eq=False)
class SourceCurve:
    """A ScoreCurve computed by the engine, exact or from a score histogram.

    With a histogram the ROC points are those at each bucket's lowest score (a subset of the
    exact curve's points), and the true ROC AUC / average precision lie within
    `roc_auc_bound` / `ap_bound` of the curve's values (0 when exact).
    """

    curve: ScoreCurve
    exact: bool
    buckets: int
    roc_auc_bound: float = 0.0
    ap_bound: float = 0.0

    @property
    def method(self) -> str:
        if self.exact:
            return "exact (the engine grouped every distinct score)"
        return (f"score histogram of {self.buckets:,} buckets: ROC AUC within "
                f"±{self.roc_auc_bound:.2g}, average precision within ±{self.ap_bound:.2g}")


def _check_columns(table: ibis.Table, roles: Roles) -> None:
    missing = [c for c in roles.mapped if c not in table.columns]
    if missing:
        raise ValueError(f"The table has no column {', '.join(map(repr, missing))}; its columns "
                         f"are {', '.join(map(repr, table.columns[:12]))}.")


def _is_any(column: ibis.Value, values: tuple[object, ...]) -> ibis.BooleanValue:
    return column.isin(list(values)) if values else ibis.literal(False)


def truth(table: ibis.Table, roles: Roles) -> ibis.BooleanValue:
    """True for positive examples (y_true == 1, or one of the positive class's raw values)."""
    column = table[roles.y_true]
    if roles.codes is not None and roles.positive is not None:
        return _is_any(column, roles.codes.values(roles.positive))
    if roles.positive is not None:
        return column.cast("string") == roles.positive
    return column.cast("int32") == 1


def predicted(table: ibis.Table, roles: Roles, threshold: float) -> ibis.BooleanValue:
    """True where the model predicts the positive class: score >= threshold, else y_pred
    holds the positive class."""
    if roles.score is not None:
        return table[roles.score] >= threshold
    if roles.y_pred is None:
        raise ValueError("Map a score column or a predicted-label column.")
    if roles.codes is not None and roles.positive is not None:
        return _is_any(table[roles.y_pred], roles.codes.values(roles.positive, predicted=True))
    return table[roles.y_pred].cast("int32") == 1


def class_code(table: ibis.Table, roles: Roles, *, of_prediction: bool) -> ibis.IntegerValue:
    """Each row's class index (position in `roles.codes.classes`) of y_true or y_pred."""
    codes = roles.codes
    column = table[roles.y_pred if of_prediction else roles.y_true]
    pairs = [(_is_any(column, codes.values(c, predicted=of_prediction)), i)
             for i, c in enumerate(codes.classes)]
    return ibis.cases(*pairs, else_=-1)


def mistakes(table: ibis.Table, roles: Roles, threshold: float) -> ibis.BooleanValue:
    """True where the prediction (score >= threshold, or y_pred) differs from the label."""
    if roles.thresholded:
        # compared as 0/1: Spark SQL reads `a <> b IN (...)` as `(a <> b) IN (...)`
        return ones(predicted(table, roles, threshold)) != ones(truth(table, roles))
    if roles.y_pred is None:
        raise ValueError("Map a score column or a predicted-label column.")
    if roles.codes is not None:
        return (class_code(table, roles, of_prediction=True)
                != class_code(table, roles, of_prediction=False))
    guess, label = table[roles.y_pred], table[roles.y_true]
    if guess.type().is_numeric() and label.type().is_numeric():
        return guess.cast("float64") != label.cast("float64")
    return guess.cast("string") != label.cast("string")


def ones(condition: ibis.BooleanValue) -> ibis.IntegerValue:
    """1 where the condition holds, else 0 (PostgreSQL casts no boolean to bigint)."""
    return condition.ifelse(1, 0)


def errors_by_split(table: ibis.Table, roles: Roles, *, threshold: float = 0.5,
                    confidence: float = 0.95) -> pd.DataFrame:
    """`analysis.split_errors.errors_by_split` computed by the engine: one GROUP BY split."""
    check_confidence(confidence)
    check_fraction("threshold", threshold)
    _check_columns(table, roles)
    if roles.split is None:
        raise ValueError("Map a split column (train / train-dev / dev / test) to compute "
                         "errors per split.")
    wrong = mistakes(table, roles, threshold)
    counts = (table.group_by(name=table[roles.split].cast("string"))
              .aggregate(examples=table.count(), errors=ones(wrong).sum())
              .execute())
    counts["split"] = [canonical_split(v) for v in counts["name"]]
    totals = counts.groupby("split")[["examples", "errors"]].sum()
    rows = []
    for name in SPLITS:
        if name not in totals.index or totals.loc[name, "examples"] == 0:
            continue
        n, k = int(totals.loc[name, "examples"]), int(totals.loc[name, "errors"])
        low, high = wilson_interval(k, n, confidence=confidence)
        rows.append({"split": name, "examples": n, "errors": k, "error": 100 * k / n,
                     "low": 100 * low, "high": 100 * high})
    return pd.DataFrame(rows, columns=["split", "examples", "errors", "error", "low", "high"])


def split_values(table: ibis.Table, roles: Roles, split: str) -> list[str]:
    """The raw values of the split column that mean `split` ('Validation' -> 'dev', ...)."""
    raw = table[roles.split].cast("string")
    values = table.select(value=raw).distinct().execute()["value"].tolist()
    return [v for v in values if canonical_split(v) == split]


def rows_in_split(table: ibis.Table, roles: Roles, split: str | None) -> ibis.Table:
    """The rows of `split` (any raw value meaning it), or every row when `split` is None."""
    if split is None:
        return table
    if roles.split is None:
        raise ValueError(f"Map a split column to restrict the metrics to {split}.")
    return table.filter(table[roles.split].cast("string").isin(split_values(table, roles, split)))


def _cumulative(frame: pd.DataFrame, n_rows: int) -> ScoreCurve:
    """ScoreCurve from per-group (threshold, positives, negatives), highest group first."""
    frame = frame.sort_values("key", ascending=False)
    tps = np.cumsum(frame["pos"].to_numpy(dtype=float))
    fps = np.cumsum(frame["neg"].to_numpy(dtype=float))
    return ScoreCurve(frame["threshold"].to_numpy(dtype=float), tps, fps, n_rows)


def _bounds(frame: pd.DataFrame, curve: ScoreCurve) -> tuple[float, float]:
    """How far the true ROC AUC and AP can be from the histogram's (orders inside a bucket)."""
    frame = frame.sort_values("key", ascending=False)
    pos, neg = frame["pos"].to_numpy(float), frame["neg"].to_numpy(float)
    n_pos, n_neg = curve.n_pos, curve.n_neg
    auc_bound = float(np.dot(pos, neg) / (2 * n_pos * n_neg)) if n_pos and n_neg else 0.0
    if not n_pos:
        return auc_bound, 0.0
    # AP's extremes: inside each bucket every positive ranked first (best) or last (worst);
    # sum_{k=1..p} (T + k) / (C + k) = p - (C - T) (digamma(C + p + 1) - digamma(C + 1))
    tp_before, fp_before = curve.tps - pos, curve.fps - neg
    seen = tp_before + fp_before
    best = pos - fp_before * (digamma(seen + pos + 1) - digamma(seen + 1))
    worst = pos - (fp_before + neg) * (digamma(seen + neg + pos + 1) - digamma(seen + neg + 1))
    ap = curve.average_precision() or 0.0
    ap_bound = max(ap - worst.sum() / n_pos, best.sum() / n_pos - ap, 0.0)
    return auc_bound, float(ap_bound)


def score_curve(table: ibis.Table, roles: Roles, *, split: str | None = None,
                threshold: float = 0.5, bins: int = HISTOGRAM_BINS,
                exact_limit: int = EXACT_LIMIT) -> SourceCurve:
    """The score curve computed by the engine: exact (one GROUP BY score) when there are at
    most `exact_limit` distinct scores, else from a histogram of `bins` equal-width buckets
    with one bucket edge on `threshold`, so the counts at `threshold` stay exact."""
    if roles.score is None:
        raise ValueError("Map a score column to draw ROC and PR curves.")
    _check_columns(table, roles)
    rows = rows_in_split(table, roles, split)
    score, positive = rows[roles.score].cast("float64"), ones(truth(rows, roles))
    stats = rows.aggregate(n=rows.count(), lo=score.min(), hi=score.max(),
                           distinct=score.approx_nunique()).execute().iloc[0]
    n = int(stats["n"])
    if n == 0:
        raise ValueError("No rows to evaluate" + (f" in split {split}." if split else "."))
    exact = int(stats["distinct"]) <= exact_limit
    if exact:
        key = score
    else:
        width = max(float(stats["hi"]) - float(stats["lo"]), 1e-12) / check_count("bins", bins,
                                                                                   minimum=16)
        key = ((score - threshold) / width).floor()
    grouped = (rows.group_by(key=key)
               .aggregate(threshold=score.min(), pos=positive.sum(),
                          neg=(1 - positive).sum()).execute())
    curve = _cumulative(grouped, n)
    if exact:
        return SourceCurve(curve, True, len(grouped))
    auc_bound, ap_bound = _bounds(grouped, curve)
    return SourceCurve(curve, False, len(grouped), auc_bound, ap_bound)


def binary_metrics(table: ibis.Table, roles: Roles, *, threshold: float = 0.5,
                   split: str | None = None, bins: int = HISTOGRAM_BINS,
                   exact_limit: int = EXACT_LIMIT) -> tuple[BinaryMetrics, SourceCurve]:
    """Every threshold metric (confusion counts exact at `threshold`) and ROC AUC / AP."""
    found = score_curve(table, roles, split=split, threshold=threshold, bins=bins,
                        exact_limit=exact_limit)
    return metrics_at_threshold(found.curve, threshold=threshold), found


def calibration(table: ibis.Table, roles: Roles, *, n_bins: int = 10, split: str | None = None,
                n_boot: int = 200, seed: int = 0, confidence: float = 0.95) -> CalibrationMetrics:
    """`analysis.metrics.calibration_metrics` (uniform bins) computed by the engine.

    The table, ECE and Brier score are exact. Their intervals come from a seeded bootstrap
    over the (bin, label) cells the engine returned (the rows cannot be resampled where they
    are): each cell keeps its mean score, so it leaves out the spread of scores inside a bin.
    """
    level, bins = check_confidence(confidence), check_count("n_bins", n_bins, minimum=1)
    if roles.score is None:
        raise ValueError("Map a score column to check calibration.")
    _check_columns(table, roles)
    rows = rows_in_split(table, roles, split)
    score, positive = rows[roles.score].cast("float64"), ones(truth(rows, roles))
    edges = np.linspace(0.0, 1.0, bins + 1)
    bin_id = sum((ones(score > float(e)) for e in edges[1:-1]), ibis.literal(0))
    cells = (rows.group_by(bin=bin_id, y=positive)
             .aggregate(count=rows.count(), s=score.sum(), s2=(score * score).sum(),
                        lo=score.min(), hi=score.max())
             .execute())
    if cells.empty:
        raise ValueError("No rows to evaluate" + (f" in split {split}." if split else "."))
    if cells["lo"].min() < 0 or cells["hi"].max() > 1:
        raise ValueError("The scores are not probabilities (some lie outside [0, 1]): "
                         "calibration needs probabilities.")
    index = cells["bin"].to_numpy(int) * 2 + cells["y"].to_numpy(int)
    count, ssum, s2 = (np.bincount(index, weights=cells[c].to_numpy(float), minlength=2 * bins)
                       for c in ("count", "s", "s2"))
    per_bin = (count.reshape(bins, 2).sum(1), ssum.reshape(bins, 2).sum(1),
               count.reshape(bins, 2)[:, 1])
    table_out = reliability_table(per_bin, edges, level)
    n = float(count.sum())
    y = np.tile([0.0, 1.0], bins)
    loss = s2 - 2 * y * ssum + y * count
    eces, losses = _cell_bootstrap(count, ssum, loss, bins, n_boot, seed)
    positives = float(per_bin[2].sum())
    ece = _bootstrap_estimate("ece", float(_ece_from_sums(*per_bin)), eces, level,
                              positives=positives)
    brier = _bootstrap_estimate("brier", float(loss.sum() / n), losses, level,
                                positives=positives)
    usable, verdict = _verdict(ece)
    return CalibrationMetrics("binary", "uniform", bins, int(n), table_out, ece, brier, usable,
                              verdict)


def _cell_bootstrap(count: np.ndarray, ssum: np.ndarray, loss: np.ndarray, bins: int,
                    n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """ECE and Brier of `n_boot` multinomial resamples of the (bin, label) cells."""
    n = int(count.sum())
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, count / n, size=check_count("n_boot", n_boot, minimum=20))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_score = np.where(count > 0, ssum / count, 0.0)
        mean_loss = np.where(count > 0, loss / count, 0.0)
    scores = (draws * mean_score).reshape(-1, bins, 2).sum(-1)
    counts = draws.reshape(-1, bins, 2).sum(-1)
    hits = draws.reshape(-1, bins, 2)[..., 1]
    return _ece_from_sums(counts, scores, hits), (draws * mean_loss).sum(-1) / n


def misclassified_sample(table: ibis.Table, roles: Roles, *, threshold: float = 0.5,
                         split: str = "dev", size: int = 100, seed: int = 0) -> pd.DataFrame:
    """Up to `size` misclassified rows of `split`, the same rows for the same seed on the
    same engine (sources.sampling: ordered by a hash of the seed and the row's values)."""
    _check_columns(table, roles)
    rows = rows_in_split(table, roles, split)
    return seeded_sample(rows.filter(mistakes(rows, roles, threshold)), size=size, seed=seed)
