"""Learning curves: parameters recovered from synthetic curves, the "more data helps / does not"
verdict on both kinds, extrapolations and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit

from analysis.strategy import fit_learning_curve, learning_curve_points
from analysis.strategy.learning_curve import C_BOUNDS, MIN_GAIN_POINTS, MIN_GAIN_SHARE

SIZES = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000]


def _curve(sizes, a, b, c):
    return [a + b * n ** -c for n in sizes]


def test_exact_curve_recovers_its_parameters():
    curve = fit_learning_curve(SIZES, _curve(SIZES, 2.0, 400.0, 0.5), human_error_pct=1.5)
    assert (curve.a, curve.b, curve.c) == pytest.approx((2.0, 400.0, 0.5), rel=1e-4)
    assert curve.predict(64_000)[0] == pytest.approx(2 + 400 * 64_000 ** -0.5, rel=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noisy_curve_recovers_its_parameters_within_their_intervals(seed):
    rng = np.random.default_rng(seed)
    dev = np.array(_curve(SIZES, 2.0, 400.0, 0.5)) + rng.normal(0, 0.1, len(SIZES))
    curve = fit_learning_curve(SIZES, dev, human_error_pct=1.5)
    for true, (low, high) in ((2.0, curve.a_interval), (400.0, curve.b_interval),
                              (0.5, curve.c_interval)):
        assert low <= true <= high
    error, low, high = curve.predict(8_000)
    assert low <= 2 + 400 * 8_000 ** -0.5 <= high and low <= error <= high


def test_fit_agrees_with_scipy_curve_fit():
    rng = np.random.default_rng(7)
    dev = np.array(_curve(SIZES, 5.0, 120.0, 0.4)) + rng.normal(0, 0.05, len(SIZES))
    curve = fit_learning_curve(SIZES, dev)
    x = np.array(SIZES, dtype=float)
    reference, _ = curve_fit(lambda n, a, b, c: a + b * n ** -c, x, dev, p0=(5, 100, 0.5),
                             bounds=([0, 0, C_BOUNDS[0]], [100, np.inf, C_BOUNDS[1]]), maxfev=20_000)
    assert (curve.a, curve.b, curve.c) == pytest.approx(tuple(reference), rel=1e-3)


def test_still_falling_curve_says_more_data_helps():
    curve = fit_learning_curve(SIZES, _curve(SIZES, 2.0, 400.0, 0.5), human_error_pct=1.5,
                               train_errors_pct=[0.5, 0.8, 1.0, 1.2, 1.4, 1.5, 1.6])
    assert curve.diagnosis == "variance" and curve.more_data_closes_gap is True
    assert "More data is likely to close the gap" in curve.verdict
    assert curve.gain_at_2x == pytest.approx(400 * (32_000 ** -0.5 - 64_000 ** -0.5), rel=1e-4)
    assert [t.met for t in curve.thresholds] == [True, False, False]


def test_plateau_far_above_human_says_more_data_will_not_close_the_gap():
    rng = np.random.default_rng(4)
    dev = np.array(_curve(SIZES, 12.0, 100.0, 0.9)) + rng.normal(0, 0.05, len(SIZES))
    curve = fit_learning_curve(SIZES, dev, human_error_pct=1.0,
                               train_errors_pct=[9, 10, 10.5, 11, 11.2, 11.4, 11.5])
    assert curve.diagnosis == "bias" and curve.more_data_closes_gap is False
    assert curve.a_interval[0] > 10
    assert "unlikely to close the gap" in curve.verdict
    assert any("avoidable bias 10.50 points" in r for r in curve.reasons)


def test_falling_curve_with_a_high_asymptote_helps_but_does_not_close():
    curve = fit_learning_curve(SIZES, _curve(SIZES, 8.0, 400.0, 0.5), human_error_pct=1.0)
    assert curve.diagnosis == "bias and variance" and curve.more_data_closes_gap is False


def test_dev_error_at_the_floor_has_no_gap_to_close():
    curve = fit_learning_curve(SIZES, _curve(SIZES, 1.0, 2.0, 1.0), human_error_pct=1.0)
    assert curve.diagnosis == "no gap" and curve.more_data_closes_gap is None


def test_doubling_rule_sits_on_its_threshold():
    # Pure power law (a = 0): doubling divides the error by 2^c, so the gain is a share
    # 1 - 2^-c of it; c with 1 - 2^-c = 5% sits exactly on the "still falling" line.
    c_on_line = -np.log2(1 - MIN_GAIN_SHARE)
    for c, falling in ((c_on_line * 1.02, True), (c_on_line * 0.98, False)):
        curve = fit_learning_curve(SIZES, _curve(SIZES, 0.0, 10 * 32_000 ** c, c))
        assert curve.thresholds[0].met is falling
        assert curve.thresholds[0].value == pytest.approx(max(MIN_GAIN_POINTS,
                                                              MIN_GAIN_SHARE * 10), rel=1e-3)


def test_two_and_ten_times_the_data_with_ten_flagged_unreliable():
    curve = fit_learning_curve(SIZES, _curve(SIZES, 2.0, 400.0, 0.5))
    twice, tenfold = curve.extrapolation(2), curve.extrapolation(10)
    assert twice.size == 64_000 and twice.reliable and not tenfold.reliable
    assert "unreliable" in tenfold.note
    assert tenfold.error_pct == pytest.approx(2 + 400 * 320_000 ** -0.5, rel=1e-4)
    assert twice.low <= twice.error_pct <= twice.high


def test_same_seed_same_intervals_and_unsorted_sizes_are_sorted():
    dev = np.array(_curve(SIZES, 2.0, 400.0, 0.5)) + np.random.default_rng(5).normal(0, 0.1, 7)
    first = fit_learning_curve(SIZES, dev)
    again = fit_learning_curve(SIZES[::-1], dev[::-1])
    assert first.a_interval == again.a_interval and first.sizes == again.sizes


def test_four_sizes_fit_with_a_warning_about_rough_intervals():
    curve = fit_learning_curve([100, 200, 400, 800], [20, 15, 12, 10.5])
    assert any("Only 4 sizes" in w for w in curve.warnings)
    assert any("No human level" in w for w in curve.warnings)


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    (([100, 200, 400], [20, 15, 12]), {}, "sizes needs at least 4"),
    (([0, 200, 400, 800], [20, 15, 12, 10]), {}, "sizes must be positive"),
    (([100, 200, 200, 800], [20, 15, 12, 10]), {}, "sizes lists 200 more than once"),
    (([100, 200, 400, 800], [20, 15, 120, 10]), {}, "dev_errors_pct must be percentages"),
    (([100, 200, 400, 800], [20, 15, 12]), {}, "dev_errors_pct has 3 values but sizes has 4"),
    (([100, 200, 400, 800], [20, 15, 12, 10]), {"train_errors_pct": [1, 2, 3, -1]},
     "train_errors_pct must be percentages"),
    (([100, 200, 400, 800], [20, 15, 12, float("nan")]), {}, "dev_errors_pct has 1 values that are NaN"),
    (([100, 200, 400, 800], [20, 15, 12, 10]), {"confidence": 1.0}, "confidence must lie strictly"),
    (([100, 200, 400, 800], [20, 15, 12, 10]), {"human_error_pct": 101}, "human_error_pct must be at most"),
    (([100, 200, 400, 800], [20, 15, 12, 10]), {"n_boot": 10}, "n_boot must be at least 50"),
])
def test_bad_input_names_the_parameter(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_learning_curve(*args, **kwargs)


def test_predict_refuses_a_non_positive_size():
    curve = fit_learning_curve(SIZES, _curve(SIZES, 2.0, 400.0, 0.5))
    with pytest.raises(ValueError, match="n must be a positive"):
        curve.predict(0)


def test_slowly_falling_curve_with_no_plateau_is_unclear():
    # n^-0.06: doubling cuts only 4% of the error, and the asymptote is 0: neither rule holds.
    curve = fit_learning_curve(SIZES, _curve(SIZES, 0.0, 20 * 32_000 ** 0.06, 0.06))
    assert curve.diagnosis == "unclear" and curve.more_data_closes_gap is None
    assert "falls too slowly to tell" in curve.verdict


def test_flat_dev_errors_fit_a_flat_curve_and_say_so():
    curve = fit_learning_curve(SIZES, [10, 10.2, 9.9, 10.1, 10, 9.9, 10.1], human_error_pct=2)
    assert curve.diagnosis == "bias" and curve.a == pytest.approx(10.03, abs=0.1)
    assert any("does not fall" in w or "cannot rule out a flat curve" in w for w in curve.warnings)


def test_extrapolation_only_at_the_computed_factors():
    curve = fit_learning_curve(SIZES, _curve(SIZES, 2.0, 400.0, 0.5))
    with pytest.raises(ValueError, match="factor must be 2 or 10"):
        curve.extrapolation(5)


def test_points_from_an_edited_table_drop_spare_rows():
    table = pd.DataFrame({"size": [100, 200, 400, 800, None],
                          "dev_error_pct": [20, 15, 12, 10.5, None],
                          "train_error_pct": [None] * 5})
    sizes, dev, train = learning_curve_points(table)
    assert sizes == [100, 200, 400, 800] and dev == [20, 15, 12, 10.5] and train is None
    table["train_error_pct"] = [1, 2, 3, 4, None]
    assert learning_curve_points(table)[2] == [1, 2, 3, 4]
    assert fit_learning_curve(*learning_curve_points(table)[:2]).sizes[0] == 100


@pytest.mark.parametrize(("table", "match"), [
    (pd.DataFrame({"n": [1], "dev_error_pct": [2]}), "no column 'size'"),
    (pd.DataFrame({"size": [100, "lots"], "dev_error_pct": [2, 3]}),
     r"column 'size' has values that are not numbers \(row 2\)"),
    (pd.DataFrame({"size": [100, 200], "dev_error_pct": [2, None]}),
     r"column 'dev_error_pct' is empty in row 2"),
    (pd.DataFrame({"size": [100, 200], "dev_error_pct": [2, 3], "train_error_pct": [1, None]}),
     "column 'train_error_pct' is empty in row 2"),
])
def test_points_table_problems_name_the_column_and_rows(table, match):
    with pytest.raises(ValueError, match=match):
        learning_curve_points(table)
