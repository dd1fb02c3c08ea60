"""Variance remedies beyond L2 and dropout: data augmentation and an ensemble of seeds, each
measured by what it does to the train/dev gap; and a learning-curve run (the remedy "more
data", measured before it is bought).

Errors are always measured on the ORIGINAL training examples, so an augmented run's train
error is comparable with a plain one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.training.config import MAX_POINTS, LabConfig
from analysis.training.datasets import LABEL_PRESERVING, Dataset, make_dataset
from analysis.training.session import TrainingSession
from analysis.validation import check_count, check_number

MAX_COPIES = 10
MAX_MEMBERS = 10
REMEDIES = ("none", "augmentation", "ensemble")


def _transform(kind: str, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Apply one label-keeping transform (drawn per point) about the origin."""
    if kind == "rotate":  # any angle
        a = rng.uniform(0.0, 2 * np.pi, len(X))
        c, s = np.cos(a), np.sin(a)
        return np.column_stack([c * X[:, 0] - s * X[:, 1], s * X[:, 0] + c * X[:, 1]])
    if kind == "flip":  # mirror x1, x2, both or neither
        return X * rng.choice([-1.0, 1.0], size=X.shape)
    if kind == "half turn":
        return X * rng.choice([-1.0, 1.0], size=(len(X), 1))
    if kind == "swap axes":
        swap = rng.random(len(X)) < 0.5
        return np.where(swap[:, None], X[:, ::-1], X)
    raise ValueError(f"unknown transform {kind!r}.")


def augment(dataset: Dataset, *, copies: int = 2, jitter: float = 0.1,
            seed: int = 0) -> Dataset:
    """The dataset with `copies` altered copies of each training example appended (dev and
    train-dev untouched): every copy gets Gaussian jitter of standard deviation `jitter`, then
    the dataset's label-keeping transforms (LABEL_PRESERVING; none for uploaded data).

    Examples
    --------
    >>> data = make_dataset(LabConfig(dataset="circles", n_train=50))
    >>> augment(data, copies=3).X_train.shape
    (200, 2)
    """
    copies = check_count("copies", copies, minimum=1)
    if copies > MAX_COPIES:
        raise ValueError(f"copies must be at most {MAX_COPIES}, got {copies}.")
    jitter = check_number("jitter", jitter, low=0.0, high=2.0)
    if len(dataset.y_train) * (copies + 1) > MAX_POINTS * (MAX_COPIES + 1):
        raise ValueError("the augmented training set would be too large: use fewer copies.")
    rng = np.random.default_rng(seed)
    X = np.tile(dataset.X_train, (copies, 1))
    X = X + rng.normal(0.0, jitter, X.shape)
    for kind in LABEL_PRESERVING.get(dataset.generator, ()):
        X = _transform(kind, X, rng)
    return dataclasses.replace(dataset, X_train=np.concatenate([dataset.X_train, X]),
                               y_train=np.tile(dataset.y_train, copies + 1))


def error_percent(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Error (%) of class probabilities (m,) binary or (m, K) against labels y."""
    predicted = (probabilities >= 0.5).astype(np.int64) if probabilities.ndim == 1 \
        else probabilities.argmax(axis=1)
    return 100.0 * float(np.mean(predicted != y))


def ensemble_proba(sessions: Sequence[TrainingSession], X: np.ndarray) -> np.ndarray:
    """The ensemble's prediction: the mean of its members' predicted probabilities."""
    return np.mean([s.predict_proba(X) for s in sessions], axis=0)


def train_ensemble(config: LabConfig, *, members: int = 5, epochs: int = 300,
                   dataset: Dataset | None = None) -> list[TrainingSession]:
    """`members` networks on the same data, initialised (and shuffled) with seeds
    config.seed, config.seed + 1, ...; average them with ensemble_proba."""
    members = check_count("members", members, minimum=1)
    if members > MAX_MEMBERS:
        raise ValueError(f"members must be at most {MAX_MEMBERS}, got {members}.")
    epochs = check_count("epochs", epochs, minimum=1)
    dataset = dataset if dataset is not None else make_dataset(config)
    sessions = []
    for k in range(members):
        session = TrainingSession(config.replace(seed=config.seed + k), dataset=dataset)
        session.advance(epochs, record_every=epochs)
        sessions.append(session)
    return sessions


@dataclass(frozen=True)
class RemedyResult:
    """runs: remedy, seed, train_error, dev_error, gap (dev - train, points) per run;
    mean_gap per remedy; a sentence per remedy for the page."""

    runs: pd.DataFrame
    mean_gap: dict[str, float]
    summary: str


def _errors(sessions: Sequence[TrainingSession], data: Dataset) -> tuple[float, float]:
    """(train, dev) error (%) of a session or ensemble on the ORIGINAL splits."""
    train = error_percent(ensemble_proba(sessions, data.X_train), data.y_train)
    dev = error_percent(ensemble_proba(sessions, data.X_dev), data.y_dev)
    return train, dev


def compare_remedies(config: LabConfig, *, epochs: int = 300, seeds: Sequence[int] = (1, 2, 3),
                     copies: int = 4, jitter: float | None = None,
                     members: int = 5) -> RemedyResult:
    """Train `config` plain, with augmentation and as an ensemble, on the data of each seed,
    and compare the train/dev gaps. jitter defaults to the data's own noise (at least 0.05).

    Examples
    --------
    >>> r = compare_remedies(LabConfig(dataset="moons", n_train=40), epochs=5, seeds=[1],
    ...                      copies=1, members=2)
    >>> sorted(r.mean_gap)
    ['augmentation', 'ensemble', 'none']
    """
    epochs = check_count("epochs", epochs, minimum=1)
    if not seeds:
        raise ValueError("seeds must list at least one seed, e.g. (1, 2, 3).")
    jitter = max(config.noise, 0.05) if jitter is None else jitter
    rows = []
    for seed in seeds:
        cfg = config.replace(seed=int(seed))
        data = make_dataset(cfg)
        plain = TrainingSession(cfg, dataset=data)
        plain.advance(epochs, record_every=epochs)
        grown = TrainingSession(cfg, dataset=augment(data, copies=copies, jitter=jitter,
                                                     seed=int(seed)))
        grown.advance(epochs, record_every=epochs)
        ensemble = train_ensemble(cfg, members=members, epochs=epochs, dataset=data)
        for remedy, sessions in zip(REMEDIES, ([plain], [grown], ensemble), strict=True):
            train, dev = _errors(sessions, data)
            rows.append([remedy, int(seed), train, dev, dev - train])
    runs = pd.DataFrame(rows, columns=["remedy", "seed", "train_error", "dev_error", "gap"])
    mean_gap = runs.groupby("remedy")["gap"].mean().to_dict()
    base = mean_gap["none"]
    words = [f"{remedy} {mean_gap[remedy]:.1f}" for remedy in REMEDIES[1:]]
    summary = (f"Train/dev gap averaged over {len(seeds)} draws: {base:.1f} points without a "
               f"remedy; " + ", ".join(words) + " with one.")
    return RemedyResult(runs=runs, mean_gap=mean_gap, summary=summary)


# ---- the learning-curve run -----------------------------------------------------------------

MAX_CURVE_SIZES = 12


def learning_curve_run(config: LabConfig, sizes: Sequence[int], *,
                       epochs: int | None = None) -> pd.DataFrame:
    """Train the current setup at each training-set size and measure train and dev error (%).

    Every size uses the same dev set and the first `size` examples of one training draw of
    max(sizes) points (config's data drawn with n_train = max(sizes)), so only the amount of
    data changes. `epochs`
    defaults to 300. Returns columns size, train_error, dev_error, ready for a learning-curve
    fit.

    Examples
    --------
    >>> curve = learning_curve_run(LabConfig(dataset="moons"), [20, 40], epochs=5)
    >>> curve.columns.tolist(), curve["size"].tolist()
    (['size', 'train_error', 'dev_error'], [20, 40])
    """
    epochs = check_count("epochs", 300 if epochs is None else epochs, minimum=1)
    if isinstance(sizes, str) or not 1 <= len(sizes) <= MAX_CURVE_SIZES:
        raise ValueError(f"sizes must list 1 to {MAX_CURVE_SIZES} training-set sizes, "
                         f"got {sizes!r}.")
    sizes = sorted({check_count("sizes", s, minimum=2) for s in sizes})
    if sizes[-1] > MAX_POINTS:
        raise ValueError(f"sizes must be at most {MAX_POINTS:,}, got {sizes[-1]:,}.")
    full = make_dataset(config.replace(n_train=sizes[-1]))
    rows = []
    for size in sizes:
        data = dataclasses.replace(full, X_train=full.X_train[:size], y_train=full.y_train[:size])
        session = TrainingSession(config.replace(n_train=size), dataset=data)
        session.advance(epochs, record_every=epochs)
        r = session.current()
        rows.append([size, r.train_error, r.dev_error])
    return pd.DataFrame(rows, columns=["size", "train_error", "dev_error"])
