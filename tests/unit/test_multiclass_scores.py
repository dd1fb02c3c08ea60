"""Top-k accuracy against scikit-learn, and per-class one-vs-rest thresholds."""

import doctest

import numpy as np
import pytest
from sklearn.metrics import f1_score, top_k_accuracy_score

import analysis.metrics.multiclass_scores as module
from analysis.metrics import per_class_thresholds, top_k_accuracy


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("rounded", [False, True])
def test_top_k_accuracy_matches_sklearn_including_ties(k, rounded):
    rng = np.random.default_rng(k)
    proba = rng.dirichlet(np.ones(5), size=400)
    if rounded:  # many ties between classes
        proba = np.round(proba, 1)
        proba /= proba.sum(axis=1, keepdims=True)
    y = rng.integers(0, 5, 400)
    ours = top_k_accuracy(y, proba, k=k)
    assert ours.value == pytest.approx(top_k_accuracy_score(y, proba, k=k, labels=range(5)))
    assert ours.low < ours.value < ours.high and ours.name == f"top_{k}_accuracy"


def test_top_k_with_named_classes_and_bad_k():
    proba = [[0.6, 0.3, 0.1], [0.2, 0.3, 0.5]]
    # "dog" is second to "emu" in row 2: missed at k = 1, found at k = 2
    assert top_k_accuracy(["cat", "dog"], proba, k=1, classes=["cat", "dog", "emu"]).value == 0.5
    assert top_k_accuracy(["cat", "dog"], proba, k=2, classes=["cat", "dog", "emu"]).value == 1.0
    with pytest.raises(ValueError, match="k must be at most the number of classes"):
        top_k_accuracy([0, 1], proba, k=4)


def test_per_class_threshold_maximises_that_class_f1():
    rng = np.random.default_rng(7)
    proba = rng.dirichlet(np.ones(3), size=300)
    y = (proba.cumsum(axis=1) < rng.uniform(size=(300, 1))).sum(axis=1)
    table = per_class_thresholds(np.array(["a", "b", "c"])[y], proba, classes=["a", "b", "c"])
    assert table["class"].tolist() == ["a", "b", "c"]
    assert table["support"].tolist() == np.bincount(y, minlength=3).tolist()
    for column, row in table.iterrows():
        is_class = (y == column).astype(int)
        best = max(f1_score(is_class, proba[:, column] >= t) for t in np.unique(proba[:, column]))
        assert row["f1"] == pytest.approx(best)
        assert f1_score(is_class, proba[:, column] >= row["threshold"]) == pytest.approx(best)


def test_class_that_never_occurs_gets_no_threshold():
    table = per_class_thresholds([0, 0, 1], [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1]])
    absent = table.iloc[2]
    assert absent["support"] == 0 and np.isnan(absent["threshold"])
    assert "no positive examples" in absent["reason"]


def test_docstring_examples_run():
    assert doctest.testmod(module).failed == 0
