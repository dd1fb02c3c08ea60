"""Variance remedies (augmentation, an ensemble of seeds), the learning-curve run and the
default experiment's train-dev gap."""

import numpy as np
import pytest

from analysis.training import LabConfig, TrainingSession, make_dataset
from analysis.training.config import DEFAULT_STORY
from analysis.training.datasets import GENERATORS, LABEL_PRESERVING
from analysis.training.remedies import (
    augment,
    compare_remedies,
    ensemble_proba,
    learning_curve_run,
    train_ensemble,
)

# high variance: 100 noisy moons points, a 32-16 network, no regularisation
OVERFIT = LabConfig(dataset="moons", noise=0.3, n_train=100, n_train_dev=0, n_dev=300,
                    hidden=(32, 16))


@pytest.fixture(scope="module")
def remedies():
    return compare_remedies(OVERFIT, epochs=400, seeds=(1, 2, 3), copies=4, members=5)


def test_augmentation_reduces_the_train_dev_gap_averaged_over_seeds(remedies):
    assert remedies.mean_gap["none"] > 10
    assert remedies.mean_gap["augmentation"] < remedies.mean_gap["none"] - 3


def test_an_ensemble_of_seeds_reduces_the_train_dev_gap_averaged_over_seeds(remedies):
    assert remedies.mean_gap["ensemble"] < remedies.mean_gap["none"]
    runs = remedies.runs
    assert len(runs) == 9 and set(runs["remedy"]) == {"none", "augmentation", "ensemble"}
    np.testing.assert_allclose(runs["gap"], runs["dev_error"] - runs["train_error"])
    assert "3 draws" in remedies.summary


def test_the_ensemble_averages_its_members_probabilities():
    members = train_ensemble(OVERFIT.replace(n_train=40), members=3, epochs=20)
    assert [m.config.seed for m in members] == [1, 2, 3]
    assert all(m.dataset is members[0].dataset for m in members)  # same data, other inits
    X = members[0].dataset.X_dev[:5]
    expected = np.mean([m.predict_proba(X) for m in members], axis=0)
    np.testing.assert_allclose(ensemble_proba(members, X), expected)


def test_augmentation_appends_jittered_copies_and_keeps_dev_untouched():
    data = make_dataset(OVERFIT)
    grown = augment(data, copies=3, jitter=0.1, seed=0)
    assert grown.X_train.shape == (400, 2)
    np.testing.assert_array_equal(grown.X_train[:100], data.X_train)
    np.testing.assert_array_equal(grown.y_train, np.tile(data.y_train, 4))
    assert grown.X_dev is data.X_dev
    moved = np.linalg.norm(grown.X_train[100:200] - data.X_train, axis=1)
    assert 0.05 < moved.mean() < 0.2  # jitter only: moons keep no rotation or flip


def test_label_keeping_transforms_are_declared_for_every_dataset_and_keep_labels():
    assert set(LABEL_PRESERVING) == set(GENERATORS)
    assert LABEL_PRESERVING["moons"] == () and LABEL_PRESERVING["spirals"] == ()
    for name in ("circles", "xor"):
        data = make_dataset(LabConfig(dataset=name, noise=0.0, n_train=200))
        grown = augment(data, copies=2, jitter=0.0, seed=1)
        X, y = grown.X_train[200:], grown.y_train[200:]
        if name == "circles":  # radius decides the class and survives rotations and flips
            radius = np.hypot(*X.T)
            np.testing.assert_allclose(radius, np.where(y == 0, 1.0, 0.8))
            assert not np.allclose(X, np.tile(data.X_train, (2, 1)))
        else:  # XOR: sign(x1 x2) decides the class
            np.testing.assert_array_equal(X[:, 0] * X[:, 1] > 0, y == 1)


def test_augment_validates_its_options():
    data = make_dataset(OVERFIT)
    with pytest.raises(ValueError, match="copies must be at most"):
        augment(data, copies=50)
    with pytest.raises(ValueError, match="jitter"):
        augment(data, jitter=-1)


def test_learning_curve_run_gives_train_and_dev_error_per_size():
    curve = learning_curve_run(OVERFIT, [200, 25, 50], epochs=300)
    assert curve["size"].tolist() == [25, 50, 200]
    assert list(curve.columns) == ["size", "train_error", "dev_error"]
    assert ((curve[["train_error", "dev_error"]] >= 0) & (curve[["train_error", "dev_error"]] <= 100)).all().all()
    gap = curve["dev_error"] - curve["train_error"]
    assert gap.iloc[-1] < gap.iloc[0]  # more data, less variance


def test_learning_curve_run_validates_sizes():
    with pytest.raises(ValueError, match="sizes must list"):
        learning_curve_run(OVERFIT, [])
    with pytest.raises(ValueError, match="sizes must be at most"):
        learning_curve_run(OVERFIT, [10, 10**6])


def test_the_default_experiment_shows_a_train_dev_gap_of_at_least_5_points():
    # played to the page's default target epoch (1,000)
    session = TrainingSession(LabConfig())
    session.advance(1000, record_every=1000)
    r = session.current()
    assert r.dev_error - r.train_error >= 5
    assert r.train_dev_error - r.train_error >= 5  # variance, not data mismatch
    assert r.train_error < session.dataset.bayes_error  # it memorised noise
    assert "variance" in DEFAULT_STORY.lower()
