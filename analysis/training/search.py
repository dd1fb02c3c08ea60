"""Random hyperparameter search, coarse to fine (never a grid: with a random draw every trial
tries a new value of the hyperparameter that matters most), following the course's priorities.

Tier 1, the learning rate, sampled on a log scale (10^r); tier 2, momentum's beta (as 1 - 10^r,
and only for the momentum optimizer), the mini-batch size (powers of two) and the hidden
units; tier 3, the number of layers and the learning-rate decay; tier 4, L2 and dropout.
Adam's beta1, beta2 and epsilon stay at 0.9, 0.999 and 1e-8 unless asked (tune_adam).
Many trials can train side by side on worker processes ("caviar"); `Panda` babysits one
model instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import sys
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from analysis.training.config import DECAYS, MAX_LAYERS, MAX_UNITS, LabConfig
from analysis.training.datasets import Dataset, make_dataset
from analysis.training.session import TrainingSession
from analysis.validation import check_choice, check_count, check_number

# the course's tuning priorities: tier -> the hyperparameters sampled from that tier on
PRIORITIES: dict[int, tuple[str, ...]] = {
    1: ("learning_rate",),
    2: ("beta1", "batch_size", "units"),
    3: ("n_layers", "decay"),
    4: ("l2", "keep_prob"),
}
MOMENTUM_USERS = ("momentum",)  # Adam uses beta1 too, but its defaults are almost never tuned
ADAM_DEFAULTS = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
TRIAL_COLUMNS = ["trial", "learning_rate", "beta1", "batch_size", "hidden", "n_layers", "decay",
                 "decay_rate", "l2", "keep_prob", "beta2", "epsilon", "train_error",
                 "dev_error", "cost", "diverged"]
MODES = ("serial", "caviar")
MAX_WORKERS = 2


@dataclass(frozen=True)
class SearchSpace:
    """Ranges to sample from (low, high), both ends included; `depth` = how many priority
    tiers to tune (1 = learning rate only ... 4 = everything; the rest keep the base's
    values); `tune_adam` also samples Adam's beta1 (1 - 10^r, same range as momentum's) and
    beta2 (1 - 10^r, r in log10_one_minus_beta2)."""

    log10_lr: tuple[float, float] = (-4.0, 0.0)
    log10_one_minus_beta: tuple[float, float] = (-3.0, -1.0)
    hidden_layers: tuple[int, int] = (1, 3)
    units: tuple[int, int] = (2, 16)
    l2: tuple[float, float] = (0.0, 1.0)
    keep_prob: tuple[float, float] = (0.6, 1.0)
    log2_batch: tuple[int, int] = (6, 9)  # 64 ... 512
    log10_decay_rate: tuple[float, float] = (-3.0, -1.0)
    log10_one_minus_beta2: tuple[float, float] = (-4.0, -2.0)
    decays: tuple[str, ...] = field(default=("none", "inverse"))
    depth: int = 4
    tune_adam: bool = False

    def __post_init__(self) -> None:
        limits = {"log10_lr": (-8.0, 2.0), "log10_one_minus_beta": (-6.0, 0.0),
                  "hidden_layers": (0, MAX_LAYERS), "units": (1, MAX_UNITS),
                  "l2": (0.0, 100.0), "keep_prob": (0.05, 1.0), "log2_batch": (0, 14),
                  "log10_decay_rate": (-6.0, 2.0), "log10_one_minus_beta2": (-6.0, 0.0)}
        check_count("depth", self.depth, minimum=1)
        if self.depth > len(PRIORITIES):
            raise ValueError(f"depth must be 1 to {len(PRIORITIES)}, got {self.depth}.")
        if not isinstance(self.tune_adam, bool):
            raise ValueError(f"tune_adam must be True or False, got {self.tune_adam!r}.")
        if isinstance(self.decays, str) or not self.decays:
            raise ValueError(f"decays must list decay schedules, got {self.decays!r}.")
        for name in self.decays:
            check_choice("decays", name, DECAYS)
        object.__setattr__(self, "decays", tuple(self.decays))
        for f in fields(self):
            if f.name not in limits:
                continue
            value = getattr(self, f.name)
            if not isinstance(value, tuple | list) or len(value) != 2:
                raise ValueError(f"{f.name} must be a (low, high) pair, got {value!r}.")
            low, high = limits[f.name]
            a = check_number(f"{f.name} low", value[0], low=low, high=high)
            b = check_number(f"{f.name} high", value[1], low=low, high=high)
            if a > b:
                raise ValueError(f"{f.name} must be (low, high) with low <= high, got {value!r}.")
            whole = f.name in ("hidden_layers", "units", "log2_batch")
            if whole and (a != int(a) or b != int(b)):
                raise ValueError(f"{f.name} must be whole numbers, got {value!r}.")
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


def tuned(space: SearchSpace, optimizer: str) -> set[str]:
    """The hyperparameters a search over `space` samples for `optimizer` (the rest keep the
    base's values): the tiers up to space.depth, beta1 only where the optimizer uses momentum,
    Adam's betas and epsilon only with tune_adam."""
    names = {name for tier in range(1, space.depth + 1) for name in PRIORITIES[tier]}
    if optimizer not in MOMENTUM_USERS:
        names.discard("beta1")
    if space.tune_adam and optimizer == "adam":
        names |= {"beta1", "beta2"}
    return names


def _draw(space: SearchSpace, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n values of every hyperparameter, each drawn on its own scale (all drawn, whether tuned
    or not, so a search's draws do not depend on which ones it keeps)."""
    return {
        "learning_rate": 10.0 ** rng.uniform(*space.log10_lr, n),
        "beta1": 1.0 - 10.0 ** rng.uniform(*space.log10_one_minus_beta, n),
        "batch_size": 2 ** rng.integers(space.log2_batch[0], space.log2_batch[1] + 1, n),
        "n_layers": rng.integers(space.hidden_layers[0], space.hidden_layers[1] + 1, n),
        "decay": rng.choice(np.array(space.decays, dtype=object), n),
        "decay_rate": 10.0 ** rng.uniform(*space.log10_decay_rate, n),
        "l2": rng.uniform(*space.l2, n),
        "keep_prob": rng.uniform(*space.keep_prob, n),
        "beta2": 1.0 - 10.0 ** rng.uniform(*space.log10_one_minus_beta2, n),
    }


def sample_configs(base: LabConfig, space: SearchSpace, n_trials: int,
                   rng: np.random.Generator) -> list[LabConfig]:
    """Draw n_trials configs: each tuned hyperparameter independently, the learning rate,
    1 - beta and the decay rate on log scales, the mini-batch size as a power of two."""
    draws = _draw(space, n_trials, rng)
    names = tuned(space, base.optimizer)
    configs = []
    for i in range(n_trials):
        layers = int(draws["n_layers"][i]) if "n_layers" in names else len(base.hidden)
        units = rng.integers(space.units[0], space.units[1] + 1, layers)
        hidden = tuple(int(u) for u in units) if "units" in names else base.hidden
        if len(hidden) != layers:  # layers tuned, units not: repeat the base's last width
            width = base.hidden[-1] if base.hidden else space.units[1]
            hidden = (base.hidden + (width,) * layers)[:layers]
        changes: dict[str, object] = {"hidden": hidden, "early_stopping_patience": 0}
        for name in ("learning_rate", "beta1", "beta2", "decay_rate", "l2"):
            if name in names or (name == "decay_rate" and "decay" in names):
                changes[name] = float(draws[name][i])
        if "batch_size" in names:
            changes["batch_size"] = int(draws["batch_size"][i])
        if "decay" in names:
            changes["decay"] = str(draws["decay"][i])
        if "keep_prob" in names:
            changes["keep_prob"] = float(max(draws["keep_prob"][i], 1e-3))
        configs.append(base.replace(**changes))
    return configs


def _best(trials: pd.DataFrame, top: int) -> pd.DataFrame:
    ranked = trials.sort_values(["diverged", "dev_error", "cost"], kind="stable")
    return ranked.head(top).reset_index(drop=True)


def caviar_workers() -> int:
    """Worker processes for a parallel search: min(2, cores - 1), at least 1, so the server
    keeps a core for itself."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


def run_trial(config: LabConfig, dataset: Dataset, epochs: int) -> list[object]:
    """Train one trial and return its row of TRIAL_COLUMNS (without the trial number).
    Module-level so a worker process can run it."""
    session = TrainingSession(config, dataset=dataset)
    session.advance(epochs, record_every=epochs)
    r = session.current()
    return [config.learning_rate, config.beta1, config.batch_size,
            ",".join(map(str, config.hidden)), len(config.hidden), config.decay,
            config.decay_rate, config.l2, config.keep_prob, config.beta2, config.epsilon,
            r.train_error, r.dev_error, r.cost, session.diverged]


def random_search(base: LabConfig, space: SearchSpace | None = None, *, n_trials: int = 20,
                  epochs: int = 200, seed: int = 0, mode: str = "serial",
                  workers: int | None = None) -> SearchResult:
    """Train n_trials configs sampled from `space` around `base` for `epochs` epochs each, on
    one shared dataset, and rank them by dev error.

    mode "caviar" trains the trials in parallel on `workers` processes (default
    caviar_workers(), never more than MAX_WORKERS); the configs are drawn before any training,
    so both modes give the same table for the same seed.

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
    check_choice("mode", mode, MODES)
    workers = caviar_workers() if workers is None else check_count("workers", workers, minimum=1)
    if workers > MAX_WORKERS:
        raise ValueError(f"workers must be at most {MAX_WORKERS}, got {workers}.")
    rng = np.random.default_rng(seed)
    dataset = make_dataset(base)  # every trial sees the same data: only the settings differ
    configs = sample_configs(base, space, n_trials, rng)
    if mode == "caviar":
        # forkserver: workers do not inherit the (threaded) server process
        context = multiprocessing.get_context("forkserver")
        with _without_main_script(), ProcessPoolExecutor(max_workers=workers,
                                                          mp_context=context) as pool:
            rows = list(pool.map(run_trial, configs, [dataset] * n_trials,
                                 [epochs] * n_trials))
    else:
        rows = [run_trial(config, dataset, epochs) for config in configs]
    trials = pd.DataFrame([[i + 1, *row] for i, row in enumerate(rows)], columns=TRIAL_COLUMNS)
    return SearchResult(trials=trials, best=_best(trials, 5), space=space)


@contextlib.contextmanager
def _without_main_script() -> Iterator[None]:
    """Start workers with an empty __main__.

    multiprocessing re-runs the parent's __main__ file in every new worker. Under Streamlit that
    is the page script being run (and in AppTest a generated script), which must never run in a
    worker: the trials need nothing from it.
    """
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


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
    batch = space.log2_batch
    if "batch_size" in best and (best["batch_size"] > 0).all():
        log2 = np.log2(best["batch_size"].to_numpy())
        batch = (int(max(log2.min(), batch[0])), int(min(log2.max(), batch[1])))
    return dataclasses.replace(
        space,
        log2_batch=batch,
        log10_lr=_around(np.log10(best["learning_rate"].to_numpy()), space.log10_lr),
        log10_one_minus_beta=_around(np.log10(1.0 - best["beta1"].to_numpy()),
                                     space.log10_one_minus_beta),
        hidden_layers=(int(layers.min()), int(layers.max())),
        units=(int(max(units.min(), space.units[0])), int(min(units.max(), space.units[1]))),
        l2=_around(best["l2"].to_numpy(), space.l2),
        keep_prob=_around(best["keep_prob"].to_numpy(), space.keep_prob),
    )


# ---- what each hyperparameter did: value against dev error ------------------------------

# (column of the trials table, how to read its value, whether to plot it on a log axis)
EFFECT_AXES: dict[str, tuple[str, bool]] = {
    "learning_rate": ("learning rate α", True),
    "beta1": ("1 − β (momentum)", True),
    "batch_size": ("mini-batch size", True),
    "units": ("hidden units per layer (mean)", False),
    "n_layers": ("hidden layers", False),
    "decay_rate": ("decay rate", True),
    "l2": ("L2 λ", False),
    "keep_prob": ("keep_prob", False),
}


def effects(result: SearchResult) -> pd.DataFrame:
    """Long table hyperparameter, label, value, dev_error, log_scale, diverged: one row per
    trial and hyperparameter that VARIED in the search, in priority order (a chart of each
    hyperparameter's effect on dev error). beta1 is shown as 1 - beta, its sampling scale.

    Examples
    --------
    >>> result = random_search(LabConfig(n_train=60), SearchSpace(depth=1), n_trials=3,
    ...                        epochs=5)
    >>> effects(result)["hyperparameter"].unique().tolist()
    ['learning_rate']
    """
    trials = result.trials
    if trials.empty:
        raise ValueError("result has no trials: run a search first.")
    units = trials["hidden"].map(lambda h: np.mean([int(u) for u in str(h).split(",") if u])
                                 if str(h) else 0.0)
    values = {"units": units, "beta1": 1.0 - trials["beta1"]}
    frames = []
    for name, (label, log_scale) in EFFECT_AXES.items():
        column = values.get(name, trials.get(name))
        if column is None or column.nunique() < 2:
            continue
        frames.append(pd.DataFrame({"hyperparameter": name, "label": label,
                                    "value": column.astype(float),
                                    "dev_error": trials["dev_error"],
                                    "log_scale": log_scale, "diverged": trials["diverged"]}))
    if not frames:
        return pd.DataFrame(columns=["hyperparameter", "label", "value", "dev_error",
                                     "log_scale", "diverged"])
    return pd.concat(frames, ignore_index=True)


# ---- panda: babysit one model ---------------------------------------------------------------

@dataclass(frozen=True)
class PandaStep:
    """One look at the babysat model: where it stood after the chunk and what was done."""

    epoch: int
    cost: float
    dev_error: float
    learning_rate: float
    action: str


class Panda:
    """Babysit one model (the course's "panda"): train a chunk of epochs, look at the cost,
    and go on if it fell; if it did not fall or diverged, go back to the last checkpoint and halve
    the learning rate. Each `step()` is one look; `log` keeps them all.

    Examples
    --------
    >>> panda = Panda(LabConfig(dataset="moons", n_train=60), chunk=5)
    >>> panda.step().action
    'cost fell: kept going'
    """

    def __init__(self, config: LabConfig, *, chunk: int = 50) -> None:
        self.chunk = check_count("chunk", chunk, minimum=1)
        self.session = TrainingSession(config)
        self.checkpoint = self.session.to_state()
        self.checkpoint_cost = self.session.evaluate().cost
        self.log: list[PandaStep] = []

    def step(self) -> PandaStep:
        """Train one chunk and react to the cost."""
        session = self.session
        session.advance(self.chunk, record_every=self.chunk)
        r = session.current()
        if session.diverged or not r.cost < self.checkpoint_cost:
            state = dict(self.checkpoint)
            rate = session.config.learning_rate / 2.0
            state["config"] = {**state["config"], "learning_rate": rate}
            what = "diverged" if session.diverged else "cost did not fall"
            self.session = TrainingSession.from_state(state)
            action = (f"{what}: back to epoch {self.session.epoch}, learning rate halved to "
                      f"{rate:.3g}")
        else:
            self.checkpoint, self.checkpoint_cost = session.to_state(), r.cost
            action = "cost fell: kept going"
        r = self.session.current()
        entry = PandaStep(epoch=self.session.epoch, cost=r.cost, dev_error=r.dev_error,
                          learning_rate=self.session.config.learning_rate, action=action)
        self.log.append(entry)
        return entry

    def log_frame(self) -> pd.DataFrame:
        """One row per look: epoch, cost, dev_error, learning_rate, action."""
        return pd.DataFrame([dataclasses.asdict(e) for e in self.log],
                            columns=["epoch", "cost", "dev_error", "learning_rate", "action"])
