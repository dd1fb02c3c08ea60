"""Suspected label errors in the training set, and whether they look random or systematic.

Random label errors in a big training set hurt little; systematic ones (every white dog
labelled cat) teach the model the mistake. Suspects come from confident learning (cleanlab)
on out-of-fold class probabilities; where they concentrate is tested against how random
flips would spread them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

# One lookup (and one message for unknown labels) shared with the dev-label check.
from analysis.label_issues import _label_inputs_from_predictions, class_positions
from analysis.predictions import Predictions
from analysis.stats import wilson_interval
from analysis.validation import check_array, check_number

OUT_OF_FOLD_WHY = (
    "Suspected label errors need out-of-fold scores, each row scored by a model that did not "
    "train on it (e.g. scikit-learn's cross_val_predict with method='predict_proba'). A model "
    "scoring its own training rows has memorised their labels, flipped ones included, so the "
    "flips look confident and hide.")
OUT_OF_FOLD_REASON = f"out_of_fold is False. {OUT_OF_FOLD_WHY}"
RANDOM_VERDICT = (
    "Random label errors in a big training set hurt little: learning algorithms are robust "
    "to them. Leave them unless the training set is small or fixing them is cheap.")
SYSTEMATIC_VERDICT = (
    "Systematic label errors hurt: the model learns the mistake (like every white dog "
    "labelled cat) and repeats it. Find the rule behind them and relabel those rows.")
#: Below this many training rows even random label errors cost accuracy.
SMALL_TRAINING_ROWS = 1_000
FIX_SYSTEMATIC = (
    "Worth fixing: relabel the rows the rule covers (the fullest class pair or source below), "
    "then retrain. Fixing training labels only leaves train and dev from slightly different "
    "distributions, which is acceptable.")
FIX_SMALL = (
    "Worth fixing if cheap: the training set is small, so even random label errors cost "
    "accuracy. Relabel the suspects, most suspicious first.")
LEAVE_RANDOM = (
    "Not worth fixing now: random errors in a training set this big hurt little. Spend the "
    "effort on dev and test labels, where every wrong label moves the numbers you decide by.")
LEAVE_NONE = "Nothing to fix in the training labels."


@dataclass(frozen=True)
class TrainingLabelCheck:
    """Suspected training-label errors and the pattern they form.

    pattern is "none" (no suspects), "random" or "systematic". `pairs` counts suspects per
    (given, suggested) class pair beside the count random flips would give; `sources` does
    the same per source when sources were given. noise_rate is confident learning's estimate
    of the share of wrong training labels (cleanlab's calibrated off-diagonal count over the
    rows), noise_low / noise_high its 95% Wilson interval over the rows checked; advice says
    whether fixing them is worth it.
    """

    suspects: pd.DataFrame
    n_checked: int
    pattern: str
    pairs: pd.DataFrame
    sources: pd.DataFrame | None
    pair_p_value: float
    source_p_value: float | None
    verdict: str
    reasons: tuple[str, ...]
    noise_rate: float = 0.0
    noise_low: float = 0.0
    noise_high: float = 0.0
    worth_fixing: bool = False
    advice: str = LEAVE_NONE
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_suspects(self) -> int:
        """How many training rows look mislabelled."""
        return len(self.suspects)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the report (suspect rows left out: they can be many)."""
        return {"n_checked": self.n_checked, "n_suspects": self.n_suspects,
                "pattern": self.pattern, "pairs": self.pairs.to_dict(orient="records"),
                "sources": None if self.sources is None else self.sources.to_dict(orient="records"),
                "pair_p_value": self.pair_p_value, "source_p_value": self.source_p_value,
                "verdict": self.verdict, "reasons": list(self.reasons),
                "noise_rate": self.noise_rate, "noise_low": self.noise_low,
                "noise_high": self.noise_high, "worth_fixing": self.worth_fixing,
                "advice": self.advice, "warnings": list(self.warnings)}


# --------------------------------------------------------------------------- validation

def _check_inputs(y_true: object, probs: object, classes: Sequence[object] | None,
                  sources: object) -> tuple[np.ndarray, np.ndarray, list[object], np.ndarray | None]:
    scores = check_array("probs", probs, ndim=2)
    if scores.shape[1] < 2:
        raise ValueError(f"probs must have one column per class (at least 2), got shape "
                         f"{scores.shape}.")
    if np.any(scores < 0) or np.any(scores > 1):
        raise ValueError("probs must lie between 0 and 1 (class probabilities, not logits).")
    labels = np.asarray(y_true, dtype=object)
    if labels.ndim != 1 or len(labels) != len(scores):
        raise ValueError(f"y_true must hold one label per row of probs ({len(scores)}), got "
                         f"shape {labels.shape}.")
    names = sorted(set(labels.tolist()), key=str) if classes is None else list(classes)
    if len(names) != scores.shape[1]:
        raise ValueError(f"classes has {len(names)} names but probs has {scores.shape[1]} "
                         "columns: give classes in the order of the probs columns.")
    positions = class_positions(labels, names)
    if len(np.unique(positions)) < 2:
        raise ValueError("y_true holds a single class: confident learning needs two or more.")
    groups = None
    if sources is not None:
        groups = np.array([str(s) for s in np.asarray(sources, dtype=object)], dtype=object)
        if len(groups) != len(scores):
            raise ValueError(f"sources must hold one value per row ({len(scores)}), got "
                             f"{len(groups)}.")
    sums = scores.sum(axis=1, keepdims=True)
    scores = np.divide(scores, sums, out=np.full_like(scores, 1 / scores.shape[1]), where=sums > 0)
    return positions, scores, names, groups


# --------------------------------------------------------------------------- tests

def _top_cell_test(counts: np.ndarray, expected_share: np.ndarray) -> tuple[int, float]:
    """Binomial test that the fullest cell holds more suspects than random spreading would
    put there (one-sided), Bonferroni-corrected for picking it among all the cells."""
    total = int(counts.sum())
    top = int(np.argmax(counts / np.maximum(expected_share, 1e-12) * (counts > 0)))
    if total == 0:
        return top, 1.0
    p = stats.binomtest(int(counts[top]), total, float(expected_share[top]),
                        alternative="greater").pvalue
    return top, float(min(1.0, p * len(counts)))


def _pair_table(given: np.ndarray, suggested: np.ndarray, prior: np.ndarray,
                names: list[object]) -> pd.DataFrame:
    """Suspects per (given, suggested) pair; random flips of a class-a example to any of the
    other K - 1 classes put a share prior_a / (K - 1) of flips in each pair (b, a)."""
    k = len(names)
    b, a = np.divmod(np.arange(k * k), k)
    off = b != a
    counts = np.bincount(given * k + suggested, minlength=k * k)[off]
    expected_share = prior[a[off]] / (k - 1)
    total = counts.sum()
    return pd.DataFrame({"given": [names[i] for i in b[off]],
                         "suggested": [names[i] for i in a[off]], "suspects": counts,
                         "share": counts / total if total else 0.0,
                         "expected_share": expected_share})


def _source_table(groups: np.ndarray, suspect: np.ndarray) -> pd.DataFrame:
    names, codes = np.unique(groups, return_inverse=True)
    rows = np.bincount(codes, minlength=len(names))
    counts = np.bincount(codes[suspect], minlength=len(names))
    total = counts.sum()
    return pd.DataFrame({"source": names, "rows": rows, "suspects": counts,
                         "share": counts / total if total else 0.0,
                         "expected_share": rows / rows.sum()})


def suspect_training_labels(y_true: object, probs: object, *, out_of_fold: bool,
                            sources: object = None, classes: Sequence[object] | None = None,
                            alpha: float = 0.01) -> TrainingLabelCheck:
    """Find training rows whose label looks wrong and say whether the errors look systematic.

    Parameters
    ----------
    y_true : array
        Given training labels.
    probs : array of shape (n, K)
        Out-of-fold class probabilities, columns in the order of `classes`.
    out_of_fold : bool
        Whether each row was scored by a model that did not train on it. Required: with
        False the check refuses (in-sample scores hide memorised flips).
    sources : array, optional
        Where each row comes from (vendor, labeller, crawl): systematic errors often sit in
        one source.
    classes : list, optional
        Class names of the probs columns (default: the sorted labels).
    alpha : float
        Level of the tests that call the pattern systematic.

    Returns
    -------
    TrainingLabelCheck
        The pattern is systematic when the fullest class pair (given, suggested) or the
        fullest source holds significantly more suspects than random flips would put there:
        a one-sided binomial test, Bonferroni-corrected over the pairs (and sources) it was
        picked from. Random flips spread over pairs in proportion to the true class's share
        (the mean out-of-fold probability), and over sources in proportion to their rows.
    """
    _require_out_of_fold(out_of_fold)
    level = float(check_number("alpha", alpha, low=0.0, high=1.0))
    # imported late: cleanlab is slow to import
    from cleanlab.count import num_label_issues
    from cleanlab.filter import find_label_issues

    given, scores, names, groups = _check_inputs(y_true, probs, classes, sources)
    suspect = np.asarray(find_label_issues(given, scores, n_jobs=1), dtype=bool)
    noisy = int(num_label_issues(given, scores, estimation_method="off_diagonal_calibrated"))
    suggested = scores.argmax(axis=1)
    rows = np.flatnonzero(suspect)
    frame = pd.DataFrame({"row": rows, "given": [names[i] for i in given[rows]],
                          "suggested": [names[i] for i in suggested[rows]],
                          "label_quality": scores[rows, given[rows]]})
    if groups is not None:
        frame["source"] = groups[rows]
    frame = frame.sort_values("label_quality", kind="stable").reset_index(drop=True)
    flipped = suspect & (suggested != given)
    pairs = _pair_table(given[flipped], suggested[flipped], scores.mean(axis=0), names)
    top_pair, pair_p = _top_cell_test(pairs["suspects"].to_numpy(),
                                      pairs["expected_share"].to_numpy())
    source_table, source_p, top_source = None, None, 0
    if groups is not None:
        source_table = _source_table(groups, suspect)
        top_source, source_p = _top_cell_test(source_table["suspects"].to_numpy(),
                                              source_table["expected_share"].to_numpy())
    judged = _judge(frame, len(given), pairs, top_pair, pair_p, source_table, top_source,
                    source_p, level)
    return _with_noise_rate(judged, min(noisy, len(given)))


def _require_out_of_fold(out_of_fold: object) -> None:
    """Refuse in-sample scores (with the reason) before anything is read."""
    if not isinstance(out_of_fold, bool | np.bool_):
        raise ValueError(f"out_of_fold must be True or False, got {out_of_fold!r}.")
    if not out_of_fold:
        raise ValueError(OUT_OF_FOLD_REASON)


def _with_noise_rate(check: TrainingLabelCheck, noisy: int) -> TrainingLabelCheck:
    """The check with its estimated noise rate, interval and whether fixing is worth it."""
    n = check.n_checked
    low, high = wilson_interval(noisy, n)
    if check.pattern == "systematic":
        worth, advice = True, FIX_SYSTEMATIC
    elif check.pattern == "random" and n < SMALL_TRAINING_ROWS:
        worth, advice = True, FIX_SMALL
    elif check.pattern == "random":
        worth, advice = False, LEAVE_RANDOM
    else:
        worth, advice = False, LEAVE_NONE
    return replace(check, noise_rate=noisy / n, noise_low=float(low), noise_high=float(high),
                   worth_fixing=worth, advice=advice)


def check_training_predictions(predictions: Predictions, *, out_of_fold: bool,
                               source_column: str | None = None,
                               alpha: float = 0.01) -> TrainingLabelCheck:
    """suspect_training_labels on the training rows of a predictions file.

    The rows of the file's train split are checked (every row when the file has no split
    column); binary files give [1 - score, score], multiclass files their per-class
    probability columns. The suspects table gains each row's example_id (and image path),
    given label as y_true and the model's suggestion as y_pred, ready for the sheet.

    Parameters
    ----------
    predictions : Predictions
        A binary file with a score or a multiclass file with class probabilities.
    out_of_fold : bool
        Whether the training rows' scores are out-of-fold; False is refused with the reason.
    source_column : str, optional
        A column saying where each row comes from (vendor, labeller), tested for
        concentrated suspects.
    alpha : float
        Level of the tests that call the pattern systematic.
    """
    _require_out_of_fold(out_of_fold)
    if not isinstance(predictions, Predictions):
        raise ValueError(f"predictions must be a loaded predictions file, got "
                         f"{type(predictions).__name__}.")
    splits = predictions.splits()
    if splits and "train" not in splits:
        raise ValueError(f"{predictions.name} has no train rows (splits: {', '.join(splits)}): "
                         "the check reads training labels; load your training predictions.")
    rows = predictions.subset("train") if splits else predictions
    if source_column is not None and source_column not in rows.frame.columns:
        raise ValueError(f"source_column {source_column!r} is not a column of {predictions.name}.")
    examples, labels, probs, classes, _ = _label_inputs_from_predictions(rows, None)
    sources = None if source_column is None else rows.frame[source_column].to_numpy()
    check = suspect_training_labels([classes[i] for i in labels], probs, out_of_fold=True,
                                    sources=sources, classes=classes, alpha=alpha)
    picked = examples.iloc[check.suspects["row"].to_numpy()].reset_index(drop=True)
    picked["y_true"] = check.suspects["given"].to_numpy()
    picked["y_pred"] = check.suspects["suggested"].to_numpy()
    suspects = pd.concat([picked, check.suspects.drop(columns=["given", "suggested"])], axis=1)
    return replace(check, suspects=suspects)


def _judge(frame: pd.DataFrame, n_checked: int, pairs: pd.DataFrame, top_pair: int,
           pair_p: float, sources: pd.DataFrame | None, top_source: int,
           source_p: float | None, alpha: float) -> TrainingLabelCheck:
    """Pattern, verdict and reasons from the two tests."""
    warnings = []
    if len(frame) and len(frame) < 20:
        warnings.append(f"Only {len(frame)} suspects: the tests can only see a strong pattern.")
    if n_checked < 1000:
        warnings.append(f"The training set is small ({n_checked:,} rows): even random label "
                        "errors cost accuracy here.")
    reasons = []
    pair = pairs.iloc[[top_pair]].to_dict(orient="records")[0]  # each column keeps its type
    if pair["suspects"]:
        reasons.append(f"{int(pair['suspects'])} of {int(pairs['suspects'].sum())} suspects "
                       f"({pair['share']:.0%}) are labelled {pair['given']} where the model reads "
                       f"{pair['suggested']}; random flips would put about "
                       f"{pair['expected_share']:.0%} there (binomial test, Bonferroni over "
                       f"{len(pairs)} pairs: p = {pair_p:.2g}).")
    if sources is not None and sources["suspects"].sum():
        source = sources.iloc[[top_source]].to_dict(orient="records")[0]
        reasons.append(f"{int(source['suspects'])} of {int(sources['suspects'].sum())} suspects "
                       f"({source['share']:.0%}) come from {source['source']}, which holds "
                       f"{source['expected_share']:.0%} of the rows (binomial test, Bonferroni "
                       f"over {len(sources)} sources: p = {source_p:.2g}).")
    if len(frame) == 0:
        pattern, verdict = "none", "No training label looks wrong to the model."
    elif pair_p < alpha or (source_p is not None and source_p < alpha):
        pattern, verdict = "systematic", SYSTEMATIC_VERDICT
    else:
        pattern, verdict = "random", RANDOM_VERDICT
    return TrainingLabelCheck(suspects=frame, n_checked=n_checked, pattern=pattern,
                              pairs=pairs, sources=sources, pair_p_value=pair_p,
                              source_p_value=source_p, verdict=verdict, reasons=tuple(reasons),
                              warnings=tuple(warnings))
