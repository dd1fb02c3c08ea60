"""analysis/selection.py: the course's optimizing/satisficing case, McNemar, bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.selection import compare_models, mcnemar_exact, select_model


def _course_table() -> pd.DataFrame:
    return pd.DataFrame({"model": ["A", "B", "C"], "accuracy": [90.0, 92.0, 95.0],
                         "running_time_ms": [80.0, 95.0, 1500.0]})


def test_course_case_b_wins_because_c_is_too_slow():
    choice = select_model(_course_table(), optimize="accuracy",
                          satisfy={"running_time_ms": ("<=", 100)})
    assert choice.winner == "B"
    assert choice.reasons["C"] == "fails running_time_ms <= 100: it has 1500"
    assert choice.reasons["A"] == "meets every constraint but accuracy 90 < 92 (B)"
    assert choice.reasons["B"].startswith("wins")
    assert choice.table["meets_constraints"].tolist() == [True, True, False]
    assert "B wins" in choice.summary and "running_time_ms <= 100" in choice.summary


def test_without_the_constraint_c_wins_and_with_a_tight_one_nobody_does():
    assert select_model(_course_table(), optimize="accuracy").winner == "C"
    none = select_model(_course_table(), optimize="accuracy", satisfy={"running_time_ms": ("<", 50)})
    assert none.winner is None and "No model meets" in none.summary


def test_minimising_error_and_ties_are_reported():
    table = pd.DataFrame({"name": ["x", "y", "z"], "error": [5.0, 4.0, 4.0], "memory_mb": [1, 2, 3]})
    choice = select_model(table, optimize="error", goal="min", satisfy={"memory_mb": (">=", 2)})
    assert choice.winner == "y"
    assert choice.warnings and "tie" in choice.warnings[0]
    assert "fails memory_mb >= 2" in choice.reasons["x"]


def test_missing_value_fails_a_constraint():
    table = _course_table()
    table.loc[1, "running_time_ms"] = np.nan
    choice = select_model(table, optimize="accuracy", satisfy={"running_time_ms": ("<=", 100)})
    assert choice.winner == "A" and choice.reasons["B"] == "has no value for running_time_ms"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"optimize": "speed"}, "optimize names the column 'speed'"),
    ({"optimize": "accuracy", "satisfy": {"running_time_ms": ("=<", 100)}}, "operator for 'running_time_ms'"),
    ({"optimize": "accuracy", "satisfy": {"running_time_ms": 100}}, r"must be \(operator, bound\)"),
    ({"optimize": "accuracy", "goal": "best"}, "goal must be one of"),
    ({"optimize": "accuracy", "satisfy": {"running_time_ms": ("<=", "fast")}}, "bound for 'running_time_ms'"),
])
def test_bad_selection_input_is_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        select_model(_course_table(), **kwargs)


def test_text_in_a_metric_column_and_duplicate_names_are_rejected():
    table = _course_table().astype({"accuracy": object})
    table.loc[2, "accuracy"] = "high"
    with pytest.raises(ValueError, match="column 'accuracy' has values that are not numbers"):
        select_model(table, optimize="accuracy")
    twice = pd.DataFrame({"model": ["A", "A"], "accuracy": [1, 2]})
    with pytest.raises(ValueError, match="must be unique"):
        select_model(twice, optimize="accuracy")


def test_mcnemar_matches_binomtest_hand_case():
    # 25 examples only A gets wrong, 10 only B gets wrong
    expected = stats.binomtest(10, 35, 0.5).pvalue
    assert mcnemar_exact(25, 10) == pytest.approx(expected)
    assert mcnemar_exact(25, 10) == pytest.approx(2 * stats.binom.cdf(10, 35, 0.5))
    assert mcnemar_exact(0, 0) == 1.0
    with pytest.raises(ValueError, match="only_a_wrong must be at least 0"):
        mcnemar_exact(-1, 3)


def test_compare_models_counts_discordant_pairs_and_gives_a_verdict():
    rng = np.random.default_rng(0)
    n = 2000
    truth = rng.integers(0, 2, n)
    a, b = truth.copy(), truth.copy()
    a[:200] ^= 1          # A wrong on 200
    b[150:250] ^= 1       # B wrong on 100, 50 of them shared with A
    result = compare_models(truth, a, b)
    assert (result.only_a_wrong, result.only_b_wrong) == (150, 50)
    assert result.error_a == pytest.approx(0.10) and result.error_b == pytest.approx(0.05)
    assert result.difference == pytest.approx(0.05)
    assert result.p_value == pytest.approx(stats.binomtest(50, 200, 0.5).pvalue)
    assert result.low < 0.05 < result.high and result.low > 0
    assert result.significant and "prefer B" in result.verdict


def test_bootstrap_interval_matches_row_resampling():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 500)
    a = np.where(rng.random(500) < 0.12, 1 - truth, truth)
    b = np.where(rng.random(500) < 0.10, 1 - truth, truth)
    result = compare_models(truth, a, b, n_boot=4000)
    per_row = (a != truth).astype(float) - (b != truth)
    idx = np.random.default_rng(2).integers(0, 500, (4000, 500))
    ref_low, ref_high = np.quantile(per_row[idx].mean(axis=1), [0.025, 0.975])
    assert result.low == pytest.approx(ref_low, abs=0.006)
    assert result.high == pytest.approx(ref_high, abs=0.006)


def test_small_difference_is_not_significant_and_says_how_many_examples_are_needed():
    truth = np.zeros(300, dtype=int)
    a, b = truth.copy(), truth.copy()
    a[:30] = 1
    b[2:30] = 1  # B fixes two of A's mistakes
    result = compare_models(truth, a, b, names=("baseline", "new"))
    assert not result.significant and result.p_value == pytest.approx(0.5)
    assert "could be chance" in result.verdict and result.needed_dev_size > 300
    assert "new's error is 0.67 points lower" in result.verdict


def test_identical_models_cannot_be_told_apart():
    result = compare_models(["cat", "dog"], ["cat", "cat"], ["cat", "cat"])
    assert result.p_value == 1.0 and "cannot tell them apart" in result.verdict


def test_compare_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same number of rows"):
        compare_models([1, 0, 1], [1, 0], [1, 0, 1])
    with pytest.raises(ValueError, match="names must be two different"):
        compare_models([1], [1], [1], names=("A", "A"))
