"""Twin sheets, the FP/FN split and the priority table on hand-worked course numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.error_analysis import category_summary
from analysis.error_priorities import (
    compare_error_sheets,
    plans_from_content,
    plans_to_content,
    priority_table,
    ranked_plan,
    split_by_error_type,
)


def _sheet(counts: dict[str, int], rows: int = 100) -> pd.DataFrame:
    return pd.DataFrame({name: [True] * k + [False] * (rows - k) for name, k in counts.items()})


def test_car_noise_much_more_frequent_in_dev_errors_is_flagged_with_the_remedies():
    # Speech recogniser: 100 reviewed dev errors, 100 reviewed train-dev errors.
    dev = _sheet({"car_noise": 30, "street_numbers": 10})
    train_dev = _sheet({"car_noise": 4, "street_numbers": 8})
    result = compare_error_sheets(dev, train_dev, ["car_noise", "street_numbers"])
    assert result.flagged == ("car_noise",)
    row = result.table.set_index("category").loc["car_noise"]
    assert (row["dev_share"], row["train_dev_share"], row["difference"]) == pytest.approx(
        (0.30, 0.04, 0.26))
    assert not row["intervals_overlap"]
    low, high = stats.binomtest(30, 100).proportion_ci(method="wilson")
    assert (row["dev_low"], row["dev_high"]) == pytest.approx((low, high))
    p_car = stats.fisher_exact([[30, 70], [4, 96]], alternative="greater").pvalue
    p_street = stats.fisher_exact([[10, 90], [8, 92]], alternative="greater").pvalue
    assert row["p_value"] == pytest.approx(p_car)
    # Holm over the two categories by hand: the smaller p doubles, the larger stays (capped).
    assert row["p_adjusted"] == pytest.approx(2 * p_car)
    street = result.table.set_index("category").loc["street_numbers"]
    assert street["p_adjusted"] == pytest.approx(max(2 * p_car, p_street))
    assert not street["flagged"] and street["intervals_overlap"]
    assert "Data mismatch" in result.verdict and "car noise 30% of dev errors" in result.verdict
    remedies = " ".join(result.remedies)
    assert "Collect more training data" in remedies
    assert "more similar" in remedies
    assert "Synthesise" in remedies and "1 hour of car noise" in remedies


def test_twin_sheets_without_difference_flag_nothing_and_warn_when_small():
    result = compare_error_sheets(_sheet({"blurry": 6}, 20), _sheet({"blurry": 5}, 20), ["blurry"])
    assert result.flagged == () and result.remedies == ()
    assert result.table["intervals_overlap"].all()
    assert "No category" in result.verdict
    assert "Few reviewed errors" in result.warnings[0]


def test_category_rarer_in_dev_errors_is_not_flagged_as_mismatch():
    result = compare_error_sheets(_sheet({"blurry": 2}), _sheet({"blurry": 30}), ["blurry"])
    row = result.table.iloc[0]
    assert not row["intervals_overlap"] and not row["flagged"]
    assert row["difference"] == pytest.approx(-0.28)


def test_twin_sheets_name_the_empty_sheet():
    with pytest.raises(ValueError, match="train_dev_sheet has no reviewed errors"):
        compare_error_sheets(_sheet({"blurry": 6}), _sheet({"blurry": 0}, 0), ["blurry"])


def test_blurry_share_splits_into_false_positives_and_false_negatives():
    # 10 errors of a cat detector (positive = cat): 6 false positives, 4 false negatives;
    # blurry ticks 3 of the FPs and 1 of the FNs -> 40% of errors = 30% FP + 10% FN.
    y_true = ["dog"] * 6 + ["cat"] * 4
    y_pred = ["cat"] * 6 + ["dog"] * 4
    sheet = pd.DataFrame({"blurry": [1, 1, 1, 0, 0, 0, 1, 0, 0, 0]})
    split = split_by_error_type(sheet, ["blurry"], y_true, y_pred, positive="cat")
    table = split.table.set_index("error_type")
    assert split.type_counts == {"false positive": 6, "false negative": 4}
    assert table.loc["false positive", ["count", "share", "share_of_type"]].tolist() == \
        pytest.approx([3, 0.3, 0.5])
    assert table.loc["false negative", ["count", "share", "share_of_type"]].tolist() == \
        pytest.approx([1, 0.1, 0.25])
    assert table["share"].sum() == pytest.approx(0.4)


def test_multiclass_errors_split_per_true_class_from_the_sheets_own_columns():
    sheet = pd.DataFrame({"y_true": ["cat", "dog", "dog", "lion"],
                          "y_pred": ["dog", "cat", "lion", "cat"],
                          "great_cat": [True, False, False, True]})
    split = split_by_error_type(sheet, ["great_cat"])
    table = split.table.set_index("error_type")["count"]
    assert table.to_dict() == {"true cat": 1, "true dog": 0, "true lion": 1}
    assert split.type_counts == {"true cat": 1, "true dog": 2, "true lion": 1}


def test_split_refuses_rows_the_model_got_right_and_an_unknown_positive():
    sheet = pd.DataFrame({"blurry": [True, False]})
    with pytest.raises(ValueError, match="1 rows the model got right"):
        split_by_error_type(sheet, ["blurry"], [1, 0], [1, 1], positive=1)
    with pytest.raises(ValueError, match="positive 'cat' is not among the labels"):
        split_by_error_type(sheet, ["blurry"], [1, 0], [0, 1], positive="cat")
    with pytest.raises(ValueError, match="y_true must hold one label per sheet row"):
        split_by_error_type(sheet, ["blurry"], [1], [0, 1], positive=1)


def test_dogs_five_in_a_hundred_errors_at_ten_percent_leave_nine_and_a_half():
    table = priority_table({"dog": 5 / 100, "great_cat": 50 / 100}, 10.0).set_index("category")
    assert table.loc["dog", "best_dev_error"] == pytest.approx(9.5)
    assert table.loc["dog", "ceiling_gain"] == pytest.approx(0.5)
    assert table.loc["great_cat", "best_dev_error"] == pytest.approx(5.0)


def test_priority_table_reads_the_sheet_summary_fifty_great_cats_leave_five_percent():
    sheet = _sheet({"dog": 5, "great_cat": 50})
    summary = category_summary(sheet, ["dog", "great_cat"], 10.0)
    table = priority_table(summary.table, summary.dev_error, {"dog": 1, "great_cat": 1})
    assert table[["category", "best_dev_error"]].values.tolist() == [["great_cat", 5.0],
                                                                     ["dog", 9.5]]


def test_priority_ranks_gain_per_effort_with_owners_and_unestimated_last():
    # The course's sheet totals at 10% dev error: dog 8%, great cat 43%, blurry 61%, Instagram 12%.
    shares = {"dog": 0.08, "great_cat": 0.43, "blurry": 0.61, "instagram_filter": 0.12}
    effort = {"dog": 2, "great_cat": 5, "blurry": 20, "instagram_filter": None}
    owner = {"great_cat": "Ana", "blurry": "Ben"}
    table = priority_table(shares, 10.0, effort, owner)
    assert table["category"].tolist() == ["great_cat", "dog", "blurry", "instagram_filter"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table["gain_per_effort"].iloc[:3].tolist() == pytest.approx([0.86, 0.4, 0.305])
    assert np.isnan(table["gain_per_effort"].iloc[3])
    assert table["owner"].tolist() == ["Ana", "", "Ben", ""]
    assert "instagram_filter" in table.attrs["notes"][0]


def test_priority_accepts_the_summary_table_and_checks_its_inputs():
    summary = pd.DataFrame({"category": ["dog", "blurry"], "share": [0.05, 0.6]})
    assert priority_table(summary, 10.0)["category"].tolist() == ["blurry", "dog"]
    with pytest.raises(ValueError, match="effort names categories that have no share: 'cat'"):
        priority_table({"dog": 0.05}, 10.0, {"cat": 1})
    with pytest.raises(ValueError, match=r"effort\['dog'\] must be above 0"):
        priority_table({"dog": 0.05}, 10.0, {"dog": 0})
    with pytest.raises(ValueError, match=r"category_shares\['dog'\] must be at most 1"):
        priority_table({"dog": 5}, 10.0)
    with pytest.raises(ValueError, match="dev_error_pct must be at most 100"):
        priority_table({"dog": 0.05}, 120)


def test_the_teams_plan_reads_back_cleaned_and_ranks_only_the_sheets_categories():
    saved = plans_to_content({"dog": {"ideas": "more dogs", "effort": 2, "owner": "ana"},
                              "blurry": {"effort": "soon", "owner": None},  # damaged values
                              "gone": {"effort": 1, "owner": "ben"}})
    plans = plans_from_content(saved)
    assert plans["dog"] == {"ideas": "more dogs", "effort": 2.0, "owner": "ana"}
    assert plans["blurry"] == {"ideas": "", "effort": None, "owner": ""}
    shares = pd.DataFrame({"category": ["dog", "blurry"], "share": [0.08, 0.61]})
    table = ranked_plan(shares, 10.0, plans)  # 'gone' is no longer a category: ignored
    assert table[["category", "gain_per_effort", "owner"]].values.tolist()[0] == [
        "dog", pytest.approx(0.4), "ana"]
    assert table.loc[1, "category"] == "blurry" and table.loc[1, "owner"] == ""
