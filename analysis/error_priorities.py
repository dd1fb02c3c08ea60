"""What the error-analysis sheet says to work on: dev errors against train-dev errors (data
mismatch by hand), each category split into false positives and false negatives, and a
priority table of the most dev error removed per unit of effort.

Sheets have the shape of analysis.error_analysis (one row per reviewed error, one tick column
per category), and are checked and counted with its helpers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.error_sheet import category_label, check_categories, validate_sheet
from analysis.stats import fisher_greater, holm_adjust, wilson_interval
from analysis.validation import (
    check_confidence,
    check_number,
    check_percent,
    rows_preview,
    values_preview,
)

SYNTHESIS_WARNING = (
    "If you synthesise, vary the source: adding the same small sample (1 hour of car noise "
    "over 10,000 hours of speech) lets the model overfit to that sample, even though people "
    "cannot hear the repetition.")


def _tick_counts(sheet: pd.DataFrame, categories: Sequence[str], name: str) -> tuple[np.ndarray, int]:
    """Ticks per category and number of reviewed rows of one sheet."""
    frame = validate_sheet(sheet, categories)
    if len(frame) == 0:
        raise ValueError(f"{name} has no reviewed errors: add rows before comparing.")
    return frame[list(categories)].sum(axis=0).to_numpy(dtype=int), len(frame)


# --------------------------------------------------------------------------- twin sheets

@dataclass(frozen=True)
class SheetComparison:
    """Category shares of dev errors beside train-dev errors, with the categories that are
    much more frequent in dev errors (a sign of data mismatch) and the remedies to try."""

    table: pd.DataFrame
    n_dev: int
    n_train_dev: int
    flagged: tuple[str, ...]
    verdict: str
    remedies: tuple[str, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the report."""
        return {"table": self.table.to_dict(orient="records"), "n_dev": self.n_dev,
                "n_train_dev": self.n_train_dev, "flagged": list(self.flagged),
                "verdict": self.verdict, "remedies": list(self.remedies),
                "warnings": list(self.warnings)}


def compare_error_sheets(dev_sheet: pd.DataFrame, train_dev_sheet: pd.DataFrame,
                         categories: Sequence[str], *, alpha: float = 0.05,
                         confidence: float = 0.95) -> SheetComparison:
    """Compare each category's share of dev errors with its share of train-dev errors.

    A category is flagged as much more frequent in dev errors when a one-sided Fisher exact
    test (dev share > train-dev share) stays below `alpha` after Holm's correction over the
    categories; the Wilson intervals are shown beside it.

    Parameters
    ----------
    dev_sheet, train_dev_sheet : DataFrame
        Reviewed dev errors and reviewed train-dev errors, ticked on the same categories.
    categories : list of str
        The category columns.
    alpha : float
        Family-wise level of the flags.
    confidence : float
        Confidence of the intervals.

    Examples
    --------
    >>> dev = pd.DataFrame({"car_noise": [True] * 30 + [False] * 70})
    >>> train_dev = pd.DataFrame({"car_noise": [True] * 4 + [False] * 96})
    >>> compare_error_sheets(dev, train_dev, ["car_noise"]).flagged
    ('car_noise',)
    """
    names = check_categories(categories)
    if not names:
        raise ValueError("categories is empty: add at least one category such as 'blurry'.")
    level = float(check_number("alpha", alpha, low=0.0, high=1.0))
    check_confidence(confidence)
    dev, n_dev = _tick_counts(dev_sheet, names, "dev_sheet")
    train_dev, n_train_dev = _tick_counts(train_dev_sheet, names, "train_dev_sheet")
    dev_low, dev_high = wilson_interval(dev, np.full(len(dev), n_dev), confidence=confidence)
    td_low, td_high = wilson_interval(train_dev, np.full(len(dev), n_train_dev),
                                      confidence=confidence)
    # Each category as a 2x2 table (ticked or not) x (dev or train-dev) against its margins.
    p_value = fisher_greater(dev, np.full(len(dev), n_dev), dev + train_dev, n_dev + n_train_dev)
    p_adjusted = holm_adjust(p_value)
    table = pd.DataFrame({
        "category": names, "dev_count": dev, "dev_share": dev / n_dev, "dev_low": dev_low,
        "dev_high": dev_high, "train_dev_count": train_dev,
        "train_dev_share": train_dev / n_train_dev, "train_dev_low": td_low,
        "train_dev_high": td_high, "difference": dev / n_dev - train_dev / n_train_dev,
        "intervals_overlap": ((np.asarray(dev_low) <= np.asarray(td_high))
                              & (np.asarray(td_low) <= np.asarray(dev_high))),
        "p_value": p_value, "p_adjusted": p_adjusted, "flagged": p_adjusted < level,
    }).sort_values("difference", ascending=False, kind="stable").reset_index(drop=True)
    flagged = tuple(table.loc[table["flagged"], "category"])
    return SheetComparison(table=table, n_dev=n_dev, n_train_dev=n_train_dev, flagged=flagged,
                           verdict=_mismatch_verdict(table, flagged),
                           remedies=_mismatch_remedies(table, flagged),
                           warnings=_sheet_warnings(n_dev, n_train_dev))


def _mismatch_verdict(table: pd.DataFrame, flagged: tuple[str, ...]) -> str:
    if not flagged:
        return ("No category is much more frequent in dev errors than in train-dev errors: the "
                "reviewed errors do not point to a data mismatch in these categories.")
    rows = table.set_index("category").loc[list(flagged)]
    listed = "; ".join(f"{category_label(c)} {r.dev_share:.0%} of dev errors vs "
                       f"{r.train_dev_share:.0%} of train-dev errors" for c, r in rows.iterrows())
    return (f"Data mismatch: dev errors hold much more of {listed}. The dev (and test) data "
            "has something the training data lacks.")


def _mismatch_remedies(table: pd.DataFrame, flagged: tuple[str, ...]) -> tuple[str, ...]:
    if not flagged:
        return ()
    what = ", ".join(category_label(c) for c in flagged)
    return (f"Collect more training data like the dev examples with {what}.",
            f"Make the training data more similar to dev for {what} (e.g. add the conditions "
            "dev examples have to clean training examples).",
            f"Synthesise training examples with {what}. {SYNTHESIS_WARNING}")


def _sheet_warnings(n_dev: int, n_train_dev: int) -> tuple[str, ...]:
    small = [f"{name} ({n} rows)" for name, n in (("dev sheet", n_dev),
                                                 ("train-dev sheet", n_train_dev)) if n < 50]
    if not small:
        return ()
    return (f"Few reviewed errors in the {' and '.join(small)}: only large differences can be "
            "flagged; review about 100 errors of each.",)


# --------------------------------------------------------------------------- FP / FN

@dataclass(frozen=True)
class ErrorTypeSplit:
    """Each category's share of errors split by error type.

    `table` has one row per (category, error_type): count, share (of all reviewed errors; a
    category's shares over its types add up to its share of errors) and share_of_type (of the
    errors of that type). Types are "false positive" / "false negative" for a binary task,
    "true <class>" per true class otherwise.
    """

    table: pd.DataFrame
    n_errors: int
    type_counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the report."""
        return {"table": self.table.to_dict(orient="records"), "n_errors": self.n_errors,
                "type_counts": dict(self.type_counts)}


def _labels(sheet: pd.DataFrame, values: object, name: str) -> np.ndarray:
    if values is None:
        if name not in sheet.columns:
            raise ValueError(f"{name} is missing: pass it, or give the sheet a {name} column.")
        values = sheet[name]
    array = np.asarray(values, dtype=object)
    if array.ndim != 1 or len(array) != len(sheet):
        raise ValueError(f"{name} must hold one label per sheet row ({len(sheet)}), got "
                         f"shape {array.shape}.")
    return np.array([str(v) for v in array], dtype=object)


def split_by_error_type(sheet: pd.DataFrame, categories: Sequence[str], y_true: object = None,
                        y_pred: object = None, *, positive: object = None) -> ErrorTypeSplit:
    """Split each category's share of errors into false positives and false negatives.

    Parameters
    ----------
    sheet : DataFrame
        Reviewed errors, one tick column per category.
    categories : list of str
        The category columns.
    y_true, y_pred : array, optional
        True and predicted label of each sheet row (default: the sheet's y_true and y_pred
        columns). Labels are compared as text.
    positive : label, optional
        The positive class of a binary task: errors predicting it are false positives, the
        others false negatives. None splits by true class (multiclass).

    Examples
    --------
    >>> sheet = pd.DataFrame({"blurry": [True, True, False, True]})
    >>> split = split_by_error_type(sheet, ["blurry"], [0, 0, 1, 1], [1, 1, 0, 0], positive=1)
    >>> split.table[["error_type", "count", "share"]].values.tolist()
    [['false positive', 2, 0.5], ['false negative', 1, 0.25]]
    """
    names = check_categories(categories)
    frame = validate_sheet(sheet, names)
    if len(frame) == 0:
        raise ValueError("sheet has no reviewed errors: add rows before splitting them.")
    truth, predicted = _labels(frame, y_true, "y_true"), _labels(frame, y_pred, "y_pred")
    correct = np.flatnonzero(truth == predicted)
    if len(correct):
        raise ValueError(f"the sheet has {len(correct)} rows the model got right "
                         f"({rows_preview(correct)}): FP/FN split counts errors only; remove "
                         "them or fix their y_pred.")
    if positive is None:
        types = np.array([f"true {t}" for t in truth], dtype=object)
        order = [f"true {c}" for c in sorted(set(truth), key=str)]
    else:
        label = str(positive)
        if label not in set(truth) | set(predicted):
            raise ValueError(f"positive {positive!r} is not among the labels "
                             f"{values_preview(sorted(set(truth) | set(predicted)))}.")
        types = np.where(predicted == label, "false positive",
                         np.where(truth == label, "false negative", "other error"))
        order = [t for t in ("false positive", "false negative", "other error") if t in types]
    ticks = frame[names].to_numpy(dtype=bool)
    n = len(frame)
    type_counts = {t: int((types == t).sum()) for t in order}
    rows = [{"category": c, "error_type": t, "count": int(ticks[types == t, i].sum()),
             "share": ticks[types == t, i].sum() / n,
             "share_of_type": ticks[types == t, i].sum() / type_counts[t]}
            for i, c in enumerate(names) for t in order]
    return ErrorTypeSplit(table=pd.DataFrame(rows), n_errors=n, type_counts=type_counts)


# --------------------------------------------------------------------------- priorities

def _shares(category_shares: object) -> pd.Series:
    if isinstance(category_shares, pd.DataFrame) and {"category", "share"} <= set(category_shares):
        series = category_shares.set_index("category")["share"]
    elif isinstance(category_shares, pd.Series | Mapping):
        series = pd.Series(category_shares, dtype=float)
    else:
        raise ValueError("category_shares must map each category to its share of errors (0-1), "
                         f"got {type(category_shares).__name__}.")
    if series.empty:
        raise ValueError("category_shares is empty: count at least one category first.")
    for name, share in series.items():
        check_number(f"category_shares[{name!r}]", share, low=0.0, high=1.0)
    return series.astype(float)


def _per_category(name: str, values: Mapping[str, Any] | None,
                  categories: pd.Index) -> dict[str, Any]:
    given = dict(values or {})
    unknown = [k for k in given if k not in categories]
    if unknown:
        raise ValueError(f"{name} names categories that have no share: {values_preview(unknown)} "
                         f"(categories: {values_preview(list(categories), 8)}).")
    return given


def priority_table(category_shares: Mapping[str, float] | pd.Series | pd.DataFrame,
                   dev_error_pct: float, effort: Mapping[str, float | None] | None = None,
                   owner: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rank categories by the dev error that fixing them could remove per unit of effort.

    Fixing every error of a category with share p of the errors takes dev error E down to at
    most E * (1 - p): the ceiling gain is E * p points. Divided by the team's effort estimate
    (any unit, e.g. person-days) it ranks what to work on first; categories without an
    estimate come after, by gain.

    Parameters
    ----------
    category_shares : mapping, Series or DataFrame
        Share of errors (0-1) per category; a DataFrame needs columns category and share
        (the error-analysis summary's table).
    dev_error_pct : float
        Dev error E in percent.
    effort : mapping, optional
        Effort per category (positive); missing or None means not estimated yet.
    owner : mapping, optional
        Who works on each category.

    Returns
    -------
    DataFrame
        rank, category, share, ceiling_gain (points), best_dev_error (percent), effort,
        gain_per_effort, owner; best first. ``attrs["notes"]`` lists what is not estimated.

    Examples
    --------
    >>> table = priority_table({"dog": 0.05, "great_cat": 0.5}, 10.0, {"dog": 1, "great_cat": 5})
    >>> table[["category", "best_dev_error", "gain_per_effort"]].values.tolist()
    [['great_cat', 5.0, 1.0], ['dog', 9.5, 0.5]]
    """
    shares = _shares(category_shares)
    error = float(check_percent("dev_error_pct", dev_error_pct))
    efforts = _per_category("effort", effort, shares.index)
    owners = _per_category("owner", owner, shares.index)
    effort_values = []
    for name in shares.index:
        value = check_number(f"effort[{name!r}]", efforts.get(name), low=0.0, allow_none=True)
        if value == 0:
            raise ValueError(f"effort[{name!r}] must be above 0 (leave it empty when not "
                             "estimated yet).")
        effort_values.append(np.nan if value is None else value)
    table = pd.DataFrame({"category": shares.index.astype(str), "share": shares.to_numpy(),
                          "ceiling_gain": error * shares.to_numpy(),
                          "best_dev_error": error * (1 - shares.to_numpy()),
                          "effort": effort_values})
    table["gain_per_effort"] = table["ceiling_gain"] / table["effort"]
    table["owner"] = [str(owners.get(c) or "") for c in shares.index]
    table = table.sort_values(["gain_per_effort", "ceiling_gain"], ascending=False,
                              na_position="last", kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    missing = table.loc[table["effort"].isna(), "category"].tolist()
    table.attrs["notes"] = ([f"No effort estimate for {values_preview(missing, 5)}: ranked after "
                             "the estimated categories, by ceiling gain."] if missing else [])
    return table


# --------------------------------------------------------------------------- the team's plan

#: What the team types per category beside a sheet: ideas, effort estimate and owner.
PLAN_FIELDS = ("ideas", "effort", "owner")


def plan_effort(value: object) -> float | None:
    """An effort estimate as a positive number, None when not estimated (or not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value) if value > 0 else None


def plan_text(value: object) -> str:
    """Ideas or owner as text ('' for nothing typed)."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def plans_from_content(content: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Ideas / effort / owner per category from a saved item. Values of the wrong type are
    dropped, so a damaged entry reads as not filled in.

    Examples
    --------
    >>> plans_from_content({"categories": {"dog": {"effort": 2, "owner": "ana"}, "x": 3}})
    {'dog': {'ideas': '', 'effort': 2.0, 'owner': 'ana'}}
    """
    rows = content.get("categories")
    rows = rows if isinstance(rows, Mapping) else {}
    return {str(name): {"ideas": plan_text(row.get("ideas")), "effort": plan_effort(row.get("effort")),
                        "owner": plan_text(row.get("owner"))}
            for name, row in rows.items() if isinstance(row, Mapping)}


def plans_to_content(plans: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The saved form of ideas / effort / owner per category (cleaned as plans_from_content)."""
    return {"categories": plans_from_content({"categories": plans})}


def ranked_plan(category_shares: pd.DataFrame, dev_error_pct: float,
                plans: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """priority_table with the team's efforts and owners, for the categories that have a share
    (plans of categories the sheet no longer has are ignored)."""
    shown = set(category_shares["category"])
    effort = {c: v.get("effort") for c, v in plans.items() if c in shown and v.get("effort")}
    owner = {c: v.get("owner") for c, v in plans.items() if c in shown and v.get("owner")}
    return priority_table(category_shares, dev_error_pct, effort, owner)
