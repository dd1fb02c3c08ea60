"""analysis/sample_size.py: dev and test sizes against hand-worked cases, a direct power
computation with scipy, the inverses, and bad inputs (every rate in percent)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.sample_size import (
    detectable_difference,
    dev_size_to_detect,
    interval_half_width,
    size_for_interval,
)


def test_dev_size_two_proportion_hand_case():
    # e = 10%, d = 1 point: p1 = 0.10, p2 = 0.09, pbar = 0.095, z = 1.959964, 0.841621
    # n = (1.959964 * sqrt(2*.095*.905) + 0.841621 * sqrt(.09 + .0819))^2 / 0.01^2
    #   = (0.812735 + 0.348941)^2 / 1e-4 = 13,494.9 -> 13,495
    size = dev_size_to_detect(1, 10)
    assert size.n == 13_495
    assert "13,495" in size.explanation
    assert "p̄" in size.formula


def test_dev_size_paired_hand_case():
    # psi = 5%: n = (1.959964 * sqrt(.05) + 0.841621 * sqrt(.05 - .0001))^2 / 1e-4 = 3,922.1 -> 3,923
    assert dev_size_to_detect(1, 10, design="paired", discordant_rate_pct=5).n == 3_923


def test_paired_size_with_independent_mistakes_is_connors_formula():
    # Connor (1987) by hand: psi = 0.1*0.91 + 0.09*0.9 = 0.172 -> 13,498 (the metrics page's
    # question: two models scored on the same dev examples)
    z_a, z_b = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    by_hand = (z_a * math.sqrt(0.172) + z_b * math.sqrt(0.172 - 0.0001)) ** 2 / 0.0001
    size = dev_size_to_detect(1, 10, design="paired")
    assert size.n == math.ceil(by_hand) == 13_498
    assert "independent" in size.assumptions


def test_dev_size_grows_about_100x_for_a_10x_smaller_difference():
    for design in ("two-proportion", "paired"):
        one_point = dev_size_to_detect(1, 10, design=design).n
        assert 80 < dev_size_to_detect(0.1, 10, design=design).n / one_point < 120


def test_dev_size_matches_a_direct_power_computation():
    # the power of the pooled two-proportion z-test at the returned n is at least 0.8
    n = dev_size_to_detect(2, 8).n
    p1, p2 = 0.08, 0.06
    pbar = (p1 + p2) / 2
    se0 = math.sqrt(2 * pbar * (1 - pbar) / n)
    se1 = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n)
    power = stats.norm.cdf(((p1 - p2) - stats.norm.ppf(0.975) * se0) / se1)
    assert 0.8 <= power < 0.801


def test_paired_size_matches_a_direct_power_computation():
    # McNemar's normal approximation: power = Phi((d sqrt(n) - z sqrt(psi)) / sqrt(psi - d^2))
    n = dev_size_to_detect(2, 8, design="paired", discordant_rate_pct=6).n
    d, psi = 0.02, 0.06
    power = stats.norm.cdf((d * math.sqrt(n) - stats.norm.ppf(0.975) * math.sqrt(psi))
                           / math.sqrt(psi - d**2))
    assert 0.8 <= power < 0.801


def test_test_size_for_interval_hand_case():
    # n = 1.959964^2 * 0.1 * 0.9 / 0.01^2 = 3,457.3 -> 3,458
    size = size_for_interval(10, 1)
    assert size.n == 3_458
    assert abs(size.inputs["wilson_half_width_pct"] - 1.0) < 0.05


@settings(max_examples=30, deadline=None)
@given(st.floats(0.5, 49), st.floats(0.1, 5))
def test_interval_size_shrinks_as_the_interval_widens(error_rate_pct, half_width_pct):
    assert (size_for_interval(error_rate_pct, half_width_pct * 2).n
            <= size_for_interval(error_rate_pct, half_width_pct).n)


def test_the_course_dev_set_of_2500_detects_about_two_points_at_10_percent():
    smallest = detectable_difference(2_500, 10)
    assert 2.0 < smallest < 2.5
    # the inverse agrees with the forward formula on both sides of the answer
    assert dev_size_to_detect(smallest, 10).n <= 2_500 < dev_size_to_detect(smallest - 0.01, 10).n
    assert detectable_difference(20, 10) is None  # not even a 10-point gap
    # a 2,500-example test set: 1.96 * sqrt(0.1 * 0.9 / 2500) = 1.176 points
    assert round(interval_half_width(2_500, 10), 3) == 1.176


@pytest.mark.parametrize(("call", "message"), [
    (lambda: dev_size_to_detect(0, 10), r"difference_pct must be above 0"),
    (lambda: dev_size_to_detect(2, 1),
     r"difference_pct \(2 points\) cannot exceed error_rate_pct \(1%\)"),
    (lambda: dev_size_to_detect(1, 100), r"error_rate_pct must lie strictly between 0 and 100"),
    (lambda: dev_size_to_detect(1, 10, alpha=0), r"alpha must lie strictly between 0 and 0.5"),
    (lambda: dev_size_to_detect(1, 10, power=1), r"power must be below 1"),
    (lambda: dev_size_to_detect(1, 10, design="bayes"), r"design must be one of"),
    (lambda: dev_size_to_detect(1, 10, discordant_rate_pct=5),
     r"discordant_rate_pct only applies to design='paired'"),
    (lambda: dev_size_to_detect(1, 10, design="paired", discordant_rate_pct=0.5),
     r"discordant_rate_pct must lie between the difference \(1%\)"),
    (lambda: size_for_interval(10, 0), r"half_width_pct must be above 0"),
    (lambda: size_for_interval("ten", 1), r"error_rate_pct must be a number, got the text 'ten'"),
    (lambda: size_for_interval(10, 1, confidence=1),
     r"confidence must lie strictly between 0 and 1"),
    (lambda: interval_half_width(100, 10, confidence=1.0),
     r"confidence must lie strictly between 0 and 1"),
])
def test_bad_inputs_name_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
