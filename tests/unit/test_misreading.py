"""A result that looks like a misread file says so."""

import doctest

import numpy as np
import pytest

import analysis.metrics.misreading as misreading_module
from analysis.metrics import binary_metrics, misreading_warning


def _model(n: int = 1000, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = (rng.uniform(size=n) < 0.3).astype(int)
    score = np.clip(0.25 + 0.5 * y + rng.normal(0, 0.15, n), 0, 1)
    return y, score


def test_the_other_class_probability_column_warns_with_the_swapped_auc():
    # predict_proba's column 0 read as the positive score: ROC AUC far below 0.5
    y, positive = _model()
    result = binary_metrics(y, scores=1 - positive)
    text = misreading_warning(result)
    assert text.startswith(f"ROC AUC {result.roc_auc.value:.3f}")
    assert f"swapped, the ROC AUC would be {1 - result.roc_auc.value:.3f}" in text


def test_accuracy_below_the_majority_rate_and_below_half_suggests_a_swap():
    # the case: 3.1% accuracy when the classes are read the wrong way round
    y = np.r_[np.ones(31), np.zeros(969)].astype(int)
    predicted = 1 - y
    predicted[:31] = 1                      # 31 right, 969 wrong -> 3.1%
    text = misreading_warning(binary_metrics(y, predicted))
    assert text.startswith("Accuracy 3.1% is below the 96.9% of always predicting the majority "
                           "class (negative).")
    assert "swapped, the accuracy would be 96.9%" in text


def test_accuracy_below_majority_but_above_half_asks_to_check_the_threshold():
    y = np.r_[np.ones(10), np.zeros(90)].astype(int)
    predicted = np.r_[np.ones(10), np.ones(20), np.zeros(70)].astype(int)  # 80% < 90%
    text = misreading_warning(binary_metrics(y, predicted))
    assert text == ("Accuracy 80.0% is below the 90.0% of always predicting the majority class "
                    "(negative). Check the threshold and which class counts as positive.")


def test_a_sound_model_gets_no_warning():
    y, score = _model()
    assert misreading_warning(binary_metrics(y, scores=score)) is None


def test_auc_below_half_without_an_interval_is_not_called_a_misreading():
    # 4 positives: the AUC interval is withheld, so "entirely below 0.5" cannot be claimed
    y = np.r_[np.ones(4), np.zeros(6)].astype(int)
    scores = np.r_[[0.1, 0.2, 0.6, 0.3], [0.5, 0.9, 0.8, 0.7, 0.4, 0.05]]
    result = binary_metrics(y, scores=scores, threshold=0.99)
    assert result.roc_auc.value < 0.5 and result.roc_auc.high is None
    assert misreading_warning(result) is None


def test_only_binary_results_are_checked():
    with pytest.raises(ValueError, match="result must come from binary_metrics"):
        misreading_warning({"accuracy": 0.03})


def test_docstring_examples_run():
    assert doctest.testmod(misreading_module).failed == 0
