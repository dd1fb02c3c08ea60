"""The iteration log: which knob the team turned at each step, which gap it aimed at, and what
happened to that gap at the next snapshot; plus the course's patterns, each prompted from
stated inputs.

Knobs sit on the orthogonalization chain: fit the training set -> fit dev -> fit test -> do
well in the real world. A gap "moved" between two snapshots when its later size lies outside
the earlier one's confidence interval (counts known), or, for typed rates, when it changed
by at least 10% of its earlier size and at least 0.1 points.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.strategy.snapshots import Snapshot, check_date
from analysis.validation import check_choice, check_percent
from analysis.waterfall_result import GAP_KINDS

SCHEMA_VERSION = 1
CHAIN = ("fit train", "fit dev", "fit test", "real world")
# Each knob and the links of the chain it acts on; early stopping acts on two at once.
KNOBS: dict[str, tuple[str, ...]] = {
    "bigger network": ("fit train",),
    "train longer": ("fit train",),
    "better optimizer": ("fit train",),
    "architecture search": ("fit train",),
    "regularization": ("fit dev",),
    "data augmentation": ("fit dev",),
    "bigger training set": ("fit dev",),
    "training data more like dev": ("fit dev",),
    "bigger dev set": ("fit test",),
    "change the dev/test set": ("real world",),
    "change the metric": ("real world",),
    "early stopping": ("fit train", "fit dev"),
}
# The gap an entry aims at: a waterfall gap, or the real world (users), which no snapshot measures.
AIMS = (*GAP_KINDS, "real world")
OUTCOMES = ("shrank", "grew", "did not move", "not measured")
PATTERNS = ("change the dev set or the metric", "orthogonalization", "look at the other gaps",
            "bigger dev set")
# "Moved" for typed rates: at least this share of the earlier value and at least these points.
MOVE_SHARE = 0.10
MOVE_POINTS = 0.1
# This many entries in a row on one gap without it shrinking prompts a look at the others.
STUCK_ENTRIES = 3


def _optional_text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text; got {value!r}.")
    return value.strip() or None


@dataclass(frozen=True)
class IterationEntry:
    """One dated step: the snapshot it was taken at or the decision made, the knob turned,
    the gap aimed at, a note, and whether the team marked users as unhappy.

    `date` also takes an ISO text ('2026-11-02') or a datetime; `knob` is one of KNOBS, `gap`
    one of AIMS; at least one of `snapshot` and `decision` is needed.

    Examples
    --------
    >>> entry = IterationEntry("2026-11-02", knob="early stopping", gap="variance",
    ...                        snapshot="v2")
    >>> entry.links
    ('fit train', 'fit dev')
    """

    date: dt.date
    knob: str
    gap: str
    snapshot: str | None = None
    decision: str | None = None
    note: str = ""
    users_unhappy: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", check_date("date", self.date))
        check_choice("knob", self.knob, tuple(KNOBS))
        check_choice("gap", self.gap, AIMS)
        snapshot = _optional_text("snapshot", self.snapshot)
        decision = _optional_text("decision", self.decision)
        if snapshot is None and decision is None:
            raise ValueError("an entry needs a snapshot name or the decision's text: say what "
                             "it refers to.")
        object.__setattr__(self, "snapshot", snapshot)
        object.__setattr__(self, "decision", decision)
        object.__setattr__(self, "note", _optional_text("note", self.note) or "")
        if not isinstance(self.users_unhappy, bool):
            raise ValueError(f"users_unhappy must be True or False; got {self.users_unhappy!r}.")

    @property
    def links(self) -> tuple[str, ...]:
        """The links of the orthogonalization chain the knob acts on."""
        return KNOBS[self.knob]

    def to_content(self) -> dict[str, Any]:
        """JSON-able form for the workspace, with a schema version."""
        return {"schema_version": SCHEMA_VERSION, "date": self.date.isoformat(),
                "knob": self.knob, "gap": self.gap, "snapshot": self.snapshot,
                "decision": self.decision, "note": self.note, "users_unhappy": self.users_unhappy}

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> IterationEntry:
        """Rebuild an entry saved by `to_content` (validated again)."""
        if not isinstance(content, Mapping) or content.get("schema_version") != SCHEMA_VERSION:
            version = content.get("schema_version") if isinstance(content, Mapping) else None
            raise ValueError(f"the stored log entry has schema version {version!r}; this version "
                             f"of the app reads version {SCHEMA_VERSION}.")
        keys = ("date", "knob", "gap", "snapshot", "decision", "note", "users_unhappy")
        missing = [k for k in ("date", "knob", "gap") if k not in content]
        if missing:
            raise ValueError(f"the stored log entry lacks {', '.join(missing)}.")
        return cls(**{k: content[k] for k in keys if k in content})


@dataclass(frozen=True)
class EntryReview:
    """What happened to the gap an entry aimed at, from its snapshot to the next one."""

    entry: IterationEntry
    before: str | None
    after: str | None
    gap_before: float | None
    gap_after: float | None
    change: float | None
    outcome: str
    explanation: str


@dataclass(frozen=True)
class Prompt:
    """A pattern the course names, found in the log: which one (one of PATTERNS), the
    message, the entries it rests on (positions in LogReview.entries, oldest first) and the
    snapshot it was seen at."""

    pattern: str
    message: str
    entries: tuple[int, ...] = ()
    snapshot: str | None = None


@dataclass(frozen=True)
class LogReview:
    """The reviewed log: one EntryReview per entry (oldest first), the prompts and warnings."""

    entries: tuple[EntryReview, ...]
    prompts: tuple[Prompt, ...]
    warnings: tuple[str, ...]
    summary: str

    def prompts_for(self, pattern: str) -> tuple[Prompt, ...]:
        """The prompts of one pattern (one of PATTERNS)."""
        check_choice("pattern", pattern, PATTERNS)
        return tuple(p for p in self.prompts if p.pattern == pattern)


# ---------------------------------------------------------------------------- moving

def _tidy(value: float) -> float:
    """Drop float dust (2.9 - 3.0 = -0.10000000000000009) that would flip a comparison."""
    return round(value, 10)


def differs(reference: float, value: float, interval: tuple[float | None, float | None]) -> bool:
    """Is `value` told apart from `reference`? Outside its interval when one is known; else
    at least MOVE_SHARE of it and at least MOVE_POINTS away (sitting on the line counts)."""
    low, high = interval
    if low is not None and high is not None:
        return not low <= value <= high
    return abs(_tidy(value - reference)) >= _tidy(max(MOVE_POINTS, MOVE_SHARE * abs(reference)))


# ---------------------------------------------------------------------------- placing entries

def _check_snapshots(snapshots: Sequence[Snapshot]) -> tuple[Snapshot, ...]:
    if isinstance(snapshots, str | bytes) or not isinstance(snapshots, Sequence):
        raise ValueError("snapshots must be a list of Snapshot objects, oldest first.")
    for i, snapshot in enumerate(snapshots):
        if not isinstance(snapshot, Snapshot):
            raise ValueError(f"snapshots[{i}] is a {type(snapshot).__name__}, not a Snapshot: build "
                             "each from its waterfall, Snapshot(name, result).")
    names = [s.name for s in snapshots]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"snapshots names {', '.join(map(repr, twice))} more than once.")
    return tuple(snapshots)


def _place(entry: IterationEntry, snapshots: Sequence[Snapshot]) -> tuple[int | None, int | None, str]:
    """Indices of the snapshot the entry starts from and the next one, or why it has none."""
    names = [s.name for s in snapshots]
    if entry.snapshot is not None:
        if entry.snapshot not in names:
            return None, None, f"it names snapshot {entry.snapshot!r}, which is not saved"
        at = names.index(entry.snapshot)
    else:
        if any(s.saved_on is None for s in snapshots):
            return None, None, "it names no snapshot and the snapshots carry no dates"
        earlier = [i for i, s in enumerate(snapshots) if s.saved_on <= entry.date]
        if not earlier:
            return None, None, "no snapshot was saved on or before its date"
        at = earlier[-1]
    if at + 1 >= len(snapshots):
        return at, None, "no snapshot has been saved after it yet"
    return at, at + 1, ""


def _review_entry(entry: IterationEntry, snapshots: Sequence[Snapshot]) -> EntryReview:
    at, after, why = _place(entry, snapshots)
    before_name = None if at is None else snapshots[at].name
    if entry.gap == "real world":
        return EntryReview(entry, before_name, None, None, None, None, "not measured",
                           "It aims at the real world, which no snapshot measures: ask the users.")
    if at is None or after is None:
        return EntryReview(entry, before_name, None, None, None, None, "not measured",
                           f"Not measured: {why}.")
    start, end = snapshots[at].gap(entry.gap), snapshots[after].gap(entry.gap)
    after_name = snapshots[after].name
    if start is None or end is None:
        missing = before_name if start is None else after_name
        return EntryReview(entry, before_name, after_name, None, None, None, "not measured",
                           f"Not measured: snapshot {missing!r} has no {entry.gap} gap.")
    change = _tidy(end.size - start.size)
    if not differs(start.size, end.size, (start.low, start.high)):
        outcome = "did not move"
    else:
        outcome = "shrank" if change < 0 else "grew"
    rule = (f"its {snapshots[at].result.confidence:.0%} interval {start.low:.2f} to {start.high:.2f}"
            if start.low is not None and start.high is not None else
            f"the {max(MOVE_POINTS, MOVE_SHARE * abs(start.size)):.2f}-point line")
    text = (f"{entry.gap.capitalize()} went from {start.size:.2f} to {end.size:.2f} points "
            f"({change:+.2f}) between {before_name!r} and {after_name!r}: {outcome} (measured "
            f"against {rule}).")
    return EntryReview(entry, before_name, after_name, start.size, end.size, change, outcome, text)


# ---------------------------------------------------------------------------- patterns

def _unhappy_prompts(reviews: Sequence[EntryReview], snapshots: Sequence[Snapshot],
                     target: float | None) -> tuple[list[Prompt], list[str]]:
    prompts, notes = [], []
    by_name = {s.name: s for s in snapshots}
    for i, review in enumerate(reviews):
        if not review.entry.users_unhappy:
            continue
        snapshot = by_name.get(review.before) if review.before else None
        if target is None or snapshot is None:
            notes.append(f"Entry {i + 1} marks users as unhappy, but "
                         + ("no target error was given" if target is None else "no snapshot "
                            "precedes it") + ": whether dev and test are fine cannot be told.")
            continue
        dev, test = snapshot.error("dev"), snapshot.error("test")
        measured = [v for v in (dev, test) if v is not None]
        if measured and all(v <= target for v in measured):
            shown = " and ".join(f"{lvl} {v:g}%" for lvl, v in (("dev", dev), ("test", test))
                                 if v is not None)
            prompts.append(Prompt(PATTERNS[0],
                                  f"Users are unhappy while {shown} meet the target ({target:g}%) "
                                  f"at {snapshot.name!r}: doing well on dev/test no longer means "
                                  "doing well where it matters. Change the dev/test set (to the "
                                  "data users bring) or the metric (weight the errors they mind).",
                                  (i,), snapshot.name))
    return prompts, notes


def _orthogonalization_prompts(reviews: Sequence[EntryReview]) -> list[Prompt]:
    prompts = []
    for i, review in enumerate(reviews):
        links = review.entry.links
        if len(links) > 1:
            prompts.append(Prompt(PATTERNS[1],
                                  f"{review.entry.knob.capitalize()} acts on {' and '.join(links)} "
                                  "at once: it fits the training set less well and regularises at "
                                  "the same time, so its effect on each gap is hard to read. Prefer "
                                  "one knob per effect (a bigger network or a better optimizer for "
                                  "train; L2, dropout or more data for dev).", (i,), review.before))
    return prompts


def _stuck_prompts(reviews: Sequence[EntryReview], snapshots: Sequence[Snapshot]) -> list[Prompt]:
    prompts = []
    for kind in GAP_KINDS:
        run: list[int] = []
        for i, review in enumerate(reviews):
            if review.entry.gap != kind or review.outcome == "not measured":
                continue
            run = [] if review.outcome == "shrank" else [*run, i]
            if len(run) == STUCK_ENTRIES:
                prompts.append(Prompt(PATTERNS[2], _stuck_message(kind, run, snapshots),
                                      tuple(run), review.after))
    return prompts


def _stuck_message(kind: str, run: Sequence[int], snapshots: Sequence[Snapshot]) -> str:
    latest = snapshots[-1].result
    others = sorted((g for g in latest.gaps if g.kind != kind and g.size > 0),
                    key=lambda g: -g.size)
    listed = ", ".join(f"{g.kind} ({g.size:.2f} points)" for g in others) or "none is positive"
    entries = ", ".join(str(i + 1) for i in run)
    return (f"Entries {entries} aimed at {kind} in a row without it shrinking: look at the other "
            f"gaps (at {snapshots[-1].name!r}: {listed}) before turning another {kind} knob.")


def _dev_set_prompts(snapshots: Sequence[Snapshot]) -> list[Prompt]:
    prompts = []
    for snapshot in snapshots:
        levels = {s.split: s for s in snapshot.result.levels}
        dev, test = levels.get("dev"), levels.get("test")
        if dev is None or test is None or test.error <= dev.error:
            continue
        if differs(dev.error, test.error, (dev.low, dev.high)):
            where = (f"beyond dev's interval ({dev.low:.2f} to {dev.high:.2f}%)"
                     if dev.low is not None and dev.high is not None else
                     f"by more than {max(MOVE_POINTS, MOVE_SHARE * dev.error):.2f} points")
            prompts.append(Prompt(PATTERNS[3],
                                  f"At {snapshot.name!r} test error ({test.error:g}%) is above dev "
                                  f"error ({dev.error:g}%) {where}: the dev set has been overfit. "
                                  "Get a bigger dev set.", (), snapshot.name))
    return prompts


def review_log(entries: Sequence[IterationEntry], snapshots: Sequence[Snapshot], *,
               target_error_pct: float | None = None) -> LogReview:
    """Review the log against the snapshots: each entry's outcome and the course's patterns.

    Parameters
    ----------
    entries : sequence of IterationEntry
        In any order; reviewed oldest first (by date, then as given).
    snapshots : sequence of Snapshot
        Oldest first. An entry naming a snapshot starts there; one without starts at the last
        snapshot saved on or before its date. Its outcome is read at the next snapshot.
    target_error_pct : float, optional
        The dev/test error the project aims for; "users unhappy" prompts a change of dev set
        or metric only when dev and test meet it.

    Returns
    -------
    LogReview

    Examples
    --------
    >>> from analysis.bias_variance import decompose
    >>> snaps = [Snapshot("v1", decompose(human=1, train=8, dev=10)),
    ...          Snapshot("v2", decompose(human=1, train=3, dev=6))]
    >>> entry = IterationEntry("2026-11-02", knob="bigger network", gap="avoidable bias",
    ...                        snapshot="v1")
    >>> review_log([entry], snaps).entries[0].outcome
    'shrank'
    """
    if isinstance(entries, str | bytes) or not isinstance(entries, Sequence):
        raise ValueError("entries must be a list of IterationEntry objects.")
    for i, entry in enumerate(entries):
        if not isinstance(entry, IterationEntry):
            raise ValueError(f"entries[{i}] is a {type(entry).__name__}, not an IterationEntry.")
    saved = _check_snapshots(snapshots)
    target = check_percent("target_error_pct", target_error_pct, allow_none=True)
    ordered = sorted(entries, key=lambda e: e.date)
    reviews = tuple(_review_entry(entry, saved) for entry in ordered)
    unhappy, notes = _unhappy_prompts(reviews, saved, target)
    prompts = [*unhappy, *_orthogonalization_prompts(reviews)]
    if saved:
        prompts += _stuck_prompts(reviews, saved) + _dev_set_prompts(saved)
    else:
        notes.append("No snapshot is saved: no entry's outcome can be measured.")
    return LogReview(reviews, tuple(prompts), tuple(notes), _summary(reviews, prompts))


def _summary(reviews: Sequence[EntryReview], prompts: Sequence[Prompt]) -> str:
    if not reviews:
        return "The log is empty: add an entry per snapshot or decision."
    counts = {o: sum(r.outcome == o for r in reviews) for o in OUTCOMES}
    told = ", ".join(f"{n} {o}" for o, n in counts.items() if n)
    found = f"; {len(prompts)} pattern(s) to look at" if prompts else ""
    return f"{len(reviews)} entries: the aimed gap {told}{found}."
