"""The error waterfall: where a model's error comes from (DOMAIN.md section 3).

Human-level error stands in for Bayes error; each step down the chain human -> train ->
train-dev -> dev -> test is one gap (avoidable bias, variance, data mismatch, overfitting to
dev). The gaps are computed from typed rates (`decompose`), from a predictions file
(`errors_by_split`, `decompose_predictions`) or from the general formulation's 3x2 table
(`general_formulation`). Every result carries its numbers, its diagnosis and its warnings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.predictions import ColumnMapping, Predictions, validate_predictions
from analysis.stats import wilson_interval
from analysis.validation import (
    check_choice,
    check_confidence,
    check_count,
    check_fraction,
    check_number,
    check_percent,
)

LEVELS = ("human", "train", "train-dev", "dev", "test")
GAP_KINDS = ("avoidable bias", "variance", "data mismatch", "overfitting to dev")
# Each gap is the step from one level of the waterfall to the next.
_GAP_STEPS = (
    ("avoidable bias", "human", "train"),
    ("variance", "train", "train-dev"),
    ("data mismatch", "train-dev", "dev"),
    ("overfitting to dev", "dev", "test"),
)
# The argument each level is given by, so error messages name what the caller typed.
_ARGUMENT = {"human": "human", "train": "train", "train-dev": "train_dev", "dev": "dev", "test": "test"}

TACTICS: dict[str, tuple[str, ...]] = {
    "avoidable bias": (
        "Train a bigger model.",
        "Train longer, or with a better optimizer (momentum, RMSprop, Adam).",
        "Search for a better architecture or better hyperparameters.",
    ),
    "variance": (
        "Get more training data.",
        "Regularize: L2, dropout, data augmentation.",
        "Search for a better architecture or better hyperparameters.",
    ),
    "data mismatch": (
        "Do manual error analysis to see how the training data differs from dev/test.",
        "Make the training data more like dev/test, or collect more data like dev/test.",
        "Synthesize artificial data (beware: synthesizing from a tiny subset, e.g. 1 hour of "
        "car noise over 10,000 hours of speech, overfits to that subset).",
    ),
    "overfitting to dev": ("Get a bigger dev set.",),
}

# The human-level references a page offers (DOMAIN.md: the best of them is the Bayes proxy).
HUMAN_REFERENCES = ("typical human", "typical expert", "experienced expert", "team of experts")

PRESETS: dict[str, dict[str, Any]] = {
    "Bias dominates (human 1, train 8, dev 10)": {"human": 1.0, "train": 8.0, "dev": 10.0},
    "Variance dominates (human 7.5, train 8, dev 10)": {"human": 7.5, "train": 8.0, "dev": 10.0},
    "Variance (train 1, train-dev 9, dev 10)": {
        "human": 0.0, "train": 1.0, "train_dev": 9.0, "dev": 10.0},
    "Data mismatch (train 1, train-dev 1.5, dev 10)": {
        "human": 0.0, "train": 1.0, "train_dev": 1.5, "dev": 10.0},
    "Bias (human 0, train 10, train-dev 11, dev 12)": {
        "human": 0.0, "train": 10.0, "train_dev": 11.0, "dev": 12.0},
    "Bias and mismatch (train 10, train-dev 11, dev 20)": {
        "human": 0.0, "train": 10.0, "train_dev": 11.0, "dev": 20.0},
    "Dev easier than training data (human 4, train 7, train-dev 10, dev 6)": {
        "human": 4.0, "train": 7.0, "train_dev": 10.0, "dev": 6.0},
    # Radiology: typical human 3, typical doctor 1, experienced doctor 0.7, team of
    # experienced doctors 0.5 -> the proxy is 0.5.
    "Medical imaging (doctors: best human 0.5, train 0.7, dev 0.8)": {
        "human": dict(zip(HUMAN_REFERENCES, (3.0, 1.0, 0.7, 0.5), strict=True)),
        "train": 0.7, "dev": 0.8},
}
"""The course's worked cases (DOMAIN.md section 3) as decompose() keyword arguments.

Where the course says "assume human level is about 0%", human is 0.
"""

FORMULATION_ROWS = ("human level", "error on examples trained on", "error on examples not trained on")
FORMULATION_COLUMNS = ("general (training) distribution", "target (dev/test) distribution")
# The rear-view mirror speech example (DOMAIN.md section 3): rows x columns, percent.
FORMULATION_EXAMPLE = ((4.0, 6.0), (7.0, 6.0), (10.0, 6.0))


@dataclass(frozen=True)
class SplitError:
    """The error on one split: percent, the counts behind it and its confidence interval."""

    split: str
    error: float
    examples: int | None = None
    errors: int | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Gap:
    """One step of the waterfall: `size` = error(end) - error(start), in percentage points.

    `low`/`high` bound the gap at the result's confidence when the counts are known;
    `within_noise` is True when that interval contains 0 (the gap cannot be told from chance);
    `matters` is True when the gap is a problem worth naming.
    """

    kind: str
    start: str
    end: str
    size: float
    low: float | None = None
    high: float | None = None
    within_noise: bool = False
    matters: bool = False


@dataclass(frozen=True)
class BiasVarianceResult:
    """The decomposition of a model's error, its diagnosis and its warnings.

    Error rates and gaps are in percent / percentage points; a gap is None where one of its
    two ends was not given.
    """

    bayes_proxy: float | None
    human_references: tuple[tuple[str, float], ...]
    levels: tuple[SplitError, ...]
    gaps: tuple[Gap, ...]
    avoidable_bias: float | None
    variance: float | None
    data_mismatch: float | None
    dev_overfit: float | None
    main_problem: str | None
    problems: tuple[str, ...]
    tactics: dict[str, tuple[str, ...]]
    within_noise: tuple[str, ...]
    warnings: tuple[str, ...]
    diagnosis: str
    confidence: float = 0.95
    from_data: bool = False

    def error(self, level: str) -> float | None:
        """The error at `level` ("human", "train", "train-dev", "dev", "test") or None."""
        check_choice("level", level, LEVELS)
        return next((s.error for s in self.levels if s.split == level), None)

    def gap(self, kind: str) -> Gap | None:
        """The gap of `kind` (one of GAP_KINDS), or None when it could not be computed."""
        check_choice("kind", kind, GAP_KINDS)
        return next((g for g in self.gaps if g.kind == kind), None)

    def as_inputs(self) -> dict[str, Any]:
        """decompose() keyword arguments that rebuild this result (JSON-able).

        A result from data becomes its rates and counts, so a saved snapshot redraws the
        same waterfall, intervals included, without the file.
        """
        rates = {_ARGUMENT[s.split]: s.error for s in self.levels if s.split != "human"}
        sizes = {_ARGUMENT[s.split]: s.examples for s in self.levels if s.examples}
        inputs: dict[str, Any] = {"human": dict(self.human_references) or None, **rates}
        if sizes:
            inputs["sizes"] = sizes
        if self.confidence != 0.95:
            inputs["confidence"] = self.confidence
        return inputs

    def formulation_table(self) -> pd.DataFrame:
        """The levels placed in the general formulation's 3x2 table (NaN where unknown).

        Human level and training error sit in the general distribution's column; train-dev is
        "not trained on" there; dev is "not trained on" in the target column.
        """
        table = pd.DataFrame(np.nan, index=list(FORMULATION_ROWS),
                             columns=list(FORMULATION_COLUMNS), dtype=float)
        general, target = FORMULATION_COLUMNS
        cells = {"human": (FORMULATION_ROWS[0], general), "train": (FORMULATION_ROWS[1], general),
                 "train-dev": (FORMULATION_ROWS[2], general), "dev": (FORMULATION_ROWS[2], target)}
        for level in self.levels:
            if level.split in cells:
                table.loc[cells[level.split]] = level.error
        return table

    def level_table(self) -> pd.DataFrame:
        """The error at each level with its count and interval (percent), in waterfall order."""
        columns = ["level", "error", "examples", "errors", "low", "high"]
        return pd.DataFrame([[s.split, s.error, s.examples, s.errors, s.low, s.high]
                             for s in self.levels], columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of everything in the result (for storage and the report)."""
        data = asdict(self)
        data["human_references"] = [list(pair) for pair in self.human_references]
        data["tactics"] = {k: list(v) for k, v in self.tactics.items()}
        for key in ("problems", "within_noise", "warnings"):
            data[key] = list(data[key])
        data["levels"] = [asdict(s) for s in self.levels]
        data["gaps"] = [asdict(g) for g in self.gaps]
        return data


# ---------------------------------------------------------------------------- input checks

def _check_human(human: object) -> tuple[tuple[str, float], ...]:
    """Normalise the human-level references to (name, percent) pairs, dropping empty ones."""
    if human is None:
        return ()
    if isinstance(human, Mapping):
        items = [(str(name), value) for name, value in human.items()]
        labels = [f"human[{name!r}]" for name, _ in items]
    elif isinstance(human, Sequence) and not isinstance(human, str | bytes):
        items = [(f"reference {i + 1}", value) for i, value in enumerate(human)]
        labels = [f"human[{i}]" for i in range(len(items))]
    else:
        value = check_percent("human", human, allow_none=True)
        return () if value is None else (("human level", value),)
    pairs = []
    for (name, value), label in zip(items, labels, strict=True):
        number = check_percent(label, value, allow_none=True)
        if number is not None:
            pairs.append((name, number))
    return tuple(pairs)


def _check_chain(train: object, train_dev: object, dev: object, test: object) -> dict[str, float | None]:
    """Check each typed error and that the chain has no hole a gap would need to cross."""
    rates = {
        "train": check_percent("train", train, allow_none=True),
        "train-dev": check_percent("train_dev", train_dev, allow_none=True),
        "dev": check_percent("dev", dev, allow_none=True),
        "test": check_percent("test", test, allow_none=True),
    }
    if rates["train"] is None:
        given = [_ARGUMENT[k] for k in ("train-dev", "dev", "test") if rates[k] is not None]
        if given:
            raise ValueError(f"train is missing but {', '.join(given)} was given: every gap "
                             "is measured from the training error, so enter train too.")
        raise ValueError("train is missing: enter the training error in percent (0-100).")
    if rates["test"] is not None and rates["dev"] is None:
        raise ValueError("test was given without dev: overfitting to dev is test - dev, and "
                         "test comes from the dev distribution, so enter dev too.")
    return rates


def _check_sizes(sizes: Mapping[str, object] | None, rates: Mapping[str, float | None]) -> dict[str, int]:
    """Check the number of examples behind each typed error (optional, per level)."""
    if sizes is None:
        return {}
    if not isinstance(sizes, Mapping):
        raise ValueError(f"sizes must map a split name to its number of examples, got {sizes!r}.")
    checked: dict[str, int] = {}
    for name, value in sizes.items():
        level = _level_name(name)
        if level == "human":
            raise ValueError("sizes['human'] is not used: human level is a fixed reference.")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if rates.get(level) is None:
            raise ValueError(f"sizes[{name!r}] was given but {_ARGUMENT[level]} was not.")
        checked[level] = check_count(f"sizes[{name!r}]", value, minimum=1)
    return checked


def _level_name(name: object) -> str:
    """Accept 'train_dev' (the argument name) as well as 'train-dev' (the level name)."""
    text = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    return check_choice("sizes key", text, LEVELS)


# ---------------------------------------------------------------------------- the decomposition

def decompose(human: object, train: object, train_dev: object = None, dev: object = None,
              test: object = None, *, sizes: Mapping[str, object] | None = None,
              confidence: float = 0.95, relative_threshold: float = 0.5) -> BiasVarianceResult:
    """Split the error into avoidable bias, variance, data mismatch and overfitting to dev.

    Parameters
    ----------
    human : float, sequence of float, mapping name -> float, or None
        Human-level error in percent. With several references (typical human, expert, team
        of experts) the best (lowest) is the Bayes proxy. None when unknown.
    train, train_dev, dev, test : float or None
        Error rates in percent (0-100). `train` is required; a later level may be None.
    sizes : mapping level -> int, optional
        Number of examples behind each error ("train", "train_dev"/"train-dev", "dev",
        "test"). When given, each gap gets a confidence interval and a gap that cannot be
        told from noise is reported as such rather than as a problem.
    confidence : float
        Confidence of the intervals (0.95 = 95%).
    relative_threshold : float
        A positive gap matters when it is more than this share of the largest gap
        (0.5: a gap half the size of the largest or less is not named).

    Returns
    -------
    BiasVarianceResult

    Examples
    --------
    >>> result = decompose(human=1, train=8, dev=10)
    >>> result.main_problem, result.avoidable_bias, result.variance
    ('avoidable bias', 7.0, 2.0)
    >>> decompose(0, 10, train_dev=11, dev=20).problems
    ('avoidable bias', 'data mismatch')
    """
    references = _check_human(human)
    rates = _check_chain(train, train_dev, dev, test)
    check_confidence(confidence)
    check_number("relative_threshold", relative_threshold, low=0.0, high=1.0)
    counts = _check_sizes(sizes, rates)
    bayes = min((value for _, value in references), default=None)
    levels = _levels(bayes, rates, counts, confidence)
    return _diagnose(references, levels, confidence=confidence,
                     relative_threshold=relative_threshold, from_data=False)


def _levels(bayes: float | None, rates: Mapping[str, float | None], counts: Mapping[str, int],
            confidence: float) -> tuple[SplitError, ...]:
    """The waterfall's levels that were given, each with its interval when its count is known."""
    levels = [] if bayes is None else [SplitError("human", bayes)]
    for level in LEVELS[1:]:
        rate = rates.get(level)
        if rate is None:
            continue
        n = counts.get(level)
        if n is None:
            levels.append(SplitError(level, rate))
            continue
        # Typed rates are rounded to whole errors; from data they are exact k / n already.
        k = round(rate / 100 * n)
        low, high = wilson_interval(k, n, confidence=confidence)
        levels.append(SplitError(level, rate, n, k, 100 * low, 100 * high))
    return tuple(levels)


def _gap_interval(start: SplitError, end: SplitError) -> tuple[float | None, float | None]:
    """Newcombe's interval for end - start from the two Wilson intervals (points).

    The human level is a fixed reference with no sampling noise of its own.
    """
    if end.low is None or end.high is None:
        return None, None
    start_low = start.error if start.low is None else start.low
    start_high = start.error if start.high is None else start.high
    size = end.error - start.error
    low = size - math.hypot(end.error - end.low, start_high - start.error)
    high = size + math.hypot(end.high - end.error, start.error - start_low)
    return low, high


def _within_noise(size: float, low: float | None, high: float | None) -> bool:
    """A non-zero gap whose interval contains 0 cannot be told from chance."""
    return low is not None and high is not None and _tidy(size) != 0 and low <= 0 <= high


def _tidy(size: float) -> float:
    """Drop float dust (0.8 - 0.7 = 0.10000000000000009) that would flip a comparison."""
    return round(size, 10)


def _gaps(levels: Sequence[SplitError], relative_threshold: float) -> tuple[Gap, ...]:
    by_level = {s.split: s for s in levels}
    raw = []
    for kind, start, end in _GAP_STEPS:
        if start in by_level and end in by_level:
            a, b = by_level[start], by_level[end]
            low, high = _gap_interval(a, b)
            noisy = _within_noise(b.error - a.error, low, high)
            raw.append((kind, start, end, _tidy(b.error - a.error), low, high, noisy))
    if "train-dev" not in by_level and "train" in by_level and "dev" in by_level:
        # Without a train-dev set the dev - train gap mixes variance and mismatch; the course
        # reads it as variance (DOMAIN.md: human 7.5, train 8, dev 10 -> variance).
        a, b = by_level["train"], by_level["dev"]
        low, high = _gap_interval(a, b)
        noisy = _within_noise(b.error - a.error, low, high)
        raw.insert(1 if raw and raw[0][0] == "avoidable bias" else 0,
                   ("variance", "train", "dev", _tidy(b.error - a.error), low, high, noisy))
    largest = max((r[3] for r in raw if not r[6]), default=0.0)
    gaps = []
    for kind, start, end, size, low, high, noisy in raw:
        matters = size > 0 and not noisy and size > relative_threshold * largest
        gaps.append(Gap(kind, start, end, size, low, high, noisy, matters))
    return tuple(gaps)


def _diagnose(references: tuple[tuple[str, float], ...], levels: tuple[SplitError, ...], *,
              confidence: float, relative_threshold: float, from_data: bool) -> BiasVarianceResult:
    gaps = _gaps(levels, relative_threshold)
    problems = tuple(g.kind for g in sorted((g for g in gaps if g.matters), key=lambda g: -g.size))
    by_kind = {g.kind: g.size for g in gaps}
    has_train_dev = any(s.split == "train-dev" for s in levels)
    return BiasVarianceResult(
        bayes_proxy=next((s.error for s in levels if s.split == "human"), None),
        human_references=references,
        levels=levels,
        gaps=gaps,
        avoidable_bias=by_kind.get("avoidable bias"),
        variance=by_kind.get("variance"),
        data_mismatch=by_kind.get("data mismatch"),
        dev_overfit=by_kind.get("overfitting to dev"),
        main_problem=problems[0] if problems else None,
        problems=problems,
        tactics={kind: TACTICS[kind] for kind in problems},
        within_noise=tuple(g.kind for g in gaps if g.within_noise),
        warnings=tuple(_warnings(levels, gaps, has_train_dev, confidence)),
        diagnosis=_diagnosis_text(gaps, problems),
        confidence=confidence,
        from_data=from_data,
    )


def _points(value: float) -> str:
    return f"{value:.2g}" if abs(value) < 0.1 else f"{value:.1f}"


def _diagnosis_text(gaps: Sequence[Gap], problems: Sequence[str]) -> str:
    size = {g.kind: g.size for g in gaps}
    if not gaps:
        return "Only the training error is known: give human level or a later error to see a gap."
    if not problems:
        if any(g.within_noise for g in gaps):
            return "No gap stands out from the noise: more examples are needed to tell."
        return "No gap is positive: the model does as well on every later set as before it."
    named = [f"{kind} ({_points(size[kind])} points)" for kind in problems]
    if len(named) == 1:
        return f"{named[0][0].upper()}{named[0][1:]} dominates: focus on reducing {problems[0]}."
    listed = ", ".join(named[:-1]) + f" and {named[-1]}"
    verb = "both matter" if len(named) == 2 else "all matter"
    return f"{listed[0].upper()}{listed[1:]} {verb}; start with {problems[0]} (the largest)."


def _warnings(levels: Sequence[SplitError], gaps: Sequence[Gap], has_train_dev: bool,
              confidence: float) -> list[str]:
    error = {s.split: s.error for s in levels}
    notes = []
    if "human" not in error:
        notes.append("No human-level error was given: avoidable bias cannot be measured. "
                     "Enter the best human performance you know as the Bayes proxy.")
    if not has_train_dev and "dev" in error:
        notes.append("No train-dev set: the dev - train gap mixes variance and data mismatch, "
                     "so they cannot be told apart. Hold out a random slice of the training "
                     "data, not trained on, as a train-dev set.")
    for gap in gaps:
        if gap.within_noise:
            notes.append(_noise_warning(gap, levels, confidence))
        elif gap.size < 0:
            notes.append(_negative_warning(gap, error))
    return notes


def _noise_warning(gap: Gap, levels: Sequence[SplitError], confidence: float) -> str:
    counts = {s.split: s.examples for s in levels}
    sizes = " and ".join(f"{counts[lvl]:,} {lvl} examples" for lvl in (gap.start, gap.end)
                         if counts.get(lvl))
    return (f"The {gap.kind} gap ({_points(gap.size)} points) is within the noise: its "
            f"{confidence:.0%} interval runs from {_points(gap.low)} to {_points(gap.high)} "
            f"points with {sizes}. It is not reported as a problem; more examples would tell.")


def _negative_warning(gap: Gap, error: Mapping[str, float]) -> str:
    start, end = error[gap.start], error[gap.end]
    if gap.kind == "avoidable bias":
        return (f"Training error ({end:g}%) is below human level ({start:g}%): avoidable bias "
                "is no longer measurable (human level is no longer a good proxy for Bayes "
                "error) and progress usually slows from here.")
    if gap.kind == "variance":
        return (f"{gap.end.capitalize()} error ({end:g}%) is lower than training error "
                f"({start:g}%): unusual; check that the {gap.end} set is held out and not trained on.")
    if gap.kind == "data mismatch":
        return (f"Dev error ({end:g}%) is lower than train-dev error ({start:g}%), a gap "
                f"of {_points(gap.size)} points: the dev/test data is easier than the "
                "training distribution.")
    return (f"Test error ({end:g}%) is lower than dev error ({start:g}%): dev and test should "
            "come from the same distribution; check how they were split.")


# ---------------------------------------------------------------------------- from data

def errors_by_split(predictions: Predictions | pd.DataFrame, *, threshold: float = 0.5,
                    model: str | None = None, y_true: str = "y_true", y_pred: str = "y_pred",
                    split: str = "split", confidence: float = 0.95) -> pd.DataFrame:
    """Error rate per split with its count and Wilson confidence interval.

    Parameters
    ----------
    predictions : Predictions or pandas.DataFrame
        Loaded predictions (binary or multiclass) with a split column, or a plain frame with
        `y_true`, `y_pred` and `split` columns.
    threshold, model : used for Predictions with scores (binary): y_pred = score >= threshold.
    confidence : float
        Confidence of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per split present, in waterfall order, columns: split, examples, errors,
        error (percent), low, high (percent).

    Examples
    --------
    >>> frame = pd.DataFrame({"y_true": [1, 0, 1, 1], "y_pred": [1, 0, 0, 1],
    ...                       "split": ["train", "train", "dev", "dev"]})
    >>> errors_by_split(frame)[["split", "examples", "errors", "error"]].to_dict("list")
    {'split': ['train', 'dev'], 'examples': [2, 2], 'errors': [0, 1], 'error': [0.0, 50.0]}
    """
    check_confidence(confidence)
    truth, guess, splits = _mistake_inputs(predictions, threshold=threshold, model=model,
                                           y_true=y_true, y_pred=y_pred, split=split)
    wrong = _mistakes(truth, guess)
    rows = []
    for name in LEVELS[1:]:
        mask = splits == name
        n = int(mask.sum())
        if n == 0:
            continue
        k = int(wrong[mask].sum())
        low, high = wilson_interval(k, n, confidence=confidence)
        rows.append({"split": name, "examples": n, "errors": k, "error": 100 * k / n,
                     "low": 100 * low, "high": 100 * high})
    return pd.DataFrame(rows, columns=["split", "examples", "errors", "error", "low", "high"])


def _mistake_inputs(predictions: Predictions | pd.DataFrame, *, threshold: float,
                    model: str | None, y_true: str, y_pred: str,
                    split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(truth, prediction, canonical split) arrays from either input kind."""
    if isinstance(predictions, Predictions):
        if predictions.mapping.task == "multilabel":
            raise ValueError("predictions is a multilabel file: the waterfall needs one "
                             "label per example (binary or multiclass).")
        if predictions.mapping.split is None:
            raise ValueError(f"predictions ({predictions.name}) has no split column: map one "
                             "(train / train-dev / dev / test) to compute errors per split.")
        check_fraction("threshold", threshold)
        splits = predictions.frame[predictions.mapping.split].astype(str).to_numpy()
        guess = predictions.y_pred(threshold=threshold, model=model)
        return np.asarray(predictions.y_true()), np.asarray(guess), splits
    if not isinstance(predictions, pd.DataFrame):
        raise ValueError("predictions must be loaded Predictions or a pandas DataFrame, got "
                         f"{type(predictions).__name__}.")
    missing = [c for c in (y_true, y_pred, split) if c not in predictions.columns]
    if missing:
        raise ValueError(f"predictions has no column {', '.join(map(repr, missing))}; its "
                         f"columns are {', '.join(map(repr, predictions.columns[:12]))}.")
    # The shared validator canonicalises split names and turns labels into text, so a
    # plain frame is compared exactly like a loaded file.
    mapping = ColumnMapping(task="multiclass", y_true=y_true, y_pred=y_pred, split=split)
    checked = validate_predictions(predictions[[y_true, y_pred, split]], mapping,
                                   name="predictions")
    splits = checked.frame[split].to_numpy()
    return checked.y_true(), checked.y_pred(), splits


def _mistakes(truth: np.ndarray, guess: np.ndarray) -> np.ndarray:
    """True where the prediction differs from the label (numbers compared as numbers)."""
    if np.issubdtype(truth.dtype, np.number) and np.issubdtype(guess.dtype, np.number):
        return truth != guess
    return np.array([str(t) != str(g) for t, g in zip(truth, guess, strict=True)], dtype=bool)


def decompose_predictions(predictions: Predictions | pd.DataFrame, *, human: object = None,
                          threshold: float = 0.5, model: str | None = None,
                          confidence: float = 0.95, relative_threshold: float = 0.5,
                          **columns: str) -> BiasVarianceResult:
    """The waterfall from a predictions file: errors per split with intervals, then the gaps.

    A gap whose confidence interval contains 0 is reported in `within_noise` and the
    warnings, not as a problem. `columns` passes y_true=, y_pred=, split= for a plain frame.

    Examples
    --------
    >>> frame = pd.DataFrame({"y_true": [0] * 200, "y_pred": [0] * 197 + [1] * 3,
    ...                       "split": ["train"] * 100 + ["dev"] * 100})
    >>> result = decompose_predictions(frame, human=0)
    >>> result.error("dev"), result.within_noise, result.problems
    (3.0, ('variance',), ())
    """
    table = errors_by_split(predictions, threshold=threshold, model=model,
                            confidence=confidence, **columns)
    present = table["split"].tolist()
    if "train" not in present:
        raise ValueError(f"predictions has no 'train' rows (splits found: "
                         f"{', '.join(present) or 'none'}): the waterfall starts at the "
                         "training error, so include training-set predictions.")
    if "test" in present and "dev" not in present:
        raise ValueError("predictions has 'test' rows but no 'dev' rows: add dev predictions.")
    references = _check_human(human)
    check_number("relative_threshold", relative_threshold, low=0.0, high=1.0)
    bayes = min((value for _, value in references), default=None)
    levels = [] if bayes is None else [SplitError("human", bayes)]
    levels += [SplitError(r.split, float(r.error), int(r.examples), int(r.errors),
                          float(r.low), float(r.high)) for r in table.itertuples()]
    return _diagnose(references, tuple(levels), confidence=confidence,
                     relative_threshold=relative_threshold, from_data=True)


# ---------------------------------------------------------------------------- general formulation

@dataclass(frozen=True)
class FormulationGap:
    """A gap the 3x2 table supports: `size` = error(to) - error(from), in points."""

    name: str
    kind: str
    size: float
    from_cell: tuple[str, str]
    to_cell: tuple[str, str]
    meaning: str


@dataclass(frozen=True)
class FormulationResult:
    """The general formulation table (percent, NaN = empty) and the gaps it supports."""

    table: pd.DataFrame = field(compare=False)
    gaps: tuple[FormulationGap, ...]
    unsupported: tuple[str, ...]
    warnings: tuple[str, ...]

    def gap(self, name: str) -> FormulationGap | None:
        return next((g for g in self.gaps if g.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        table = {row: {col: (None if pd.isna(v) else float(v)) for col, v in values.items()}
                 for row, values in self.table.to_dict("index").items()}
        return {"table": table, "gaps": [asdict(g) for g in self.gaps],
                "unsupported": list(self.unsupported), "warnings": list(self.warnings)}


_HUMAN, _TRAINED, _UNSEEN = FORMULATION_ROWS
_GENERAL, _TARGET = FORMULATION_COLUMNS
# (name, kind, from cell, to cell, meaning of a positive gap)
_FORMULATION_GAPS = (
    ("avoidable bias", "avoidable bias", (_HUMAN, _GENERAL), (_TRAINED, _GENERAL),
     "how far training error is above human level"),
    ("variance", "variance", (_TRAINED, _GENERAL), (_UNSEEN, _GENERAL),
     "how much worse the model does on training-distribution examples it did not train on"),
    ("data mismatch", "data mismatch", (_UNSEEN, _GENERAL), (_UNSEEN, _TARGET),
     "how much worse the model does on the target distribution than on unseen training data"),
    ("avoidable bias on target data", "avoidable bias", (_HUMAN, _TARGET), (_TRAINED, _TARGET),
     "how far error on target examples trained on is above human level on target data"),
    ("variance on target data", "variance", (_TRAINED, _TARGET), (_UNSEEN, _TARGET),
     "how much worse on unseen target examples than on target examples trained on"),
    ("remaining gap to human on target", "avoidable bias", (_HUMAN, _TARGET), (_UNSEEN, _TARGET),
     "how far the error that counts (dev/test) is above human level on that data"),
    ("target harder for humans", "data mismatch", (_HUMAN, _GENERAL), (_HUMAN, _TARGET),
     "how much harder the target data is than the training data, for humans"),
)


def _formulation_frame(table: object) -> pd.DataFrame:
    """Read a 3x2 table (DataFrame, nested mapping row -> column -> value, or 3 row pairs)."""
    if isinstance(table, pd.DataFrame):
        frame = table.copy()
    elif isinstance(table, Mapping):
        try:
            frame = pd.DataFrame.from_dict(dict(table), orient="index")
        except (TypeError, ValueError):
            raise ValueError("table must map each row to {column: error}.") from None
    elif isinstance(table, Sequence) and not isinstance(table, str | bytes):
        rows = list(table)
        if len(rows) != 3 or any(not isinstance(r, Sequence) or len(r) != 2 for r in rows):
            raise ValueError("table must have 3 rows of 2 values (general, target), got "
                             f"{rows!r}.")
        frame = pd.DataFrame(rows, index=list(FORMULATION_ROWS), columns=list(FORMULATION_COLUMNS),
                             dtype=object)
    else:
        raise ValueError(f"table must be a 3x2 DataFrame or mapping, got {type(table).__name__}.")
    unknown_rows = [r for r in frame.index if r not in FORMULATION_ROWS]
    unknown_cols = [c for c in frame.columns if c not in FORMULATION_COLUMNS]
    if unknown_rows or unknown_cols:
        raise ValueError(f"table has unknown rows {unknown_rows} or columns {unknown_cols}; "
                         f"rows are {list(FORMULATION_ROWS)}, columns {list(FORMULATION_COLUMNS)}.")
    return frame.reindex(index=list(FORMULATION_ROWS), columns=list(FORMULATION_COLUMNS))


def general_formulation(table: object) -> FormulationResult:
    """Derive every gap the general formulation table supports (any cell may be empty).

    Parameters
    ----------
    table : DataFrame with rows FORMULATION_ROWS and columns FORMULATION_COLUMNS, a nested
        mapping {row: {column: error}}, or 3 (general, target) pairs in row order.
        Errors in percent; None / NaN / "" = unknown.

    Examples
    --------
    >>> result = general_formulation(FORMULATION_EXAMPLE)  # rear-view mirror speech
    >>> [(g.name, g.size) for g in result.gaps][:3]
    [('avoidable bias', 3.0), ('variance', 3.0), ('data mismatch', -4.0)]
    """
    frame = _formulation_frame(table)
    values = pd.DataFrame(np.nan, index=frame.index, columns=frame.columns, dtype=float)
    for row in FORMULATION_ROWS:
        for col in FORMULATION_COLUMNS:
            values.loc[row, col] = _cell(frame.loc[row, col], f"{row} / {col}")
    gaps, unsupported = [], []
    for name, kind, source, target, meaning in _FORMULATION_GAPS:
        a, b = values.loc[source], values.loc[target]
        if pd.isna(a) or pd.isna(b):
            unsupported.append(name)
            continue
        gaps.append(FormulationGap(name, kind, round(float(b - a), 10), source, target, meaning))
    notes = [_formulation_warning(g) for g in gaps if g.size < 0]
    if values.isna().all().all():
        notes.append("The table is empty: type errors in percent into its cells.")
    return FormulationResult(values, tuple(gaps), tuple(unsupported), tuple(notes))


def _cell(value: object, label: str) -> float:
    number = check_percent(label, value, allow_none=True)
    return np.nan if number is None else number


def _formulation_warning(gap: FormulationGap) -> str:
    size = _points(gap.size)
    if gap.name == "data mismatch":
        return (f"Data mismatch is negative ({size} points): the target data is easier than "
                "the training distribution.")
    if gap.name == "target harder for humans":
        return f"Humans do better on the target data ({size} points): it is the easier one."
    if gap.kind == "avoidable bias":
        return (f"{gap.name.capitalize()} is negative ({size} points): the model beats human "
                "level there, so avoidable bias is no longer measurable.")
    return (f"{gap.name.capitalize()} is negative ({size} points): check that the examples "
            "'not trained on' were really held out.")
