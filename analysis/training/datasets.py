"""Seeded 2-D toy datasets of the lab (TF Playground's and the course's), split into
train / train-dev / dev, with known label noise so the Bayes error is known.

Each generator draws clean points with equal class shares from one `np.random.default_rng`;
Gaussian input noise is added, then a known share of labels is flipped. Since the generator
is known, so is the Bayes error (overlap through the noise plus the flips). The dev split can
come from a shifted distribution (rotated or noisier) so the data-mismatch gap appears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.training.config import MAX_POINTS, LabConfig
from analysis.validation import check_count, check_number, rows_preview, values_preview

Generator = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]

BAYES_SAMPLE = 4000  # Monte Carlo points for the Bayes error estimate
BAYES_LATENT = 600  # clean points per class approximating each class density
BAYES_SEED = 20_240_611


@dataclass(frozen=True)
class Dataset:
    """The three splits of a lab dataset. X arrays have shape (m, 2); y holds class indices
    0..n_classes-1 with shape (m,). `bayes_error` (percent) is the error of the best possible
    classifier on the training distribution: classes overlapping through the input noise plus
    the flipped labels (computed on first use, then cached)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_train_dev: np.ndarray
    y_train_dev: np.ndarray
    X_dev: np.ndarray
    y_dev: np.ndarray
    n_classes: int
    name: str
    generator: str = ""  # which of GENERATORS drew it (name may carry a description)
    noise: float = 0.0
    label_flip: float = 0.0

    @property
    def bayes_error(self) -> float:
        """NaN for data the lab did not generate (an uploaded file): its Bayes error is unknown."""
        name = self.generator or self.name
        if name not in GENERATORS:
            return float("nan")
        return bayes_error(name, float(self.noise), float(self.label_flip))

    @property
    def X_all(self) -> np.ndarray:
        """Every point (train, train-dev, dev stacked), e.g. for the plot's bounding box."""
        return np.concatenate([self.X_train, self.X_train_dev, self.X_dev])


# Each generator draws m CLEAN points (before noise) with equal class shares, as sklearn's
# make_circles / make_moons do; the noise is added by one shared function so the Bayes error
# can be estimated the same way for all of them.

def _class_labels(m: int, n_classes: int) -> np.ndarray:
    return np.arange(m) % n_classes


def circles(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles, radius 1 (class 0) and 0.8 (class 1), as sklearn's make_circles
    which the course's initialisation assignment uses."""
    y = _class_labels(m, 2)
    t = rng.uniform(0.0, 2 * np.pi, m)
    r = np.where(y == 0, 1.0, 0.8)
    return np.column_stack([r * np.cos(t), r * np.sin(t)]), y


def moons(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as sklearn's make_moons (the course's optimisation
    assignment)."""
    y = _class_labels(m, 2)
    t = rng.uniform(0.0, np.pi, m)
    outer = np.column_stack([np.cos(t), np.sin(t)])
    inner = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    return np.where(y[:, None] == 0, outer, inner), y


def xor(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in the four quadrants of [-1, 1]^2, kept a little off the axes; class 1 where
    x and y share a sign (TF Playground's XOR)."""
    X = rng.uniform(-1.0, 1.0, (m, 2))
    X += np.where(X > 0, 0.05, -0.05)
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def blobs(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Three blob centres on a triangle (the multiclass, softmax dataset); the blobs' own
    spread is BLOB_SPREAD plus the noise."""
    y = _class_labels(m, 3)
    angles = np.pi / 2 + 2 * np.pi / 3 * np.arange(3)
    centers = np.column_stack([np.cos(angles), np.sin(angles)])
    return centers[y], y


def spirals(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals (TF Playground's hardest set)."""
    y = _class_labels(m, 2)
    t = rng.uniform(0.0, 1.0, m)
    r = 0.1 + 0.9 * t
    theta = 1.75 * 2 * np.pi * t + np.pi * y
    return np.column_stack([r * np.sin(theta), r * np.cos(theta)]), y


def flower(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The course's planar "flower" (planar_utils.load_planar_dataset): petals r = sin(4t),
    one class per half turn. Scaled to radius 1 (the course uses 4) and noised in x like the
    other sets (the course jitters angle and radius), so `noise` means the same everywhere."""
    y = _class_labels(m, 2)
    t = rng.uniform(0.0, 3.12, m) + 3.12 * y
    r = np.sin(4.0 * t)
    return np.column_stack([r * np.sin(t), r * np.cos(t)]), y


GENERATORS: dict[str, Generator] = {
    "circles": circles, "moons": moons, "xor": xor, "blobs": blobs,
    "spirals": spirals, "flower": flower,
}
N_CLASSES = {"blobs": 3}
# Transforms of the plane that keep every label of a dataset (its generator is symmetric
# under them about the origin), for data augmentation. Jitter suits every set; these only
# where they hold: circles are symmetric under any rotation and both flips; XOR's label
# sign(x1 x2) survives a half turn and swapping x1 and x2 (a flip about the diagonal), but a
# single-axis flip swaps the classes. Moons, spirals, flower and blobs map one class onto
# another under their symmetries (e.g. a half turn swaps the two spirals), so they get none.
LABEL_PRESERVING: dict[str, tuple[str, ...]] = {
    "circles": ("rotate", "flip"), "xor": ("half turn", "swap axes"),
    "moons": (), "blobs": (), "spirals": (), "flower": (),
}
BLOB_SPREAD = 0.25


def noise_std(name: str, noise: float) -> float:
    """Standard deviation of the Gaussian noise added to x for dataset `name`."""
    return noise + (BLOB_SPREAD if name == "blobs" else 0.0)


def sample(name: str, rng: np.random.Generator, m: int,
           noise: float) -> tuple[np.ndarray, np.ndarray]:
    """m noisy points of dataset `name` (labels not flipped yet)."""
    X, y = GENERATORS[name](rng, m)
    return X + rng.normal(0.0, noise_std(name, noise), X.shape), y


def _max_posterior(X: np.ndarray, classes: list[np.ndarray], sigma: float) -> np.ndarray:
    """For each point, max_k P(k | x) from Gaussian-kernel class densities (equal priors)."""
    sq_X = (X * X).sum(axis=1)[:, None]
    d2 = []
    for centers in classes:
        # squared distances via |x|^2 - 2 x.c + |c|^2 (one matrix product, in place)
        d = X @ centers.T
        d *= -2.0
        d += sq_X
        d += (centers * centers).sum(axis=1)
        d2.append(d)
    # subtracting each point's nearest squared distance (over all classes) keeps the densest
    # class's kernel sum >= 1, so tiny noise cannot underflow every sum to 0
    nearest = np.minimum.reduce([d.min(axis=1) for d in d2])[:, None]
    scale = -1.0 / (2.0 * sigma * sigma)
    density = []
    for d in d2:
        d -= nearest
        d *= scale
        density.append(np.exp(d, out=d).sum(axis=1))
    density = np.array(density)
    return density.max(axis=0) / density.sum(axis=0)


@lru_cache(maxsize=256)
def bayes_error(name: str, noise: float, label_flip: float = 0.0) -> float:
    """Error of the Bayes classifier (percent): Monte Carlo over the generator.

    Each class density p(x | y) is the sum of Gaussian kernels (the noise) around
    BAYES_LATENT clean points of that class; the Bayes classifier picks the densest class
    (classes are equally likely) and errs at x with probability 1 - max_k P(k | x). Its
    error e0 is that averaged over fresh noisy points; then the flips: a label
    moves to one of the other K-1 classes with probability label_flip, so the best classifier
    is right with probability (1 - e0)(1 - flip) + e0 flip / (K - 1).
    """
    K = N_CLASSES.get(name, 2)
    sigma = noise_std(name, noise)
    e0 = 0.0
    if sigma > 0:
        rng = np.random.default_rng(BAYES_SEED)
        latent, latent_y = GENERATORS[name](rng, BAYES_LATENT * K)
        X, _ = sample(name, rng, BAYES_SAMPLE, noise)
        classes = [latent[latent_y == k] for k in range(K)]
        best = np.concatenate([_max_posterior(chunk, classes, sigma)
                               for chunk in np.array_split(X, len(X) // 500)])
        # the Bayes classifier errs at x with probability 1 - max_k P(k | x): averaging that
        # has far less Monte Carlo noise than counting its mistakes on sampled labels
        e0 = float(np.mean(1.0 - best))
    correct = (1.0 - e0) * (1.0 - label_flip) + e0 * label_flip / (K - 1)
    return 100.0 * (1.0 - correct)


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
    >>> data = make_dataset(LabConfig(dataset="moons", n_train=50, noise=0.0, label_flip=0.1))
    >>> data.X_train.shape, data.y_train.shape, round(data.bayes_error, 6)
    ((50, 2), (50,), 10.0)
    """
    config.validate()
    rng = np.random.default_rng(config.seed)
    n_classes = N_CLASSES.get(config.dataset, 2)

    def split(m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
        X, y = sample(config.dataset, rng, m, noise)
        return X.astype(np.float64), flip_labels(rng, y, config.label_flip, n_classes)

    X_train, y_train = split(config.n_train, config.noise)
    X_train_dev, y_train_dev = split(config.n_train_dev, config.noise)
    dev_noise = config.noise + (config.shift_amount if config.dev_shift == "noisier" else 0.0)
    X_dev, y_dev = split(config.n_dev, dev_noise)
    if config.dev_shift == "rotate" and config.shift_amount:
        X_dev = rotate(X_dev, config.shift_amount, center=X_train.mean(axis=0))
    return Dataset(X_train=X_train, y_train=y_train, X_train_dev=X_train_dev,
                   y_train_dev=y_train_dev, X_dev=X_dev, y_dev=y_dev, n_classes=n_classes,
                   name=config.dataset, generator=config.dataset, noise=float(config.noise),
                   label_flip=float(config.label_flip))


# ---- your own data: a table of x1, x2, label ---------------------------------------------

OWN_COLUMNS = ("x1", "x2", "label")
MIN_OWN_ROWS = 10
MAX_OWN_ROWS = MAX_POINTS


def _own_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Map x1, x2, label to the frame's columns (names compared without case or spaces)."""
    found = {str(c).strip().lower(): c for c in frame.columns}
    missing = [name for name in OWN_COLUMNS if name not in found]
    if missing:
        raise ValueError(f"the table needs columns x1, x2 and label; {', '.join(missing)} "
                         f"missing (found {values_preview([str(c) for c in frame.columns])}).")
    return {name: found[name] for name in OWN_COLUMNS}


def _own_inputs(frame: pd.DataFrame, columns: dict[str, str]) -> np.ndarray:
    """x1, x2 as an (m, 2) float array; text, empty and infinite cells are named by row."""
    X = np.empty((len(frame), 2))
    for j, name in enumerate(("x1", "x2")):
        values = pd.to_numeric(frame[columns[name]], errors="coerce").to_numpy(np.float64)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValueError(f"{name} must hold finite numbers; {rows_preview(bad)} "
                             f"{'is' if bad.size == 1 else 'are'} empty, text or infinite "
                             f"({values_preview(frame[columns[name]].iloc[bad].tolist())}).")
        X[:, j] = values
    return X


def _own_labels(series: pd.Series) -> np.ndarray:
    """Two distinct labels mapped to 0 and 1 (in sorted order, so 0/1 labels stay put)."""
    if series.isna().any():
        raise ValueError(f"label is empty in {rows_preview(np.flatnonzero(series.isna()))}: "
                         f"give every row a label.")
    text = series.astype(str).str.strip()
    classes = sorted(text.unique())
    if len(classes) != 2:
        raise ValueError(f"label must have exactly two classes, got {len(classes)} "
                         f"({values_preview(classes)}); the lab trains binary classifiers.")
    counts = text.value_counts()
    if counts.min() < 2:
        raise ValueError(f"each label needs at least 2 rows; {counts.idxmin()!r} has "
                         f"{counts.min()}.")
    return (text == classes[1]).to_numpy().astype(np.int64)


def dataset_from_frame(frame: pd.DataFrame, *, dev_share: float = 0.2,
                       train_dev_share: float = 0.0, seed: int = 0,
                       name: str = "your data") -> Dataset:
    """A lab Dataset from a table of x1, x2, label (two classes), shuffled with
    np.random.default_rng(seed) and split into train, train-dev and dev.

    Raises ValueError naming the problem: missing columns, fewer than MIN_OWN_ROWS or more
    than MAX_OWN_ROWS rows, cells that are not finite numbers, not exactly two classes.
    The Bayes error of such data is unknown (NaN).

    Examples
    --------
    >>> frame = pd.DataFrame({"x1": range(20), "x2": range(20), "label": ["a", "b"] * 10})
    >>> data = dataset_from_frame(frame, dev_share=0.25)
    >>> len(data.y_train), len(data.y_dev), data.n_classes
    (15, 5, 2)
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a table (DataFrame), got {type(frame).__name__}.")
    dev_share = check_number("dev_share", dev_share, low=0.05, high=0.5)
    train_dev_share = check_number("train_dev_share", train_dev_share, low=0.0, high=0.45)
    seed = check_count("seed", seed)
    m = len(frame)
    if not MIN_OWN_ROWS <= m <= MAX_OWN_ROWS:
        raise ValueError(f"the table must have {MIN_OWN_ROWS} to {MAX_OWN_ROWS:,} rows, "
                         f"got {m:,}.")
    columns = _own_columns(frame)
    X = _own_inputs(frame, columns)
    y = _own_labels(frame[columns["label"]])
    order = np.random.default_rng(seed).permutation(m)
    n_dev = max(1, round(dev_share * m))
    n_train_dev = round(train_dev_share * m)
    if m - n_dev - n_train_dev < 2:
        raise ValueError(f"dev_share {dev_share:g} and train_dev_share {train_dev_share:g} "
                         f"leave fewer than 2 training rows of {m}; lower them.")
    dev, train_dev = order[:n_dev], order[n_dev:n_dev + n_train_dev]
    train = order[n_dev + n_train_dev:]
    return Dataset(X_train=X[train], y_train=y[train], X_train_dev=X[train_dev],
                   y_train_dev=y[train_dev], X_dev=X[dev], y_dev=y[dev], n_classes=2, name=name)
