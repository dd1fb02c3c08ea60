"""The error waterfall: where a model's error comes from.

Human-level error stands in for Bayes error; each step down the chain human -> train ->
train-dev -> dev -> test is one gap (avoidable bias, variance, data mismatch, overfitting to
dev). The gaps are computed from typed rates (`decompose`) or from a predictions file
(`decompose_predictions`). Every result carries its numbers, its diagnosis and its warnings.

Beside this module: the result types (analysis.waterfall_result), its words
(analysis.waterfall_diagnosis), the general formulation's 3x2 table
(analysis.general_formulation), errors per split (analysis.split_errors) and the course's
cases (analysis.waterfall_cases).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.predictions import Predictions
from analysis.split_errors import errors_by_split
from analysis.stats import wilson_interval
from analysis.validation import (
    check_choice,
    check_confidence,
    check_count,
    check_number,
    check_percent,
)
from analysis.waterfall_diagnosis import (
    TACTICS,
    TASK_KINDS,
    beyond_human_notes,
    diagnosis_text,
    gap_warnings,
)
from analysis.waterfall_result import (
    LEVEL_ARGUMENTS,
    LEVELS,
    BiasVarianceResult,
    Gap,
    SplitError,
)

# Each gap is the step from one level of the waterfall to the next.
_GAP_STEPS = (
    ("avoidable bias", "human", "train"),
    ("variance", "train", "train-dev"),
    ("data mismatch", "train-dev", "dev"),
    ("overfitting to dev", "dev", "test"),
)
# Two problems tie when, without counts, their sizes differ by at most this many points.
TIE_POINTS = 0.1


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
        given = [LEVEL_ARGUMENTS[k] for k in ("train-dev", "dev", "test") if rates[k] is not None]
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
            raise ValueError(f"sizes[{name!r}] was given but {LEVEL_ARGUMENTS[level]} was not.")
        checked[level] = check_count(f"sizes[{name!r}]", value, minimum=1)
    return checked


def _level_name(name: object) -> str:
    """Accept 'train_dev' (the argument name) as well as 'train-dev' (the level name)."""
    text = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    return check_choice("sizes key", text, LEVELS)


# ---------------------------------------------------------------------------- the decomposition

def decompose(human: object, train: object, train_dev: object = None, dev: object = None,
              test: object = None, *, sizes: Mapping[str, object] | None = None,
              confidence: float = 0.95, relative_threshold: float = 0.5,
              bayes_error_pct: object = None, task_kind: str | None = None) -> BiasVarianceResult:
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
    bayes_error_pct : float, optional
        A separately estimated Bayes error in percent. When given it is the proxy the
        avoidable bias is measured from, instead of the best human level (useful once the
        model passes the best human, where human level no longer bounds what is reachable).
    task_kind : {'structured data', 'perception'}, optional
        What kind of task this is; it shapes the note shown when training error falls below
        human level (structured-data problems surpass humans far more often).

    Returns
    -------
    BiasVarianceResult
        Two problems that tie for largest (the smaller lies inside the larger's interval, or
        within 0.1 points without counts) are listed in `ties` and the diagnosis says so.

    Examples
    --------
    >>> result = decompose(human=1, train=8, dev=10)
    >>> result.main_problem, result.avoidable_bias, result.variance
    ('avoidable bias', 7.0, 2.0)
    >>> decompose(0, 10, train_dev=11, dev=20).problems
    ('avoidable bias', 'data mismatch')
    >>> decompose(human=4, train=7, train_dev=10).ties
    ('avoidable bias', 'variance')
    """
    references = _check_human(human)
    rates = _check_chain(train, train_dev, dev, test)
    check_confidence(confidence)
    check_number("relative_threshold", relative_threshold, low=0.0, high=1.0)
    counts = _check_sizes(sizes, rates)
    bayes_estimate = check_percent("bayes_error_pct", bayes_error_pct, allow_none=True)
    kind = _check_task_kind(task_kind)
    levels = _levels(_proxy(references, bayes_estimate), rates, counts, confidence)
    return _diagnose(references, levels, confidence=confidence,
                     relative_threshold=relative_threshold, from_data=False,
                     bayes_error_pct=bayes_estimate, task_kind=kind)


def _check_task_kind(task_kind: object) -> str | None:
    return None if task_kind is None else check_choice("task_kind", task_kind, TASK_KINDS)


def _proxy(references: Sequence[tuple[str, float]], bayes_error_pct: float | None) -> float | None:
    """The Bayes proxy: the separate Bayes estimate when given, else the best human level."""
    if bayes_error_pct is not None:
        return bayes_error_pct
    return min((value for _, value in references), default=None)


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
        # reads it as variance (human 7.5, train 8, dev 10 -> variance).
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
              confidence: float, relative_threshold: float, from_data: bool,
              bayes_error_pct: float | None, task_kind: str | None) -> BiasVarianceResult:
    gaps = _gaps(levels, relative_threshold)
    problems = tuple(g.kind for g in sorted((g for g in gaps if g.matters), key=lambda g: -g.size))
    ties = _ties(gaps, problems)
    by_kind = {g.kind: g.size for g in gaps}
    has_train_dev = any(s.split == "train-dev" for s in levels)
    best_human = min((value for _, value in references), default=None)
    notes = gap_warnings(levels, gaps, has_train_dev, confidence)
    notes += beyond_human_notes(levels, best_human, bayes_error_pct, task_kind)
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
        warnings=tuple(notes),
        diagnosis=diagnosis_text(gaps, problems, ties),
        confidence=confidence,
        from_data=from_data,
        ties=ties,
        bayes_error_pct=bayes_error_pct,
        task_kind=task_kind,
    )


def _ties(gaps: Sequence[Gap], problems: Sequence[str]) -> tuple[str, ...]:
    """The problems that cannot be told apart from the largest one, the largest first.

    With an interval on the largest gap, a smaller one ties when its size lies inside that
    interval; without counts, when it is within TIE_POINTS of the largest.
    """
    if len(problems) < 2:
        return ()
    by_kind = {g.kind: g for g in gaps}
    largest = by_kind[problems[0]]
    tied = [problems[0]]
    for kind in problems[1:]:
        size = by_kind[kind].size
        if largest.low is not None and largest.high is not None:
            inside = largest.low <= size <= largest.high
        else:
            inside = _tidy(largest.size - size) <= TIE_POINTS
        if inside:
            tied.append(kind)
    return tuple(tied) if len(tied) > 1 else ()




# ---------------------------------------------------------------------------- from data

def decompose_predictions(predictions: Predictions | pd.DataFrame, *, human: object = None,
                          threshold: float = 0.5, model: str | None = None,
                          confidence: float = 0.95, relative_threshold: float = 0.5,
                          bayes_error_pct: object = None, task_kind: str | None = None,
                          **columns: str) -> BiasVarianceResult:
    """The waterfall from a predictions file: errors per split with intervals, then the gaps.

    A gap whose confidence interval contains 0 is reported in `within_noise` and the
    warnings, not as a problem. `bayes_error_pct` and `task_kind` work as in `decompose`.
    `columns` passes y_true=, y_pred=, split= for a plain frame.

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
    return decompose_split_errors(table, human=human, confidence=confidence,
                                  relative_threshold=relative_threshold,
                                  bayes_error_pct=bayes_error_pct, task_kind=task_kind)


def decompose_split_errors(table: pd.DataFrame, *, human: object = None,
                           confidence: float = 0.95, relative_threshold: float = 0.5,
                           bayes_error_pct: object = None,
                           task_kind: str | None = None) -> BiasVarianceResult:
    """The waterfall from per-split error counts (errors_by_split's table, however computed:
    in memory or by a data source's engine)."""
    present = table["split"].tolist()
    if "train" not in present:
        raise ValueError(f"predictions has no 'train' rows (splits found: "
                         f"{', '.join(present) or 'none'}): the waterfall starts at the "
                         "training error, so include training-set predictions.")
    if "test" in present and "dev" not in present:
        raise ValueError("predictions has 'test' rows but no 'dev' rows: add dev predictions.")
    references = _check_human(human)
    check_number("relative_threshold", relative_threshold, low=0.0, high=1.0)
    bayes_estimate = check_percent("bayes_error_pct", bayes_error_pct, allow_none=True)
    kind = _check_task_kind(task_kind)
    bayes = _proxy(references, bayes_estimate)
    levels = [] if bayes is None else [SplitError("human", bayes)]
    levels += [SplitError(r.split, float(r.error), int(r.examples), int(r.errors),
                          float(r.low), float(r.high)) for r in table.itertuples()]
    return _diagnose(references, tuple(levels), confidence=confidence,
                     relative_threshold=relative_threshold, from_data=True,
                     bayes_error_pct=bayes_estimate, task_kind=kind)
