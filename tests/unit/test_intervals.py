"""Intervals never claim a certainty their sample cannot give: no interval when the standard
error is 0 or fewer than 10 positive examples stand behind a metric; "too few examples" instead.
"""

import numpy as np
import pytest

from analysis.metrics import MIN_POSITIVES, binary_metrics


def test_f1_on_two_examples_has_no_100_to_100_interval():
    m = binary_metrics([1, 0], [1, 0])
    assert m.f1.value == 1.0
    assert (m.f1.low, m.f1.high) == (None, None)
    assert m.f1.reason.startswith("too few examples")
    assert m.f1.too_few_examples
    assert "no interval: too few examples" in m.f1.text()


def test_positive_class_metrics_need_ten_positives():
    # 9 positives, 91 negatives: precision, recall, F1, balanced accuracy, ROC AUC withheld
    y = np.r_[np.ones(9), np.zeros(91)].astype(int)
    scores = np.r_[np.linspace(0.3, 0.9, 9), np.linspace(0.0, 0.6, 91)]
    m = binary_metrics(y, scores=scores)
    for e in (m.precision, m.recall, m.f1, m.balanced_accuracy, m.roc_auc):
        assert e.low is None and e.high is None, e.name
        assert e.reason == "too few examples: only 9 positive examples; an interval needs at least 10"
    # rates that rest on every row keep their Wilson interval
    assert m.accuracy.low is not None and m.specificity.low is not None


def test_ten_positives_get_their_intervals_back():
    y = np.r_[np.ones(MIN_POSITIVES), np.zeros(90)].astype(int)
    p = np.r_[np.ones(7), np.zeros(3), np.zeros(85), np.ones(5)].astype(int)
    m = binary_metrics(y, p)
    for e in (m.precision, m.recall, m.f1, m.balanced_accuracy):
        assert e.low < e.value < e.high and e.reason is None, e.name


def test_zero_standard_error_withholds_even_with_many_positives():
    # a perfect model on 200 rows: F1's delta-method SE is 0, so "100-100%" is not shown
    y = np.r_[np.ones(100), np.zeros(100)].astype(int)
    m = binary_metrics(y, y, scores=y.astype(float))
    for e in (m.f1, m.balanced_accuracy, m.roc_auc):
        assert e.value == 1.0 and e.low is None and "standard error is 0" in e.reason
    # Wilson's interval at 100 of 100 is not zero-width: it stays ("rule of three" territory)
    assert m.recall.low == pytest.approx(0.963, abs=1e-3) and m.recall.high == 1.0


def test_withheld_interval_is_not_reported_as_undefined():
    m = binary_metrics([1, 0, 1], [1, 0, 0])
    assert not any("too few examples" in w for w in m.warnings)
    assert m.precision.value == 1.0


def test_undefined_value_keeps_its_own_reason():
    m = binary_metrics([1, 0], [0, 0])
    assert m.precision.value is None
    assert m.precision.reason == "no example was predicted positive (TP + FP = 0)"
