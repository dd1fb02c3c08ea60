"""Shared input checks and the Wilson interval every page uses for its uncertainty."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from analysis.stats import two_sided_z, wilson_interval
from analysis.validation import (
    check_array,
    check_binary,
    check_confidence,
    check_count,
    check_percent,
    check_same_length,
    rows_preview,
)


def test_wilson_matches_the_textbook_formula_for_10_errors_in_100():
    low, high = wilson_interval(10, 100)
    z = stats.norm.ppf(0.975)
    centre = (0.1 + z**2 / 200) / (1 + z**2 / 100)
    half = z * math.sqrt(0.1 * 0.9 / 100 + z**2 / 40_000) / (1 + z**2 / 100)
    assert low == pytest.approx(centre - half) and high == pytest.approx(centre + half)


def test_wilson_stays_inside_0_1_at_the_edges_and_is_nan_without_data():
    assert wilson_interval(0, 50)[0] == 0.0
    assert wilson_interval(50, 50)[1] == 1.0
    low, high = wilson_interval(np.array([0, 3]), np.array([0, 10]))
    assert math.isnan(low[0]) and math.isnan(high[0]) and 0 < low[1] < 0.3 < high[1]


@given(st.integers(1, 10_000), st.floats(0, 1))
def test_wilson_contains_the_observed_rate_and_shrinks_with_more_data(n, rate):
    k = round(rate * n)
    low, high = wilson_interval(k, n)
    low4, high4 = wilson_interval(4 * k, 4 * n)
    assert low <= k / n <= high
    assert high4 - low4 <= high - low + 1e-12


def test_wilson_refuses_more_successes_than_trials():
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(5, 4)


@pytest.mark.parametrize("value, message", [
    (-1, r"train error must be at least 0, got -1"),
    (101, r"train error must be at most 100, got 101"),
    ("abc", r"train error must be a number, got the text 'abc'"),
    (float("nan"), r"train error is NaN"),
    (float("inf"), r"train error is infinite"),
    (None, r"train error is missing"),
    (True, r"train error must be a number, got True"),
])
def test_percent_check_names_the_field_and_the_value(value, message):
    with pytest.raises(ValueError, match=message):
        check_percent("train error", value)


def test_percent_check_accepts_text_from_forms_and_urls():
    assert check_percent("dev", " 9.5% ") == 9.5
    assert check_percent("dev", "", allow_none=True) is None


def test_count_check_wants_whole_numbers():
    assert check_count("epochs", 3.0) == 3
    with pytest.raises(ValueError, match="whole number"):
        check_count("epochs", 2.5)


def test_binary_check_lists_offending_values_and_rows():
    with pytest.raises(ValueError, match=r"3 values that are not 0/1: 'cat', 'dog', 2 \(rows 2, 3, 5\)"):
        check_binary("y_true", np.array([0, "cat", "dog", 1, 2], dtype=object))
    assert check_binary("y_true", [True, False]).tolist() == [1, 0]


def test_array_check_finds_nan_rows_and_length_check_names_each_input():
    with pytest.raises(ValueError, match=r"scores has 1 values that are NaN or infinite \(row 2\)"):
        check_array("scores", [0.1, float("nan"), 0.3])
    with pytest.raises(ValueError, match=r"y_true has 3, scores has 2"):
        check_same_length(y_true=[1, 0, 1], scores=[0.1, 0.2])


def test_rows_preview_is_one_based_and_short():
    assert rows_preview([0]) == "row 1"
    assert rows_preview(range(8)) == "rows 1, 2, 3, 4, 5 and 3 more"


@pytest.mark.parametrize("bad", [1.0, 0.0, 1.5, -0.1, math.inf, math.nan, "high"])
def test_one_confidence_check_refuses_what_has_no_finite_interval(bad):
    # 1.0 once slipped through four modules as an infinite z; every interval now asks here
    from analysis.bias_variance import decompose
    from analysis.sample_size import interval_half_width
    from analysis.selection import compare_models

    with pytest.raises(ValueError, match="confidence"):
        check_confidence(bad)
    for call in (lambda: wilson_interval(1, 10, confidence=bad),
                 lambda: decompose(1, 8, dev=10, confidence=bad),
                 lambda: interval_half_width(100, 10, confidence=bad),
                 lambda: compare_models([0, 1, 1], [0, 1, 0], [0, 0, 1], confidence=bad)):
        with pytest.raises(ValueError, match="confidence"):
            call()


def test_two_sided_z_is_the_normal_quantile():
    assert two_sided_z(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert two_sided_z(0.5) == pytest.approx(stats.norm.ppf(0.75))
