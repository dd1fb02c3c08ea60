"""The project's strategy in the workspace: its goal, iteration log, learning curve and the
waterfall snapshots they refer to, read and written through the access gate.

`project_goal()` is the public reader other pages use for the metric, the satisficing bounds
and the costs of errors. The pure helpers (form rows -> goal, stored content <-> objects) take
and return plain data, so they are unit-tested without a running app.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import pandas as pd

from analysis.bias_variance import decompose
from analysis.splits import plan_splits
from analysis.strategy import IterationEntry, ProjectGoal, Snapshot
from analysis.strategy.stored import CURVE_ITEM, LOG_ITEM, cell, filled_rows
from components.state import project_human_levels, set_project_human_levels, workspace_items
from storage import Item, StaleRevisionError
from workspace.kinds import (
    ITERATION_LOG,
    LEARNING_CURVE,
    PROJECT_GOAL,
    SPLIT_PLAN,
    WATERFALL_SNAPSHOT,
    SavedKind,
)
from workspace.merge_formats import GOAL_FORMAT
from workspace.merged_save import MergedSave
from workspace.table_merge import diff

GOAL_ITEM = "project goal"
T = TypeVar("T")


# ---------------------------------------------------------------------------- pure helpers

def _evaluation_set(name: str, distribution: str | None, size: int | None) -> tuple | None:
    """(distribution, size) when either is given (ProjectGoal names what is missing)."""
    distribution = cell(distribution)
    if distribution is None and size is None:
        return None
    if distribution is None or size is None:
        raise ValueError(f"{name}: give both its distribution (e.g. 'mobile-app photos') and "
                         "its size, or leave both empty.")
    return distribution, int(size)


def goal_from_form(values: Mapping[str, Any], bounds: pd.DataFrame,
                   humans: pd.DataFrame) -> ProjectGoal:
    """Build the goal from the form's values, its bounds table (metric, operator, threshold,
    unit) and its human-level table (reference, error_pct); ValueError names what is wrong.

    Examples
    --------
    >>> bounds = pd.DataFrame({"metric": ["running_time_ms"], "operator": ["<="],
    ...                        "threshold": [100.0], "unit": ["ms"]})
    >>> humans = pd.DataFrame({"reference": ["team of reviewers"], "error_pct": [0.5]})
    >>> goal = goal_from_form({"metric": "accuracy", "direction": "max", "target": 95},
    ...                       bounds, humans)
    >>> goal.satisficing[0].describe(), goal.bayes_proxy_pct
    ('running_time_ms <= 100 ms', 0.5)
    """
    satisficing = [(m, op, t, u or "") for m, op, t, u in
                   filled_rows(bounds, ("metric", "operator", "threshold", "unit"))]
    references = filled_rows(humans, ("reference", "error_pct"))
    return ProjectGoal(
        metric=cell(values.get("metric")) or "",
        direction=values.get("direction", "max"),
        target=values.get("target"),
        metric_unit=cell(values.get("metric_unit")) or "",
        satisficing=satisficing,
        false_positive_cost=values.get("false_positive_cost", 1.0),
        false_negative_cost=values.get("false_negative_cost", 1.0),
        dev_set=_evaluation_set("the dev set", values.get("dev_distribution"),
                                values.get("dev_size")),
        test_set=_evaluation_set("the test set", values.get("test_distribution"),
                                 values.get("test_size")),
        human_error_pct=references,
        bayes_error_pct=values.get("bayes_error_pct"),
        task_kind=values.get("task_kind"),
    )


def parse_amounts(text: str) -> list[float]:
    """Amounts typed one per line or separated by ';', with 'N x M' for N equal amounts M and
    ',' or '_' as thousands separators: '100 x 1,000' is a hundred tasks of 1,000 examples.

    Examples
    --------
    >>> parse_amounts("2 x 1,000; 500")
    [1000.0, 1000.0, 500.0]
    """
    amounts: list[float] = []
    for part in re.split(r"[;\n]+", text or ""):
        token = part.strip().replace(",", "").replace("_", "")
        if not token:
            continue
        match = re.fullmatch(r"(\d+)\s*[x×*]\s*([0-9.eE+-]+)|([0-9.eE+-]+)", token)
        try:
            if match is None:
                raise ValueError
            count = int(match.group(1)) if match.group(1) else 1
            value = float(match.group(2) or match.group(3))
        except ValueError:
            raise ValueError(f"{part.strip()[:40]!r} is not an amount: type numbers separated "
                             "by ';' (e.g. '3000; 3000') or 'tasks x examples' such as "
                             "'100 x 1000'.") from None
        if count > 10_000:
            raise ValueError(f"{part.strip()[:40]!r} repeats an amount {count:,} times: give at "
                             "most 10,000.")
        amounts += [value] * count
    return amounts


# ---------------------------------------------------------------------------- workspace access

def _item(kind: SavedKind[Any], name: str) -> Item | None:
    return workspace_items().item(kind, name)


def goal_item() -> Item | None:
    """The stored goal's latest revision (None when no goal is saved)."""
    return _item(PROJECT_GOAL, GOAL_ITEM)


def project_goal() -> ProjectGoal | None:
    """The project's goal (metric, bounds, costs, sets, human levels), or None when none is
    saved or the stored one cannot be read (the strategy page says why)."""
    item = goal_item()
    if item is None:
        return None
    try:
        return ProjectGoal.from_content(item.content)
    except (ValueError, TypeError):
        return None


def save_goal(goal: ProjectGoal, *, base_revision: int) -> MergedSave:
    """Save the goal as the fields changed since `base_revision` (0 = no goal was saved),
    merged field by field into the latest revision: a teammate's change to another field is
    kept, the same field changed to another value comes back as a conflict. The merged goal's
    human-level references become the project's, so the waterfall keeps using them."""
    data = workspace_items()
    base = data.item(PROJECT_GOAL, GOAL_ITEM, revision=base_revision) if base_revision else None
    if base is None:
        try:
            base = data.save(PROJECT_GOAL, GOAL_ITEM, goal, expected_revision=0)
        except StaleRevisionError:  # a teammate saved the first goal meanwhile: merge into it
            ops = diff(GOAL_FORMAT.to_doc({}), GOAL_FORMAT.to_doc(PROJECT_GOAL.to_content(goal)))
            saved = data.save_merged(PROJECT_GOAL, GOAL_ITEM, ops, base_revision=0)
            _follow_human_levels(saved)
            return saved
    saved = data.save_edit(PROJECT_GOAL, GOAL_ITEM, goal, base=base)
    _follow_human_levels(saved)
    return saved


def _follow_human_levels(saved: MergedSave) -> None:
    """Make the merged goal's human-level references the project's."""
    set_project_human_levels(dict(PROJECT_GOAL.from_content(saved.content).human_error_pct))


def save_content(kind: SavedKind[T], name: str, obj: T, *, expected_revision: int) -> Item:
    """Save a strategy item only over the revision the page opened (0 = must not exist)."""
    return workspace_items().save(kind, name, obj, expected_revision=expected_revision)


def stored_log() -> Item | None:
    """The stored iteration log's latest revision, or None."""
    return _item(ITERATION_LOG, LOG_ITEM)


def stored_curve() -> Item | None:
    """The stored learning curve's latest revision, or None."""
    return _item(LEARNING_CURVE, CURVE_ITEM)


def stored_snapshots() -> tuple[list[Snapshot], dict[str, str]]:
    """The waterfall snapshots, oldest first, and {name: why} for those that cannot be read."""
    data = workspace_items()
    items = data.items(WATERFALL_SNAPSHOT)
    items.sort(key=lambda item: (item.created_at, item.name))
    snapshots, unreadable = [], {}
    for item in items:
        try:
            result = data.read(WATERFALL_SNAPSHOT, item)
            snapshots.append(Snapshot(item.name, result, saved_on=item.created_at))
        except ValueError as err:
            unreadable[item.name] = str(err)
    return snapshots, unreadable


# ---------------------------------------------------------------------------- the sample

_SAMPLE_SNAPSHOTS = (  # the cat app: web photos for training, mobile uploads for dev/test
    ("v1-web-only", {"train": 6.0, "train_dev": 7.0, "dev": 14.0, "test": 14.4}),
    ("v2-bigger-network", {"train": 3.0, "train_dev": 5.0, "dev": 12.0, "test": 12.3}),
    ("v3-mobile-in-train", {"train": 2.9, "train_dev": 4.9, "dev": 10.0, "test": 11.0}),
)
_SAMPLE_LOG = (
    {"date": "2026-10-05", "knob": "bigger network", "gap": "avoidable bias",
     "snapshot": "v1-web-only", "decision": "Training error 6% against 0.5% for a team of "
     "reviewers: go deeper before anything else."},
    {"date": "2026-10-19", "knob": "training data more like dev", "gap": "data mismatch",
     "snapshot": "v2-bigger-network", "decision": "Dev is mobile uploads: add the 1,000 mobile "
     "photos to training and collect more."},
    {"date": "2026-11-02", "knob": "early stopping", "gap": "variance",
     "snapshot": "v3-mobile-in-train", "decision": "Stop training earlier to close the "
     "train-dev gap."},
    {"date": "2026-11-09", "knob": "bigger dev set", "gap": "overfitting to dev",
     "snapshot": "v3-mobile-in-train", "decision": "Test is a point above dev: grow the dev "
     "set from 1,500 mobile uploads."},
)
_SAMPLE_CURVE = pd.DataFrame({"size": [375, 750, 1500, 3000, 4500, 6000],
                              "train_error_pct": [0.6, 1.2, 1.9, 2.5, 2.7, 2.9],
                              "dev_error_pct": [16.3, 13.9, 12.1, 10.9, 10.4, 10.0]})


def _sample_goal() -> ProjectGoal:
    return ProjectGoal(
        "accuracy", direction="max", target=95.0, metric_unit="%",
        satisficing=[("running_time_ms", "<=", 100, "ms"), ("model_size_mb", "<=", 50, "MB")],
        false_positive_cost=2.0, false_negative_cost=1.0,
        dev_set=("mobile-app uploads", 1500), test_set=("mobile-app uploads", 1500),
        human_error_pct=project_human_levels(), task_kind="perception")


def _save_if_absent(kind: SavedKind[T], name: str, obj: T) -> None:
    """Save only when the item does not exist yet: a team's own strategy is never replaced."""
    with contextlib.suppress(StaleRevisionError):
        save_content(kind, name, obj, expected_revision=0)


def seed_sample_strategy() -> None:
    """Give the sample project its goal, a short iteration log tied to waterfall snapshots, a
    learning curve and a split plan (only what the workspace does not already hold)."""
    human = project_human_levels()
    for name, rates in _SAMPLE_SNAPSHOTS:
        result = decompose(human, **rates)
        _save_if_absent(WATERFALL_SNAPSHOT, name, result)
    _save_if_absent(PROJECT_GOAL, GOAL_ITEM, _sample_goal())
    entries = [IterationEntry(**entry) for entry in _SAMPLE_LOG]
    _save_if_absent(ITERATION_LOG, LOG_ITEM, entries)
    _save_if_absent(LEARNING_CURVE, CURVE_ITEM, _SAMPLE_CURVE)
    plan = plan_splits({"web": 200_000, "mobile": 4_500}, target="mobile", dev_size=1_500,
                       test_size=1_500)
    _save_if_absent(SPLIT_PLAN, "split plan", plan)
