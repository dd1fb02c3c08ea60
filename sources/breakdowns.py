"""The metrics page's breakdowns counted by the engine: metrics from predicted labels only,
every metric per slice, the weighted error and the multiclass confusion matrix.

Each returns the in-memory analysis's result object, built by the same function from the
counts (`binary_from_counts`, `slice_metrics_from_counts`, `WeightedError.from_counts`,
`multiclass_from_confusion`), so the numbers agree with memory by construction. What comes
back is bounded before it is fetched: at most `MAX_SLICES` slices and K x K confusion cells
for at most `labels.MAX_CLASSES` classes.
"""

from __future__ import annotations

import ibis
import numpy as np

from analysis.metrics import (
    BinaryMetrics,
    MulticlassMetrics,
    SliceMetrics,
    WeightedError,
    binary_from_counts,
    multiclass_from_confusion,
    slice_metrics_from_counts,
)
from sources.labels import MAX_LABELS, plain_value
from sources.pushdown import Roles, mistakes, ones, predicted, rows_in_split, truth

MAX_SLICES = 1_000
MISSING = "(missing)"


def _confusion_sums(rows: ibis.Table, roles: Roles, threshold: float) -> dict[str, ibis.Value]:
    """Aggregates of the binary confusion cells: TP, FP, FN (TN is the rest of n)."""
    t, p = truth(rows, roles), predicted(rows, roles, threshold)
    return {"n": rows.count(), "tp": ones(t & p).sum(), "fp": ones(~t & p).sum(),
            "fn": ones(t & ~p).sum()}


def _no_rows(split: str | None) -> ValueError:
    return ValueError("No rows to evaluate" + (f" in split {split}." if split else "."))


def label_metrics(table: ibis.Table, roles: Roles, *, split: str | None = None,
                  threshold: float = 0.5) -> BinaryMetrics:
    """Every threshold metric from the predicted labels (or the score at `threshold`): the
    four confusion cells counted by one aggregate on the engine."""
    rows = rows_in_split(table, roles, split)
    sums = rows.aggregate(**_confusion_sums(rows, roles, threshold)).execute().iloc[0]
    n, tp, fp, fn = (int(sums[c] or 0) for c in ("n", "tp", "fp", "fn"))
    if n == 0:
        raise _no_rows(split)
    return binary_from_counts(tp=tp, fp=fp, tn=n - tp - fp - fn, fn=fn)


def _slice_texts(values: object) -> list[str]:
    """Slice values as the in-memory page names them (str of the value), missing ones named."""
    return [MISSING if v is None or v != v else str(plain_value(v))
            for v in values]


def slice_metrics(table: ibis.Table, roles: Roles, column: str, *, threshold: float = 0.5,
                  split: str | None = None) -> SliceMetrics:
    """`analysis.metrics.slice_metrics` per value of `column`, counted by one GROUP BY:
    binary labels give each slice's confusion cells, multiclass its rows and errors."""
    if column not in table.columns:
        raise ValueError(f"The table has no column {column!r} to slice by.")
    rows = rows_in_split(table, roles, split)
    if roles.task == "binary":
        sums = _confusion_sums(rows, roles, threshold)
    else:
        sums = {"n": rows.count(), "wrong": ones(mistakes(rows, roles, threshold)).sum()}
    found = (rows.group_by(value=rows[column]).aggregate(**sums)
             .limit(MAX_SLICES + 1).execute())
    if len(found) > MAX_SLICES:
        raise ValueError(f"{column!r} has more than {MAX_SLICES:,} distinct values: slices are "
                         "drawn for at most that many. Choose a column with fewer values.")
    if found.empty:
        raise _no_rows(split)
    found["slice"] = _slice_texts(found["value"])
    per_slice = found.drop(columns="value").groupby("slice").sum()  # sorted, like np.unique
    n = per_slice["n"].to_numpy(dtype=np.int64)
    if roles.task != "binary":
        return slice_metrics_from_counts(per_slice.index.tolist(), n, total=n,
                                         wrong=per_slice["wrong"].to_numpy(float), column=column)
    tp, fp, fn = (per_slice[c].to_numpy(float) for c in ("tp", "fp", "fn"))
    cells = np.column_stack([n - tp - fp - fn, fp, fn, tp])
    return slice_metrics_from_counts(per_slice.index.tolist(), n, confusion=cells, column=column)


def weighted_error(table: ibis.Table, roles: Roles, *, threshold: float = 0.5,
                   split: str | None = None) -> WeightedError:
    """`analysis.metrics.weighted_error`: sum of the weights of the wrong rows over the sum of
    every weight, from one aggregate on the engine."""
    if roles.weight is None:
        raise ValueError("Map a weight column to compute the weighted error.")
    rows = rows_in_split(table, roles, split)
    weight, wrong = rows[roles.weight].cast("float64"), mistakes(rows, roles, threshold)
    sums = rows.aggregate(
        n=rows.count(), mistakes=ones(wrong).sum(),
        weighted=wrong.ifelse(weight, 0.0).sum(), total=weight.sum(),
        heavy=ones(wrong & (weight > 1)).sum(), negative=ones(weight < 0).sum(),
        empty=ones(weight.isnull()).sum()).execute().iloc[0]
    name = roles.weight
    if int(sums["empty"] or 0):
        raise ValueError(f"The weight column {name!r} has {int(sums['empty']):,} empty values: "
                         "every row needs a weight.")
    if int(sums["negative"] or 0):
        raise ValueError(f"The weight column {name!r} has {int(sums['negative']):,} negative "
                         "values: weights must be 0 or more.")
    return WeightedError.from_counts(n=int(sums["n"]), mistakes=int(sums["mistakes"] or 0),
                                     weighted_mistakes=float(sums["weighted"] or 0.0),
                                     total_weight=float(sums["total"] or 0.0),
                                     heavy_mistakes=int(sums["heavy"] or 0))


def multiclass_metrics(table: ibis.Table, roles: Roles, *,
                       split: str | None = None) -> MulticlassMetrics:
    """`analysis.metrics.multiclass_metrics` from the confusion matrix counted by one
    GROUP BY (y_true, y_pred) on the engine, in the order of the label codes' classes."""
    codes = roles.codes
    if codes is None or roles.y_pred is None:
        raise ValueError("Multiclass metrics need the true and the predicted label columns.")
    rows = rows_in_split(table, roles, split)
    cells = (rows.group_by(t=rows[roles.y_true], p=rows[roles.y_pred])
             .aggregate(n=rows.count()).limit(MAX_LABELS * MAX_LABELS + 1).execute())
    if cells.empty:
        raise _no_rows(split)
    index = {label: i for i, label in enumerate(codes.classes)}
    true_of = {v: index[c] for c in codes.classes for v in codes.values(c)}
    pred_of = {v: index[c] for c in codes.classes for v in codes.values(c, predicted=True)}
    pairs = [(true_of.get(plain_value(t)), pred_of.get(plain_value(p)), int(n))
             for t, p, n in cells.itertuples(index=False)]
    if len(cells) > MAX_LABELS * MAX_LABELS or any(None in pair for pair in pairs):
        raise ValueError("The labels changed since their classes were read (once per session "
                         "and table): reload the page.")
    confusion = np.zeros((len(codes.classes),) * 2, dtype=np.int64)
    for t, p, n in pairs:
        confusion[t, p] += n
    return multiclass_from_confusion(confusion, codes.classes)

