"""The split planner's shapes: the two-way split (no dev set) and the course's rule of thumb by
data size, and the split plan saved as a workspace kind."""

from __future__ import annotations

import pytest

from analysis.split_rules import BIG_DATA_MIN, SMALL_DATA_MAX, split_rule
from analysis.splits import TWO_WAY_NOTE, plan_splits
from workspace.kinds import KINDS, SPLIT_PLAN


def test_two_way_small_data_is_the_course_70_30_with_its_note():
    plan = plan_splits({"all": 1_000}, target="all", two_way=True)
    assert (plan.count("train"), plan.count("dev"), plan.count("test")) == (700, 0, 300)
    assert plan.two_way and TWO_WAY_NOTE in plan.notes
    assert "unbiased estimate" in TWO_WAY_NOTE
    assert not plan.warnings  # no "a dev set of 0 examples" warning: there is meant to be none


def test_three_way_small_data_is_60_20_20():
    plan = plan_splits({"all": 1_000}, target="all")
    assert (plan.count("train"), plan.count("dev"), plan.count("test")) == (600, 200, 200)
    assert not plan.two_way and TWO_WAY_NOTE not in plan.notes


def test_two_way_big_data_caps_the_test_set():
    plan = plan_splits({"all": 1_000_000}, target="all", two_way=True)
    assert plan.count("test") == 10_000 and plan.count("train") == 990_000
    assert any("capped at 10,000" in note for note in plan.notes)


def test_two_way_refuses_a_dev_size():
    with pytest.raises(ValueError, match="two-way split has no dev set"):
        plan_splits({"all": 1_000}, target="all", dev_size=100, two_way=True)


def test_two_way_with_mismatched_sources_keeps_a_train_dev_slice():
    plan = plan_splits({"web": 200_000, "mobile": 10_000}, target="mobile", two_way=True)
    assert plan.count("dev") == 0 and plan.count("test", "mobile") == 3_000
    assert plan.count("train-dev") == 3_000  # as big as test: it can tell variance from mismatch


@pytest.mark.parametrize(("total", "regime", "two_way_fits"), [
    (100, "small data", True), (10_000, "small data", True),
    (SMALL_DATA_MAX - 1, "small data", True), (SMALL_DATA_MAX, "medium data", False),
    (BIG_DATA_MIN - 1, "medium data", False), (BIG_DATA_MIN, "big data", False)])
def test_the_rule_of_thumb_follows_the_data_size(total, regime, two_way_fits):
    rule = split_rule(total)
    assert (rule.regime, rule.two_way_fits) == (regime, two_way_fits)


def test_big_data_says_98_1_1_and_what_70_30_would_spend():
    rule = split_rule(1_000_000)
    assert rule.shares == "98/1/1"
    assert "300,000" in rule.note and "10,000 each" in rule.note


def test_a_saved_split_plan_reads_back_as_the_same_split():
    assert SPLIT_PLAN in KINDS
    for plan in (plan_splits({"web": 200_000, "mobile": 10_000}, target="mobile"),
                 plan_splits({"all": 1_000}, target="all", two_way=True)):
        content = SPLIT_PLAN.to_content(plan)
        again = SPLIT_PLAN.from_content(content)
        assert again.counts == plan.counts and again.two_way == plan.two_way
        assert again.target == plan.target and content["schema_version"] == 1


def test_a_damaged_split_plan_names_what_is_wrong():
    with pytest.raises(ValueError, match="no longer make a plan"):
        SPLIT_PLAN.from_content({"sources": {"a": 10}, "target": "b", "dev_size": 1,
                                 "test_size": 1, "train_dev_size": 0})
    with pytest.raises(ValueError, match="misses or garbles"):
        SPLIT_PLAN.from_content({"sources": {"a": 10}})


def test_a_two_way_split_column_has_no_dev_rows():
    import pandas as pd

    from analysis.split_assignment import assign_splits

    frame = pd.DataFrame({"source": ["all"] * 1_000, "y_true": [0, 1] * 500})
    result = assign_splits(frame, source_column="source", target="all", two_way=True, seed=1)
    counts = result.frame["split"].value_counts().to_dict()
    assert counts == {"train": 700, "test": 300}
