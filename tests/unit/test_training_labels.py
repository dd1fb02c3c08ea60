"""Suspected training-label errors on out-of-fold probabilities with planted flips: random
flips read as random, every-white-dog-labelled-cat flips and one bad vendor as systematic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from analysis.predictions import read_predictions
from analysis.training_labels import check_training_predictions, suspect_training_labels

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


# --------------------------------------------------------------------------- noise rate, advice

def test_suspects_and_noise_rate_match_cleanlab_and_the_planted_rate(clean):
    from cleanlab.count import num_label_issues
    from cleanlab.filter import find_label_issues

    x, y, _ = clean
    rng = np.random.default_rng(4)
    noisy = _flip_to_another_class(y, rng.random(ROWS) < 0.08, rng)
    probs = cross_val_predict(LogisticRegression(), x, noisy, cv=5, method="predict_proba")
    result = suspect_training_labels(CLASSES[noisy], probs, out_of_fold=True,
                                     classes=list(CLASSES))
    expected_rows = np.flatnonzero(find_label_issues(noisy, probs, n_jobs=1))
    assert sorted(result.suspects["row"]) == expected_rows.tolist()
    expected_count = num_label_issues(noisy, probs, estimation_method="off_diagonal_calibrated")
    assert result.noise_rate == expected_count / ROWS
    assert result.noise_low < result.noise_rate < result.noise_high
    planted = float(np.mean(noisy != y))
    # the estimate is near the planted 8% (some flips land where the classes overlap)
    assert abs(result.noise_rate - planted) < 0.03


def test_random_noise_in_a_big_set_is_not_worth_fixing_systematic_noise_is(clean):
    x, y, sources = clean
    rng = np.random.default_rng(1)
    random = _check(x, _flip_to_another_class(y, rng.random(ROWS) < 0.08, rng), sources)
    assert random.pattern == "random" and not random.worth_fixing
    assert random.advice.startswith("Not worth fixing now")
    noisy = y.copy()
    noisy[(y == 0) & (rng.random(ROWS) < 0.4)] = 1
    systematic = _check(x, noisy, sources)
    assert systematic.worth_fixing and systematic.advice.startswith("Worth fixing: relabel")


def test_random_noise_in_a_small_set_is_worth_fixing_if_cheap(clean):
    x, y, _ = clean
    rng = np.random.default_rng(5)
    small = slice(0, 600)
    noisy = _flip_to_another_class(y[small], rng.random(600) < 0.08, rng)
    result = _check(x[small], noisy, None)
    assert result.pattern == "random" and result.worth_fixing
    assert result.advice.startswith("Worth fixing if cheap")
    assert any("small (600 rows)" in w for w in result.warnings)


def test_integer_classes_are_named_as_given_in_the_reasons():
    rng = np.random.default_rng(6)
    y = rng.integers(0, 2, 3_000)
    probs = np.where(y[:, None] == [0, 1], 0.9, 0.1)
    flipped = y.copy()
    flipped[(y == 0) & (rng.random(3_000) < 0.2)] = 1  # a fifth of the 0s labelled 1
    result = suspect_training_labels(flipped, probs, out_of_fold=True, classes=[0, 1])
    assert "labelled 1 where the model reads 0;" in result.reasons[0]


# --------------------------------------------------------------------------- from a file

def _training_file(splits: list[str] | None):
    rng = np.random.default_rng(7)
    n = 1_500
    y = rng.integers(0, 2, n)
    score = np.clip(np.where(y == 1, 0.85, 0.15) + rng.normal(0, 0.08, n), 0.01, 0.99)
    given = y.copy()
    given[:60] = 1 - given[:60]  # 60 flipped labels, the file's first rows
    frame = pd.DataFrame({"example_id": [f"ex_{i}" for i in range(n)], "y_true": given,
                          "score": score, "vendor": np.where(np.arange(n) % 2, "a", "b")})
    if splits is not None:
        frame["split"] = [splits[i % len(splits)] for i in range(n)]
    return read_predictions(frame.to_csv(index=False).encode(), "train.csv")


def test_training_rows_of_a_file_are_checked_with_their_ids():
    predictions = _training_file(["train", "train", "dev"])
    result = check_training_predictions(predictions, out_of_fold=True, source_column="vendor")
    assert result.n_checked == 1_000  # the train rows only
    assert {"example_id", "y_true", "y_pred", "label_quality", "source"} <= set(result.suspects)
    flipped_train = {f"ex_{i}" for i in range(60) if i % 3 != 2}
    assert set(result.suspects["example_id"]) <= flipped_train
    assert len(result.suspects) >= 0.8 * len(flipped_train)
    first = result.suspects.iloc[0]
    assert first["y_true"] != first["y_pred"]
    assert result.suspects["label_quality"].is_monotonic_increasing  # most suspicious first


def test_a_file_without_train_rows_or_in_sample_scores_is_refused():
    with pytest.raises(ValueError, match="has no train rows \\(splits: dev, test\\)"):
        check_training_predictions(_training_file(["dev", "test"]), out_of_fold=True)
    with pytest.raises(ValueError, match="memorised their labels"):
        check_training_predictions(_training_file(None), out_of_fold=False)
    with pytest.raises(ValueError, match="source_column 'nope' is not a column"):
        check_training_predictions(_training_file(None), out_of_fold=True, source_column="nope")
    whole = check_training_predictions(_training_file(None), out_of_fold=True)
    assert whole.n_checked == 1_500  # no split column: every row is a training row
