"""A found slice becomes a sheet category: its name fits a column header, its errors are
ticked in it without duplicating rows already reviewed, and a review sample is reproducible."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.slice_sheet import add_slice_category, review_sample, slice_category_name


def test_category_name_is_shortened_and_kept_unique():
    long = "device = phone & lighting = night & blur = yes"
    name = slice_category_name(long, limit=30)
    assert len(name) <= 30 and name.endswith("…")
    assert slice_category_name("blur = yes", ["blur = yes", "blur = yes (2)"]) == "blur = yes (3)"
    assert slice_category_name("y_true = 1") == "y_true = 1"
    assert slice_category_name("comments") == "comments (2)"  # a sheet's own column


def test_blurry_slice_ticks_reviewed_rows_and_appends_the_others():
    sheet = pd.DataFrame({"example_id": ["img_1", "img_2"], "y_true": [1, 0], "y_pred": [0, 1],
                          "great_cat": [True, False], "comments": ["lion", ""]})
    examples = pd.DataFrame({"example_id": ["img_2", "img_3"], "y_true": [0, 1],
                             "y_pred": [1, 0]})
    frame, categories = add_slice_category(sheet, ["great_cat"], "blur = yes", examples)
    assert categories == ["great_cat", "blur = yes"]
    assert frame["example_id"].tolist() == ["img_1", "img_2", "img_3"]
    assert frame["blur = yes"].tolist() == [False, True, True]
    assert frame["great_cat"].tolist() == [True, False, False]
    assert frame["comments"].tolist() == ["lion", "", ""]


def test_a_name_the_sheet_already_uses_is_refused():
    sheet = pd.DataFrame({"example_id": ["a"], "blurry": [True]})
    with pytest.raises(ValueError, match="already a column"):
        add_slice_category(sheet, ["blurry"], "blurry", pd.DataFrame({"example_id": ["b"]}))
    with pytest.raises(ValueError, match="example_id"):
        add_slice_category(sheet, ["blurry"], "night", pd.DataFrame({"id": ["b"]}))


def test_review_sample_is_seeded_and_keeps_every_row_when_asked_for_more():
    rows = pd.DataFrame({"example_id": [f"img_{i}" for i in range(100)]})
    first, again = review_sample(rows, 10, seed=3), review_sample(rows, 10, seed=3)
    assert first["example_id"].tolist() == again["example_id"].tolist() and len(first) == 10
    assert review_sample(rows, 10, seed=4)["example_id"].tolist() != first["example_id"].tolist()
    assert len(review_sample(rows, 500)) == 100 and len(review_sample(rows)) == 100
