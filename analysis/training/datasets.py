"""Seeded 2-D toy datasets of the lab (TF Playground's and the course's), split into
train / train-dev / dev, with known label noise so the Bayes error is known.

Each generator draws classes in equal shares from one `np.random.default_rng`, adds Gaussian
input noise, then flips a known share of labels. The dev split can come from a shifted
distribution (rotated or noisier) so the data-mismatch gap of the waterfall appears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis.training.config import LabConfig

Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Dataset:
    """The three splits of a lab dataset. X arrays have shape (m, 2); y holds class indices
    0..n_classes-1 with shape (m,). bayes_error is in percent: the label-flip rate, the error
    even a perfect classifier makes on these labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_train_dev: np.ndarray
    y_train_dev: np.ndarray
    X_dev: np.ndarray
    y_dev: np.ndarray
    n_classes: int
    bayes_error: float
    name: str

    @property
    def X_all(self) -> np.ndarray:
        """Every point (train, train-dev, dev stacked), e.g. for the plot's bounding box."""
        return np.concatenate([self.X_train, self.X_train_dev, self.X_dev])


def _class_labels(m: int, n_classes: int) -> np.ndarray:
    """Equal class shares (as sklearn's make_circles / make_moons)."""
    return np.arange(m) % n_classes


def circles(rng: np.random.Generator, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles, radius 1 (class 0) and 0.8 (class 1), as sklearn's make_circles
    which the course's initialisation assignment uses."""
    y = _class_labels(m, 2)
    t = rng.uniform(0.0, 2 * np.pi, m)
    r = np.where(y == 0, 1.0, 0.8)
    X = np.column_stack([r * np.cos(t), r * np.sin(t)])
    return X + rng.normal(0.0, noise, X.shape), y


def moons(rng: np.random.Generator, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as sklearn's make_moons (the course's optimisation
    assignment)."""
    y = _class_labels(m, 2)
    t = rng.uniform(0.0, np.pi, m)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]))
    return X + rng.normal(0.0, noise, X.shape), y


def xor(rng: np.random.Generator, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Points in the four quadrants of [-1, 1]^2; class 1 where x and y share a sign
    (TF Playground's XOR, kept a little away from the axes)."""
    X = rng.uniform(-1.0, 1.0, (m, 2))
    X += np.where(X > 0, 0.05, -0.05)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + rng.normal(0.0, noise, X.shape), y


def blobs(rng: np.random.Generator, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs on a triangle (the multiclass, softmax dataset)."""
    y = _class_labels(m, 3)
    angles = np.array([np.pi / 2, np.pi / 2 + 2 * np.pi / 3, np.pi / 2 + 4 * np.pi / 3])
    centers = np.column_stack([np.cos(angles), np.sin(angles)])
    X = centers[y] + rng.normal(0.0, 0.25 + noise, (m, 2))
    return X, y


def spirals(rng: np.random.Generator, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals (TF Playground's hardest set)."""
    y = _class_labels(m, 2)
    t = rng.uniform(0.0, 1.0, m)
    r = 0.1 + 0.9 * t
    theta = 1.75 * 2 * np.pi * t + np.pi * y
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X + rng.normal(0.0, noise, X.shape), y


def flower(rng: np.random.Generator, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """The course's planar "flower" (planar_utils.load_planar_dataset): petals r = 4 sin(4t),
    one class per half turn; noise jitters the angle and the radius."""
    y = _class_labels(m, 2)
    t = rng.uniform(0.0, 3.12, m) + 3.12 * y + rng.normal(0.0, noise, m)
    r = 4.0 * np.sin(4.0 * t) + rng.normal(0.0, noise, m)
    return np.column_stack([r * np.sin(t), r * np.cos(t)]), y


GENERATORS: dict[str, Generator] = {
    "circles": circles, "moons": moons, "xor": xor, "blobs": blobs,
    "spirals": spirals, "flower": flower,
}
N_CLASSES = {"blobs": 3}


def flip_labels(rng: np.random.Generator, y: np.ndarray, rate: float,
                n_classes: int) -> np.ndarray:
    """Move each label to another class (uniformly) with probability `rate`."""
    flip = rng.random(len(y)) < rate
    shift = rng.integers(1, n_classes, len(y))  # 1..K-1: always a different class
    return np.where(flip, (y + shift) % n_classes, y)


def rotate(X: np.ndarray, degrees: float, center: np.ndarray) -> np.ndarray:
    """Rotate points about `center` (the shifted-dev option)."""
    a = np.deg2rad(degrees)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return (X - center) @ R.T + center


def make_dataset(config: LabConfig) -> Dataset:
    """Draw the train, train-dev and dev splits of `config` with
    np.random.default_rng(config.seed).

    Train and train-dev come from the same distribution; dev is rotated by
    `shift_amount` degrees (dev_shift="rotate") or gets `shift_amount` more noise
    (dev_shift="noisier").

    Examples
    --------
    >>> data = make_dataset(LabConfig(dataset="moons", n_train=50, label_flip=0.1))
    >>> data.X_train.shape, data.y_train.shape, data.bayes_error
    ((50, 2), (50,), 10.0)
    """
    config.validate()
    rng = np.random.default_rng(config.seed)
    generate = GENERATORS[config.dataset]
    n_classes = N_CLASSES.get(config.dataset, 2)

    def split(m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
        X, y = generate(rng, m, noise)
        return X.astype(np.float64), flip_labels(rng, y, config.label_flip, n_classes)

    X_train, y_train = split(config.n_train, config.noise)
    X_train_dev, y_train_dev = split(config.n_train_dev, config.noise)
    dev_noise = config.noise + (config.shift_amount if config.dev_shift == "noisier" else 0.0)
    X_dev, y_dev = split(config.n_dev, dev_noise)
    if config.dev_shift == "rotate" and config.shift_amount:
        X_dev = rotate(X_dev, config.shift_amount, center=X_train.mean(axis=0))
    return Dataset(X_train=X_train, y_train=y_train, X_train_dev=X_train_dev,
                   y_train_dev=y_train_dev, X_dev=X_dev, y_dev=y_dev, n_classes=n_classes,
                   bayes_error=100.0 * config.label_flip, name=config.dataset)
