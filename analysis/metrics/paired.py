"""Model diff: for two models on the same examples, the examples each gets right that the
other gets wrong, per slice, with an exact paired test per slice (McNemar's) and Holm's
correction for testing every slice. The exact McNemar test lives here and is shared with
analysis.selection's A-vs-B comparison.

Works for any labels (binary or multiclass): an example is right when prediction == truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.metrics.inputs import check_labels
from analysis.validation import check_count, check_number, check_same_length

GROUPS = ("only_a_right", "only_b_right", "both_right", "both_wrong")
ALL_ROWS = "all rows"


def mcnemar_exact(only_a_wrong: int, only_b_wrong: int) -> float:
    """Two-sided exact McNemar p-value: a binomial test of the discordant pairs against 1/2.

    Examples
    --------
    >>> round(mcnemar_exact(2, 10), 4)
    0.0386
    """
    b = check_count("only_a_wrong", only_a_wrong)
    c = check_count("only_b_wrong", only_b_wrong)
    if b + c == 0:
        return 1.0
    return float(stats.binomtest(b, b + c, 0.5, alternative="two-sided").pvalue)


def holm(p_values: object) -> np.ndarray:
    """Holm's step-down adjusted p-values (controls the chance of any false 'better' across
    the m tests): sort ascending, p_(i) * (m - i + 1), running maximum, capped at 1.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * (len(p) - np.arange(len(p)))
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return adjusted


@dataclass(frozen=True, eq=False)
class ModelDiff:
    """Per slice: n, how many examples only A / only B / both / neither get right, the exact
    McNemar p-value, its Holm-adjusted value and a verdict in words (`table`); and the row
    indices (0-based, into the inputs) of every group (`rows[slice][group]`, groups as in
    GROUPS; the key ALL_ROWS holds every slice together).
    """

    names: tuple[str, str]
    column: str
    alpha: float
    table: pd.DataFrame
    rows: dict[str, dict[str, np.ndarray]]

    def examples(self, group: str, slice_name: str = ALL_ROWS) -> np.ndarray:
        """Row indices of `group` ('only_a_right', 'only_b_right', ...) in one slice."""
        if slice_name not in self.rows:
            raise ValueError(f"slice_name must be one of {', '.join(map(repr, self.rows))}; "
                             f"got {slice_name!r}.")
        if group not in GROUPS:
            raise ValueError(f"group must be one of {', '.join(map(repr, GROUPS))}; got {group!r}.")
        return self.rows[slice_name][group]

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "column": self.column, "alpha": self.alpha,
                "table": self.table.to_dict(orient="records"),
                "rows": {s: {g: v.tolist() for g, v in groups.items()}
                         for s, groups in self.rows.items()}}


def _slice_verdict(names: tuple[str, str], only_a: int, only_b: int, p: float, p_holm: float,
                   alpha: float) -> str:
    if only_a + only_b == 0:
        return "the models are right and wrong on exactly the same examples here"
    better = names[0] if only_a > only_b else names[1]
    counts = f"{names[0]} alone is right on {only_a}, {names[1]} alone on {only_b}"
    if p_holm < alpha:
        return f"{better} is better here ({counts}; p = {p:.3g}, {p_holm:.3g} after Holm)"
    return (f"no clear difference ({counts}; p = {p:.3g}, {p_holm:.3g} after Holm): "
            f"this could be chance")


def _split_rows(mask: np.ndarray, codes: np.ndarray, k: int) -> list[np.ndarray]:
    """Indices where `mask` holds, split by slice code (one stable sort, no loop over rows)."""
    where = np.flatnonzero(mask)
    order = np.argsort(codes[where], kind="stable")
    return np.split(where[order], np.cumsum(np.bincount(codes[where], minlength=k))[:-1])


def model_diff(y_true: object, pred_a: object, pred_b: object, *, groups: object = None,
               column: str = "slice", names: tuple[str, str] = ("A", "B"),
               alpha: float = 0.05) -> ModelDiff:
    """Where two models disagree on being right, slice by slice, with exact paired tests.

    Parameters
    ----------
    y_true, pred_a, pred_b : array-like of labels (binary or multiclass), same examples
    groups : array-like, optional
        Slice of every example (e.g. region); default: one slice holding every row.
    column : name of the slice column (for the table)
    names : the two models' names
    alpha : float, default 0.05
        Family-wise error rate for Holm's correction over the slices.

    Examples
    --------
    >>> d = model_diff([1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 0], [1, 1, 0, 0, 0, 0],
    ...                groups=["US", "US", "US", "India", "India", "India"], column="region")
    >>> d.table[["region", "n", "only_a_right", "only_b_right"]].values.tolist()
    [['India', 3, 1, 1], ['US', 3, 0, 1]]
    >>> d.examples("only_b_right").tolist(), d.examples("only_b_right", "US").tolist()
    ([1, 3], [1])
    """
    truth, a, b = (check_labels(name, values) for name, values in
                   (("y_true", y_true), ("pred_a", pred_a), ("pred_b", pred_b)))
    if len({truth.dtype.kind, a.dtype.kind, b.dtype.kind}) > 1:
        truth, a, b = truth.astype(str), a.astype(str), b.astype(str)
    n = check_same_length(y_true=truth, pred_a=a, pred_b=b)
    slices = np.full(n, ALL_ROWS) if groups is None else check_labels("groups", groups).astype(str)
    check_same_length(y_true=truth, groups=slices)
    if len(names) != 2 or names[0] == names[1]:
        raise ValueError(f"names must be two different model names; got {names!r}.")
    if not 0 < check_number("alpha", alpha) < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1 (0.05 is usual); got {alpha!r}.")
    labels, codes = np.unique(slices, return_inverse=True)
    k = len(labels)
    right_a, right_b = truth == a, truth == b
    masks = {"only_a_right": right_a & ~right_b, "only_b_right": right_b & ~right_a,
             "both_right": right_a & right_b, "both_wrong": ~right_a & ~right_b}
    counts = {g: np.bincount(codes, weights=m, minlength=k).astype(np.int64)
              for g, m in masks.items()}
    p = np.array([mcnemar_exact(int(x), int(y))
                  for x, y in zip(counts["only_a_right"], counts["only_b_right"], strict=True)])
    p_holm = holm(p)
    table = pd.DataFrame({column: labels.tolist(), "n": np.bincount(codes, minlength=k)}
                         | counts | {"p": p, "p_holm": p_holm})
    table["verdict"] = [_slice_verdict(names, int(x), int(y), pv, ph, alpha) for x, y, pv, ph in
                        zip(counts["only_a_right"], counts["only_b_right"], p, p_holm, strict=True)]
    split = {g: _split_rows(m, codes, k) for g, m in masks.items()}
    rows = {str(label): {g: split[g][i] for g in GROUPS} for i, label in enumerate(labels)}
    rows[ALL_ROWS] = {g: np.flatnonzero(m) for g, m in masks.items()}
    return ModelDiff((str(names[0]), str(names[1])), column, float(alpha), table, rows)
