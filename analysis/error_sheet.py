"""The error-analysis sheet: its columns, what counts as a tick, validation, and the edits a
reviewer makes (categories added, renamed, deleted; a table editor's changes applied).

A sheet is a DataFrame with one row per reviewed example, one boolean column per category and
a comments column; `categories` names the category columns in display order. The statistics
read from a sheet live in analysis.error_analysis, its stored form in analysis.sheet_content.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.validation import rows_preview, values_preview

#: Columns that describe the example itself; never categories.
ID_COLUMN = "example_id"
IMAGE_COLUMN = "image_path"
COMMENTS_COLUMN = "comments"
EXAMPLE_COLUMNS = (ID_COLUMN, IMAGE_COLUMN, "y_true", "y_pred", "score")
RESERVED_COLUMNS = (*EXAMPLE_COLUMNS, COMMENTS_COLUMN, "split")

#: The course's first ideas for categories; column names as in data/error_sheet_sample.csv.
DEFAULT_CATEGORIES = ("dog", "great_cat", "blurry", "instagram_filter", "incorrectly_labeled")
LABEL_CATEGORY = "incorrectly_labeled"

_TRUE_TEXT = {"true", "1", "1.0", "x", "yes", "y", "✓", "✔"}
_FALSE_TEXT = {"false", "0", "0.0", "no", "n", "", "nan", "none", "<na>"}


def category_label(name: str) -> str:
    """Human label of a category column ('great_cat' -> 'great cat')."""
    return str(name).replace("_", " ")


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


def tick_frame(sheet: pd.DataFrame, categories: Sequence[str]) -> pd.DataFrame:
    """The category columns of a validated sheet, as booleans (one column per category)."""
    frame = validate_sheet(sheet, categories)
    return frame[list(categories)]


# --------------------------------------------------------------------------- edits

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

