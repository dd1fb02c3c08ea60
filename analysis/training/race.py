"""Optimizers raced side by side: the same data and the same initial weights, one session per
optimizer, their cost curves on one chart; and a 2-D loss surface with a saddle point and a
plateau on which each optimizer's path can be drawn (the course's "saddle points, not local
optima, slow training down").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.training.config import OPTIMIZERS, LabConfig
from analysis.training.datasets import make_dataset
from analysis.training.optimizers import make_optimizer
from analysis.training.session import TrainingSession
from analysis.validation import check_count, check_number

DEFAULT_RACE = ("gd", "momentum", "rmsprop", "adam")
MAX_RACERS = 6
# an entry is an optimizer name, or a mapping of LabConfig changes with an optional "label",
# e.g. {"label": "adam lr 0.01", "optimizer": "adam", "learning_rate": 0.01}
RaceEntry = str | Mapping[str, object]


def _entry(entry: RaceEntry) -> tuple[str, dict[str, object]]:
    """(label, LabConfig changes) of one race entry."""
    if isinstance(entry, str):
        if entry not in OPTIMIZERS:
            raise ValueError(f"optimizers must name one of {list(OPTIMIZERS)}, got {entry!r}.")
        return entry, {"optimizer": entry}
    if not isinstance(entry, Mapping):
        raise ValueError(f"each optimizer must be a name or a dict of settings, got {entry!r}.")
    changes = {k: v for k, v in entry.items() if k != "label"}
    label = str(entry.get("label") or ", ".join(f"{k}={v}" for k, v in changes.items()))
    return label, changes


class OptimizerRace:
    """One TrainingSession per optimizer, all on the SAME dataset and starting from the SAME
    parameters (copied from the first racer), so only the update rule differs.

    Advance them together with `advance(k)`; `curves()` gives the cost histories.

    Examples
    --------
    >>> race = OptimizerRace(LabConfig(dataset="moons", n_train=60), ["gd", "adam"])
    >>> _ = race.advance(3)
    >>> race.curves().groupby("optimizer").size().to_dict()
    {'adam': 3, 'gd': 3}
    """

    def __init__(self, config: LabConfig,
                 optimizers: Sequence[RaceEntry] = DEFAULT_RACE) -> None:
        if isinstance(optimizers, str) or not 1 <= len(optimizers) <= MAX_RACERS:
            raise ValueError(f"optimizers must list 1 to {MAX_RACERS} optimizers, "
                             f"got {optimizers!r}.")
        entries = [_entry(e) for e in optimizers]
        labels = [label for label, _ in entries]
        if len(set(labels)) != len(labels):
            raise ValueError(f"optimizers must have distinct labels, got {labels}: add a "
                             f"'label' to settings of the same optimizer.")
        dataset = make_dataset(config)
        self.sessions: dict[str, TrainingSession] = {}
        for label, changes in entries:
            session = TrainingSession(config.replace(**changes), dataset=dataset)
            if self.sessions:  # same starting point for everyone
                first = next(iter(self.sessions.values()))
                if session.network.params.shape != first.network.params.shape:
                    raise ValueError(f"{label!r} changes the network's shape; race entries may "
                                     f"only change optimisation settings.")
                session.network.params[:] = first.network.params
            self.sessions[label] = session

    def advance(self, epochs: int, *, record_every: int = 1) -> dict[str, list]:
        """Train every racer `epochs` more epochs; the new records per label."""
        return {label: session.advance(epochs, record_every=record_every)
                for label, session in self.sessions.items()}

    def curves(self) -> pd.DataFrame:
        """Long table epoch, optimizer, cost, train_error, dev_error (one row per record)."""
        frames = [s.history_frame()[["epoch", "cost", "train_error", "dev_error"]]
                  .assign(optimizer=label) for label, s in self.sessions.items()]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["epoch", "optimizer", "cost", "train_error", "dev_error"]]

    def final_costs(self) -> dict[str, float]:
        """The latest cost of each racer."""
        return {label: float(s.current().cost) for label, s in self.sessions.items()}


@dataclass(frozen=True)
class RaceResult:
    """curves: epoch, optimizer, cost, train_error, dev_error; final_cost per optimizer; the
    winner (lowest final cost) and a sentence for the page."""

    curves: pd.DataFrame
    final_cost: dict[str, float]
    winner: str
    summary: str


def race(config: LabConfig, optimizers: Sequence[RaceEntry] = DEFAULT_RACE, *,
         epochs: int = 200, record_every: int = 1) -> RaceResult:
    """Train each optimizer `epochs` epochs from the same data and initial weights.

    Examples
    --------
    >>> r = race(LabConfig(dataset="moons", n_train=60), ["gd", "adam"], epochs=5)
    >>> sorted(r.final_cost)
    ['adam', 'gd']
    """
    epochs = check_count("epochs", epochs, minimum=1)
    contest = OptimizerRace(config, optimizers)
    contest.advance(epochs, record_every=record_every)
    return race_result(contest)


def race_result(contest: OptimizerRace) -> RaceResult:
    """Where a race stands: the curves, each racer's cost, the winner and a sentence (a live
    race on the page is summed up with this once it reaches its epochs)."""
    final = contest.final_costs()
    epochs = next(iter(contest.sessions.values())).epoch
    finite = {k: v for k, v in final.items() if np.isfinite(v)}
    if not finite:
        return RaceResult(contest.curves(), final, "", "Every optimizer diverged: lower the "
                          "learning rate.")
    winner = min(finite, key=finite.get)
    others = ", ".join(f"{k} {v:.3f}" for k, v in final.items() if k != winner)
    summary = (f"After {epochs} epochs from the same start, {winner} reaches the lowest cost "
               f"({final[winner]:.3f}" + (f"; {others})." if others else ")."))
    return RaceResult(contest.curves(), final, winner, summary)


# ---- a 2-D loss surface with a saddle point and a plateau ----------------------------------
#
# f(x, y) = 1 - exp(-g(x, y)),   g(x, y) = x^2 + (y^2 - 1)^2 / 4
#
# g >= 0 has two minima, (0, -1) and (0, 1), where f = 0, and a saddle at the origin:
# grad g = (2x, y (y^2 - 1)) vanishes there and the Hessian of g is diag(2, -1) (curving up
# along x, down along y). Since grad f = exp(-g) grad g, f has the same critical points and at
# the saddle Hessian f = exp(-1/4) diag(2, -1): still a saddle, f = 1 - exp(-1/4) ~ 0.22.
# Far from the minima g grows and exp(-g) -> 0: f flattens into a plateau at 1 whose gradient
# exp(-g) |grad g| is tiny, where plain gradient descent crawls and RMSprop / Adam, which
# divide by the gradient's size, keep their pace.

SADDLE = (0.0, 0.0)
MINIMA = ((0.0, -1.0), (0.0, 1.0))
SURFACE_BOX = (-2.5, 2.5)
# per-optimizer learning rates that make the surface's lesson visible in a few hundred steps
SURFACE_LEARNING_RATES = {"gd": 0.1, "momentum": 0.1, "rmsprop": 0.01, "adam": 0.02}
MAX_SURFACE_STEPS = 5000


def surface(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f(x, y) = 1 - exp(-(x^2 + (y^2 - 1)^2 / 4)): saddle at (0, 0), minima at (0, +-1),
    a plateau at f = 1 far away."""
    return 1.0 - np.exp(-(x * x + (y * y - 1.0) ** 2 / 4.0))


def surface_gradient(x: float, y: float) -> np.ndarray:
    """grad f = exp(-g) (2x, y (y^2 - 1))."""
    scale = np.exp(-(x * x + (y * y - 1.0) ** 2 / 4.0))
    return scale * np.array([2.0 * x, y * (y * y - 1.0)])


@dataclass(frozen=True)
class SurfacePaths:
    """paths: label -> (steps + 1, 2) positions, start first; the contour grid (xs, ys, Z) with
    Z[i, j] = f(xs[j], ys[i]); where each path ended and its distance from the saddle."""

    paths: dict[str, np.ndarray]
    xs: np.ndarray
    ys: np.ndarray
    Z: np.ndarray
    final_value: dict[str, float]
    escaped_at: dict[str, int | None]  # first step farther than ESCAPE_DISTANCE from the saddle


ESCAPE_DISTANCE = 0.5


def surface_paths(start: Sequence[float], optimizers: Sequence[RaceEntry] = DEFAULT_RACE, *,
                  steps: int = 300, resolution: int = 60) -> SurfacePaths:
    """Run each optimizer `steps` updates on the surface from `start` and sample a contour grid.

    Entries are names (learning rates from SURFACE_LEARNING_RATES) or mappings with
    "optimizer" and optionally "learning_rate", "beta1", "beta2", "label".

    Examples
    --------
    >>> p = surface_paths((1e-3, 1e-3), ["adam"], steps=200)
    >>> p.paths["adam"].shape, p.escaped_at["adam"] is not None
    ((201, 2), True)
    """
    start_xy = np.array([check_number("start x", start[0]), check_number("start y", start[1])])
    steps = check_count("steps", steps, minimum=1)
    if steps > MAX_SURFACE_STEPS:
        raise ValueError(f"steps must be at most {MAX_SURFACE_STEPS}, got {steps}.")
    resolution = check_count("resolution", resolution, minimum=2)
    paths, final, escaped = {}, {}, {}
    for entry in optimizers:
        label, changes = _entry(entry)
        name = str(changes.get("optimizer", label))
        rate = float(changes.get("learning_rate", SURFACE_LEARNING_RATES.get(name, 0.01)))
        optimizer = make_optimizer(name, learning_rate=rate,
                                   beta1=float(changes.get("beta1", 0.9)),
                                   beta2=float(changes.get("beta2", 0.999)))
        path = np.empty((steps + 1, 2))
        path[0] = theta = start_xy.copy()
        for t in range(1, steps + 1):
            optimizer.update(theta, surface_gradient(*theta))
            path[t] = theta
        distance = np.hypot(*(path - np.array(SADDLE)).T)
        away = np.flatnonzero(distance > ESCAPE_DISTANCE)
        paths[label] = path
        final[label] = float(surface(*theta))
        escaped[label] = int(away[0]) if away.size else None
    xs = np.linspace(*SURFACE_BOX, resolution)
    ys = np.linspace(*SURFACE_BOX, resolution)
    xx, yy = np.meshgrid(xs, ys)
    return SurfacePaths(paths=paths, xs=xs, ys=ys, Z=surface(xx, yy), final_value=final,
                        escaped_at=escaped)
