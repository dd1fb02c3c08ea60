"""What a source's label columns hold, asked of the engine before anything big runs: the
distinct values of the true (and predicted) label, at most `MAX_LABELS` of them, read as
label texts the way the in-memory reader reads them (`analysis.label_codes`: 1 and 1.0 are
one label, ' cat' and 'cat' too), the task they make and, for binary labels, the positive
class chosen by the reader's own rule (`choose_positive`) unless the user chose one.

The raw values meaning each class travel with the roles (`LabelCodes`), so the engine
compares raw values (`isin`) and never needs to format a number as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from analysis.label_codes import choose_positive, label_texts

MAX_LABELS = 200    # distinct values of a label column fetched to choose its classes
MAX_CLASSES = 100   # classes of a multiclass confusion matrix (K x K cells)


@dataclass(frozen=True)
class LabelCodes:
    """The classes (sorted label texts) and, per class, the raw values of each label column
    that mean it. `true_counts` counts the rows of each class in the true label."""

    classes: tuple[str, ...]
    true_values: tuple[tuple[object, ...], ...]
    pred_values: tuple[tuple[object, ...], ...] = ()
    true_counts: tuple[int, ...] = ()

    @property
    def task(self) -> str:
        return "multiclass" if len(self.classes) > 2 else "binary"

    def values(self, label: str, *, predicted: bool = False) -> tuple[object, ...]:
        """The raw values of the true (or predicted) label column that mean `label`."""
        per_class = self.pred_values if predicted else self.true_values
        if label not in self.classes or not per_class:
            return ()
        return per_class[self.classes.index(label)]

    def as_labels(self, positive: str, is_positive: np.ndarray) -> np.ndarray:
        """Binary predictions as values of the true label column (positive or the other
        class), so a sheet shows `y_pred` as it shows `y_true`."""
        other = next((c for c in self.classes if c != positive), f"not {positive}")

        def raw(label: str) -> object:
            found = self.values(label)
            return found[0] if found else label

        return np.where(is_positive, raw(positive), raw(other))


def plain_value(value: object) -> object:
    """A raw value as a plain Python literal for the engine (numpy scalars unwrapped)."""
    return value.item() if isinstance(value, np.generic) else value


def _distinct(table: ibis.Table, column: str, what: str) -> pd.DataFrame:
    """(value, n) per distinct raw value of `column`; refused above MAX_LABELS or with blanks."""
    counts = (table.group_by(value=table[column]).aggregate(n=table.count())
              .limit(MAX_LABELS + 2).execute())
    if len(counts) > MAX_LABELS:
        raise ValueError(f"{what} column {column!r} has more than {MAX_LABELS} distinct values: "
                         "it does not look like a label. Choose the label column (or a query "
                         "that groups its values).")
    missing = counts["value"].isna().to_numpy()
    present = counts[~missing]
    texts = label_texts(present["value"].to_numpy())
    blank = int(counts.loc[missing, "n"].sum() + present.loc[texts == "", "n"].sum())
    if blank:
        raise ValueError(f"{what} column {column!r} has {blank:,} empty labels: leave those rows "
                         f"out with a query (... WHERE {column} IS NOT NULL).")
    return pd.DataFrame({"value": [plain_value(v) for v in present["value"]], "text": texts,
                         "n": present["n"].to_numpy(dtype=np.int64)})


def _per_class(found: pd.DataFrame, classes: Sequence[str]) -> tuple[tuple[object, ...], ...]:
    grouped = found.groupby("text")["value"].apply(tuple)
    return tuple(tuple(grouped.get(c, ())) for c in classes)


def label_codes(table: ibis.Table, y_true: str, y_pred: str | None = None) -> LabelCodes:
    """The classes of `y_true` (and `y_pred`) counted by the engine, at most MAX_LABELS
    distinct values per column; a multiclass result at most MAX_CLASSES classes."""
    truth = _distinct(table, y_true, "The true label")
    guess = _distinct(table, y_pred, "The predicted label") if y_pred else None
    texts = set(truth["text"]) | (set(guess["text"]) if guess is not None else set())
    if not texts:
        raise ValueError("There are no rows to evaluate.")
    classes = tuple(sorted(texts))
    if len(classes) > MAX_CLASSES:
        raise ValueError(f"The labels hold {len(classes)} classes; the confusion matrix is "
                         f"drawn for at most {MAX_CLASSES}. Group rare classes in a query.")
    counts = truth.groupby("text")["n"].sum()
    return LabelCodes(classes, _per_class(truth, classes),
                      _per_class(guess, classes) if guess is not None else (),
                      tuple(int(counts.get(c, 0)) for c in classes))


def positive_choice(codes: LabelCodes, chosen: str | None = None) -> tuple[str, list[str]]:
    """The positive class of binary labels (the user's, else the reader's rule) and a note
    when it was a guess."""
    counts = dict(zip(codes.classes, codes.true_counts, strict=False))
    return choose_positive(list(codes.classes), {k: v for k, v in counts.items() if v},
                           chosen)

