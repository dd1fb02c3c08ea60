"""Lab datasets: seeded, shaped, balanced, known Bayes error, shifted dev."""

import numpy as np
import pytest

from analysis.training import DATASETS, LabConfig, make_dataset
from analysis.training.datasets import bayes_error, flip_labels


@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_has_the_asked_shapes_and_classes(name):
    data = make_dataset(LabConfig(dataset=name, n_train=90, n_train_dev=30, n_dev=60))
    assert data.X_train.shape == (90, 2) and data.y_train.shape == (90,)
    assert data.X_train_dev.shape == (30, 2) and data.X_dev.shape == (60, 2)
    assert data.X_train.dtype == np.float64
    assert set(np.unique(data.y_train)) == set(range(data.n_classes))
    assert data.n_classes == (3 if name == "blobs" else 2)
    assert data.name == name


def test_same_seed_same_data_other_seed_other_data():
    a = make_dataset(LabConfig(dataset="spirals", seed=3))
    b = make_dataset(LabConfig(dataset="spirals", seed=3))
    c = make_dataset(LabConfig(dataset="spirals", seed=4))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_dev, b.y_dev)
    assert not np.allclose(a.X_train, c.X_train)


def test_classes_come_in_equal_shares_without_flips():
    data = make_dataset(LabConfig(dataset="circles", n_train=300))
    assert np.bincount(data.y_train).tolist() == [150, 150]


def test_circles_radii_match_make_circles():
    data = make_dataset(LabConfig(dataset="circles", noise=0.0, n_train=100))
    r = np.hypot(*data.X_train.T)
    np.testing.assert_allclose(r[data.y_train == 0], 1.0)
    np.testing.assert_allclose(r[data.y_train == 1], 0.8)


def test_bayes_error_is_the_label_flip_rate_and_flips_happen_at_that_rate():
    config = LabConfig(dataset="xor", n_train=20_000, label_flip=0.1, noise=0.0)
    data = make_dataset(config)
    assert data.bayes_error == pytest.approx(10.0)
    # noiseless XOR: the true class is the sign of x*y, so flipped labels are visible
    clean = (data.X_train[:, 0] * data.X_train[:, 1] > 0).astype(int)
    assert np.mean(clean != data.y_train) == pytest.approx(0.10, abs=0.01)


def test_flip_labels_always_moves_to_another_class():
    rng = np.random.default_rng(0)
    y = np.zeros(1000, dtype=int)
    flipped = flip_labels(rng, y, 1.0, 3)
    assert set(np.unique(flipped)) == {1, 2}


def test_rotated_dev_keeps_train_dev_in_distribution():
    base = LabConfig(dataset="moons", n_train=100, n_train_dev=50, n_dev=50)
    plain, rotated = make_dataset(base), make_dataset(base.replace(dev_shift="rotate",
                                                                    shift_amount=90.0))
    np.testing.assert_array_equal(plain.X_train_dev, rotated.X_train_dev)
    np.testing.assert_array_equal(plain.y_dev, rotated.y_dev)
    # a rotation keeps distances to the centre of rotation
    center = plain.X_train.mean(axis=0)
    np.testing.assert_allclose(np.linalg.norm(plain.X_dev - center, axis=1),
                               np.linalg.norm(rotated.X_dev - center, axis=1))
    assert not np.allclose(plain.X_dev, rotated.X_dev)


def test_noisier_dev_spreads_more():
    base = LabConfig(dataset="circles", n_dev=2000, noise=0.0)
    noisy = make_dataset(base.replace(dev_shift="noisier", shift_amount=0.3))
    r = np.hypot(*noisy.X_dev.T)
    assert np.std(r[noisy.y_dev == 0]) > 0.2
    assert np.allclose(np.hypot(*noisy.X_train.T)[noisy.y_train == 0], 1.0)


def test_empty_train_dev_split_is_allowed():
    data = make_dataset(LabConfig(n_train_dev=0))
    assert data.X_train_dev.shape == (0, 2)


@pytest.mark.parametrize(("field", "value"), [("noise", -0.1), ("shift_amount", 5.0),
                                              ("n_dev", 0), ("n_train", 10**6)])
def test_bad_dataset_settings(field, value):
    with pytest.raises(ValueError, match=field):
        make_dataset(LabConfig(**{field: value}))


def test_bayes_error_counts_the_class_overlap_of_noisy_circles():
    # radii 1 and 0.8 with noise 0.05: the best boundary sits near r = 0.9, two standard
    # deviations from each ring, so about P(Z > 2) = 2.3% of points fall on the wrong side
    assert bayes_error("circles", 0.05) == pytest.approx(2.28, abs=0.5)  # Rice distribution: 2.28
    assert bayes_error("circles", 0.1) == pytest.approx(15.94, abs=1.0)  # and 15.94
    assert bayes_error("circles", 0.0) == 0.0
    assert bayes_error("circles", 0.1) > bayes_error("circles", 0.05)


def test_bayes_error_combines_overlap_and_flips():
    e0 = bayes_error("circles", 0.05) / 100
    assert bayes_error("circles", 0.05, 0.2) == pytest.approx(100 * (e0 + 0.2 * (1 - 2 * e0)))
    assert bayes_error("blobs", 0.0, 0.3) > 30.0  # the blobs' own spread adds overlap


def test_no_classifier_beats_the_bayes_error_on_a_large_sample():
    # the Monte Carlo Bayes classifier is a density ratio; a trained network on plenty of
    # data should come close to it but not clearly below it
    from analysis.training import TrainingSession

    config = LabConfig(dataset="circles", noise=0.1, n_train=2000, n_train_dev=0, n_dev=4000,
                       hidden=(16, 8), learning_rate=0.05)
    session = TrainingSession(config)
    session.advance(300, record_every=300)
    bayes = session.dataset.bayes_error
    assert session.current().dev_error > bayes - 2.0
    assert session.current().dev_error < bayes + 4.0


def test_dataset_shift_does_not_change_the_training_bayes_error():
    base = LabConfig(dataset="moons", noise=0.2)
    noisy_dev = make_dataset(base.replace(dev_shift="noisier", shift_amount=0.5))
    assert noisy_dev.bayes_error == make_dataset(base).bayes_error
