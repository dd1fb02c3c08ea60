"""Random hyperparameter search, coarse to fine (never a grid: with a random draw every trial
tries a new value of the hyperparameter that matters most).

The learning rate is sampled on a log scale (10^r) and momentum's beta as 1 - 10^r, so each
decade gets as many trials as the next; many short trainings run side by side ("caviar").
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from analysis.training.config import MAX_LAYERS, MAX_UNITS, LabConfig
from analysis.training.datasets import make_dataset
from analysis.training.session import TrainingSession
from analysis.validation import check_count, check_number

TRIAL_COLUMNS = ["trial", "learning_rate", "beta1", "hidden", "n_layers", "l2", "keep_prob",
                 "train_error", "dev_error", "cost", "diverged"]


@dataclass(frozen=True)
class SearchSpace:
    """Ranges to sample from (low, high), both ends included."""

    log10_lr: tuple[float, float] = (-4.0, 0.0)
    log10_one_minus_beta: tuple[float, float] = (-3.0, -1.0)
    hidden_layers: tuple[int, int] = (1, 3)
    units: tuple[int, int] = (2, 16)
    l2: tuple[float, float] = (0.0, 1.0)
    keep_prob: tuple[float, float] = (0.6, 1.0)

    def __post_init__(self) -> None:
        limits = {"log10_lr": (-8.0, 2.0), "log10_one_minus_beta": (-6.0, 0.0),
                  "hidden_layers": (0, MAX_LAYERS), "units": (1, MAX_UNITS),
                  "l2": (0.0, 100.0), "keep_prob": (0.05, 1.0)}
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, tuple | list) or len(value) != 2:
                raise ValueError(f"{f.name} must be a (low, high) pair, got {value!r}.")
            low, high = limits[f.name]
            a = check_number(f"{f.name} low", value[0], low=low, high=high)
            b = check_number(f"{f.name} high", value[1], low=low, high=high)
            if a > b:
                raise ValueError(f"{f.name} must be (low, high) with low <= high, got {value!r}.")
            if f.name in ("hidden_layers", "units") and (a != int(a) or b != int(b)):
                raise ValueError(f"{f.name} must be whole numbers, got {value!r}.")
            whole = f.name in ("hidden_layers", "units")
            object.__setattr__(self, f.name, (int(a), int(b)) if whole else (a, b))


@dataclass(frozen=True)
class SearchResult:
    """trials: one row per sampled config; best: the top 5 by dev error (diverged runs last)."""

    trials: pd.DataFrame
    best: pd.DataFrame
    space: SearchSpace | None = None

    def to_dict(self) -> dict[str, object]:
        return {"trials": self.trials.to_dict(orient="records"),
                "best": self.best.to_dict(orient="records")}


def sample_configs(base: LabConfig, space: SearchSpace, n_trials: int,
                   rng: np.random.Generator) -> list[LabConfig]:
    """Draw n_trials configs: every hyperparameter independently, lr and 1 - beta on log scales."""
    r_lr = rng.uniform(*space.log10_lr, n_trials)
    r_beta = rng.uniform(*space.log10_one_minus_beta, n_trials)
    n_layers = rng.integers(space.hidden_layers[0], space.hidden_layers[1] + 1, n_trials)
    l2 = rng.uniform(*space.l2, n_trials)
    keep = rng.uniform(*space.keep_prob, n_trials)
    configs = []
    for i in range(n_trials):
        units = rng.integers(space.units[0], space.units[1] + 1, n_layers[i])
        configs.append(base.replace(
            learning_rate=float(10.0 ** r_lr[i]), beta1=float(1.0 - 10.0 ** r_beta[i]),
            hidden=tuple(int(u) for u in units), l2=float(l2[i]),
            keep_prob=float(max(keep[i], 1e-3)), early_stopping_patience=0))
    return configs


def _best(trials: pd.DataFrame, top: int) -> pd.DataFrame:
    ranked = trials.sort_values(["diverged", "dev_error", "cost"], kind="stable")
    return ranked.head(top).reset_index(drop=True)


def random_search(base: LabConfig, space: SearchSpace | None = None, *, n_trials: int = 20,
                  epochs: int = 200, seed: int = 0) -> SearchResult:
    """Train n_trials configs sampled from `space` around `base` for `epochs` epochs each, on
    one shared dataset, and rank them by dev error.

    Examples
    --------
    >>> result = random_search(LabConfig(n_train=60), SearchSpace(), n_trials=3, epochs=5)
    >>> len(result.trials), list(result.best.columns)[:3]
    (3, ['trial', 'learning_rate', 'beta1'])
    """
    space = space if space is not None else SearchSpace()
    n_trials = check_count("n_trials", n_trials, minimum=1)
    epochs = check_count("epochs", epochs, minimum=1)
    if n_trials * epochs > 2_000_000:
        raise ValueError(f"n_trials x epochs is {n_trials * epochs}; keep it under 2,000,000.")
    rng = np.random.default_rng(seed)
    dataset = make_dataset(base)  # every trial sees the same data: only the settings differ
    rows = []
    for i, config in enumerate(sample_configs(base, space, n_trials, rng)):
        session = TrainingSession(config, dataset=dataset)
        session.advance(epochs, record_every=epochs)
        r = session.current()
        rows.append([i + 1, config.learning_rate, config.beta1,
                     ",".join(map(str, config.hidden)), len(config.hidden), config.l2,
                     config.keep_prob, r.train_error, r.dev_error, r.cost, session.diverged])
    trials = pd.DataFrame(rows, columns=TRIAL_COLUMNS)
    return SearchResult(trials=trials, best=_best(trials, 5), space=space)


def _around(values: np.ndarray, outer: tuple[float, float],
            share: float = 0.1) -> tuple[float, float]:
    """[min, max] of the best values, widened by `share` of the outer range, kept inside it."""
    pad = share * (outer[1] - outer[0])
    return (float(max(outer[0], values.min() - pad)), float(min(outer[1], values.max() + pad)))


def zoom(result: SearchResult, *, top: int = 5) -> SearchSpace:
    """Coarse to fine: a smaller space around the `top` best configs of `result`.

    Examples
    --------
    >>> result = random_search(LabConfig(n_train=60), n_trials=4, epochs=5)
    >>> fine = zoom(result, top=2)
    >>> fine.log10_lr[1] - fine.log10_lr[0] <= 4.0
    True
    """
    top = check_count("top", top, minimum=1)
    space = result.space if result.space is not None else SearchSpace()
    best = _best(result.trials, top)
    if best.empty:
        raise ValueError("result has no trials to zoom in on: run a search first.")
    layers = best["n_layers"].to_numpy()
    units = np.array([int(u) for h in best["hidden"] for u in str(h).split(",") if u] or [0])
    return SearchSpace(
        log10_lr=_around(np.log10(best["learning_rate"].to_numpy()), space.log10_lr),
        log10_one_minus_beta=_around(np.log10(1.0 - best["beta1"].to_numpy()),
                                     space.log10_one_minus_beta),
        hidden_layers=(int(layers.min()), int(layers.max())),
        units=(int(max(units.min(), space.units[0])), int(min(units.max(), space.units[1]))),
        l2=_around(best["l2"].to_numpy(), space.l2),
        keep_prob=_around(best["keep_prob"].to_numpy(), space.keep_prob),
    )
