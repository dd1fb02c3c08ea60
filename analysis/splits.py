"""The data-split planner: where each source's examples go (train, train-dev, dev, test), with
the course's rules applied, explained and checked; how big dev and test must be comes from
analysis.sample_size.

Rules applied: dev and test come from the target distribution only and share it; target data
left over after dev and test goes into train; a train-dev slice is carved at random from the
training distribution (not trained on) so variance can be told apart from data mismatch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.predictions import SPLITS, canonical_split
from analysis.sample_size import SampleSize
from analysis.validation import check_choice, check_count, rows_preview

SPLIT_ORDER = SPLITS

# Defaults of the course-style split when sizes are not given: a quarter of the target data
# each for dev and test when other sources supply the training data (200,000 web + 10,000
# mobile -> 2,500 / 2,500), a fifth each when the target is all there is (60/20/20), and never
# more than 10,000 each (1% of a million, the course's "98/1/1" for big data).
MISMATCHED_FRACTION = 0.25
SINGLE_SOURCE_FRACTION = 0.20
DEFAULT_CAP = 10_000
# Two-way (train / test, no dev set): the course's 70/30 for small data.
TWO_WAY_FRACTION = 0.30
TWO_WAY_DEV_WHY = "no dev set (a two-way train / test split)"
TWO_WAY_NOTE = ("Two-way split (no dev set): every choice made by looking at the test error (a "
                "model, a hyperparameter, when to stop) fits the test set, which then stops being "
                "an unbiased estimate of the final error: it has become a dev set. Keep a test "
                "set you never tune on when the final figure must be trusted.")
# A train-dev slice the size of dev estimates its error as precisely as dev does; it never takes
# more than a tenth of the training pool.
TRAIN_DEV_POOL_SHARE = 0.10


# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------

_SOURCE_ITEM = re.compile(
    r"\s*(?P<name>[^:=;\n,]+?)\s*[:=]\s*(?P<size>\d{1,3}(?:[,_ ]\d{3})+(?!\d)|\d+)\s*(?:[;\n,]|$)")


def parse_sources(text: str) -> dict[str, int]:
    """Read sources typed as ``"web: 200,000; mobile: 10,000"`` into {name: size}.

    Items are separated by ``;``, ``,`` or new lines; sizes may use ``,``, ``_`` or spaces as
    thousands separators.

    Examples
    --------
    >>> parse_sources("web: 200,000, mobile: 10000")
    {'web': 200000, 'mobile': 10000}
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("sources is empty: type each source with its size, "
                         "e.g. 'web: 200000; mobile: 10000'.")
    sources: dict[str, int] = {}
    position = 0
    stripped = text.strip()
    while position < len(stripped):
        match = _SOURCE_ITEM.match(stripped, position)
        if match is None or match.end() == position:
            rest = stripped[position:].split(";")[0].split("\n")[0][:40]
            raise ValueError(f"sources: could not read {rest!r}; write each source as "
                             "'name: size', e.g. 'web: 200000; mobile: 10000'.")
        name = match["name"].strip()
        if name in sources:
            raise ValueError(f"sources: {name!r} is listed twice; give each source once.")
        sources[name] = int(re.sub(r"[,_ ]", "", match["size"]))
        position = match.end()
    return _check_sources(sources)


def format_sources(sources: Mapping[str, int]) -> str:
    """The text form parse_sources reads (for a prefilled input or a link)."""
    return "; ".join(f"{name}: {size}" for name, size in sources.items())


def _check_sources(sources: Mapping[str, object]) -> dict[str, int]:
    if not isinstance(sources, Mapping) or not sources:
        raise ValueError("sources must name at least one source with its number of examples, "
                         "e.g. {'web': 200000, 'mobile': 10000}.")
    checked: dict[str, int] = {}
    for name, size in sources.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"sources: every source needs a name, got {name!r}.")
        checked[name.strip()] = check_count(f"size of source {name!r}", size)
    if sum(checked.values()) == 0:
        raise ValueError("sources: every source has 0 examples; enter the sizes.")
    return checked


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SplitPlan:
    """Recommended composition: how many examples of each source go to each split."""

    sources: tuple[tuple[str, int], ...]
    target: str
    counts: tuple[tuple[str, str, int], ...]  # (split, source, count)
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    dev_needed: SampleSize | None = None
    test_needed: SampleSize | None = None
    two_way: bool = False  # train / test only (no dev set)

    def count(self, split: str, source: str | None = None) -> int:
        """Examples in `split` (from `source` only, if given)."""
        check_choice("split", split, SPLIT_ORDER)
        return sum(c for s, src, c in self.counts if s == split and (source is None or src == source))

    def training_pool(self, source: str | None = None) -> int:
        """The training distribution before the train-dev slice is carved out (train + train-dev)."""
        return self.count("train", source) + self.count("train-dev", source)

    def table(self) -> pd.DataFrame:
        """Splits as rows, sources as columns, plus total and share of all examples."""
        return composition_table(self.counts, [name for name, _ in self.sources])

    def to_dict(self) -> dict[str, object]:
        return {"sources": dict(self.sources), "target": self.target,
                "counts": [{"split": s, "source": src, "count": c} for s, src, c in self.counts],
                "notes": list(self.notes), "warnings": list(self.warnings),
                "dev_needed": self.dev_needed.to_dict() if self.dev_needed else None,
                "test_needed": self.test_needed.to_dict() if self.test_needed else None,
                "two_way": self.two_way}


def composition_table(counts: Sequence[tuple[str, str, int]], sources: Sequence[str]) -> pd.DataFrame:
    """Turn (split, source, count) triples into the splits x sources table the page shows."""
    table = pd.DataFrame(0, index=pd.Index(SPLIT_ORDER, name="split"), columns=list(sources),
                         dtype="int64")
    for split, source, count in counts:
        table.loc[split, source] += int(count)
    table["total"] = table.sum(axis=1)
    grand = int(table["total"].sum())
    table["share of all"] = table["total"] / grand if grand else 0.0
    return table


def apportion(weights: Sequence[int], total: int) -> list[int]:
    """Split `total` into whole parts proportional to `weights` (largest remainder method).

    Each part is at most its weight; ties go to the earlier weight, so results are stable.

    Examples
    --------
    >>> apportion([200000, 5000], 2500)
    [2439, 61]
    """
    weights = [int(w) for w in weights]
    available = sum(weights)
    if total > available:
        raise ValueError(f"cannot take {total:,} examples from {available:,}.")
    if available == 0 or total == 0:
        return [0] * len(weights)
    exact = [w * total / available for w in weights]
    parts = [min(math.floor(x), w) for x, w in zip(exact, weights, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    short = total - sum(parts)
    for i in order:
        if short == 0:
            break
        if parts[i] < weights[i]:
            parts[i] += 1
            short -= 1
    return parts


def _default_size(target_size: int, mismatched: bool, cap: int) -> tuple[int, str]:
    fraction = MISMATCHED_FRACTION if mismatched else SINGLE_SOURCE_FRACTION
    size = min(math.floor(target_size * fraction), cap)
    why = (f"{fraction:.0%} of the {target_size:,} target examples"
           + (f", capped at {cap:,}" if size == cap and target_size * fraction > cap else "")
           + (" (other sources supply most of the training data)" if mismatched
              else " (the course's 60/20/20 for small data, about 98/1/1 for a million)"))
    return size, why


def two_way_test_size(target_size: int, cap: int = DEFAULT_CAP) -> tuple[int, str]:
    """The default test size of a two-way split and why: 30% of the target, at most `cap`.

    Examples
    --------
    >>> two_way_test_size(1_000)[0], two_way_test_size(1_000_000)[0]
    (300, 10000)
    """
    size = min(math.floor(target_size * TWO_WAY_FRACTION), cap)
    capped = size == cap and target_size * TWO_WAY_FRACTION > cap
    return size, (f"{TWO_WAY_FRACTION:.0%} of the {target_size:,} target examples"
                  + (f", capped at {cap:,}" if capped else "")
                  + " (the course's 70/30 for small data)")


def _size_or_default(name: str, given: int | None, needed: SampleSize | None,
                     default: tuple[int, str]) -> tuple[int, str]:
    if given is not None:
        return check_count(name, given), "the size you entered"
    if needed is not None:
        return needed.n, f"the size needed: {needed.explanation}"
    return default


def plan_splits(sources: Mapping[str, int], *, target: str, dev_size: int | None = None,
                test_size: int | None = None, train_dev_size: int | None = None,
                dev_needed: SampleSize | None = None, test_needed: SampleSize | None = None,
                cap: int = DEFAULT_CAP, two_way: bool = False) -> SplitPlan:
    """Recommend how many examples of each source go to train, train-dev, dev and test.

    Dev and test are drawn only from `target` (the distribution the model will meet); target
    data left over goes into train with every other source; a train-dev slice, proportional to
    the training pool's sources, is carved out of train. Sizes not given come from
    `dev_needed` / `test_needed` (see dev_size_to_detect, size_for_interval) or else the
    default rule (a quarter of the target each with other sources, a fifth each when the target
    is all there is, at most `cap` each). A given size smaller than the needed one is warned about.
    `two_way` plans train / test with no dev set (by default 30% of the target for test, the
    course's 70/30 for small data, at most `cap`), and says what that costs.

    Examples
    --------
    >>> plan = plan_splits({"web": 200_000, "mobile": 10_000}, target="mobile")
    >>> plan.count("dev", "mobile"), plan.count("test", "mobile"), plan.training_pool("mobile")
    (2500, 2500, 5000)
    """
    sources = _check_sources(sources)
    target = check_choice("target", target, list(sources))
    cap = check_count("cap", cap, minimum=1)
    target_size = sources[target]
    others = {name: size for name, size in sources.items() if name != target and size > 0}
    mismatched = bool(others)
    if target_size == 0:
        raise ValueError(f"target source {target!r} has 0 examples: dev and test must come from "
                         "the target distribution, so collect some target data first.")
    default = _default_size(target_size, mismatched, cap)
    if two_way:
        if dev_size or dev_needed is not None:
            raise ValueError("a two-way split has no dev set: leave the dev size empty, or plan "
                             "train / dev / test instead.")
        dev, dev_why = 0, TWO_WAY_DEV_WHY
        default = two_way_test_size(target_size, cap)
    else:
        dev, dev_why = _size_or_default("dev_size", dev_size, dev_needed, default)
    test, test_why = _size_or_default("test_size", test_size, test_needed, default)
    _check_dev_test_fit(dev, test, target_size, target, dev_given=dev_size is not None,
                        test_given=test_size is not None)
    leftover = target_size - dev - test
    pool = {**{name: size for name, size in sources.items() if name != target}, target: leftover}
    pool_total = sum(pool.values())
    train_dev = _train_dev_size(train_dev_size, dev or test, pool_total, mismatched)
    names = list(pool)
    carved = dict(zip(names, apportion([pool[n] for n in names], train_dev), strict=True))
    counts: list[tuple[str, str, int]] = []
    for name in sources:
        counts.append(("train", name, pool.get(name, 0) - carved.get(name, 0)))
        counts.append(("train-dev", name, carved.get(name, 0)))
        counts.append(("dev", name, dev if name == target else 0))
        counts.append(("test", name, test if name == target else 0))
    warnings = _size_warnings(dev if not two_way else test, test, dev_needed, test_needed)
    warnings += _pool_warnings(target, mismatched, leftover, train_dev, pool_total)
    notes = _plan_notes(sources, target, dev, dev_why, test, test_why, leftover, others,
                        train_dev, carved, pool_total)
    if two_way:
        notes.append(TWO_WAY_NOTE)
    return SplitPlan(sources=tuple(sources.items()), target=target, counts=tuple(counts),
                     notes=tuple(notes), warnings=tuple(warnings),
                     dev_needed=dev_needed, test_needed=test_needed, two_way=two_way)


def _check_dev_test_fit(dev: int, test: int, target_size: int, target: str, *, dev_given: bool,
                        test_given: bool) -> None:
    """Dev and test both come from the target: together they cannot exceed it."""
    if dev + test <= target_size:
        return
    dev_name = "dev_size" if dev_given else "the dev size needed"
    test_name = "test_size" if test_given else "the test size needed"
    raise ValueError(
        f"{dev_name} ({dev:,}) + {test_name} ({test:,}) = {dev + test:,} exceeds the "
        f"{target_size:,} examples of the target {target!r}: dev and test must both come "
        "from the target, so lower them (or relax what they must detect) or collect more "
        "target data.")


def _train_dev_size(given: int | None, dev: int, pool_total: int, mismatched: bool) -> int:
    """The given train-dev size, or by default as big as dev within a tenth of the pool
    (none when train and dev share one distribution)."""
    if given is None:
        train_dev = min(dev, math.floor(pool_total * TRAIN_DEV_POOL_SHARE)) if mismatched else 0
    else:
        train_dev = check_count("train_dev_size", given)
    if train_dev > pool_total:
        raise ValueError(f"train_dev_size ({train_dev:,}) exceeds the {pool_total:,} examples "
                         "left for training: lower it.")
    return train_dev


def _size_warnings(dev: int, test: int, dev_needed: SampleSize | None,
                   test_needed: SampleSize | None) -> list[str]:
    warnings: list[str] = []
    if dev == 0 or test == 0:
        warnings.append("A dev or test set of 0 examples cannot measure anything: give both "
                        "at least a few hundred target examples.")
    for label, size, needed in (("dev", dev, dev_needed), ("test", test, test_needed)):
        if needed is not None and size < needed.n:
            warnings.append(f"The {label} set ({size:,}) is smaller than the {needed.n:,} "
                            f"needed: {needed.explanation}")
    return warnings


def _pool_warnings(target: str, mismatched: bool, leftover: int, train_dev: int,
                   pool_total: int) -> list[str]:
    warnings: list[str] = []
    if pool_total - train_dev <= 0:
        warnings.append("Nothing is left to train on: lower dev, test or train-dev.")
    if mismatched and leftover == 0:
        warnings.append(f"No {target!r} examples are left for train: the model never sees the "
                        "distribution it is judged on. Consider smaller dev/test sets.")
    if mismatched and train_dev == 0:
        warnings.append("Without a train-dev set you cannot tell variance from data mismatch "
                        "(train and dev come from different distributions).")
    return warnings


def _plan_notes(sources: Mapping[str, int], target: str, dev: int, dev_why: str, test: int,
                test_why: str, leftover: int, others: Mapping[str, int], train_dev: int,
                carved: Mapping[str, int], pool_total: int) -> list[str]:
    """The course's rules as they apply to these numbers, one sentence each."""
    notes = [f"Dev and test both come from the target {target!r} only: they must share the "
             "distribution you expect in the future and care to do well on.",
             f"Dev = {dev:,}: {dev_why}.",
             f"Test = {test:,}: {test_why}."]
    if others:
        listing = ", ".join(f"{size:,} {name!r}" for name, size in others.items())
        notes.append(f"All {listing} examples go into train: training data may come from elsewhere.")
    if leftover:
        notes.append(f"The other {leftover:,} {target!r} examples go into train, so the model "
                     "learns from the distribution it is judged on.")
    if train_dev:
        split_up = ", ".join(f"{c:,} {n!r}" for n, c in carved.items() if c)
        notes.append(f"Train-dev: {train_dev:,} examples ({split_up}) carved at random from the "
                     f"{pool_total:,}-example training pool and not trained on: the gap train -> "
                     "train-dev is variance, train-dev -> dev is data mismatch.")
    elif not others:
        notes.append("Train and dev come from the same distribution, so no train-dev set is "
                     "needed: the train -> dev gap is variance.")
    if others:
        total = sum(sources.values())
        other_share = sum(others.values()) / total
        notes.append(f"Do not shuffle all sources together: dev would then be {other_share:.0%} "
                     f"non-{target!r} data, aiming the team at the wrong target.")
    return notes


# ---------------------------------------------------------------------------------------------
# Checking a split the user already has
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SplitAudit:
    """A user's split checked against the course's rules."""

    table: pd.DataFrame
    target: str
    warnings: tuple[str, ...]
    passed: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.warnings

    def to_dict(self) -> dict[str, object]:
        return {"target": self.target, "warnings": list(self.warnings),
                "passed": list(self.passed),
                "table": self.table.reset_index().to_dict(orient="records")}


def split_counts(frame: pd.DataFrame, *, split_column: str, source_column: str) -> pd.DataFrame:
    """Count examples per (split, source) in a table that already has a split column."""
    for label, column in (("split_column", split_column), ("source_column", source_column)):
        if column not in frame.columns:
            raise ValueError(f"{label} {column!r} is not a column of the file; columns are "
                             f"{', '.join(map(repr, map(str, frame.columns[:12])))}.")
    splits = frame[split_column].map(canonical_split)
    bad = np.flatnonzero(splits.isna().to_numpy())
    if len(bad):
        values = list(dict.fromkeys(frame[split_column].iloc[bad].astype(str).tolist()))[:3]
        raise ValueError(f"column {split_column!r} has {len(bad)} values that are not a split "
                         f"name (train, train-dev, dev, test): {', '.join(map(repr, values))} "
                         f"({rows_preview(bad)}).")
    sources = frame[source_column].astype(str)
    crosstab = pd.crosstab(splits, sources)
    long = [(split, source, int(crosstab.loc[split, source]))
            for split in crosstab.index for source in crosstab.columns]
    return composition_table(long, list(crosstab.columns))


def audit_split(table: pd.DataFrame, *, target: str) -> SplitAudit:
    """Check a split (splits as rows, sources as columns, counts) against the course's rules.

    Warns when dev or test hold non-target data, when either is missing, when train has other
    sources but no train-dev set, when train-dev's source mix does not look like a random
    slice of train, and when train holds no target data although other sources are there.
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ValueError("the split table is empty: give counts per split (rows) and source (columns).")
    sources = [c for c in table.columns if c not in ("total", "share of all")]
    target = check_choice("target", target, [str(s) for s in sources])
    counts: list[tuple[str, str, int]] = []
    for split, row in table.iterrows():
        canonical = canonical_split(split)
        if canonical is None:
            raise ValueError(f"split table: row {split!r} is not a split name "
                             "(train, train-dev, dev, test).")
        for source in sources:
            counts.append((canonical, str(source),
                           check_count(f"count of {source!r} in {split!r}", row[source])))
    clean = composition_table(counts, [str(s) for s in sources])
    warnings: list[str] = []
    passed: list[str] = []
    _check_dev_test(clean, target, warnings, passed)
    _check_train_side(clean, target, warnings, passed)
    return SplitAudit(table=clean, target=target, warnings=tuple(warnings), passed=tuple(passed))


def _check_dev_test(table: pd.DataFrame, target: str, warnings: list[str], passed: list[str]) -> None:
    for split in ("dev", "test"):
        total = int(table.loc[split, "total"])
        if total == 0:
            warnings.append(f"There is no {split} set: the course needs both dev (to choose "
                            "between ideas) and test (for an unbiased final figure).")
            continue
        off_target = total - int(table.loc[split, target])
        if off_target:
            warnings.append(
                f"{split} is {off_target / total:.0%} non-{target!r} data ({off_target:,} of "
                f"{total:,}): dev and test must come from the target distribution only "
                "(did you shuffle all sources together?).")
        else:
            passed.append(f"{split} comes from the target {target!r} only.")


def _check_train_side(table: pd.DataFrame, target: str, warnings: list[str],
                      passed: list[str]) -> None:
    train_total = int(table.loc["train", "total"])
    off_target_train = train_total - int(table.loc["train", target])
    train_dev_total = int(table.loc["train-dev", "total"])
    if train_total == 0:
        warnings.append("There is no train set.")
        return
    if off_target_train and int(table.loc["train", target]) == 0:
        warnings.append(f"train holds no {target!r} examples: put the target data left over "
                        "after dev and test into train.")
    if off_target_train and train_dev_total == 0:
        warnings.append("train mixes in other sources but there is no train-dev set: you will "
                        "not be able to tell variance from data mismatch.")
    elif train_dev_total:
        share_train = int(table.loc["train", target]) / train_total
        share_td = int(table.loc["train-dev", target]) / train_dev_total
        # A random slice differs from train only by sampling noise; allow 3 standard errors.
        tolerance = max(0.02, 3 * math.sqrt(max(share_train * (1 - share_train), 1e-12) / train_dev_total))
        if abs(share_td - share_train) > tolerance:
            warnings.append(
                f"train-dev is {share_td:.1%} {target!r} but train is {share_train:.1%}: "
                "train-dev should be a random slice of the training distribution.")
        else:
            passed.append("train-dev looks like a random slice of train.")


def shuffled_split(sources: Mapping[str, int], *, dev_size: int, test_size: int,
                   train_dev_size: int = 0) -> pd.DataFrame:
    """What shuffling every source together would give (the mistake the course warns about)."""
    sources = _check_sources(sources)
    names = list(sources)
    remaining = dict(sources)
    counts: list[tuple[str, str, int]] = []
    for split, size in (("dev", dev_size), ("test", test_size), ("train-dev", train_dev_size)):
        size = check_count(f"{split} size", size)
        parts = apportion([remaining[n] for n in names], size)
        for name, part in zip(names, parts, strict=True):
            counts.append((split, name, part))
            remaining[name] -= part
    counts.extend(("train", name, remaining[name]) for name in names)
    return composition_table(counts, names)
