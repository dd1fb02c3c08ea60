"""Every kind of thing a workspace saves, declared once: its store name, how people call it,
its content schema version, and how an object becomes content and back.

A kind's `from_content` raises ValueError saying what is wrong (damaged, older, or saved by
another page), so a page can name the item instead of failing. Content saved before kinds
carried a version is read as version 1; content from a newer version of the app is refused
with a message saying so. Where a parser already exists next to the analysis it serves
(sheets, model tables, the project goal), the kind delegates to it. A new saved kind is one
more `SavedKind` here, added to `KINDS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

import pandas as pd

from analysis.bias_variance import decompose
from analysis.error_priorities import plans_from_content, plans_to_content
from analysis.predictions import (
    ColumnMapping,
    Predictions,
    predictions_from_parquet,
    predictions_to_parquet,
)
from analysis.selection import SavedModelTable, saved_model_table
from analysis.sheet_content import sheet_from_content, sheet_to_content
from analysis.splits import SplitPlan, plan_splits
from analysis.strategy import IterationEntry
from analysis.strategy.goal import GOAL_KIND, ProjectGoal
from analysis.strategy.stored import (
    curve_content,
    curve_table,
    log_content,
    log_entries,
)
from analysis.waterfall_result import BiasVarianceResult

T = TypeVar("T")

VERSION_KEY = "schema_version"


@dataclass(frozen=True)
class SavedKind(Generic[T]):
    """One kind of saved item: `name` is the store's kind column, `singular`/`plural` are the
    words people read, `version` the content schema this app writes and reads."""

    name: str
    singular: str
    plural: str
    version: int
    write: Callable[[T], dict[str, Any]] = field(repr=False)
    read: Callable[[Mapping[str, Any]], T] = field(repr=False)
    version_key: str = VERSION_KEY
    blob: Callable[[T], bytes] | None = field(default=None, repr=False)

    def label(self, n: int = 1) -> str:
        """'waterfall snapshot' for one, 'waterfall snapshots' otherwise."""
        return self.singular if n == 1 else self.plural

    def to_content(self, obj: T) -> dict[str, Any]:
        """JSON-able content for the store, stamped with this kind's schema version."""
        return {**self.write(obj), self.version_key: self.version}

    def from_content(self, content: object) -> T:
        """The object saved as `content`; ValueError says what is wrong with it."""
        if not isinstance(content, Mapping):
            raise ValueError(f"the saved {self.singular} is not readable content (it may be "
                             "damaged or saved by another page): save it again.")
        version = content.get(self.version_key, 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(f"the saved {self.singular} has schema version {version!r}, which "
                             "is not a version number: the item is damaged; save it again.")
        if version > self.version:
            raise ValueError(f"the saved {self.singular} has schema version {version}; this "
                             f"version of the app reads up to {self.version}: update the app.")
        try:
            return self.read(content)
        except (KeyError, TypeError) as err:
            raise ValueError(f"the saved {self.singular} misses or garbles {err}: it may be "
                             "damaged or older; save it again.") from None

    def to_blob(self, obj: T) -> bytes | None:
        """The bytes saved beside the content (a predictions file's table), else None."""
        return None if self.blob is None else self.blob(obj)


# ------------------------------------------------------------------ predictions files

@dataclass(frozen=True)
class PredictionsFile:
    """What the store says about a predictions file without reading its table."""

    mapping: ColumnMapping
    notes: tuple[str, ...] = ()
    rows: int | None = None
    columns: tuple[str, ...] = ()
    splits: tuple[str, ...] = ()

    @property
    def task(self) -> str:
        """The file's task (binary, multiclass, ...), known from its column mapping."""
        return self.mapping.task

    def read_table(self, stream: IO[bytes], name: str) -> Predictions:
        """The file's table from its saved blob; ValueError says why it no longer reads."""
        try:
            return predictions_from_parquet(stream, self.mapping.to_dict(), name, self.notes)
        except (ValueError, KeyError, TypeError, OSError) as err:
            raise ValueError(f"the saved table no longer reads ({err}); upload the file "
                             "again.") from None


def _predictions_content(predictions: Predictions) -> dict[str, Any]:
    return {"mapping": predictions.mapping.to_dict(), "notes": list(predictions.notes),
            "rows": predictions.n_rows, "columns": list(map(str, predictions.frame.columns)),
            "splits": predictions.splits()}


def _predictions_file(content: Mapping[str, Any]) -> PredictionsFile:
    if not isinstance(content.get("mapping"), dict):
        raise ValueError("the saved file has no column mapping (an old or damaged save); upload "
                         "the file again.")
    try:
        mapping = ColumnMapping.from_dict(content["mapping"])
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"its saved column mapping no longer reads ({err}); upload the file "
                         "again.") from None
    return PredictionsFile(mapping, tuple(map(str, content.get("notes") or ())),
                           content.get("rows"), tuple(map(str, content.get("columns") or ())),
                           tuple(map(str, content.get("splits") or ())))


# ------------------------------------------------------------------ waterfall snapshots

def _snapshot_content(result: BiasVarianceResult) -> dict[str, Any]:
    return {"inputs": result.as_inputs(), "result": result.to_dict()}


# The decompose() arguments a snapshot may hold; anything else is not a waterfall snapshot.
_SNAPSHOT_INPUTS = frozenset({"human", "train", "train_dev", "dev", "test", "sizes", "confidence",
                              "relative_threshold", "bayes_error_pct", "task_kind"})


def _snapshot(content: Mapping[str, Any]) -> BiasVarianceResult:
    inputs = content.get("inputs")
    if not isinstance(inputs, Mapping):
        raise ValueError("it has no waterfall inputs: it is not a waterfall snapshot, or it was "
                         "saved by an older version of the page.")
    unknown = sorted(set(map(str, inputs)) - _SNAPSHOT_INPUTS)
    if unknown:
        raise ValueError(f"it holds inputs the waterfall does not take: {', '.join(unknown)}.")
    try:
        return decompose(**inputs)
    except (ValueError, TypeError) as err:
        raise ValueError(f"its inputs do not make a waterfall ({err}).") from None


# ------------------------------------------------------------------ model tables

def _model_table_content(saved: SavedModelTable) -> dict[str, Any]:
    table = saved.table
    rows = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    selection = dict(saved.choice) if saved.choice is not None else {
        "optimize": saved.optimize, "goal": saved.goal,
        "satisfy": {k: list(v) for k, v in saved.satisfy.items()}}
    return {"rows": rows, "selection": selection, "threshold": saved.threshold}


# ------------------------------------------------------------------ error-analysis sheets

@dataclass(frozen=True, eq=False)
class ErrorSheet:
    """An error-analysis sheet as saved: the rows, the category columns and its settings, and
    the ids of its rows and columns that teammates' edits are merged by (workspace.table_merge)."""

    frame: pd.DataFrame
    categories: list[str]
    meta: dict[str, Any] = field(default_factory=dict)
    row_ids: tuple[str, ...] = ()
    column_ids: tuple[str, ...] = ()


def legacy_row_ids(n: int) -> list[str]:
    """Row ids of a sheet saved before rows had ids: its positions, alike for every reader,
    so two people who opened the same old revision merge their edits row by row."""
    return [f"r{i}" for i in range(n)]


def stored_ids(content: Mapping[str, Any], key: str, fallback: list[str]) -> list[str]:
    """The ids saved under `key` when they are unique text, one per entry of `fallback`;
    else `fallback` (content saved before ids existed, or damaged ids)."""
    found = content.get(key)
    if (isinstance(found, list) and len(found) == len(fallback)
            and all(isinstance(i, str) and i for i in found) and len(set(found)) == len(found)):
        return list(found)
    return fallback


def _sheet_content(sheet: ErrorSheet) -> dict[str, Any]:
    content = sheet_to_content(sheet.frame, sheet.categories, sheet.meta)
    if len(sheet.row_ids) == len(content["rows"]):
        content["row_ids"] = list(sheet.row_ids)
    if len(sheet.column_ids) == len(content["columns"]):
        content["column_ids"] = list(sheet.column_ids)
    return content


def _sheet(content: Mapping[str, Any]) -> ErrorSheet:
    frame, categories, meta = sheet_from_content(content)
    names = [str(c) for c in content["columns"]]
    by_name = dict(zip(names, stored_ids(content, "column_ids", names), strict=True))
    row_ids = stored_ids(content, "row_ids", legacy_row_ids(len(frame)))
    return ErrorSheet(frame, categories, meta, tuple(row_ids),
                      tuple(by_name.get(str(c), str(c)) for c in frame.columns))


# ------------------------------------------------------------------ lab experiments

def _experiment(content: Mapping[str, Any]) -> dict[str, Any]:
    """The saved session state (as analysis.training.live.experiment_content makes it)."""
    if not isinstance(content.get("until", 0), int) or not isinstance(content.get("config"), dict):
        raise ValueError("it is not a saved experiment of this version: it may be damaged or "
                         "older. Save the experiment again.")
    return {k: v for k, v in content.items() if k != VERSION_KEY}


# ------------------------------------------------------------------ split plans

def _split_plan_content(plan: SplitPlan) -> dict[str, Any]:
    """What makes the plan again: its sources, target, sizes and shape (the rest is derived)."""
    return {"sources": dict(plan.sources), "target": plan.target,
            "dev_size": plan.count("dev"), "test_size": plan.count("test"),
            "train_dev_size": plan.count("train-dev"), "two_way": plan.two_way}


def _split_plan(content: Mapping[str, Any]) -> SplitPlan:
    two_way = bool(content.get("two_way", False))
    try:
        return plan_splits(content["sources"], target=content["target"],
                           dev_size=None if two_way else content["dev_size"],
                           test_size=content["test_size"],
                           train_dev_size=content["train_dev_size"], two_way=two_way)
    except ValueError as err:
        raise ValueError(f"its sources and sizes no longer make a plan ({err}).") from None


# ------------------------------------------------------------------ project settings

def _human_levels(content: Mapping[str, Any]) -> dict[str, float]:
    levels = {str(k): v for k, v in content.items() if k != VERSION_KEY}
    odd = [k for k, v in levels.items() if isinstance(v, bool) or not isinstance(v, int | float)
           or not math.isfinite(v)]
    if odd:
        raise ValueError(f"the human levels {odd} are not numbers (error %): set them again on "
                         "the Bias & variance page.")
    return {k: float(v) for k, v in levels.items()}


# Saved from a Predictions (its table goes to the blob); read back as a PredictionsFile, whose
# table is read from the blob only when a page needs it.
PREDICTIONS: SavedKind[Any] = SavedKind(
    "predictions", "predictions file", "predictions files", 1,
    _predictions_content, _predictions_file, blob=predictions_to_parquet)
WATERFALL_SNAPSHOT: SavedKind[BiasVarianceResult] = SavedKind(
    "waterfall_snapshot", "waterfall snapshot", "waterfall snapshots", 1,
    _snapshot_content, _snapshot)
MODEL_TABLE: SavedKind[SavedModelTable] = SavedKind(
    "model_table", "model table", "model tables", 1, _model_table_content, saved_model_table)
ERROR_SHEET: SavedKind[ErrorSheet] = SavedKind(
    "error_sheet", "error-analysis sheet", "error-analysis sheets", 1,
    _sheet_content, _sheet,
    version_key="version")
# Ideas / effort / owner per category of a sheet: one item per sheet, named like the sheet.
SHEET_PRIORITIES: SavedKind[dict[str, dict[str, Any]]] = SavedKind(
    "sheet_priorities", "sheet priorities", "sheet priorities", 1, plans_to_content,
    plans_from_content, version_key="version")
LAB_EXPERIMENT: SavedKind[dict[str, Any]] = SavedKind(
    "lab_experiment", "lab experiment", "lab experiments", 1, dict, _experiment)
PROJECT_GOAL: SavedKind[ProjectGoal] = SavedKind(
    GOAL_KIND, "project goal", "project goals", 1,
    ProjectGoal.to_content, ProjectGoal.from_content)
ITERATION_LOG: SavedKind[list[IterationEntry]] = SavedKind(
    "iteration_log", "iteration log", "iteration logs", 1, log_content, log_entries)
LEARNING_CURVE: SavedKind[pd.DataFrame] = SavedKind(
    "learning_curve", "learning curve", "learning curves", 1, curve_content, curve_table)
SPLIT_PLAN: SavedKind[SplitPlan] = SavedKind(
    "split_plan", "split plan", "split plans", 1, _split_plan_content, _split_plan)
PROJECT_SETTINGS: SavedKind[dict[str, float]] = SavedKind(
    "project_settings", "project settings", "project settings", 1, dict, _human_levels)
HUMAN_LEVELS_ITEM = "human levels"  # the project_settings item holding the human levels

# In the order the Workspaces page lists what a workspace holds.
KINDS: tuple[SavedKind[Any], ...] = (PREDICTIONS, WATERFALL_SNAPSHOT, MODEL_TABLE, ERROR_SHEET,
                                     SHEET_PRIORITIES, LAB_EXPERIMENT, PROJECT_GOAL, ITERATION_LOG,
                                     LEARNING_CURVE, SPLIT_PLAN, PROJECT_SETTINGS)
