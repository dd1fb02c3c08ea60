"""Calibration: can a model's scores be read as probabilities? Reliability table, expected
calibration error (ECE) and Brier score with seeded bootstrap intervals, and what Platt or
temperature scaling fitted on dev would change on test.

Binary scores are judged as P(positive); multiclass probabilities by their top-class
confidence (is the model right 80% of the time when it says 80%?), with the multiclass Brier
score over every class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics.estimate import Estimate, too_few_positives
from analysis.metrics.inputs import check_labels
from analysis.metrics.resample import percentile_interval, row_resamples
from analysis.stats import wilson_interval
from analysis.validation import (
    check_array,
    check_binary,
    check_choice,
    check_confidence,
    check_count,
    check_same_length,
    rows_preview,
    values_preview,
)

STRATEGIES = ("uniform", "quantile")
ECE_BAR = 0.05
CALIBRATION_RULE = ("scores count as probabilities only when the upper bound of the ECE's "
                    f"bootstrap interval is below {ECE_BAR:g}")
ROW_SUM_TOLERANCE = 0.01


# --------------------------------------------------------------------------- input checks
def check_probabilities(name: str, scores: object) -> np.ndarray:
    """Scores of the positive class as probabilities in [0, 1], one per row."""
    values = check_array(name, scores, dtype=float)
    outside = np.flatnonzero((values < 0) | (values > 1))
    if outside.size:
        raise ValueError(f"{name} has {outside.size} values outside [0, 1] "
                         f"({rows_preview(outside)}), e.g. {values_preview(values[outside])}: "
                         "calibration needs probabilities; pass logits=True to recalibrate "
                         "decision scores, or apply a sigmoid first.")
    return values


def check_probability_matrix(name: str, proba: object) -> np.ndarray:
    """One row per example, one column per class, each row a probability distribution."""
    matrix = check_array(name, proba, dtype=float, ndim=2)
    if matrix.shape[1] < 2:
        raise ValueError(f"{name} needs one column per class (at least 2); got {matrix.shape[1]}.")
    outside = np.flatnonzero(((matrix < 0) | (matrix > 1)).any(axis=1))
    off = np.flatnonzero(np.abs(matrix.sum(axis=1) - 1) > ROW_SUM_TOLERANCE)
    bad = outside if outside.size else off
    if bad.size:
        raise ValueError(f"{name} has {bad.size} rows that are not probabilities "
                         f"({rows_preview(bad)}): each row must lie in [0, 1] and sum to 1 "
                         f"(+-{ROW_SUM_TOLERANCE:g}); pass logits=True for raw network outputs, "
                         "or apply a softmax first.")
    return matrix


def class_indices(y_true: object, n_classes: int, classes: Sequence[object] | None) -> np.ndarray:
    """y_true as column indices 0..K-1: through `classes` (the columns' class names) when
    given, else y_true must already hold column indices."""
    truth = check_labels("y_true", y_true)
    if classes is None:
        names = [str(i) for i in range(n_classes)]
    else:
        names = [str(c) for c in classes]
        if len(names) != n_classes or len(set(names)) != n_classes:
            raise ValueError(f"classes must name each of the {n_classes} probability columns "
                             f"once; got {list(classes)!r}.")
    position = {name: i for i, name in enumerate(names)}
    # map the distinct labels, not every row; 1.0 read from a float column names column "1"
    distinct, inverse = np.unique(truth, return_inverse=True)
    texts = [f"{v:g}" if truth.dtype.kind == "f" else str(v) for v in distinct.tolist()]
    known = np.array([position.get(t, -1) for t in texts], dtype=np.intp)
    codes = known[inverse]
    unknown = np.flatnonzero(codes < 0)
    if unknown.size:
        seen = [t for t, k in zip(texts, known, strict=True) if k < 0]
        raise ValueError(f"y_true has {unknown.size} labels that name no probability column: "
                         f"{values_preview(seen)} ({rows_preview(unknown)}); columns are "
                         f"{values_preview(names)}. Pass classes= in column order.")
    return codes


def _check_strategy(strategy: object, n_bins: object) -> tuple[str, int]:
    return check_choice("strategy", strategy, STRATEGIES), check_count("n_bins", n_bins, minimum=1)


# --------------------------------------------------------------------------- bins and table
def bin_ids(confidence: np.ndarray, n_bins: int, strategy: str) -> tuple[np.ndarray, np.ndarray]:
    """Bin of every row and the bin edges, exactly as `sklearn.calibration.calibration_curve`
    (a score on an inner edge falls into the lower bin; quantile edges may repeat on ties,
    leaving some bins empty)."""
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.percentile(confidence, np.linspace(0, 100, n_bins + 1))
    return np.searchsorted(edges[1:-1], confidence), edges


def bin_sums(ids: np.ndarray, confidence: np.ndarray, outcome: np.ndarray,
             n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bin: row count, sum of scores, sum of outcomes (positives, or correct top classes)."""
    return (np.bincount(ids, minlength=n_bins).astype(float),
            np.bincount(ids, weights=confidence, minlength=n_bins),
            np.bincount(ids, weights=outcome, minlength=n_bins))


def reliability_table(sums: tuple[np.ndarray, np.ndarray, np.ndarray], edges: np.ndarray,
                      level: float) -> pd.DataFrame:
    """One row per bin: edges, count, mean score, observed rate with a Wilson interval, gap.

    Empty bins stay in the table (count 0, NaN rates) so a diagram shows where no score fell.
    """
    count, score_sum, hits = sums
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_score = score_sum / count
        observed = hits / count
    low, high = wilson_interval(hits, count, confidence=level)
    return pd.DataFrame({"bin": np.arange(len(count)), "low_edge": edges[:-1],
                         "high_edge": edges[1:], "count": count.astype(np.int64),
                         "mean_score": mean_score, "observed": hits, "observed_rate": observed,
                         "observed_low": low, "observed_high": high, "gap": observed - mean_score})


def _ece_from_sums(count: np.ndarray, score_sum: np.ndarray, hits: np.ndarray) -> np.ndarray:
    """sum_b |hits_b - score_sum_b| / N along the last axis: the count-weighted mean of
    |observed rate - mean score| over the bins (n_b / N * |o_b - s_b| = |hits_b - sum_b| / N)."""
    return np.abs(hits - score_sum).sum(axis=-1) / count.sum(axis=-1)


def _bootstrap(ids: np.ndarray, confidence: np.ndarray, outcome: np.ndarray, loss: np.ndarray,
               n_bins: int, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """ECE and mean loss of `n_boot` resamples of the rows (bin edges held fixed).

    One bincount per chunk of resamples over (replicate, bin) cells gives every replicate's
    per-bin sums at once.
    """
    eces, losses = np.empty(n_boot), np.empty(n_boot)
    for where, rows in row_resamples(len(ids), n_boot, seed):
        b = rows.shape[0]
        cells = (np.arange(b)[:, None] * n_bins + ids[rows]).ravel()
        sums = [np.bincount(cells, weights=None if w is None else w[rows].ravel(),
                            minlength=b * n_bins).reshape(b, n_bins)
                for w in (None, confidence, outcome)]
        eces[where] = _ece_from_sums(*sums)
        losses[where] = loss[rows].mean(axis=1)
    return eces, losses


def _bootstrap_estimate(name: str, value: float, replicates: np.ndarray, level: float, *,
                        positives: float | None = None) -> Estimate:
    """Percentile interval of the replicates; withheld ("too few examples") when they do not
    vary or fewer than MIN_POSITIVES positive examples stand behind a binary score."""
    interval = (None if positives is None else too_few_positives(positives)) or \
        percentile_interval(replicates, level)
    if isinstance(interval, str):
        return Estimate(name, value, method="bootstrap", reason=interval)
    return Estimate(name, value, min(interval[0], value), max(interval[1], value),
                    method="bootstrap")


# --------------------------------------------------------------------------- the result
@dataclass(frozen=True, eq=False)
class CalibrationMetrics:
    """How far scores are from the rates they claim, with intervals and a verdict.

    `table` is the reliability table (one row per bin). `ece` is the expected calibration
    error sum_b n_b/N |observed_b - mean_score_b|; `brier` the mean squared distance between
    the predicted distribution and the one-hot truth (binary: mean (s - y)^2, as
    `sklearn.metrics.brier_score_loss`). `usable_as_probabilities` follows `rule`.
    """

    kind: str
    strategy: str
    n_bins: int
    n: int
    table: pd.DataFrame
    ece: Estimate
    brier: Estimate
    usable_as_probabilities: bool
    verdict: str
    rule: str = CALIBRATION_RULE

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "strategy": self.strategy, "n_bins": self.n_bins, "n": self.n,
                "table": self.table.to_dict(orient="records"), "ece": self.ece.to_dict(),
                "brier": self.brier.to_dict(),
                "usable_as_probabilities": self.usable_as_probabilities,
                "verdict": self.verdict, "rule": self.rule}


def _verdict(ece: Estimate) -> tuple[bool, str]:
    if ece.high is None:
        return False, (f"Too few examples to tell whether the scores can be used as probabilities "
                       f"(ECE {ece.value:.1%}, no interval: {ece.reason}).")
    if ece.high < ECE_BAR:
        return True, (f"The scores can be used as probabilities: ECE {ece.value:.1%}, interval "
                      f"{ece.low:.1%}-{ece.high:.1%}, stays below {ECE_BAR:.0%}.")
    return False, (f"Do not read the scores as probabilities yet: ECE {ece.value:.1%}, interval "
                   f"{ece.low:.1%}-{ece.high:.1%}, reaches {ECE_BAR:.0%} or more. Recalibrating "
                   "on dev (Platt or temperature scaling) may fix it; rankings (ROC, PR) are "
                   "unaffected.")


def _outcomes(y_true: object, scores: object,
              classes: Sequence[object] | None) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """(kind, confidence, outcome, per-row Brier loss) for binary or multiclass input."""
    if np.ndim(scores) == 1:
        truth = check_binary("y_true", y_true)
        values = check_probabilities("scores", scores)
        check_same_length(y_true=truth, scores=values)
        outcome = truth.astype(float)
        return "binary", values, outcome, (values - outcome) ** 2
    proba = check_probability_matrix("scores", scores)
    codes = class_indices(y_true, proba.shape[1], classes)
    check_same_length(y_true=codes, scores=proba)
    predicted = proba.argmax(axis=1)
    rows = np.arange(len(codes))
    one_hot_gap = proba.copy()
    one_hot_gap[rows, codes] -= 1.0
    loss = np.einsum("ij,ij->i", one_hot_gap, one_hot_gap)
    return "multiclass", proba[rows, predicted], (predicted == codes).astype(float), loss


def calibration_metrics(y_true: object, scores: object, *, n_bins: int = 10,
                        strategy: str = "uniform", classes: Sequence[object] | None = None,
                        n_boot: int = 200, seed: int = 0,
                        confidence: float = 0.95) -> CalibrationMetrics:
    """Reliability table, ECE and Brier score with bootstrap intervals, and whether the scores
    can be used as probabilities.

    Parameters
    ----------
    y_true : array-like
        0/1 labels (binary scores) or class labels (probability matrix; column indices
        unless `classes` names the columns).
    scores : array-like, shape (n,) or (n, K)
        Positive-class probabilities, or one probability column per class (rows sum to 1).
    n_bins : int, default 10
    strategy : 'uniform' (equal-width bins) or 'quantile' (equal-count bins)
    classes : sequence, optional
        Class name of each probability column, in column order.
    n_boot, seed : bootstrap replicates (rows resampled, bin edges fixed) and their seed.
    confidence : level of the intervals.

    Examples
    --------
    >>> c = calibration_metrics([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.8], n_bins=2)
    >>> c.table[["count", "mean_score", "observed_rate"]].values.tolist()
    [[2.0, 0.2, 0.0], [2.0, 0.7, 1.0]]
    >>> round(c.ece.value, 2), round(c.brier.value, 3)
    (0.25, 0.075)
    """
    method, bins = _check_strategy(strategy, n_bins)
    level = check_confidence(confidence)
    draws = check_count("n_boot", n_boot, minimum=20)
    kind, conf, outcome, loss = _outcomes(y_true, scores, classes)
    ids, edges = bin_ids(conf, bins, method)
    sums = bin_sums(ids, conf, outcome, bins)
    table = reliability_table(sums, edges, level)
    ece_value = float(_ece_from_sums(*sums))
    eces, losses = _bootstrap(ids, conf, outcome, loss, bins, draws, seed)
    positives = float(outcome.sum()) if kind == "binary" else None
    ece = _bootstrap_estimate("ece", ece_value, eces, level, positives=positives)
    brier = _bootstrap_estimate("brier", float(loss.mean()), losses, level, positives=positives)
    usable, verdict = _verdict(ece)
    return CalibrationMetrics(kind, method, bins, len(conf), table, ece, brier, usable, verdict)
