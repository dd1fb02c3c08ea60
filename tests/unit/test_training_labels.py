"""Suspected training-label errors on out-of-fold probabilities with planted flips: random
flips read as random, every-white-dog-labelled-cat flips and one bad vendor as systematic."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from analysis.training_labels import suspect_training_labels

CLASSES = np.array(["dog", "cat", "lion"])
ROWS = 2_000


@pytest.fixture(scope="module")
def clean():
    x, y = make_blobs(ROWS, centers=[[0, 0], [4, 0], [2, 3.5]], cluster_std=1.0, random_state=0)
    sources = np.random.default_rng(0).choice(["vendor_a", "vendor_b", "vendor_c"], ROWS)
    return x, y, sources


def _check(x, labels, sources):
    # Out-of-fold: each row scored by a model trained on the other four folds.
    probs = cross_val_predict(LogisticRegression(), x, labels, cv=5, method="predict_proba")
    return suspect_training_labels(CLASSES[labels], probs, out_of_fold=True, sources=sources,
                                   classes=list(CLASSES))


def _flip_to_another_class(y, rows, rng):
    flipped = y.copy()
    flipped[rows] = (y[rows] + rng.integers(1, 3, rows.sum())) % 3
    return flipped


def test_random_flips_read_as_random_and_hurt_little(clean):
    x, y, sources = clean
    rng = np.random.default_rng(1)
    noisy = _flip_to_another_class(y, rng.random(ROWS) < 0.08, rng)
    result = _check(x, noisy, sources)
    assert result.pattern == "random"
    assert result.n_suspects > 100
    flipped = set(np.flatnonzero(noisy != y))
    caught = set(result.suspects["row"])
    assert len(caught & flipped) / len(caught) > 0.7
    assert "hurt little" in result.verdict
    assert result.pair_p_value >= 0.01 and result.source_p_value >= 0.01


def test_every_white_dog_labelled_cat_reads_as_systematic(clean):
    x, y, sources = clean
    rng = np.random.default_rng(2)
    noisy = y.copy()
    noisy[(y == 0) & (rng.random(ROWS) < 0.4)] = 1  # 40% of dogs labelled cat
    result = _check(x, noisy, sources)
    assert result.pattern == "systematic"
    top = result.pairs.sort_values("suspects", ascending=False).iloc[0]
    assert (top["given"], top["suggested"]) == ("cat", "dog")
    assert result.pair_p_value < 1e-6
    assert "labelled cat where the model reads dog" in result.reasons[0]
    assert "learns the mistake" in result.verdict


def test_one_vendors_flips_read_as_systematic_by_source(clean):
    x, y, sources = clean
    rng = np.random.default_rng(3)
    noisy = _flip_to_another_class(y, (sources == "vendor_b") & (rng.random(ROWS) < 0.25), rng)
    result = _check(x, noisy, sources)
    assert result.pattern == "systematic"
    assert result.source_p_value < 1e-6
    top = result.sources.sort_values("suspects", ascending=False).iloc[0]
    assert top["source"] == "vendor_b"
    assert "come from vendor_b" in result.reasons[1]


def test_in_sample_scores_are_refused_with_the_reason(clean):
    x, y, _ = clean
    probs = LogisticRegression().fit(x, y).predict_proba(x)
    with pytest.raises(ValueError, match="memorised their labels, flipped ones included"):
        suspect_training_labels(CLASSES[y], probs, out_of_fold=False)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"probs": np.full((3, 3), 1 / 3)}, "y_true must hold one label per row of probs"),
    ({"classes": ["dog", "cat"]}, "classes has 2 names but probs has 3 columns"),
    ({"y_true": ["dog", "cat", "zebra", "dog"]}, "y_true has 1 labels that are not among"),
    ({"probs": np.full((4, 3), 2.0)}, "probs must lie between 0 and 1"),
    ({"sources": ["a"]}, "sources must hold one value per row"),
    ({"out_of_fold": "yes"}, "out_of_fold must be True or False"),
])
def test_invalid_label_check_inputs_name_the_parameter(kwargs, message):
    call = {"y_true": ["dog", "cat", "lion", "dog"], "probs": np.full((4, 3), 1 / 3),
            "out_of_fold": True, "classes": list(CLASSES), **kwargs}
    with pytest.raises(ValueError, match=message):
        suspect_training_labels(call.pop("y_true"), call.pop("probs"), **call)
