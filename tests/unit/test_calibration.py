"""Calibration and recalibration against scikit-learn and hand-worked cases."""

import doctest

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

import analysis.metrics.calibration as calibration_module
import analysis.metrics.recalibration as recalibration_module
from analysis.metrics import calibration_metrics, recalibrate


def _calibrated(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=n)
    return (rng.uniform(size=n) < p).astype(int), p


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [5, 10, 15])
def test_reliability_table_matches_sklearn_calibration_curve(strategy, n_bins):
    rng = np.random.default_rng(n_bins)
    scores = np.round(rng.beta(2, 5, 3000), 2)  # rounded: ties and scores on bin edges
    y = (rng.uniform(size=3000) < scores**0.8).astype(int)
    table = calibration_metrics(y, scores, n_bins=n_bins, strategy=strategy).table
    filled = table[table["count"] > 0]
    prob_true, prob_pred = calibration_curve(y, scores, n_bins=n_bins, strategy=strategy)
    np.testing.assert_allclose(filled["observed_rate"], prob_true)
    np.testing.assert_allclose(filled["mean_score"], prob_pred)
    assert table["count"].sum() == 3000


def test_brier_matches_sklearn_for_binary_and_multiclass():
    y, p = _calibrated(500, 3)
    assert calibration_metrics(y, p).brier.value == pytest.approx(brier_score_loss(y, p))
    rng = np.random.default_rng(4)
    proba = rng.dirichlet(np.ones(3), size=400)
    labels = np.array(["bird", "cat", "dog"])[rng.integers(0, 3, 400)]
    result = calibration_metrics(labels, proba, classes=["bird", "cat", "dog"])
    assert result.kind == "multiclass"
    assert result.brier.value == pytest.approx(
        brier_score_loss(labels, proba, labels=["bird", "cat", "dog"]))


def test_hand_worked_two_bins():
    # bin 1: scores 0.1, 0.3 (mean 0.2), no positive; bin 2: 0.6, 0.8 (mean 0.7), both positive
    # ECE = 2/4 * |0 - 0.2| + 2/4 * |1 - 0.7| = 0.25; Brier = (0.01 + 0.09 + 0.16 + 0.04) / 4
    c = calibration_metrics([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.8], n_bins=2)
    assert c.table["count"].tolist() == [2, 2]
    assert c.table["mean_score"].tolist() == pytest.approx([0.2, 0.7])
    assert c.table["observed_rate"].tolist() == [0.0, 1.0]
    assert c.ece.value == pytest.approx(0.25)
    assert c.brier.value == pytest.approx(0.075)
    # two positives: no interval, and no claim either way
    assert c.ece.low is None and c.ece.reason.startswith("too few examples")
    assert not c.usable_as_probabilities and c.verdict.startswith("Too few examples")


def test_multiclass_uses_top_class_confidence():
    # says 0.7 for its top class twice, right once -> one bin at 0.7 with observed 0.5
    proba = [[0.7, 0.2, 0.1], [0.1, 0.7, 0.2]]
    c = calibration_metrics([0, 2], proba, n_bins=10)
    filled = c.table[c.table["count"] > 0]
    assert filled["mean_score"].tolist() == pytest.approx([0.7])
    assert filled["observed_rate"].tolist() == [0.5]
    assert c.ece.value == pytest.approx(0.2)


def test_empty_bins_stay_in_the_table_with_their_edges():
    # 0.9 lies on an inner edge: it falls into the lower bin, as in calibration_curve
    c = calibration_metrics([0, 1, 1], [0.05, 0.95, 0.9], n_bins=10)
    assert len(c.table) == 10 and c.table["count"].tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert np.isnan(c.table.loc[4, "observed_rate"])
    assert c.table["low_edge"].tolist() == pytest.approx(np.linspace(0, 0.9, 10))


def test_observed_rate_carries_a_wilson_interval():
    y, p = _calibrated(2000, 5)
    table = calibration_metrics(y, p).table
    assert (table["observed_low"] <= table["observed_rate"]).all()
    assert (table["observed_rate"] <= table["observed_high"]).all()


def test_well_calibrated_scores_pass_the_rule_and_overconfident_ones_fail():
    y, p = _calibrated(20_000, 6)
    good = calibration_metrics(y, p)
    assert good.ece.high < 0.05 and good.usable_as_probabilities
    assert "can be used as probabilities" in good.verdict
    assert "below 0.05" in good.rule
    overconfident = np.clip(p + 0.15 * np.sign(p - 0.5), 0, 1)
    bad = calibration_metrics(y, overconfident)
    assert bad.ece.low > 0.05 and not bad.usable_as_probabilities
    assert "Do not read the scores as probabilities" in bad.verdict


def test_bootstrap_is_seeded_and_brackets_the_value():
    y, p = _calibrated(3000, 7)
    first, again = calibration_metrics(y, p, seed=11), calibration_metrics(y, p, seed=11)
    other = calibration_metrics(y, p, seed=12)
    assert (first.ece.low, first.ece.high) == (again.ece.low, again.ece.high)
    assert (first.ece.low, first.ece.high) != (other.ece.low, other.ece.high)
    for estimate in (first.ece, first.brier):
        assert estimate.low <= estimate.value <= estimate.high


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"y_true": [0, 1], "scores": [0.2, 1.4]}, r"scores has 1 values outside \[0, 1\] \(row 2\)"),
    ({"y_true": [0, 1], "scores": [[0.5, 0.6], [0.5, 0.5]]}, "rows that are not probabilities"),
    ({"y_true": ["cat", "emu"], "scores": [[0.5, 0.5], [0.5, 0.5]], "classes": ["cat", "dog"]},
     "y_true has 1 labels that name no probability column: 'emu'"),
    ({"y_true": [0, 1], "scores": [0.2, 0.4], "strategy": "kmeans"}, "strategy must be one of"),
    ({"y_true": [0, 1], "scores": [0.2, 0.4], "n_bins": 0}, "n_bins must be at least 1"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        calibration_metrics(**kwargs)


# --------------------------------------------------------------------------- recalibration
def _overconfident_binary(n: int, seed: int):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 2, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(int)
    reported = 1 / (1 + np.exp(-(2 * z + 1)))  # true logit doubled and shifted
    split = np.where(np.arange(n) % 2, "dev", "test")
    return y, reported, split


def test_platt_scaling_recovers_the_distortion_and_helps_on_test():
    y, reported, split = _overconfident_binary(8000, 8)
    r = recalibrate(y, reported, split)
    assert r.method == "platt" and r.available
    # sigmoid(a * logit(s) + b) undoes s = sigmoid(2z + 1): a = 1/2, b = -1/2
    assert r.parameters["a"] == pytest.approx(0.5, abs=0.05)
    assert r.parameters["b"] == pytest.approx(-0.5, abs=0.1)
    assert r.after.ece.value < r.before.ece.value and r.after.brier.value < r.before.brier.value
    assert r.n_dev == r.n_test == 4000 and "judged on 4,000 test rows" in r.note


def test_temperature_scaling_on_logits_finds_the_temperature():
    rng = np.random.default_rng(9)
    logits = rng.normal(0, 1.5, (6000, 4))
    truth_p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = (truth_p.cumsum(axis=1) < rng.uniform(size=(6000, 1))).sum(axis=1)
    split = np.where(np.arange(6000) < 3000, "validation", "holdout")
    r = recalibrate(y, 3 * logits, split)
    assert r.method == "temperature" and r.parameters["temperature"] == pytest.approx(3, rel=0.1)
    assert r.after.ece.value < r.before.ece.value
    assert "(logits)" in r.note


def test_no_test_split_gives_no_in_sample_number():
    y, reported, _ = _overconfident_binary(400, 10)
    r = recalibrate(y, reported, ["dev"] * 400)
    assert not r.available and r.before is None and r.after is None
    assert "no test rows" in r.note and r.parameters == {}


def test_platt_refuses_probability_columns():
    with pytest.raises(ValueError, match="method='platt' fits binary scores"):
        recalibrate([0, 1], [[0.5, 0.5], [0.2, 0.8]], ["dev", "test"], method="platt")


def test_docstring_examples_run():
    for module in (calibration_module, recalibration_module):
        assert doctest.testmod(module).failed == 0


def test_float_labels_name_their_columns():
    # labels read from a float column (0.0, 1.0, 2.0) name columns 0, 1, 2
    proba = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    as_float = calibration_metrics([0.0, 1.0, 2.0], proba)
    assert as_float.brier.value == calibration_metrics([0, 1, 2], proba).brier.value
    assert as_float.table["observed"].sum() == 3
