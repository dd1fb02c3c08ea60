"""Eyeball / blackbox split sized by the errors to review (about 100 errors at 5% dev error
need about 2,000 eyeball examples)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.eyeball import eyeball_split


def test_a_hundred_errors_at_five_percent_need_two_thousand_eyeball_examples():
    split = eyeball_split(10_000, 100, 0.05, seed=3)
    assert len(split.eyeball) == 2_000 and len(split.blackbox) == 8_000
    assert split.expected_errors == pytest.approx(100)
    assert np.union1d(split.eyeball, split.blackbox).tolist() == list(range(10_000))
    assert np.intersect1d(split.eyeball, split.blackbox).size == 0
    assert "100 / 0.05 = 2,000" in split.reason
    assert "never look" in split.reason


def test_same_seed_same_split_and_another_seed_another():
    a, b = eyeball_split(5_000, 100, 0.1, seed=1), eyeball_split(5_000, 100, 0.1, seed=1)
    assert np.array_equal(a.eyeball, b.eyeball)
    assert not np.array_equal(a.eyeball, eyeball_split(5_000, 100, 0.1, seed=2).eyeball)


def test_small_dev_set_is_all_eyeball_and_says_so():
    split = eyeball_split(1_000, 100, 0.05, seed=0)
    assert len(split.eyeball) == 1_000 and len(split.blackbox) == 0
    assert "only about 50 errors" in split.warnings[0]


def test_small_blackbox_warns_about_its_precision():
    split = eyeball_split(2_500, 100, 0.05, seed=0)
    assert len(split.blackbox) == 500
    assert "±1.9 points" in split.warnings[0]


@pytest.mark.parametrize(("args", "message"), [
    ((10_000, 100, 5), r"dev_error_rate is a fraction \(0.05 for 5%\), got 5"),
    ((10_000, 100, 0), "dev_error_rate is 0"),
    ((0, 100, 0.05), "n_dev must be at least 1"),
    ((10_000, 0, 0.05), "n_errors_to_review must be at least 1"),
])
def test_invalid_split_inputs_name_the_parameter(args, message):
    with pytest.raises(ValueError, match=message):
        eyeball_split(*args, seed=0)
