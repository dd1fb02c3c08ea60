"""Cost of errors: hand-worked thresholds, the Bayes threshold on calibrated data, the
bootstrap against a row-by-row recomputation, and multiclass least-expected-cost decisions."""

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix

import analysis.metrics.cost as cost_module
import analysis.metrics.resample as resample_module
from analysis.metrics import decision_cost, error_cost
from analysis.metrics.resample import row_resamples

SIX_TRUTH = [0, 0, 1, 0, 1, 1]
SIX_SCORES = [0.1, 0.2, 0.3, 0.6, 0.7, 0.9]


def test_cheapest_threshold_on_six_examples_worked_by_hand():
    # c_fp = 1, c_fn = 3, cost x 6 by threshold: nothing 9, 0.9: 6, 0.7: 3, 0.6: 1 + 3 = 4,
    # 0.3: 1 (the one negative at 0.6), 0.2: 2, 0.1: 3 -> flag every score >= 0.3
    c = error_cost(SIX_TRUTH, SIX_SCORES, cost_fp=1, cost_fn=3)
    assert (c.cost * 6).tolist() == pytest.approx([9, 6, 3, 4, 1, 2, 3])
    assert c.thresholds[1:].tolist() == [0.9, 0.7, 0.6, 0.3, 0.2, 0.1]
    assert c.thresholds[0] > 0.9  # the first point flags nothing
    assert c.best_threshold.value == 0.3 and c.best_cost == pytest.approx(1 / 6)
    # the current threshold 0.5 flags 0.6, 0.7, 0.9: one false positive, one missed positive
    assert c.current_cost == pytest.approx(4 / 6) and c.saving == pytest.approx(0.5)
    assert "from 0.5 to 0.3" in c.verdict
    # three positives: the threshold has no interval, and says why
    assert c.best_threshold.low is None and c.best_threshold.reason.startswith("too few examples")


def test_expensive_false_positives_push_the_threshold_up():
    c = error_cost(SIX_TRUTH, SIX_SCORES, cost_fp=10, cost_fn=1)
    # flagging 0.9 and 0.7 costs 1 missed positive, anything lower adds a 10-cost false positive
    assert c.best_threshold.value == 0.7 and c.best_cost == pytest.approx(1 / 6)


def test_ties_go_to_the_highest_threshold():
    # c_fp = c_fn = 1: thresholds 0.7 and 0.3 both cost 1/6; the one flagging fewer wins
    assert error_cost(SIX_TRUTH, SIX_SCORES, cost_fp=1, cost_fn=1).best_threshold.value == 0.7


def test_cost_curve_matches_sklearn_confusion_matrix_at_every_threshold():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.normal(size=300), 1)  # negative scores and ties
    c = error_cost(y, s, cost_fp=2, cost_fn=5)
    for t, expected in zip(c.thresholds, c.cost, strict=True):
        _tn, fp, fn, _tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1]).ravel()
        assert expected == pytest.approx((2 * fp + 5 * fn) / 300)
    assert c.bayes_threshold is None  # decision scores, not probabilities


@pytest.mark.parametrize(("cost_fp", "cost_fn"), [(1, 1), (1, 4), (3, 1)])
def test_bayes_threshold_on_calibrated_data(cost_fp, cost_fn):
    rng = np.random.default_rng(2)
    p = rng.uniform(size=100_000)
    y = (rng.uniform(size=p.size) < p).astype(int)
    c = error_cost(y, p, cost_fp=cost_fp, cost_fn=cost_fn, n_boot=50)
    bayes = cost_fp / (cost_fp + cost_fn)
    assert c.bayes_threshold == pytest.approx(bayes)
    assert c.best_threshold.value == pytest.approx(bayes, abs=0.02)
    assert c.best_threshold.low <= bayes <= c.best_threshold.high


def test_bootstrap_equals_a_row_by_row_recomputation():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 80)
    s = np.round(rng.uniform(size=80), 2)
    c = error_cost(y, s, cost_fp=1, cost_fn=2, n_boot=40, seed=7, confidence=0.9)
    naive = []
    for _, rows in row_resamples(80, 40, seed=7):
        for r in rows:
            flagged, truth = s[r], y[r]
            costs = [np.sum((flagged >= t) & (truth == 0)) + 2 * np.sum((flagged < t) & (truth == 1))
                     for t in c.thresholds]
            naive.append(c.thresholds[int(np.argmin(costs))])
    low, high = np.quantile(naive, [0.05, 0.95], method="inverted_cdf")
    assert (c.best_threshold.low, c.best_threshold.high) == (
        min(low, c.best_threshold.value), max(high, c.best_threshold.value))


def test_bootstrap_is_seeded():
    rng = np.random.default_rng(4)
    y, s = rng.integers(0, 2, 500), rng.uniform(size=500)
    first = error_cost(y, s, cost_fp=1, cost_fn=3, seed=1).best_threshold
    assert first == error_cost(y, s, cost_fp=1, cost_fn=3, seed=1).best_threshold


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"cost_fp": -1, "cost_fn": 1}, "cost_fp must be at least 0"),
    ({"cost_fp": 0, "cost_fn": 0}, "both 0"),
    ({"cost_fp": 1, "cost_fn": 1, "threshold": "high"}, "threshold must be a number"),
    ({"cost_fp": 1, "cost_fn": 1, "n_boot": 5}, "n_boot must be at least 20"),
])
def test_bad_costs_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        error_cost(SIX_TRUTH, SIX_SCORES, **kwargs)


# --------------------------------------------------------------------------- multiclass
def test_least_expected_cost_avoids_the_expensive_mistake():
    # missing a "tumour" (row 2) costs 20, a false alarm 1: at P(tumour) = 0.3 the top class
    # says "benign", the expected costs say "tumour" (0.7 * 1 < 0.3 * 20)
    costs = [[0, 1], [20, 0]]
    proba = [[0.7, 0.3], [0.7, 0.3], [0.99, 0.01], [0.2, 0.8]]
    d = decision_cost(["benign", "tumour", "benign", "tumour"], proba, costs,
                      classes=["benign", "tumour"])
    assert d.decisions.tolist() == [1, 1, 0, 1]
    # argmax: the missed tumour costs 20 -> 20 / 4; least expected cost: one false alarm -> 1 / 4
    assert d.cost_argmax == pytest.approx(5.0) and d.cost_min_expected == pytest.approx(0.25)
    assert d.changed == 2 and d.saving.value == pytest.approx(4.75)
    assert d.labels == ("benign", "tumour")


def test_zero_one_costs_decide_like_argmax():
    rng = np.random.default_rng(5)
    proba = rng.dirichlet(np.ones(4), size=300)
    y = rng.integers(0, 4, 300)
    d = decision_cost(y, proba, 1 - np.eye(4))
    assert d.changed == 0 and d.cost_argmax == d.cost_min_expected
    assert d.saving.low is None and "every resample gives the same value" in d.saving.reason


@pytest.mark.parametrize(("matrix", "match"), [
    ([[0, 1], [1, 0]], "cost_matrix must be 3 x 3"),
    ([[0, 1, 1], [1, 0, -2], [1, 1, 0]], "row 2, column 3 = -2"),
    (np.zeros((3, 3)), "all zeros"),
])
def test_bad_cost_matrix_is_named(matrix, match):
    with pytest.raises(ValueError, match=match):
        decision_cost([0, 1], [[0.2, 0.3, 0.5], [0.1, 0.8, 0.1]], matrix)


def test_docstring_examples_run():
    for module in (cost_module, resample_module):
        assert doctest.testmod(module).failed == 0


# --------------------------------------------------------------------------- properties
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(-5, 5)), min_size=1, max_size=40),
       st.integers(0, 5), st.integers(1, 5))
def test_cheapest_threshold_is_the_brute_force_minimum(pairs, cost_fp, cost_fn):
    y, s = (np.array(column) for column in zip(*pairs, strict=True))
    c = error_cost(y, s / 5, cost_fp=cost_fp, cost_fn=cost_fn, n_boot=20)
    candidates = np.r_[np.inf, np.unique(s / 5)]
    brute = [(cost_fp * np.sum((s / 5 >= t) & (y == 0)) + cost_fn * np.sum((s / 5 < t) & (y == 1)))
             / len(y) for t in candidates]
    assert c.best_cost == pytest.approx(min(brute))
    assert c.current_cost == pytest.approx(
        (cost_fp * np.sum((s / 5 >= 0.5) & (y == 0)) + cost_fn * np.sum((s / 5 < 0.5) & (y == 1)))
        / len(y))
