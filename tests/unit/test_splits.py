"""The data-split planner on the course's numbers (200,000 web + 10,000 mobile), bad inputs.

Sample sizes are tested in test_sample_size.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sample_size import dev_size_to_detect, size_for_interval
from analysis.split_assignment import assign_splits
from analysis.splits import (
    apportion,
    audit_split,
    parse_sources,
    plan_splits,
    shuffled_split,
    split_counts,
)

COURSE = {"web": 200_000, "mobile": 10_000}


# --- the course example -------------------------------------------------------------------------

def test_course_example_dev_and_test_are_2500_mobile_each():
    plan = plan_splits(COURSE, target="mobile")
    assert plan.count("dev") == plan.count("dev", "mobile") == 2_500
    assert plan.count("test") == plan.count("test", "mobile") == 2_500
    assert plan.count("dev", "web") == plan.count("test", "web") == 0


def test_course_example_train_is_205000_of_which_5000_mobile():
    plan = plan_splits(COURSE, target="mobile")
    assert plan.training_pool() == 205_000
    assert plan.training_pool("mobile") == 5_000
    assert plan.training_pool("web") == 200_000


def test_course_example_train_dev_is_a_proportional_slice_carved_from_train():
    plan = plan_splits(COURSE, target="mobile")
    assert plan.count("train-dev") == 2_500
    # 2,500 * 200,000 / 205,000 = 2,439.02 web and 60.98 mobile -> 2,439 + 61
    assert plan.count("train-dev", "web") == 2_439
    assert plan.count("train-dev", "mobile") == 61
    assert plan.count("train") == 205_000 - 2_500
    assert plan.table()["total"].sum() == 210_000
    assert not plan.warnings


def test_course_example_notes_explain_the_rules():
    notes = " ".join(plan_splits(COURSE, target="mobile").notes)
    assert "target 'mobile' only" in notes
    assert "other 5,000 'mobile' examples go into train" in notes
    assert "Train-dev" in notes and "data mismatch" in notes
    assert "dev would then be 95% non-'mobile'" in notes


def test_shuffling_everything_together_makes_dev_95_percent_web_and_is_flagged():
    naive = shuffled_split(COURSE, dev_size=2_500, test_size=2_500, train_dev_size=2_500)
    assert naive.loc["dev", "web"] == 2_381  # 2,500 * 200/210
    audit = audit_split(naive, target="mobile")
    assert not audit.ok
    assert any(w.startswith("dev is 95% non-'mobile'") for w in audit.warnings)
    assert any(w.startswith("test is 95% non-'mobile'") for w in audit.warnings)


def test_the_recommended_plan_passes_its_own_audit():
    plan = plan_splits(COURSE, target="mobile")
    audit = audit_split(plan.table(), target="mobile")
    assert audit.ok, audit.warnings
    assert len(audit.passed) == 3


def test_audit_flags_missing_train_dev_and_no_target_in_train():
    table = pd.DataFrame({"web": [200_000, 0, 0, 0], "mobile": [0, 0, 5_000, 5_000]},
                         index=["train", "train-dev", "dev", "test"])
    warnings = " ".join(audit_split(table, target="mobile").warnings)
    assert "train holds no 'mobile' examples" in warnings
    assert "no train-dev set" in warnings


def test_audit_flags_a_train_dev_that_is_not_a_random_slice():
    table = pd.DataFrame({"web": [197_561, 0, 0, 0], "mobile": [2_439, 2_500, 2_500, 2_500]},
                         index=["train", "train-dev", "dev", "test"])
    warnings = audit_split(table, target="mobile").warnings
    assert any("train-dev is 100.0% 'mobile'" in w for w in warnings)


def test_single_source_uses_60_20_20_and_no_train_dev():
    plan = plan_splits({"app": 10_000}, target="app")
    assert (plan.count("train"), plan.count("dev"), plan.count("test")) == (6_000, 2_000, 2_000)
    assert plan.count("train-dev") == 0
    assert any("no train-dev set is needed" in n for n in plan.notes)


def test_big_data_caps_dev_and_test_at_10000_like_98_1_1():
    plan = plan_splits({"logs": 1_000_000}, target="logs")
    assert plan.count("dev") == plan.count("test") == 10_000
    assert plan.count("train") == 980_000


def test_derived_sizes_come_from_the_sample_size_formulas():
    need_dev = dev_size_to_detect(2, 10)
    need_test = size_for_interval(10, 2)
    plan = plan_splits({"web": 500_000, "mobile": 40_000}, target="mobile",
                       dev_needed=need_dev, test_needed=need_test)
    assert plan.count("dev") == need_dev.n
    assert plan.count("test") == need_test.n
    assert any(str(f"{need_dev.n:,}") in n for n in plan.notes)


def test_given_sizes_smaller_than_needed_are_warned_about():
    plan = plan_splits(COURSE, target="mobile", dev_size=2_500, test_size=2_500,
                       dev_needed=dev_size_to_detect(1, 10))
    assert any("dev set (2,500) is smaller than the 13,495 needed" in w for w in plan.warnings)


def test_using_all_target_data_for_dev_and_test_is_warned_about():
    plan = plan_splits(COURSE, target="mobile", dev_size=5_000, test_size=5_000)
    assert plan.training_pool("mobile") == 0
    assert any("No 'mobile' examples are left for train" in w for w in plan.warnings)


# --- writing a split column ---------------------------------------------------------------------

def _frame(n_web=400, n_mobile=200, seed=0):
    rng = np.random.default_rng(seed)
    source = ["web"] * n_web + ["mobile"] * n_mobile
    label = rng.integers(0, 2, n_web + n_mobile)
    return pd.DataFrame({"id": range(n_web + n_mobile), "source": source, "y_true": label})


def test_assign_splits_follows_the_plan_and_is_seeded():
    frame = _frame()
    out = assign_splits(frame, source_column="source", target="mobile", seed=3)
    counts = split_counts(out.frame, split_column="split", source_column="source")
    assert counts.loc["dev", "mobile"] == out.plan.count("dev") == 50
    assert counts.loc["test", "web"] == 0
    assert counts.loc["train-dev", "total"] == out.plan.count("train-dev")
    again = assign_splits(frame, source_column="source", target="mobile", seed=3)
    other = assign_splits(frame, source_column="source", target="mobile", seed=4)
    assert out.frame["split"].equals(again.frame["split"])
    assert not out.frame["split"].equals(other.frame["split"])
    assert list(out.frame.columns) == ["id", "source", "y_true", "split"]
    assert "split" not in frame.columns  # the input is left alone


def test_assign_splits_stratified_keeps_the_label_mix():
    frame = _frame(n_web=300, n_mobile=400)
    frame.loc[frame["source"] == "mobile", "y_true"] = [1] * 100 + [0] * 300  # 25% positive
    out = assign_splits(frame, source_column="source", target="mobile", dev_size=100,
                        test_size=100, seed=1, stratify_column="y_true")
    dev = out.frame[out.frame["split"] == "dev"]
    test = out.frame[out.frame["split"] == "test"]
    assert dev["y_true"].sum() == 25 and test["y_true"].sum() == 25
    assert out.stratified_by == "y_true"


def test_split_counts_reads_synonyms_and_rejects_unknown_split_names():
    frame = pd.DataFrame({"split": ["training", "validation", "holdout"], "src": ["a", "a", "a"]})
    table = split_counts(frame, split_column="split", source_column="src")
    assert table.loc[["train", "dev", "test"], "a"].tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match=r"column 'split' has 1 values that are not a split.*'banana'.*row 2"):
        split_counts(pd.DataFrame({"split": ["train", "banana"], "src": ["a", "a"]}),
                     split_column="split", source_column="src")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=6), st.integers(0, 60_000))
def test_apportion_adds_up_and_never_exceeds_a_weight(weights, total):
    total = min(total, sum(weights))
    parts = apportion(weights, total)
    assert sum(parts) == total
    assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))


def test_parse_sources_reads_thousands_separators_and_lines():
    assert parse_sources("web: 200,000; mobile: 10,000") == COURSE
    assert parse_sources("web = 200000\nmobile=10_000") == COURSE
    assert parse_sources("web: 200000, mobile: 10000") == COURSE


# --- bad inputs -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "message"), [
    (lambda: plan_splits(COURSE, target="tablet"), r"target must be one of 'web', 'mobile'; got 'tablet'"),
    (lambda: plan_splits(COURSE, target="mobile", dev_size=6_000, test_size=6_000),
     r"dev_size \(6,000\) \+ test_size \(6,000\) = 12,000 exceeds the 10,000 examples"),
    (lambda: plan_splits(COURSE, target="mobile", dev_size=-5), r"dev_size must be at least 0, got -5"),
    (lambda: plan_splits(COURSE, target="mobile", dev_size=2.5), r"dev_size must be a whole number"),
    (lambda: plan_splits({"web": 100, "mobile": 0}, target="mobile"), r"target source 'mobile' has 0"),
    (lambda: plan_splits({}, target="mobile"), r"sources must name at least one source"),
    (lambda: plan_splits({"web": "lots"}, target="web"), r"size of source 'web' must be a number"),
    (lambda: plan_splits(COURSE, target="mobile", train_dev_size=300_000),
     r"train_dev_size \(300,000\) exceeds the 205,000 examples"),
    (lambda: parse_sources(""), r"sources is empty"),
    (lambda: parse_sources("web 200000"), r"could not read 'web 200000'"),
    (lambda: parse_sources("web: 1; web: 2"), r"'web' is listed twice"),
    (lambda: assign_splits(pd.DataFrame({"a": [1]}), source_column="source", target="x"),
     r"source_column 'source' is not a column of the file"),
    (lambda: assign_splits(pd.DataFrame({"s": ["a", None]}), source_column="s", target="a"),
     r"column 's' is empty in 1 rows \(row 2\)"),
    (lambda: assign_splits(pd.DataFrame({"s": ["a"] * 10}), source_column="s", target="a",
                           stratify_column="label"), r"stratify_column 'label' is not a column"),
    (lambda: audit_split(pd.DataFrame({"a": [1]}, index=["everything"]), target="a"),
     r"row 'everything' is not a split name"),
])
def test_bad_inputs_raise_value_errors_that_say_what_to_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()
