"""The error waterfall against the course's worked cases, properties and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from analysis.bias_variance import decompose, decompose_predictions
from analysis.general_formulation import (
    FORMULATION_COLUMNS,
    FORMULATION_EXAMPLE,
    FORMULATION_ROWS,
    general_formulation,
)
from analysis.predictions import read_predictions
from analysis.split_errors import errors_by_split
from analysis.waterfall_cases import PRESETS
from analysis.waterfall_diagnosis import TACTICS
from analysis.waterfall_result import GAP_KINDS

# ------------------------------------------------------------------ the course's worked cases


def test_avoidable_bias_dominates_when_train_is_far_above_human():
    result = decompose(human=1, train=8, dev=10)
    assert result.bayes_proxy == 1
    assert result.avoidable_bias == pytest.approx(7)
    assert result.variance == pytest.approx(2)
    assert result.data_mismatch is None and result.dev_overfit is None
    assert result.main_problem == "avoidable bias"
    assert result.problems == ("avoidable bias",)
    assert "focus on reducing avoidable bias" in result.diagnosis


def test_variance_dominates_when_human_is_close_to_train():
    result = decompose(human=7.5, train=8, dev=10)
    assert result.avoidable_bias == pytest.approx(0.5)
    assert result.variance == pytest.approx(2)
    assert result.main_problem == "variance"
    assert result.problems == ("variance",)


def test_variance_problem_when_train_dev_jumps():
    result = decompose(human=0, train=1, train_dev=9, dev=10)
    assert result.variance == pytest.approx(8)
    assert result.data_mismatch == pytest.approx(1)
    assert result.main_problem == "variance"
    assert result.problems == ("variance",)


def test_data_mismatch_problem_when_dev_jumps_after_train_dev():
    result = decompose(human=0, train=1, train_dev=1.5, dev=10)
    assert result.variance == pytest.approx(0.5)
    assert result.data_mismatch == pytest.approx(8.5)
    assert result.main_problem == "data mismatch"
    assert result.problems == ("data mismatch",)


def test_avoidable_bias_problem_when_train_is_high_and_the_rest_close():
    result = decompose(human=0, train=10, train_dev=11, dev=12)
    assert (result.avoidable_bias, result.variance, result.data_mismatch) == pytest.approx((10, 1, 1))
    assert result.main_problem == "avoidable bias"
    assert result.problems == ("avoidable bias",)


def test_bias_and_mismatch_are_both_named_largest_first():
    result = decompose(human=0, train=10, train_dev=11, dev=20)
    assert result.problems == ("avoidable bias", "data mismatch")
    assert result.main_problem == "avoidable bias"
    assert set(result.tactics) == {"avoidable bias", "data mismatch"}
    assert "both matter" in result.diagnosis


def test_negative_gap_warns_that_dev_is_easier():
    result = decompose(human=4, train=7, train_dev=10, dev=6)
    assert result.data_mismatch == pytest.approx(-4)
    assert "data mismatch" not in result.problems
    assert any("easier than the training distribution" in w for w in result.warnings)


def test_training_error_below_human_warns_bias_not_measurable():
    result = decompose(human=5, train=3, dev=9)
    assert result.avoidable_bias == pytest.approx(-2)
    assert result.main_problem == "variance"
    assert any("below human level" in w and "no longer measurable" in w for w in result.warnings)


def test_best_human_reference_is_the_bayes_proxy():
    refs = {"typical human": 3, "typical doctor": 1, "experienced doctor": 0.7,
            "team of experienced doctors": 0.5}
    result = decompose(human=refs, train=0.7, dev=0.8)
    assert result.bayes_proxy == 0.5
    assert result.avoidable_bias == pytest.approx(0.2)
    assert result.variance == pytest.approx(0.1)
    assert result.main_problem == "avoidable bias"
    assert result.problems == ("avoidable bias",)
    assert dict(result.human_references) == refs
    assert decompose(human=[3, None, 1], train=2).bayes_proxy == 1


def test_no_train_dev_warns_variance_and_mismatch_cannot_be_told_apart():
    result = decompose(human=1, train=8, dev=10)
    assert any("No train-dev set" in w for w in result.warnings)
    assert not any("No train-dev" in w for w in decompose(1, 8, 9, 10).warnings)


def test_unknown_human_leaves_avoidable_bias_out():
    result = decompose(human=None, train=1, train_dev=9, dev=10)
    assert result.bayes_proxy is None and result.avoidable_bias is None
    assert result.main_problem == "variance"
    assert any("No human-level error" in w for w in result.warnings)


def test_overfitting_to_dev_from_test():
    result = decompose(human=0.5, train=1, train_dev=1.2, dev=1.5, test=6)
    assert result.dev_overfit == pytest.approx(4.5)
    assert result.main_problem == "overfitting to dev"
    assert result.tactics["overfitting to dev"] == ("Get a bigger dev set.",)


def test_tactics_follow_the_domain_lists():
    result = decompose(human=1, train=8, dev=10)
    assert result.tactics == {"avoidable bias": TACTICS["avoidable bias"]}
    assert any("Adam" in t for t in TACTICS["avoidable bias"])
    assert any("dropout" in t for t in TACTICS["variance"])
    assert any("synthes" in t.lower() for t in TACTICS["data mismatch"])


def test_every_preset_decomposes_and_names_what_its_title_says():
    expected = {"Bias dominates": "avoidable bias", "Variance dominates": "variance",
                "Variance (": "variance", "Data mismatch": "data mismatch", "Bias (": "avoidable bias",
                "Bias and mismatch": "avoidable bias", "Medical": "avoidable bias"}
    for name, inputs in PRESETS.items():
        result = decompose(**inputs)
        for prefix, problem in expected.items():
            if name.startswith(prefix):
                assert result.main_problem == problem, name


def test_to_dict_is_json_able_and_complete():
    result = decompose(human={"expert": 1}, train=8, train_dev=9, dev=10, test=11,
                       sizes={"train": 1000, "train_dev": 500, "dev": 500, "test": 500})
    data = json.loads(json.dumps(result.to_dict()))
    assert data["main_problem"] == "avoidable bias"
    assert data["human_references"] == [["expert", 1.0]]
    assert [g["kind"] for g in data["gaps"]] == list(GAP_KINDS)
    assert data["levels"][1]["examples"] == 1000


def test_as_inputs_rebuild_the_same_result_through_json():
    typed = decompose(human={"expert": 1, "team": 0.5}, train=8, train_dev=9, dev=10)
    assert decompose(**json.loads(json.dumps(typed.as_inputs()))) == typed
    frame = _frame({"train": (30, 1000), "train-dev": (50, 1000), "dev": (100, 1000)})
    from_data = decompose_predictions(frame, human=2)
    rebuilt = decompose(**json.loads(json.dumps(from_data.as_inputs())))
    assert rebuilt.gaps == from_data.gaps and rebuilt.levels == from_data.levels


# ------------------------------------------------------------------ noise


def test_gap_smaller_than_the_noise_is_not_a_problem():
    result = decompose(human=1, train=8, dev=10, sizes={"train": 100, "dev": 100})
    assert result.variance == pytest.approx(2)
    assert "variance" in result.within_noise
    assert "variance" not in result.problems
    assert any("within the noise" in w and "100 dev examples" in w for w in result.warnings)


def test_the_same_gap_with_many_examples_is_a_problem():
    result = decompose(human=7.5, train=8, dev=10, sizes={"train": 100_000, "dev": 100_000})
    assert result.within_noise == ()
    assert result.main_problem == "variance"
    gap = result.gap("variance")
    assert gap.low < 2 < gap.high and gap.low > 0


@settings(max_examples=40, deadline=None)
@given(p=st.floats(0.01, 0.5), n=st.integers(20, 2_000), factor=st.integers(2, 50))
def test_intervals_shrink_as_counts_grow(p, n, factor):
    small = decompose(0, train=100 * p, sizes={"train": n}).levels[1]
    k = small.errors
    big = decompose(0, train=100 * k / n, sizes={"train": n * factor}).levels[1]
    assert big.high - big.low < small.high - small.low
    assert small.low <= small.error <= small.high


# ------------------------------------------------------------------ the gaps add up

rates = st.one_of(st.none(), st.floats(0, 100, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(human=rates, train=st.floats(0, 100), train_dev=rates, dev=rates, test=rates)
def test_gaps_add_up_to_last_error_minus_bayes_proxy(human, train, train_dev, dev, test):
    if dev is None:
        test = None
    result = decompose(human, train, train_dev, dev, test)
    last = next(v for v in (test, dev, train_dev, train) if v is not None)
    start = train if human is None else human
    assert sum(g.size for g in result.gaps) == pytest.approx(last - start, abs=1e-9)
    assert list(result.problems) == sorted(result.problems,
                                           key=lambda k: -result.gap(k).size)
    assert all(result.gap(k).size > 0 for k in result.problems)
    assert result.main_problem == (result.problems[0] if result.problems else None)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"human": 1, "train": -1}, "train must be at least 0"),
    ({"human": 1, "train": 101}, "train must be at most 100"),
    ({"human": 1, "train": "eight"}, "train must be a number"),
    ({"human": -2, "train": 8}, "human must be at least 0"),
    ({"human": [1, "x"], "train": 8}, r"human\[1\] must be a number"),
    ({"human": {"expert": 200}, "train": 8}, r"human\['expert'\] must be at most 100"),
    ({"human": 1, "train": 8, "dev": float("inf")}, "dev is infinite"),
    ({"human": 1, "train": 8, "train_dev": "abc"}, "train_dev must be a number"),
    ({"human": 1, "train": None, "train_dev": 5}, "train is missing but train_dev was given"),
    ({"human": 1, "train": None}, "train is missing"),
    ({"human": 1, "train": 8, "test": 12}, "test was given without dev"),
    ({"human": 1, "train": 8, "dev": 9, "sizes": {"dev": 0}}, r"sizes\['dev'\] must be at least 1"),
    ({"human": 1, "train": 8, "dev": 9, "sizes": {"test": 10}}, "test was not"),
    ({"human": 1, "train": 8, "dev": 9, "sizes": {"valid": 10}}, "sizes key must be one of"),
    ({"human": 1, "train": 8, "dev": 9, "sizes": {"dev": 2.5}}, "whole number"),
    ({"human": 1, "train": 8, "confidence": 1.5}, "confidence must be at most 1"),
])
def test_bad_input_names_the_field(kwargs, match):
    with pytest.raises(ValueError, match=match):
        decompose(**kwargs)


def test_text_numbers_from_the_url_are_accepted():
    assert decompose("1", "8", dev="10%").avoidable_bias == pytest.approx(7)


# ------------------------------------------------------------------ general formulation


def test_rear_view_mirror_example_gives_bias_variance_and_negative_mismatch():
    result = general_formulation(FORMULATION_EXAMPLE)
    assert result.gap("avoidable bias").size == pytest.approx(3)
    assert result.gap("variance").size == pytest.approx(3)
    assert result.gap("data mismatch").size == pytest.approx(-4)
    assert result.gap("remaining gap to human on target").size == pytest.approx(0)
    assert result.gap("target harder for humans").size == pytest.approx(2)
    assert result.unsupported == ()
    assert any("target data is easier" in w for w in result.warnings)
    json.dumps(result.to_dict())


def test_empty_cells_leave_out_only_the_gaps_that_need_them():
    frame = pd.DataFrame([[4, None], [7, None], [10, 6]], index=list(FORMULATION_ROWS),
                         columns=list(FORMULATION_COLUMNS))
    result = general_formulation(frame)
    assert [g.name for g in result.gaps] == ["avoidable bias", "variance", "data mismatch"]
    assert "avoidable bias on target data" in result.unsupported
    assert math.isnan(result.table.loc["human level", FORMULATION_COLUMNS[1]])
    empty = general_formulation({row: dict.fromkeys(FORMULATION_COLUMNS)
                                 for row in FORMULATION_ROWS})
    assert empty.gaps == () and any("empty" in w for w in empty.warnings)


def test_waterfall_levels_fill_the_formulation_table_and_give_the_same_gaps():
    result = decompose(human=4, train=7, train_dev=10, dev=6, test=6.5)
    formulation = general_formulation(result.formulation_table())
    assert [(g.name, g.size) for g in formulation.gaps] == [
        ("avoidable bias", 3.0), ("variance", 3.0), ("data mismatch", -4.0)]


def test_split_synonyms_in_a_plain_frame_are_understood():
    frame = pd.DataFrame({"y_true": [1, 1, 0, 0], "y_pred": [1, 0, 0, 0],
                          "split": ["Training", "training", "validation", "holdout"]})
    assert errors_by_split(frame)["split"].tolist() == ["train", "dev", "test"]
    with pytest.raises(ValueError, match="split column 'split' has values"):
        errors_by_split(frame.assign(split=["train", "train", "dev", "later"]))


@pytest.mark.parametrize(("table", "match"), [
    (((4, 6), (7, -1), (10, 6)), "error on examples trained on / target .* must be at least 0"),
    (((4, "x"), (7, 6), (10, 6)), "human level / target .* must be a number"),
    (((4, 6), (7, 6)), "3 rows of 2 values"),
    ({"nonsense": {FORMULATION_COLUMNS[0]: 1}}, "unknown rows"),
    ("4,6", "3x2 DataFrame or mapping"),
])
def test_bad_formulation_table_names_the_cell(table, match):
    with pytest.raises(ValueError, match=match):
        general_formulation(table)


# ------------------------------------------------------------------ from data


def _frame(errors_per_split: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """A binary predictions frame with k wrong out of n for each split."""
    parts = []
    for split, (k, n) in errors_per_split.items():
        truth = np.ones(n, dtype=int)
        guess = truth.copy()
        guess[:k] = 0
        parts.append(pd.DataFrame({"y_true": truth, "y_pred": guess, "split": split}))
    return pd.concat(parts, ignore_index=True)


def test_errors_by_split_counts_and_intervals():
    table = errors_by_split(_frame({"dev": (100, 1000), "train": (30, 1000)}))
    assert table["split"].tolist() == ["train", "dev"]
    assert table["errors"].tolist() == [30, 100]
    assert table["error"].tolist() == pytest.approx([3.0, 10.0])
    # scipy's Wilson interval is the reference (no continuity correction).
    reference = binomtest(100, 1000).proportion_ci(confidence_level=0.95, method="wilson")
    dev = table.iloc[1]
    assert dev["low"] == pytest.approx(100 * reference.low)
    assert dev["high"] == pytest.approx(100 * reference.high)


def test_decompose_from_data_matches_typed_rates():
    frame = _frame({"train": (30, 1000), "train-dev": (50, 1000), "dev": (100, 1000),
                    "test": (110, 1000)})
    result = decompose_predictions(frame, human=1)
    assert result.from_data
    assert (result.avoidable_bias, result.variance, result.data_mismatch, result.dev_overfit) \
        == pytest.approx((2, 2, 5, 1))
    assert result.main_problem == "data mismatch"
    assert "overfitting to dev" in result.within_noise
    assert "overfitting to dev" not in result.problems
    typed = decompose(1, 3, 5, 10, 11, sizes={"train": 1000, "train-dev": 1000, "dev": 1000,
                                             "test": 1000})
    assert typed.gaps == result.gaps


def test_multiclass_labels_compare_as_text():
    frame = pd.DataFrame({"y_true": ["cat", "dog", "cat", "bird"], "y_pred": ["cat", "cat", "cat", "bird"],
                          "split": ["train", "train", "dev", "dev"]})
    assert errors_by_split(frame)["errors"].tolist() == [1, 0]


@pytest.mark.parametrize(("frame", "kwargs", "match"), [
    (pd.DataFrame({"y_true": [1], "y_pred": [1]}), {}, "no column 'split'"),
    (_frame({"dev": (1, 10)}), {}, "no 'train' rows"),
    (_frame({"train": (1, 10), "test": (1, 10)}), {}, "no 'dev' rows"),
    (pd.DataFrame({"y_true": [1, None], "y_pred": [1, 1], "split": ["train", "dev"]}), {}, "empty"),
    (_frame({"train": (1, 10)}), {"human": "lots"}, "human must be a number"),
])
def test_bad_predictions_name_the_problem(frame, kwargs, match):
    with pytest.raises(ValueError, match=match):
        decompose_predictions(frame, **kwargs)


def test_not_a_frame_is_refused():
    with pytest.raises(ValueError, match="predictions must be"):
        errors_by_split([1, 2, 3])


def test_loaded_predictions_give_per_split_errors_with_intervals():
    csv = (b"y_true,score,split\n" + b"1,0.9,train\n" * 18 + b"1,0.2,train\n" * 2
           + b"0,0.1,Validation\n" * 15 + b"0,0.7,Validation\n" * 5)
    predictions = read_predictions(csv, "tiny.csv")
    table = errors_by_split(predictions)
    assert table["split"].tolist() == ["train", "dev"]
    assert table["error"].tolist() == pytest.approx([10.0, 25.0])
    assert (table["low"] < table["error"]).all() and (table["error"] < table["high"]).all()
    # The threshold governs predictions made from scores.
    assert errors_by_split(predictions, threshold=0.8)["errors"].tolist() == [2, 0]
    result = decompose_predictions(predictions, human=[5, 2])
    assert result.bayes_proxy == 2 and result.from_data
    assert result.variance == pytest.approx(15)


# ------------------------------------------------------------------ ties


def test_equal_gaps_tie_and_the_diagnosis_names_both():
    result = decompose(human=4, train=7, train_dev=10, dev=6)
    assert (result.avoidable_bias, result.variance) == pytest.approx((3, 3))
    assert result.ties == ("avoidable bias", "variance")
    assert "tie for largest" in result.diagnosis and "start with" not in result.diagnosis


@pytest.mark.parametrize(("train_dev", "tied"), [(9.9, True), (9.89, False), (9.8, False)])
def test_typed_gaps_tie_within_a_tenth_of_a_point(train_dev, tied):
    # Avoidable bias 5 points against variance train_dev - 5: 4.9 sits exactly on the 0.1 bound.
    result = decompose(human=0, train=5, train_dev=train_dev)
    assert bool(result.ties) is tied
    assert ("tie for largest" in result.diagnosis) is tied


@pytest.mark.parametrize(("n", "tied"), [(1_000, True), (100_000, False)])
def test_counted_gaps_tie_when_the_smaller_lies_inside_the_larger_interval(n, tied):
    result = decompose(human=0, train=2, train_dev=10, dev=17,
                       sizes={"train": n, "train_dev": n, "dev": n})
    variance = result.gap("variance")
    assert result.problems == ("variance", "data mismatch")
    assert (variance.low <= 7 <= variance.high) is tied
    assert result.ties == (("variance", "data mismatch") if tied else ())


def test_ties_survive_to_dict_and_a_single_problem_never_ties():
    assert decompose(human=1, train=8, dev=10).ties == ()
    data = json.loads(json.dumps(decompose(human=4, train=7, train_dev=10).to_dict()))
    assert data["ties"] == ["avoidable bias", "variance"]


# ------------------------------------------------------------------ beyond human level


def test_separate_bayes_estimate_becomes_the_proxy_past_human_level():
    result = decompose(human=1, train=0.5, dev=0.8, bayes_error_pct=0.2)
    assert result.bayes_proxy == 0.2 and result.bayes_error_pct == 0.2
    assert result.avoidable_bias == pytest.approx(0.3)
    assert result.human_references == (("human level", 1.0),)
    note = next(w for w in result.warnings if "below the best human level" in w)
    assert "Bayes error (0.2%)" in note and "0.3 points" in note
    assert not any("no longer measurable" in w for w in result.warnings)


@pytest.mark.parametrize(("task_kind", "phrase"), [
    (None, "surpass humans far more often than natural perception"),
    ("structured data", "structured-data problem"),
    ("perception", "perception task"),
])
def test_below_human_warning_carries_the_structured_versus_perception_note(task_kind, phrase):
    result = decompose(human=5, train=3, dev=9, task_kind=task_kind)
    warning = next(w for w in result.warnings if "below human level" in w)
    assert phrase in warning and "enter it" in warning
    assert result.task_kind == task_kind


def test_training_error_below_the_bayes_estimate_is_flagged():
    result = decompose(human=2, train=0.5, dev=3, bayes_error_pct=1, task_kind="perception")
    assert result.avoidable_bias == pytest.approx(-0.5)
    warning = next(w for w in result.warnings if "below the estimated Bayes error" in w)
    assert "perception task" in warning


def test_bayes_estimate_above_the_best_human_is_flagged():
    result = decompose(human=[3, 1], train=4, dev=5, bayes_error_pct=2)
    assert result.bayes_proxy == 2
    assert any("above the best human level (1%)" in w for w in result.warnings)


def test_bayes_estimate_and_task_kind_rebuild_through_json_and_from_data():
    typed = decompose(human=1, train=0.5, dev=0.8, bayes_error_pct=0.2, task_kind="structured data")
    assert decompose(**json.loads(json.dumps(typed.as_inputs()))) == typed
    from_data = decompose_predictions(_frame({"train": (5, 1000), "dev": (8, 1000)}), human=1,
                                      bayes_error_pct=0.2)
    assert from_data.bayes_proxy == 0.2 and from_data.avoidable_bias == pytest.approx(0.3)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"bayes_error_pct": 101}, "bayes_error_pct must be at most 100"),
    ({"bayes_error_pct": "low"}, "bayes_error_pct must be a number"),
    ({"task_kind": "tabular"}, "task_kind must be one of 'structured data', 'perception'"),
])
def test_bad_bayes_estimate_or_task_kind_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        decompose(human=1, train=8, dev=10, **kwargs)


@settings(max_examples=150, deadline=None)
@given(human=st.floats(0, 20), train=st.floats(0, 40), train_dev=st.floats(0, 60),
       dev=st.floats(0, 80))
def test_ties_are_problems_led_by_the_main_one(human, train, train_dev, dev):
    result = decompose(human, train, train_dev, dev)
    if result.ties:
        assert set(result.ties) <= set(result.problems) and len(result.ties) >= 2
        assert result.ties[0] == result.main_problem
        largest = result.gap(result.main_problem).size
        assert all(largest - result.gap(k).size <= 0.1 + 1e-9 for k in result.ties)
        assert "tie for largest" in result.diagnosis
