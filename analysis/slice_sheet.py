"""From an error slice to the error-analysis sheet: a category named after the slice, with the
slice's misclassified examples ticked in it (all of them, or a seeded sample to review).

A slice found by the search is a hypothesis ("blurry photos fail"); reviewing its errors in
the sheet confirms it and gives it a share of the errors, which the priority table ranks.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.error_sheet import (
    ID_COLUMN,
    RESERVED_COLUMNS,
    add_category,
    check_categories,
    validate_sheet,
)
from analysis.validation import check_count

#: Longest category name made from a slice (a sheet column header stays readable).
CATEGORY_CHARS = 40


def slice_category_name(slice_text: str, taken: Sequence[str] = (), *,
                        limit: int = CATEGORY_CHARS) -> str:
    """A category name for a slice: its description shortened to `limit` characters (cut at a
    word, marked with an ellipsis), with a counter when the sheet already has that column.

    Examples
    --------
    >>> slice_category_name("blur = yes", ["blur = yes"])
    'blur = yes (2)'
    >>> slice_category_name("device = phone & lighting = night & blur = yes", limit=30)
    'device = phone & lighting =…'
    """
    limit = check_count("limit", limit, minimum=10)
    text = " ".join(str(slice_text).split()) or "slice"
    used = set(map(str, taken)) | set(RESERVED_COLUMNS)
    number = 1
    while True:
        counter = f" ({number})" if number > 1 else ""
        name = textwrap.shorten(text, limit - len(counter), placeholder="…") + counter
        if name not in used:
            return name
        number += 1


def review_sample(examples: pd.DataFrame, n: int | None = None, *, seed: int = 0) -> pd.DataFrame:
    """`n` rows of `examples` drawn at random (same seed, same rows), in their order; every row
    when `n` is None or not smaller than the table.

    Examples
    --------
    >>> rows = pd.DataFrame({"example_id": list("abcdef")})
    >>> review_sample(rows, 3, seed=1)["example_id"].tolist() == review_sample(rows, 3, seed=1)["example_id"].tolist()
    True
    """
    if n is None or n >= len(examples):
        return examples.reset_index(drop=True)
    count = check_count("n", n, minimum=1)
    rng = np.random.default_rng(check_count("seed", seed))
    chosen = np.sort(rng.choice(len(examples), size=count, replace=False))
    return examples.iloc[chosen].reset_index(drop=True)


def add_slice_category(sheet: pd.DataFrame, categories: Sequence[str], name: str,
                       examples: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The sheet with category `name` added and every row of `examples` ticked in it.

    A row whose example_id is already in the sheet gets the tick (no duplicate row); the
    others are appended with their columns, unticked in every other category.

    Parameters
    ----------
    sheet : DataFrame
        The error-analysis sheet (one row per reviewed error).
    categories : list of str
        Its category columns.
    name : str
        The new category (refused when it is already a column of the sheet).
    examples : DataFrame
        Misclassified examples of the slice, with an example_id column.

    Returns
    -------
    (DataFrame, list of str)
        The new sheet and its categories.

    Examples
    --------
    >>> sheet = pd.DataFrame({"example_id": ["a"], "blurry": [True], "comments": [""]})
    >>> frame, names = add_slice_category(sheet, ["blurry"], "night",
    ...                                   pd.DataFrame({"example_id": ["a", "b"]}))
    >>> frame[["example_id", "blurry", "night"]].values.tolist(), names
    ([['a', True, True], ['b', False, True]], ['blurry', 'night'])
    """
    names = check_categories(categories)
    if ID_COLUMN not in examples.columns:
        raise ValueError(f"examples have no {ID_COLUMN} column: the slice's rows need an id "
                         "to be matched with the sheet's rows.")
    frame, names = add_category(validate_sheet(sheet, names), names, name)
    category = names[-1]
    ids = examples[ID_COLUMN].astype(str)
    present = frame[ID_COLUMN].astype(str) if ID_COLUMN in frame.columns else pd.Series(dtype=str)
    frame.loc[present.isin(set(ids)).to_numpy(), category] = True
    extra = examples[~ids.isin(set(present)).to_numpy()].copy()
    for other in names:
        extra[other] = other == category
    combined = pd.concat([frame.astype(object), extra.astype(object)], ignore_index=True)
    combined = combined[list(dict.fromkeys([*frame.columns, *extra.columns]))]
    return validate_sheet(combined, names), names
