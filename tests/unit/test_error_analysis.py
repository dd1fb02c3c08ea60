"""Error analysis against the course's worked case: the 8/43/61/12% sheet, ceilings, label noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cleanlab.filter import find_label_issues
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.error_analysis import category_summary, co_occurrence, label_noise_impact
from analysis.error_sample import sample_errors
from analysis.error_sheet import (
    DEFAULT_CATEGORIES,
    add_category,
    apply_table_edits,
    delete_category,
    infer_categories,
    new_sheet,
    rename_category,
    validate_sheet,
)
from analysis.label_issues import suspected_label_errors
from analysis.predictions import read_predictions
from analysis.sheet_content import sheet_from_content, sheet_to_content
from analysis.stats import wilson_interval

DATA = Path(__file__).resolve().parents[2] / "data"
COURSE_COUNTS = {"dog": 8, "great_cat": 43, "blurry": 61, "instagram_filter": 12,
                 "incorrectly_labeled": 6}


def course_sheet() -> pd.DataFrame:
    """100 reviewed errors with the course's totals; categories overlap (blurry great cats)."""
    rows = np.arange(100)
    sheet = pd.DataFrame({"example_id": [f"img_{i:03d}" for i in rows]})
    sheet["dog"] = rows < 8
    sheet["great_cat"] = (rows >= 20) & (rows < 63)
    sheet["blurry"] = rows >= 39             # 24 blurry great cats (39..62)
    sheet["instagram_filter"] = (rows >= 8) & (rows < 20)
    sheet["incorrectly_labeled"] = (rows >= 94)
    sheet["comments"] = ""
    return sheet


CATS = list(DEFAULT_CATEGORIES)


# ----------------------------------------------------------------------------- summary

def test_course_sheet_gives_8_43_61_12_percent_and_their_ceilings():
    summary = category_summary(course_sheet(), CATS, 10.0)
    table = summary.table.set_index("category")
    for name, count in COURSE_COUNTS.items():
        assert table.loc[name, "count"] == count
        assert table.loc[name, "share"] == pytest.approx(count / 100)
        assert table.loc[name, "ceiling"] == pytest.approx(10.0 * (1 - count / 100))
    assert table.loc["blurry", "ceiling"] == pytest.approx(3.9)
    assert table.loc["great_cat", "ceiling"] == pytest.approx(5.7)
    assert table.loc["dog", "ceiling"] == pytest.approx(9.2)


def test_sample_file_holds_the_course_totals():
    sheet = pd.read_csv(DATA / "error_sheet_sample.csv")
    summary = category_summary(sheet, infer_categories(sheet), 10.0)
    counts = dict(zip(summary.table["category"], summary.table["count"], strict=True))
    assert counts == COURSE_COUNTS


@pytest.mark.parametrize(("dogs", "ceiling"), [(5, 9.5), (50, 5.0)])
def test_dogs_ceiling_at_ten_percent_dev_error(dogs, ceiling):
    sheet = pd.DataFrame({"dog": [True] * dogs + [False] * (100 - dogs)})
    row = category_summary(sheet, ["dog"], 10).table.iloc[0]
    assert row["ceiling"] == pytest.approx(ceiling)
    assert row["gain"] == pytest.approx(10 - ceiling)


def test_categories_sorted_by_what_fixing_them_could_gain():
    summary = category_summary(course_sheet(), CATS, 10.0)
    assert summary.table["category"].tolist() == [
        "blurry", "great_cat", "instagram_filter", "dog", "incorrectly_labeled"]
    assert summary.table["gain"].is_monotonic_decreasing
    assert "blurry" in summary.diagnosis and "3.9%" in summary.diagnosis


def test_overlapping_categories_make_shares_sum_past_100_percent():
    summary = category_summary(course_sheet(), CATS, 10.0)
    assert summary.table["share"].sum() == pytest.approx(1.30)
    assert any("130%" in w for w in summary.warnings)
    # rows 0-7 dog, 8-19 Instagram, 20-62 great cat, 39-99 blurry: every error has a category
    assert summary.untagged == 0
    both = co_occurrence(course_sheet(), CATS)
    assert both.loc["blurry", "great_cat"] == 24


def test_untagged_rows_are_counted_and_reported():
    sheet = pd.DataFrame({"blurry": [True, False, False], "dog": [False, False, True]})
    summary = category_summary(sheet, ["blurry", "dog"], 5.0)
    assert summary.untagged == 1
    assert any("no category ticked" in w for w in summary.warnings)
    assert any("Only 3 reviewed errors" in w for w in summary.warnings)


def test_sample_of_all_dev_errors_gets_wilson_interval_and_extrapolation():
    sheet = pd.DataFrame({"dog": [True] * 10 + [False] * 90})
    summary = category_summary(sheet, ["dog"], 10.0, total_dev_errors=1000)
    row = summary.table.iloc[0]
    low, high = wilson_interval(10, 100)
    assert summary.is_sample
    assert (row["share_low"], row["share_high"]) == pytest.approx((0.0552, 0.1744), abs=1e-4)
    assert (row["share_low"], row["share_high"]) == pytest.approx((low, high))
    assert row["estimated_errors"] == pytest.approx(100)
    assert (row["estimated_low"], row["estimated_high"]) == pytest.approx((low * 1000, high * 1000))
    assert row["ceiling_low"] == pytest.approx(10 * (1 - high))
    assert row["ceiling_high"] == pytest.approx(10 * (1 - low))


def test_a_sheet_holding_every_dev_error_has_no_interval():
    sheet = pd.DataFrame({"dog": [True] * 10 + [False] * 90})
    census = category_summary(sheet, ["dog"], 10.0, total_dev_errors=100).table.iloc[0]
    unknown = category_summary(sheet, ["dog"], 10.0).table.iloc[0]
    assert np.isnan(census["share_low"]) and census["estimated_errors"] == 10
    assert np.isnan(unknown["share_low"]) and np.isnan(unknown["estimated_errors"])


def test_summary_to_dict_is_json_ready():
    import json

    data = category_summary(course_sheet(), CATS, 10.0).to_dict()
    text = json.dumps(data)
    assert '"blurry"' in text and data["categories"][0]["share_low"] is None


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dev_error": 150}, "dev_error must be at most 100"),
    ({"dev_error": "ten"}, "dev_error must be a number"),
    ({"total_dev_errors": 50}, r"total_dev_errors \(50\) is smaller than the 100"),
    ({"total_dev_errors": 2.5}, "total_dev_errors must be a whole number"),
    ({"categories": ["dog", "cats"]}, "no column for categories 'cats'"),
    ({"categories": ["dog", "dog"]}, "duplicates"),
    ({"categories": "dog"}, "categories must be a list"),
])
def test_bad_summary_inputs_name_the_parameter(kwargs, message):
    args = {"sheet": course_sheet(), "categories": CATS, "dev_error": 10.0} | kwargs
    with pytest.raises(ValueError, match=message):
        category_summary(args.pop("sheet"), args.pop("categories"), args.pop("dev_error"), **args)


def test_empty_sheet_is_refused_with_advice():
    with pytest.raises(ValueError, match="sheet has no reviewed errors"):
        category_summary(new_sheet(None), CATS, 10.0)


def test_tick_values_that_are_not_ticks_are_named_with_rows():
    sheet = pd.DataFrame({"blurry": ["x", "", "maybe", 1, 0, "3"]})
    with pytest.raises(ValueError, match=r"column 'blurry' has 2 values .*'maybe', '3' \(rows 3, 6\)"):
        validate_sheet(sheet, ["blurry"])


def test_ticks_are_read_from_spreadsheet_spellings():
    sheet = pd.DataFrame({"blurry": ["x", "", "TRUE", 1, 0.0, None, "yes", "False"]})
    assert validate_sheet(sheet, ["blurry"])["blurry"].tolist() == [
        True, False, True, True, False, False, True, False]


def test_sheet_must_be_a_table():
    with pytest.raises(ValueError, match="sheet must be a table"):
        validate_sheet([[1, 0]], ["dog"])


# ----------------------------------------------------------------------------- co-occurrence

def test_co_occurrence_hand_case():
    sheet = pd.DataFrame({"blurry": [1, 1, 0, 1], "great_cat": [1, 0, 1, 1], "dog": [0, 0, 0, 0]})
    matrix = co_occurrence(sheet, ["blurry", "great_cat", "dog"])
    assert matrix.to_numpy().tolist() == [[3, 2, 0], [2, 3, 0], [0, 0, 0]]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_co_occurrence_is_symmetric_with_counts_on_the_diagonal(rows):
    sheet = pd.DataFrame(rows, columns=["a", "b", "c"])
    matrix = co_occurrence(sheet, ["a", "b", "c"]).to_numpy()
    assert (matrix == matrix.T).all()
    assert matrix.diagonal().tolist() == sheet.sum().tolist()
    for i in range(3):
        for j in range(3):
            assert matrix[i, j] <= min(matrix[i, i], matrix[j, j])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=200), st.floats(0, 100))
def test_ceiling_plus_gain_is_the_dev_error(ticks, dev_error):
    summary = category_summary(pd.DataFrame({"c": ticks}), ["c"], dev_error)
    row = summary.table.iloc[0]
    assert row["ceiling"] + row["gain"] == pytest.approx(dev_error)
    assert 0 <= row["ceiling"] <= dev_error + 1e-9


# ----------------------------------------------------------------------------- label noise

def test_ten_percent_dev_error_with_six_percent_bad_labels_is_not_worth_fixing_yet():
    impact = label_noise_impact(10.0, 0.06)
    assert impact.label_points == pytest.approx(0.6)
    assert impact.other_points == pytest.approx(9.4)
    assert not impact.worth_fixing
    assert "not worth" in impact.verdict.lower()
    assert "0.6" in impact.reason and "9.4" in impact.reason


def test_two_percent_dev_error_with_point_six_from_labels_is_worth_fixing():
    impact = label_noise_impact(2.0, 0.3)
    assert impact.label_points == pytest.approx(0.6)
    assert impact.other_points == pytest.approx(1.4)
    assert impact.worth_fixing
    assert "30%" in impact.reason and "test" in impact.reason
    assert impact.to_dict()["worth_fixing"] is True


def test_no_bad_labels_has_its_own_verdict():
    assert label_noise_impact(5, 0).verdict == "No bad labels found"


@pytest.mark.parametrize(("args", "message"), [
    ((10, 6), "mislabeled_share must be at most 1"),
    ((-1, 0.1), "dev_error must be at least 0"),
    ((10, None), "mislabeled_share is missing"),
])
def test_bad_label_noise_inputs(args, message):
    with pytest.raises(ValueError, match=message):
        label_noise_impact(*args)


# ----------------------------------------------------------------------------- sampling

@pytest.fixture(scope="module")
def cat_predictions():
    return read_predictions(DATA / "cat_classifier.csv")


def test_sampling_draws_misclassified_dev_rows_reproducibly(cat_predictions):
    first = sample_errors(cat_predictions, n=100, seed=7)
    again = sample_errors(cat_predictions, n=100, seed=7)
    other = sample_errors(cat_predictions, n=100, seed=8)
    assert len(first.frame) == 100
    assert first.frame["example_id"].tolist() == again.frame["example_id"].tolist()
    assert first.frame["example_id"].tolist() != other.frame["example_id"].tolist()
    assert (first.frame["y_true"] != first.frame["y_pred"]).all()
    dev = cat_predictions.subset("dev")
    dev_ids = set(dev.frame["image_id"])
    assert set(first.frame["example_id"]) <= dev_ids
    wrong = int((dev.y_true() != dev.y_pred()).sum())
    assert first.n_errors == wrong and first.split == "dev"
    assert first.error_rate == pytest.approx(100 * wrong / dev.n_rows)
    assert {"image_path", "score"} <= set(first.frame.columns)


def test_sampling_a_table_and_asking_more_than_there_are():
    table = pd.DataFrame({"y_true": [0, 1, 1, 0, 1], "y_pred": [1, 1, 0, 0, 0],
                          "split": ["dev", "dev", "dev", "train", "train"]})
    sample = sample_errors(table, n=10, seed=0)
    assert sample.frame["example_id"].tolist() == [0, 2]
    assert any("Only 2 misclassified dev rows" in w for w in sample.warnings)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=80),
       st.integers(1, 30), st.integers(0, 1000))
def test_a_sample_is_a_subset_of_the_errors_without_repeats(pairs, n, seed):
    table = pd.DataFrame(pairs, columns=["y_true", "y_pred"])
    wrong = table.index[table["y_true"] != table["y_pred"]]
    if len(wrong) == 0:
        with pytest.raises(ValueError, match="no misclassified"):
            sample_errors(table, n=n, seed=seed, split=None)
        return
    ids = sample_errors(table, n=n, seed=seed, split=None).frame["example_id"].tolist()
    assert len(ids) == min(n, len(wrong)) == len(set(ids))
    assert set(ids) <= set(wrong)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": 0}, "n must be at least 1"),
    ({"seed": -1}, "seed must be at least 0"),
    ({"source": pd.DataFrame({"y_true": [1]})}, "no column 'y_pred'"),
    ({"source": [1, 2]}, "source must be loaded predictions or a table"),
    ({"source": pd.DataFrame({"y_true": [1], "y_pred": [1], "split": ["train"]})},
     "no 'dev' rows"),
])
def test_bad_sampling_inputs(kwargs, message):
    args = {"source": pd.DataFrame({"y_true": [1, 0], "y_pred": [0, 0]}), "n": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        sample_errors(args.pop("source"), **args)


# ----------------------------------------------------------------------------- label issues

def noisy_binary(seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """400 rows a model scores confidently; 12 given labels are flipped."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, 400)
    score = np.where(truth == 1, rng.uniform(0.8, 0.99, 400), rng.uniform(0.01, 0.2, 400))
    flipped = rng.choice(400, 12, replace=False)
    given_label = truth.copy()
    given_label[flipped] = 1 - given_label[flipped]
    table = pd.DataFrame({"example_id": np.arange(400), "y_true": given_label, "score": score,
                          "y_pred": (score >= 0.5).astype(int)})
    return table, flipped


def test_suspected_label_errors_find_flipped_labels_first():
    table, flipped = noisy_binary(5)
    issues = suspected_label_errors(table, split=None, max_rows=50)
    assert set(issues.frame["example_id"]) == set(flipped)
    assert issues.frame["label_quality"].is_monotonic_increasing
    assert (issues.frame["suggested_label"].head(12) != issues.frame["y_true"].head(12)).all()


def test_binary_score_becomes_two_class_probabilities_for_cleanlab():
    table, flipped = noisy_binary(3)
    score = table["score"].to_numpy()
    expected = find_label_issues(table["y_true"].to_numpy(), np.column_stack([1 - score, score]),
                                 return_indices_ranked_by="self_confidence")
    issues = suspected_label_errors(table, split=None, max_rows=400)
    assert issues.frame["example_id"].tolist() == table["example_id"].to_numpy()[expected].tolist()
    assert set(issues.frame["example_id"]) <= set(flipped)  # every suspect really was flipped


def test_suspected_label_errors_on_predictions(cat_predictions):
    issues = suspected_label_errors(cat_predictions, max_rows=20)
    assert issues.split == "dev" and 0 < len(issues.frame) <= 20
    assert issues.n_checked == cat_predictions.subset("dev").n_rows
    animals = read_predictions(DATA / "animals_multiclass.csv")
    multi = suspected_label_errors(animals, max_rows=10)
    assert set(multi.frame["suggested_label"]) <= set(animals.mapping.classes)


@pytest.mark.parametrize(("table", "message"), [
    (pd.DataFrame({"y_true": [0, 1]}), "no score column"),
    (pd.DataFrame({"y_true": [1, 1], "score": [0.2, 0.9]}), "single class"),
    (pd.DataFrame({"y_true": [0, 1], "score": [0.2, 1.5]}), "between 0 and 1"),
    (pd.DataFrame({"y_true": ["cat", 1], "score": [0.2, 0.5]}), "not 0/1"),
])
def test_bad_label_issue_inputs(table, message):
    with pytest.raises(ValueError, match=message):
        suspected_label_errors(table, split=None)


# ----------------------------------------------------------------------------- categories, edits

def test_add_rename_delete_keep_the_ticks():
    sheet = validate_sheet(course_sheet(), CATS)
    added, cats = add_category(sheet, CATS, "low light")
    assert cats[-1] == "low light" and not added["low light"].any()
    assert added.columns.get_loc("low light") == added.columns.get_loc("comments") - 1
    renamed, cats2 = rename_category(added, cats, "blurry", "out of focus")
    assert cats2[2] == "out of focus"
    assert renamed["out of focus"].tolist() == sheet["blurry"].tolist()
    removed, cats3 = delete_category(renamed, cats2, "dog")
    assert "dog" not in removed.columns and "dog" not in cats3
    assert removed["great_cat"].tolist() == sheet["great_cat"].tolist()


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: add_category(s, CATS, "  "), "category name is empty"),
    (lambda s: add_category(s, CATS, "comments"), "reserved"),
    (lambda s: add_category(s, CATS, "dog"), "already a column"),
    (lambda s: rename_category(s, CATS, "cats", "x"), "category 'cats' does not exist"),
    (lambda s: rename_category(s, CATS, "dog", "blurry"), "already a column"),
    (lambda s: delete_category(s, CATS, "nope"), "category 'nope' does not exist"),
])
def test_bad_category_changes(call, message):
    with pytest.raises(ValueError, match=message):
        call(course_sheet())


def test_table_edits_apply_in_streamlit_order_and_are_idempotent():
    base = validate_sheet(course_sheet().head(4), CATS)
    changes = {"edited_rows": {0: {"dog": False}, 2: {"blurry": True, "comments": "night"}},
               "deleted_rows": [1], "added_rows": [{"example_id": "new", "dog": True}]}
    once = apply_table_edits(base, **changes)
    assert once["example_id"].tolist() == ["img_000", "img_002", "img_003", "new"]
    assert once.loc[1, "comments"] == "night" and bool(once.loc[1, "blurry"])
    assert apply_table_edits(base, **changes).equals(once)  # same base + same changes
    edited = validate_sheet(once, CATS)
    assert edited["dog"].tolist() == [False, True, True, True]


def test_table_edits_outside_the_sheet_are_refused():
    base = course_sheet().head(2)
    with pytest.raises(ValueError, match="edited_rows names row 5"):
        apply_table_edits(base, edited_rows={5: {"dog": True}})
    with pytest.raises(ValueError, match="column 'cat'"):
        apply_table_edits(base, edited_rows={0: {"cat": True}})
    with pytest.raises(ValueError, match="deleted_rows names rows"):
        apply_table_edits(base, deleted_rows=[9])


def test_sheet_content_round_trip_is_json_and_exact():
    import json

    sheet = validate_sheet(course_sheet(), CATS)
    sheet.loc[3, "comments"] = "=1+1 stays text"
    sheet["score"] = np.linspace(0, 1, 100)
    sheet.loc[5, "score"] = np.nan
    content = json.loads(json.dumps(sheet_to_content(sheet, CATS, {"dev_error": 10.0})))
    back, cats, meta = sheet_from_content(content)
    assert cats == CATS and meta == {"dev_error": 10.0}
    assert back[CATS].equals(sheet[CATS])
    assert back.loc[3, "comments"] == "=1+1 stays text"
    assert np.isnan(back.loc[5, "score"]) and back.loc[6, "score"] == pytest.approx(6 / 99)
    with pytest.raises(ValueError, match="not an error-analysis sheet"):
        sheet_from_content({"something": 1})


def test_infer_categories_skips_the_examples_own_columns():
    sheet = pd.DataFrame({"example_id": [1, 2], "y_true": [0, 1], "y_pred": [1, 0],
                          "blurry": ["x", ""], "note": ["a", "b"], "dog": [0, 1]})
    assert infer_categories(sheet) == ["blurry", "dog"]
