"""Error analysis: tag misclassified dev examples, count each category,
see what fixing it could gain at best, and decide whether bad labels are worth fixing.

A sheet is a DataFrame with one row per reviewed example, one boolean column per category and
a comments column; `categories` names the category columns in display order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.stats import wilson_interval
from analysis.validation import (
    check_array,
    check_binary,
    check_count,
    check_fraction,
    check_percent,
    rows_preview,
    values_preview,
)

#: Columns that describe the example itself; never categories.
ID_COLUMN = "example_id"
IMAGE_COLUMN = "image_path"
COMMENTS_COLUMN = "comments"
EXAMPLE_COLUMNS = (ID_COLUMN, IMAGE_COLUMN, "y_true", "y_pred", "score")
RESERVED_COLUMNS = (*EXAMPLE_COLUMNS, COMMENTS_COLUMN, "split")

#: The course's first ideas for categories; column names as in data/error_sheet_sample.csv.
DEFAULT_CATEGORIES = ("dog", "great_cat", "blurry", "instagram_filter", "incorrectly_labeled")
LABEL_CATEGORY = "incorrectly_labeled"
#: The dev error (percent) a sheet assumes until its own is typed or handed over: the page
#: and the report agree.
DEFAULT_DEV_ERROR_PCT = 10.0

_TRUE_TEXT = {"true", "1", "1.0", "x", "yes", "y", "✓", "✔"}
_FALSE_TEXT = {"false", "0", "0.0", "no", "n", "", "nan", "none", "<na>"}


def category_label(name: str) -> str:
    """Human label of a category column ('great_cat' -> 'great cat')."""
    return str(name).replace("_", " ")


def mislabeled_category(categories: Sequence[str], meta: Mapping[str, Any]) -> str | None:
    """The category that means "incorrectly labeled", one rule for the page and the report.

    The one the sheet's settings name (``meta["label_category"]``) when the sheet has it, else
    the default category ``incorrectly_labeled`` when the sheet has that, else None.

    Examples
    --------
    >>> mislabeled_category(["dog", "incorrectly_labeled"], {})
    'incorrectly_labeled'
    >>> mislabeled_category(["dog", "bad_label"], {"label_category": "bad_label"})
    'bad_label'
    >>> mislabeled_category(["dog", "bad_label"], {}) is None
    True
    """
    named = meta.get("label_category")
    if named in categories:
        return named
    return LABEL_CATEGORY if LABEL_CATEGORY in categories else None


# --------------------------------------------------------------------------- validation

def _to_ticks(column: pd.Series, name: str) -> pd.Series:
    """Read one category column as booleans; anything that is not a tick is named with its rows."""
    values = column.tolist()
    ticks: list[bool] = []
    bad: list[int] = []
    for position, value in enumerate(values):
        tick = _tick_value(value)
        if tick is None:
            bad.append(position)
            tick = False
        ticks.append(tick)
    if bad:
        shown = list(dict.fromkeys(values[i] for i in bad))
        raise ValueError(
            f"column {name!r} has {len(bad)} values that are not ticks "
            f"(True/False, 1/0, x or empty): {values_preview(shown)} ({rows_preview(bad)}). "
            "Use 1 or x for a tick and leave the cell empty otherwise.")
    return pd.Series(ticks, index=column.index, dtype=bool, name=column.name)


def _tick_value(value: object) -> bool | None:
    """True/False for a recognisable tick, None for anything else."""
    if value is None or value is pd.NA:
        return False
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.number):
        if isinstance(value, float | np.floating) and math.isnan(value):
            return False
        return {0: False, 1: True}.get(value)  # type: ignore[call-overload]
    text = str(value).strip().lower()
    if text in _TRUE_TEXT:
        return True
    if text in _FALSE_TEXT:
        return False
    return None


def check_categories(categories: Sequence[str]) -> list[str]:
    """Check the list of category names: text, not empty, no duplicates, not reserved."""
    if isinstance(categories, str) or not isinstance(categories, Sequence | pd.Index):
        raise ValueError(f"categories must be a list of column names, got {categories!r}.")
    names = [str(c) for c in categories]
    for name in names:
        _check_category_name(name)
    duplicated = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    if duplicated:
        raise ValueError(f"categories has duplicates: {values_preview(duplicated)}; give each category "
                         "its own name.")
    return names


def _check_category_name(name: str) -> str:
    if not name.strip():
        raise ValueError("category name is empty: type a name such as 'blurry'.")
    if name in RESERVED_COLUMNS:
        raise ValueError(f"category name {name!r} is reserved for the sheet's own column: "
                         "choose another name.")
    return name


def validate_sheet(sheet: pd.DataFrame, categories: Sequence[str]) -> pd.DataFrame:
    """Check a sheet and return a normalised copy (category columns boolean, example ids and
    comments text).

    Raises ValueError naming the column and rows when a category column holds something other
    than ticks, or when a category has no column.

    Examples
    --------
    >>> sheet = pd.DataFrame({"example_id": [1, 2], "blurry": ["x", ""]})
    >>> validate_sheet(sheet, ["blurry"])["blurry"].tolist()
    [True, False]
    """
    if not isinstance(sheet, pd.DataFrame):
        raise ValueError(f"sheet must be a table (DataFrame), got {type(sheet).__name__}.")
    names = check_categories(categories)
    missing = [c for c in names if c not in sheet.columns]
    if missing:
        raise ValueError(f"sheet has no column for categories {values_preview(missing)}: add the column "
                         "or remove the category.")
    frame = sheet.copy()
    for name in names:
        frame[name] = _to_ticks(frame[name], name)
    if ID_COLUMN in frame.columns:
        frame[ID_COLUMN] = pd.Series([_cell_text(v) for v in frame[ID_COLUMN]],
                                     index=frame.index, dtype=object)
    if COMMENTS_COLUMN not in frame.columns:
        frame[COMMENTS_COLUMN] = ""
    frame[COMMENTS_COLUMN] = [_cell_text(v) or "" for v in frame[COMMENTS_COLUMN]]
    return frame


def _cell_text(value: object) -> str | None:
    """A cell as text, None when empty: 7, 7.0 and "7" are the same example id or comment, a
    date is its ISO form. Ids and comments are text so they can be edited and matched alike."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if float(value).is_integer():
            return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def infer_categories(sheet: pd.DataFrame) -> list[str]:
    """Guess the category columns of an imported sheet: non-reserved columns holding only ticks."""
    found = []
    for column in sheet.columns:
        if str(column) in RESERVED_COLUMNS:
            continue
        if all(_tick_value(v) is not None for v in sheet[column].tolist()):
            found.append(str(column))
    return found


def new_sheet(examples: pd.DataFrame | None = None, *,
              categories: Sequence[str] = DEFAULT_CATEGORIES) -> pd.DataFrame:
    """A sheet ready for review: the examples' columns, unticked categories, empty comments."""
    names = check_categories(categories)
    frame = pd.DataFrame({ID_COLUMN: pd.Series(dtype=object)}) if examples is None else examples.copy()
    frame = frame.reset_index(drop=True)
    for name in names:
        if name not in frame.columns:
            frame[name] = False
    if COMMENTS_COLUMN not in frame.columns:
        frame[COMMENTS_COLUMN] = ""
    return validate_sheet(frame, names)


# --------------------------------------------------------------------------- categories

def _tick_frame(sheet: pd.DataFrame, categories: Sequence[str]) -> pd.DataFrame:
    frame = validate_sheet(sheet, categories)
    return frame[list(categories)]


def add_category(sheet: pd.DataFrame, categories: Sequence[str],
                 name: str) -> tuple[pd.DataFrame, list[str]]:
    """Add an unticked category column at the end; ticks already made are kept."""
    names = check_categories(categories)
    name = _check_category_name(str(name).strip())
    if name in sheet.columns:
        raise ValueError(f"category name {name!r} is already a column of the sheet: choose another name.")
    frame = sheet.copy()
    position = frame.columns.get_loc(COMMENTS_COLUMN) if COMMENTS_COLUMN in frame.columns else len(frame.columns)
    frame.insert(int(position), name, False)
    return frame, [*names, name]


def rename_category(sheet: pd.DataFrame, categories: Sequence[str], old: str,
                    new: str) -> tuple[pd.DataFrame, list[str]]:
    """Rename a category; its ticks move with it and its position stays."""
    names = check_categories(categories)
    if old not in names:
        raise ValueError(f"category {old!r} does not exist; the sheet has {values_preview(names, 10)}.")
    new = _check_category_name(str(new).strip())
    if new == old:
        return sheet.copy(), names
    if new in sheet.columns:
        raise ValueError(f"category name {new!r} is already a column of the sheet: choose another name.")
    frame = sheet.rename(columns={old: new})
    return frame, [new if n == old else n for n in names]


def delete_category(sheet: pd.DataFrame, categories: Sequence[str],
                    name: str) -> tuple[pd.DataFrame, list[str]]:
    """Remove a category column; the other categories keep their ticks."""
    names = check_categories(categories)
    if name not in names:
        raise ValueError(f"category {name!r} does not exist; the sheet has {values_preview(names, 10)}.")
    return sheet.drop(columns=[name]), [n for n in names if n != name]


# --------------------------------------------------------------------------- summary

@dataclass(frozen=True)
class CategorySummary:
    """Per-category counts, shares and ceilings of one error-analysis sheet.

    `table` has one row per category, sorted by `gain` (points of dev error that fixing every
    error of the category could remove): category, count, share, share_low, share_high,
    ceiling, ceiling_low, ceiling_high, gain, estimated_errors, estimated_low, estimated_high.
    Shares and ceilings are fractions and percent points respectively; the interval columns
    are NaN unless the sheet is a sample of all dev errors.
    """

    table: pd.DataFrame
    dev_error: float
    n_reviewed: int
    total_dev_errors: int | None
    untagged: int
    diagnosis: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_sample(self) -> bool:
        """True when the sheet holds only part of the dev errors (shares carry an interval)."""
        return self.total_dev_errors is not None and self.total_dev_errors > self.n_reviewed

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the report and storage (NaN becomes None)."""
        rows = [{k: _json_number(v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")]
        return {"dev_error": self.dev_error, "n_reviewed": self.n_reviewed,
                "total_dev_errors": self.total_dev_errors, "untagged": self.untagged,
                "is_sample": self.is_sample, "diagnosis": self.diagnosis,
                "warnings": list(self.warnings), "categories": rows}


def _json_number(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value


def category_summary(sheet: pd.DataFrame, categories: Sequence[str], dev_error: float, *,
                     total_dev_errors: int | None = None,
                     confidence: float = 0.95) -> CategorySummary:
    """Count each category and the dev error left at best if all its errors were fixed.

    Parameters
    ----------
    sheet : DataFrame
        One row per reviewed dev error, one tick column per category.
    categories : list of str
        The category columns.
    dev_error : float
        Dev error in percent (10 for 10%).
    total_dev_errors : int, optional
        How many dev errors there are in all. When larger than the number of reviewed rows the
        sheet is a sample: shares get a Wilson interval and are extrapolated to all dev errors.
    confidence : float
        Confidence of the intervals (0.95).

    Returns
    -------
    CategorySummary
        Shares may sum past 100%: one example can be blurry and a great cat.

    Examples
    --------
    >>> sheet = pd.DataFrame({"dog": [True] * 5 + [False] * 95})
    >>> s = category_summary(sheet, ["dog"], 10.0)
    >>> round(float(s.table.loc[0, "ceiling"]), 2)
    9.5
    """
    ticks = _tick_frame(sheet, categories)
    error = float(check_percent("dev_error", dev_error))
    check_fraction("confidence", confidence)
    n = len(ticks)
    if n == 0:
        raise ValueError("sheet has no reviewed errors: add rows (misclassified dev examples) "
                         "before summarising.")
    if not categories:
        raise ValueError("categories is empty: add at least one category such as 'blurry'.")
    total = None
    if total_dev_errors is not None:
        total = check_count("total_dev_errors", total_dev_errors)
        if total < n:
            raise ValueError(f"total_dev_errors ({total}) is smaller than the {n} reviewed errors: "
                             "enter the number of misclassified dev examples, or leave it empty.")
    counts = ticks.sum(axis=0).to_numpy(dtype=int)
    share = counts / n
    table = pd.DataFrame({"category": list(categories), "count": counts, "share": share,
                          "ceiling": error * (1 - share), "gain": error * share})
    nan = np.full(len(counts), np.nan)
    if total is not None and total > n:
        low, high = wilson_interval(counts, np.full(len(counts), n), confidence=confidence)
        table["share_low"], table["share_high"] = low, high
        table["ceiling_low"], table["ceiling_high"] = error * (1 - high), error * (1 - low)
        table["estimated_errors"] = share * total
        table["estimated_low"], table["estimated_high"] = low * total, high * total
    else:
        for column in ("share_low", "share_high", "ceiling_low", "ceiling_high",
                       "estimated_low", "estimated_high"):
            table[column] = nan
        table["estimated_errors"] = counts.astype(float) if total == n else nan
    table = table.sort_values(["gain", "category"], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)[[
        "category", "count", "share", "share_low", "share_high", "ceiling", "ceiling_low",
        "ceiling_high", "gain", "estimated_errors", "estimated_low", "estimated_high"]]
    untagged = int((~ticks.any(axis=1)).sum())
    return CategorySummary(table=table, dev_error=error, n_reviewed=n, total_dev_errors=total,
                           untagged=untagged, diagnosis=_summary_diagnosis(table, error),
                           warnings=tuple(_summary_warnings(table, n, untagged)))


def _summary_diagnosis(table: pd.DataFrame, dev_error: float) -> str:
    top = table.iloc[0]
    if top["count"] == 0:
        return "No category is ticked yet: tick the ideas that explain each error."
    text = (f"Fixing every '{category_label(top['category'])}' error ({top['share']:.0%} of "
            f"errors) could bring dev error from {dev_error:.1f}% down to {top['ceiling']:.1f}% "
            "at best")
    if len(table) > 1:
        last = table.iloc[-1]
        text += (f"; '{category_label(last['category'])}' ({last['share']:.0%}) could at most "
                 f"reach {last['ceiling']:.1f}%")
    return text + "."


def _summary_warnings(table: pd.DataFrame, n: int, untagged: int) -> list[str]:
    warnings = []
    if n < 30:
        warnings.append(f"Only {n} reviewed errors: shares are rough; review about 100.")
    if untagged:
        warnings.append(f"{untagged} reviewed errors have no category ticked: look at them for "
                        "a new category.")
    total_share = float(table["share"].sum())
    if total_share > 1:
        warnings.append(f"Shares sum to {total_share:.0%}: some examples fall into several "
                        "categories (that is normal; see the co-occurrence matrix).")
    return warnings


def co_occurrence(sheet: pd.DataFrame, categories: Sequence[str]) -> pd.DataFrame:
    """How many examples carry both categories; the diagonal is each category's count.

    Examples
    --------
    >>> sheet = pd.DataFrame({"blurry": [1, 1, 0], "great_cat": [1, 0, 1]})
    >>> int(co_occurrence(sheet, ["blurry", "great_cat"]).loc["blurry", "great_cat"])
    1
    """
    ticks = _tick_frame(sheet, categories).to_numpy(dtype=int)
    counts = ticks.T @ ticks
    names = list(categories)
    return pd.DataFrame(counts, index=pd.Index(names, name="category"),
                        columns=pd.Index(names, name="category"))


# --------------------------------------------------------------------------- label noise

@dataclass(frozen=True)
class LabelNoiseImpact:
    """How much of the dev error bad labels explain, and whether fixing them is worth it yet."""

    dev_error: float
    mislabeled_share: float
    label_points: float
    other_points: float
    worth_fixing: bool
    verdict: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the report."""
        return {"dev_error": self.dev_error, "mislabeled_share": self.mislabeled_share,
                "label_points": self.label_points, "other_points": self.other_points,
                "worth_fixing": self.worth_fixing, "verdict": self.verdict, "reason": self.reason}


def label_noise_impact(dev_error: float, mislabeled_share: float, *,
                       worth_fixing_share: float = 0.2) -> LabelNoiseImpact:
    """Split the dev error into points due to bad labels and points due to everything else.

    Parameters
    ----------
    dev_error : float
        Dev error in percent.
    mislabeled_share : float
        Fraction (0-1) of the reviewed errors whose dev label is wrong.
    worth_fixing_share : float
        Fixing labels becomes worth it once bad labels cause at least this fraction of the
        errors: then the dev set can no longer rank models whose errors differ by about the
        label points.

    Examples
    --------
    >>> r = label_noise_impact(10, 0.06)
    >>> round(r.label_points, 2), r.worth_fixing
    (0.6, False)
    >>> label_noise_impact(2, 0.3).worth_fixing
    True
    """
    error = float(check_percent("dev_error", dev_error))
    share = float(check_fraction("mislabeled_share", mislabeled_share))
    threshold = float(check_fraction("worth_fixing_share", worth_fixing_share))
    label_points = error * share
    other_points = error - label_points
    worth = share > 0 and share >= threshold
    if worth:
        verdict = "Fix the dev (and test) labels now"
        reason = (f"Bad labels cause {label_points:.1f} of the {error:.1f} points of dev error "
                  f"({share:.0%} of errors): the dev set can no longer tell apart models whose "
                  f"errors differ by less than about {label_points:.1f} points. Correct dev and "
                  "test together, and look at examples the model got right too.")
    elif share == 0:
        verdict = "No bad labels found"
        reason = (f"None of the reviewed errors has a wrong label: all {error:.1f} points come "
                  "from other causes.")
    else:
        verdict = "Not worth fixing labels yet"
        reason = (f"Bad labels cause {label_points:.1f} of the {error:.1f} points of dev error "
                  f"({share:.0%} of errors); the other causes hold {other_points:.1f} points, "
                  "where work pays off more. Look again once dev error has come down.")
    return LabelNoiseImpact(dev_error=error, mislabeled_share=share, label_points=label_points,
                            other_points=other_points, worth_fixing=worth, verdict=verdict,
                            reason=reason)


# --------------------------------------------------------------------------- sampling

@dataclass(frozen=True)
class ErrorSample:
    """Misclassified examples drawn at random for review, with what they were drawn from."""

    frame: pd.DataFrame
    n_errors: int
    n_rows: int
    split: str | None
    seed: int
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def error_rate(self) -> float:
        """Error of the rows sampled from, in percent."""
        return 100.0 * self.n_errors / self.n_rows


def _is_predictions(source: object) -> bool:
    # Duck-typed so this module does not depend on how predictions are read.
    return hasattr(source, "mapping") and hasattr(source, "frame") and hasattr(source, "subset")


def _examples_from_predictions(pred: Any, split: str | None) -> tuple[pd.DataFrame, str | None, list[str]]:
    """Example table (example_id, image_path, y_true, y_pred, score) from a Predictions."""
    mapping = pred.mapping
    if mapping.task not in ("binary", "multiclass"):
        raise ValueError(f"error analysis reviews binary or multiclass predictions; this file is "
                         f"{mapping.task!r}. Pick a binary or multiclass file.")
    notes: list[str] = []
    used_split = None
    if split is not None and split in pred.splits():
        pred, used_split = pred.subset(split), split
    elif split is not None:
        notes.append(f"The file has no {split!r} rows (no split column?): all rows were used.")
    frame = pred.frame
    examples = pd.DataFrame(index=frame.index)
    examples[ID_COLUMN] = frame[mapping.example_id] if mapping.example_id else frame.index
    if mapping.image:
        examples[IMAGE_COLUMN] = frame[mapping.image].astype(object)
    examples["y_true"] = pred.y_true()
    examples["y_pred"] = pred.y_pred()
    score = pred.score() if mapping.task == "binary" else None
    if score is not None:
        examples["score"] = score
    elif mapping.task == "multiclass" and mapping.proba:
        examples["score"] = frame[list(mapping.proba)].to_numpy(dtype=float).max(axis=1)
    return examples, used_split, notes


def _examples_from_frame(frame: pd.DataFrame, split: str | None) -> tuple[pd.DataFrame, str | None, list[str]]:
    missing = [c for c in ("y_true", "y_pred") if c not in frame.columns]
    if missing:
        raise ValueError(f"the table has no column {values_preview(missing)}: it needs y_true and y_pred "
                         f"(columns found: {values_preview(list(frame.columns), 8)}).")
    notes: list[str] = []
    used_split = None
    if split is not None and "split" in frame.columns:
        rows = frame["split"].astype(str).str.strip().str.lower() == split
        if not rows.any():
            raise ValueError(f"the split column has no {split!r} rows: values are "
                             f"{values_preview(sorted(frame['split'].astype(str).unique()))}.")
        frame, used_split = frame[rows], split
    elif split is not None:
        notes.append(f"The table has no split column: all rows were used, not only {split!r}.")
    keep = [c for c in EXAMPLE_COLUMNS if c in frame.columns]
    examples = frame[keep].copy()
    if ID_COLUMN not in examples.columns:
        examples.insert(0, ID_COLUMN, frame.index)
    return examples, used_split, notes


def _misclassified(examples: pd.DataFrame) -> np.ndarray:
    truth, predicted = examples["y_true"], examples["y_pred"]
    if truth.dtype != predicted.dtype:
        truth, predicted = truth.astype(str), predicted.astype(str)
    return (truth != predicted).to_numpy(dtype=bool)


def sample_errors(source: Any, n: int = 100, *, seed: int = 0, split: str | None = "dev") -> ErrorSample:
    """Draw `n` misclassified rows of `split` at random (reproducible with `seed`) for review.

    Parameters
    ----------
    source : Predictions or DataFrame
        Predictions (binary or multiclass), or a table with y_true and y_pred (and optionally
        split, example_id, image_path, score).
    n : int
        How many errors to draw (all of them when there are fewer).
    seed : int
        Same seed, same sample: a team reviews the same fair sample.
    split : str or None
        Split to draw from ("dev"); None uses every row.

    Examples
    --------
    >>> table = pd.DataFrame({"y_true": [0, 1, 1, 0], "y_pred": [1, 1, 0, 0]})
    >>> sample_errors(table, n=5, split=None).frame["example_id"].tolist()
    [0, 2]
    """
    count = check_count("n", n, minimum=1)
    seed = check_count("seed", seed)
    if _is_predictions(source):
        examples, used_split, notes = _examples_from_predictions(source, split)
    elif isinstance(source, pd.DataFrame):
        examples, used_split, notes = _examples_from_frame(source, split)
    else:
        raise ValueError(f"source must be loaded predictions or a table, got {type(source).__name__}.")
    if examples.empty:
        raise ValueError("source has no rows to sample from.")
    wrong = np.flatnonzero(_misclassified(examples))
    where = f"{used_split} " if used_split else ""
    if len(wrong) == 0:
        raise ValueError(f"source has no misclassified {where}rows: there is nothing to review.")
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(wrong, size=min(count, len(wrong)), replace=False))
    if len(wrong) < count:
        notes.append(f"Only {len(wrong)} misclassified {where}rows: all of them are in the sheet.")
    frame = examples.iloc[chosen].reset_index(drop=True)
    return ErrorSample(frame=frame, n_errors=len(wrong), n_rows=len(examples), split=used_split,
                       seed=seed, warnings=tuple(notes))


# --------------------------------------------------------------------------- label issues

@dataclass(frozen=True)
class LabelIssues:
    """Rows whose given label the model finds least likely (confident learning), ranked."""

    frame: pd.DataFrame
    n_checked: int
    split: str | None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _label_inputs_from_predictions(pred: Any, split: str | None):
    mapping = pred.mapping
    used_split = None
    if split is not None and split in pred.splits():
        pred, used_split = pred.subset(split), split
    frame = pred.frame
    ids = frame[mapping.example_id] if mapping.example_id else pd.Series(frame.index, index=frame.index)
    images = frame[mapping.image] if mapping.image else None
    if mapping.task == "binary":
        score = pred.score()
        if score is None:
            raise ValueError("these predictions have no score column: suspected label errors need "
                             "class probabilities (a score giving P(positive)).")
        labels = pred.y_true().astype(int)
        probs = np.column_stack([1.0 - score, score])
        classes = [0, 1]
    elif mapping.task == "multiclass":
        if not mapping.proba:
            raise ValueError("these predictions have no per-class probability columns: suspected "
                             "label errors need class probabilities.")
        classes = list(mapping.classes)
        probs = frame[list(mapping.proba)].to_numpy(dtype=float)
        labels = _class_positions(pred.y_true(), classes)
    else:
        raise ValueError(f"suspected label errors work on binary or multiclass predictions, not "
                         f"{mapping.task!r}.")
    examples = pd.DataFrame({ID_COLUMN: ids.to_numpy()})
    if images is not None:
        examples[IMAGE_COLUMN] = images.to_numpy()
    examples["y_true"] = pred.y_true()
    examples["y_pred"] = pred.y_pred()
    return examples, labels, probs, classes, used_split


def _class_positions(values: np.ndarray, classes: Sequence[object]) -> np.ndarray:
    lookup = {str(c): i for i, c in enumerate(classes)}
    text = [str(v) for v in values]
    unknown = [i for i, v in enumerate(text) if v not in lookup]
    if unknown:
        raise ValueError(f"y_true has {len(unknown)} labels that are not among the classes "
                         f"{values_preview(list(classes), 10)}: {values_preview([text[i] for i in unknown])} "
                         f"({rows_preview(unknown)}).")
    return np.array([lookup[v] for v in text], dtype=int)


def _label_inputs_from_frame(frame: pd.DataFrame, split: str | None,
                             proba_columns: Sequence[str] | None):
    used_split = None
    if split is not None and "split" in frame.columns:
        rows = frame["split"].astype(str).str.strip().str.lower() == split
        if rows.any():
            frame, used_split = frame[rows], split
    if "y_true" not in frame.columns:
        raise ValueError("the table has no y_true column: suspected label errors need the given labels.")
    keep = [c for c in (ID_COLUMN, IMAGE_COLUMN, "y_true", "y_pred") if c in frame.columns]
    examples = frame[keep].reset_index(drop=True)
    if ID_COLUMN not in examples.columns:
        examples.insert(0, ID_COLUMN, frame.index)
    if proba_columns:
        missing = [c for c in proba_columns if c not in frame.columns]
        if missing:
            raise ValueError(f"proba_columns names columns the table lacks: {values_preview(missing)}.")
        classes = list(proba_columns)
        probs = frame[classes].to_numpy(dtype=float)
        labels = _class_positions(frame["y_true"].to_numpy(), classes)
    elif "score" in frame.columns:
        labels = check_binary("y_true", frame["y_true"].to_numpy()).astype(int)
        score = check_array("score", frame["score"].to_numpy())
        probs = np.column_stack([1.0 - score, score])
        classes = [0, 1]
    else:
        raise ValueError("the table has no score column and no proba_columns: suspected label "
                         "errors need class probabilities.")
    return examples, labels, probs, classes, used_split


def has_class_probabilities(source: Any) -> bool:
    """True when `source` carries what suspected_label_errors needs."""
    if _is_predictions(source):
        mapping = source.mapping
        return bool((mapping.task == "binary" and mapping.scores)
                    or (mapping.task == "multiclass" and mapping.proba))
    return isinstance(source, pd.DataFrame) and {"y_true", "score"} <= set(source.columns)


def suspected_label_errors(source: Any, *, split: str | None = "dev", max_rows: int = 50,
                           proba_columns: Sequence[str] | None = None) -> LabelIssues:
    """Rank rows whose given label the model finds least likely: candidates to re-check.

    Uses cleanlab's `find_label_issues` (confident learning), ranked by self-confidence, the
    probability the model gives the given label. For binary predictions the score is P(1), so
    the class probabilities are [1 - score, score]. Rows that the model got right are checked
    too (the course: when correcting labels, look at those as well).

    Parameters
    ----------
    source : Predictions or DataFrame
        Predictions with a score (binary) or per-class probabilities (multiclass), or a table
        with y_true and score (binary) or `proba_columns`.
    split : str or None
        Split to check ("dev"); None checks every row.
    max_rows : int
        Keep at most this many suspects, most suspicious first.
    proba_columns : list of str, optional
        For a table: its per-class probability columns, named by class.
    """
    from cleanlab.filter import find_label_issues  # imported late: cleanlab is slow to import

    limit = check_count("max_rows", max_rows, minimum=1)
    if _is_predictions(source):
        examples, labels, probs, classes, used_split = _label_inputs_from_predictions(source, split)
    elif isinstance(source, pd.DataFrame):
        examples, labels, probs, classes, used_split = _label_inputs_from_frame(
            source, split, proba_columns)
    else:
        raise ValueError(f"source must be loaded predictions or a table, got {type(source).__name__}.")
    if np.any(~np.isfinite(probs)) or np.any(probs < 0) or np.any(probs > 1):
        raise ValueError("class probabilities must lie between 0 and 1 without gaps (NaN).")
    present = np.unique(labels)
    if len(present) < 2:
        raise ValueError("the given labels hold a single class: confident learning needs at "
                         "least two classes among the rows checked.")
    sums = probs.sum(axis=1, keepdims=True)
    probs = np.divide(probs, sums, out=np.full_like(probs, 1.0 / probs.shape[1]), where=sums > 0)
    ranked = find_label_issues(labels, probs, return_indices_ranked_by="self_confidence",
                               n_jobs=1)
    ranked = np.asarray(ranked, dtype=int)[:limit]
    frame = examples.iloc[ranked].reset_index(drop=True)
    frame["label_quality"] = probs[ranked, labels[ranked]]
    frame["suggested_label"] = [classes[i] for i in probs[ranked].argmax(axis=1)]
    notes = []
    if len(examples) < 100:
        notes.append(f"Only {len(examples)} rows checked: confident learning is rough on few rows.")
    return LabelIssues(frame=frame, n_checked=len(examples), split=used_split, warnings=tuple(notes))


# --------------------------------------------------------------------------- editing and storage

def apply_table_edits(base: pd.DataFrame, *, edited_rows: Mapping[Any, Mapping[str, Any]] | None = None,
                      added_rows: Sequence[Mapping[str, Any]] | None = None,
                      deleted_rows: Sequence[int] | None = None) -> pd.DataFrame:
    """Apply a table editor's cumulative changes to its (unchanged) input table.

    The changes are positions in `base` (the editor's input): cell edits first, then deleted
    rows, then added rows, the order Streamlit's data editor uses. Because the changes are
    cumulative, applying them again to the same base gives the same sheet (idempotent).
    """
    frame = base.copy().reset_index(drop=True)
    for position, changes in (edited_rows or {}).items():
        row = int(position)
        if not 0 <= row < len(frame):
            raise ValueError(f"edited_rows names row {row}, but the sheet has {len(frame)} rows.")
        for column, value in changes.items():
            if column not in frame.columns:
                raise ValueError(f"edited_rows names column {column!r}, which the sheet lacks.")
            frame[column] = frame[column].astype(object)
            frame.iat[row, frame.columns.get_loc(column)] = value
    if deleted_rows:
        gone = sorted({int(r) for r in deleted_rows})
        outside = [r for r in gone if not 0 <= r < len(frame)]
        if outside:
            raise ValueError(f"deleted_rows names rows {outside} outside the sheet's {len(frame)} rows.")
        frame = frame.drop(index=gone).reset_index(drop=True)
    if added_rows:
        extra = pd.DataFrame([dict(r) for r in added_rows], columns=frame.columns)
        frame = pd.concat([frame.astype(object), extra.astype(object)], ignore_index=True)
    return frame


def sheet_to_content(sheet: pd.DataFrame, categories: Sequence[str],
                     meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """JSON-able form of a sheet for the workspace store (ticks as booleans, NaN as None)."""
    frame = validate_sheet(sheet, categories)
    rows = []
    for record in frame.astype(object).to_dict(orient="records"):
        rows.append({str(k): _json_cell(v) for k, v in record.items()})
    return {"version": 1, "columns": [str(c) for c in frame.columns], "categories": list(categories),
            "rows": rows, "meta": dict(meta or {})}


def _json_cell(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value if isinstance(value, int | str) else str(value)


def sheet_from_content(content: Mapping[str, Any]) -> tuple[pd.DataFrame, list[str], dict[str, Any]]:
    """Inverse of sheet_to_content: (sheet, categories, meta).

    Raises ValueError saying what is wrong when the content is not a sheet of this version
    (damaged, older, or saved by another page), so a page can name it instead of failing.
    """
    if not isinstance(content, Mapping) or not isinstance(content.get("columns"), list) \
            or not isinstance(content.get("rows"), list):
        raise ValueError("it is not an error-analysis sheet of this version (no list of columns "
                         "and rows): it may be damaged, older, or saved by another page.")
    rows = content["rows"]
    odd = [i for i, row in enumerate(rows) if not isinstance(row, Mapping)
           or any(isinstance(v, Mapping | list) for v in row.values())]
    if odd:
        raise ValueError(f"{len(odd)} of its rows are not rows of cells ({rows_preview(odd)}): "
                         "the sheet is damaged.")
    categories = content.get("categories", [])
    if not isinstance(categories, list):
        raise ValueError(f"its categories are not a list of column names: {categories!r}.")
    frame = pd.DataFrame(list(rows), columns=[str(c) for c in content["columns"]])
    meta = content.get("meta") or {}
    if not isinstance(meta, Mapping):
        raise ValueError(f"its settings are not a mapping: {meta!r}.")
    return validate_sheet(frame, [str(c) for c in categories]), [str(c) for c in categories], \
        _clean_meta(meta)


def _clean_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The sheet's settings with values of the wrong type dropped (their defaults apply)."""
    cleaned = dict(meta)
    error = cleaned.get("dev_error")
    if error is not None and not (isinstance(error, int | float) and not isinstance(error, bool)
                                  and 0 <= error <= 100):
        cleaned.pop("dev_error")
    total = cleaned.get("total_dev_errors")
    if total is not None and not (isinstance(total, int) and not isinstance(total, bool)
                                  and total >= 0):
        cleaned["total_dev_errors"] = None
    if not isinstance(cleaned.get("label_category"), str | None):
        cleaned["label_category"] = None
    return cleaned
