"""Model diff per slice: who is right where the other is wrong, exact McNemar per slice and
Holm's correction over the slices, for binary and multiclass predictions."""

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import analysis.metrics.paired as paired_module
from analysis.metrics import ALL_ROWS, holm, model_diff
from analysis.selection import compare_models


def test_holm_matches_the_step_down_rule_worked_by_hand():
    # sorted 0.01, 0.03, 0.04 -> x3, x2, x1 = 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
    assert holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]).tolist() == [1.0, 1.0]
    assert holm([0.2]).tolist() == [0.2]


def test_region_slices_with_exact_tests_and_holm():
    # error per region (US, China, India, Other): B fixes 12 of A's mistakes in India, and
    # breaks none; elsewhere the models trade a few examples
    rng = np.random.default_rng(0)
    regions = np.repeat(["US", "China", "India", "Other"], 100)
    y = rng.integers(0, 2, 400)
    a, b = y.copy(), y.copy()
    india = np.flatnonzero(regions == "India")
    a[india[:12]] ^= 1                      # only B right on 12 Indian examples
    us = np.flatnonzero(regions == "US")
    a[us[:2]] ^= 1                          # only B right on 2 US examples
    b[us[2:5]] ^= 1                         # only A right on 3 US examples
    d = model_diff(y, a, b, groups=regions, column="region", names=("old", "new"))
    table = d.table.set_index("region")
    assert table.loc["India", ["n", "only_a_right", "only_b_right"]].tolist() == [100, 0, 12]
    assert table.loc["US", ["only_a_right", "only_b_right", "both_wrong"]].tolist() == [3, 2, 0]
    assert table.loc["India", "p"] == pytest.approx(stats.binomtest(0, 12, 0.5).pvalue)
    assert table.loc["India", "p_holm"] == pytest.approx(4 * table.loc["India", "p"])
    assert table["p_holm"].tolist() == pytest.approx(holm(table["p"]).tolist())
    assert table.loc["India", "verdict"].startswith("new is better here")
    assert table.loc["US", "verdict"].startswith("no clear difference")
    assert table.loc["China", "verdict"] == ("the models are right and wrong on exactly the "
                                             "same examples here")
    assert sorted(d.examples("only_b_right", "India").tolist()) == india[:12].tolist()
    assert sorted(d.examples("only_a_right", "US").tolist()) == us[2:5].tolist()
    assert d.examples("only_b_right").tolist() == sorted([*india[:12], *us[:2]])


def test_one_slice_agrees_with_compare_models():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 300)                       # multiclass labels
    a = np.where(rng.uniform(size=300) < 0.8, y, (y + 1) % 3)
    b = np.where(rng.uniform(size=300) < 0.7, y, (y + 2) % 3)
    d = model_diff(y, a, b)
    whole = compare_models(y, a, b)
    row = d.table.iloc[0]
    assert row["slice"] == ALL_ROWS and row["n"] == 300
    assert (row["only_a_right"], row["only_b_right"]) == (whole.only_b_wrong, whole.only_a_wrong)
    assert row["p"] == pytest.approx(whole.p_value) and row["p_holm"] == row["p"]
    assert sum(row[g] for g in ("only_a_right", "only_b_right", "both_right", "both_wrong")) == 300


def test_text_labels_work_and_groups_partition_the_rows():
    y = ["cat", "dog", "bird", "cat", "dog", "bird"]
    a = ["cat", "cat", "bird", "dog", "dog", "bird"]
    b = ["cat", "dog", "cat", "cat", "dog", "dog"]
    d = model_diff(y, a, b, groups=["x", "x", "x", "y", "y", "y"])
    every = np.sort(np.concatenate([d.examples(g) for g in
                                    ("only_a_right", "only_b_right", "both_right", "both_wrong")]))
    assert every.tolist() == list(range(6))
    assert d.examples("only_a_right", "x").tolist() == [2]
    assert d.examples("only_b_right", "x").tolist() == [1]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"pred_b": [1, 0]}, "same number of rows"),
    ({"names": ("A", "A")}, "two different model names"),
    ({"alpha": 1.0}, "alpha must lie strictly between 0 and 1"),
    ({"groups": ["a", None, "b"]}, "groups has 1 empty labels"),
])
def test_bad_input_is_named(kwargs, match):
    call = {"y_true": [1, 0, 1], "pred_a": [1, 0, 0], "pred_b": [1, 1, 1]} | kwargs
    with pytest.raises(ValueError, match=match):
        model_diff(**call)


def test_unknown_slice_or_group_is_named():
    d = model_diff([1, 0], [1, 0], [0, 0])
    with pytest.raises(ValueError, match="slice_name must be one of 'all rows'"):
        d.examples("only_a_right", "Mars")
    with pytest.raises(ValueError, match="group must be one of"):
        d.examples("a_wins")


def test_docstring_examples_run():
    assert doctest.testmod(paired_module).failed == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2),
                          st.sampled_from(["US", "China", "India", "Other"])), min_size=1,
                max_size=60))
def test_groups_partition_every_slice_and_holm_never_lowers_p(rows):
    y, a, b, region = (np.array(column) for column in zip(*rows, strict=True))
    d = model_diff(y, a, b, groups=region)
    for _, row in d.table.iterrows():
        parts = [d.examples(g, row["slice"]) for g in
                 ("only_a_right", "only_b_right", "both_right", "both_wrong")]
        joined = np.sort(np.concatenate(parts))
        assert joined.tolist() == np.flatnonzero(region == row["slice"]).tolist()
        assert [len(p) for p in parts] == [row["only_a_right"], row["only_b_right"],
                                           row["both_right"], row["both_wrong"]]
        assert row["p"] <= row["p_holm"] <= 1
