"""A threshold's scale: 0-1 for probabilities, the scores' own range and units for ranking
scores (a decision function in [-7, 12] gets -7..12 in steps of 0.1, starting at 0)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import analysis.score_scale as score_scale
from analysis.score_scale import threshold_range, threshold_scale

DECISION = {"svm": np.array([-7.0, -1.25, 0.4, 3.3, 12.0])}


def test_decision_scores_in_minus_7_to_12_keep_their_range_and_start_at_zero():
    assert threshold_range(DECISION, "rank") == (-7.0, 12.0, 0.0, 0.1)
    scale = threshold_scale(DECISION, "rank")
    assert scale.ranked and scale.key == "threshold_score" and scale.digits == 1


def test_probabilities_stay_on_zero_one_under_their_own_key():
    scale = threshold_scale({"p": np.array([0.1, 0.8])}, None)
    assert (scale.low, scale.high, scale.start, scale.step) == (0.0, 1.0, 0.5, 0.01)
    assert scale.key == "threshold" and not scale.ranked
    # sigmoid-squashed decision scores are probabilities: 0-1 as well
    assert threshold_scale({"p": np.array([0.1, 0.8])}, "sigmoid").key == "threshold"


def test_a_range_without_zero_starts_in_its_middle():
    low, high, start, step = threshold_range({"m": np.array([20.0, 80.0])}, "rank")
    assert (low, high, start, step) == (20.0, 80.0, 50.0, 0.1)


def test_snap_keeps_a_value_inside_the_range_on_the_step():
    scale = threshold_scale(DECISION, "rank")
    assert scale.snap(3.14159) == 3.1
    assert scale.snap(0.9) == 0.9 and scale.snap(-40) == -7.0 and scale.snap(99) == 12.0
    assert threshold_scale({}, None).snap(0.456) == pytest.approx(0.46)


def test_one_value_still_gives_a_usable_slider():
    low, high, _, step = threshold_range({"m": np.array([2.0, 2.0])}, "rank")
    assert high > low and step > 0


def test_text_shows_the_steps_decimals():
    assert threshold_scale(DECISION, "rank").text(3.1) == "3.10"
    assert threshold_scale({}, None).text(0.5) == "0.50"


def test_doctests():
    assert doctest.testmod(score_scale).failed == 0
