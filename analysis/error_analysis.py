"""Error analysis: count each category of a sheet of misclassified dev examples, see what
fixing it could gain at best, and decide whether bad labels are worth fixing.

The sheet itself (columns, ticks, edits) is analysis.error_sheet; drawing the examples to
review is analysis.error_sample; suspected label errors are analysis.label_issues.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.error_sheet import LABEL_CATEGORY, category_label, tick_frame
from analysis.stats import wilson_interval
from analysis.validation import check_count, check_fraction, check_percent

#: The dev error (percent) a sheet assumes until its own is typed or handed over: the page
#: and the report agree.
DEFAULT_DEV_ERROR_PCT = 10.0


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
    ticks = tick_frame(sheet, categories)
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
    ticks = tick_frame(sheet, categories).to_numpy(dtype=int)
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

