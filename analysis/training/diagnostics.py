"""Looking inside a lab network: the course's batch-size guidance, the distribution of a
hidden layer's pre-activations over training with and without batch norm (covariate shift),
and each hidden unit's output over the input plane (TF Playground's neuron tiles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.training.config import LabConfig
from analysis.training.datasets import make_dataset
from analysis.training.session import TrainingSession
from analysis.validation import check_count

FULL_BATCH_UP_TO = 2000
MINI_BATCH_SIZES = (64, 128, 256, 512)
ITERATIONS_PER_EPOCH = 100  # aim of the advice: about this many updates per pass


@dataclass(frozen=True)
class BatchAdvice:
    """batch_size: the advised mini-batch size (0 = full batch), with the reason."""

    m: int
    batch_size: int
    reason: str


def batch_size_advice(m: int) -> BatchAdvice:
    """The course's mini-batch guidance for m training examples.

    m <= 2000: full batch (one exact gradient per epoch is cheap, and the cost must then go
    down every iteration). Larger: a power of two in 64..512 (memory-friendly), here the one
    nearest m / ITERATIONS_PER_EPOCH, so an epoch still gives about a hundred updates.

    Examples
    --------
    >>> batch_size_advice(300).batch_size, batch_size_advice(20_000).batch_size
    (0, 256)
    """
    m = check_count("m", m, minimum=1)
    if m <= FULL_BATCH_UP_TO:
        return BatchAdvice(m, 0, f"{m:,} examples (at most {FULL_BATCH_UP_TO:,}): use the full "
                                 f"batch; every iteration sees all the data and the cost must "
                                 f"go down every time.")
    target = m / ITERATIONS_PER_EPOCH
    size = min(MINI_BATCH_SIZES, key=lambda s: abs(np.log2(s / target)))
    return BatchAdvice(m, size, f"{m:,} examples (more than {FULL_BATCH_UP_TO:,}): mini-batches "
                                f"of a power of two from 64 to 512; {size} gives about "
                                f"{int(np.ceil(m / size))} updates an epoch. The mini-batch "
                                f"cost will be noisy; watch its trend.")


# ---- covariate shift: a hidden layer's pre-activations over training ---------------------

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
MAX_SNAPSHOTS = 200


@dataclass(frozen=True)
class PreactivationDrift:
    """How hidden layer `layer`'s pre-activations (Z, or gamma Z_norm + beta with batch norm,
    over every training example and unit) move during training, per variant "without batch
    norm" / "with batch norm".

    summary: variant, epoch, mean, std and the QUANTILES (columns q05 ... q95);
    histograms: variant -> (edges, counts (snapshots, bins)) on edges shared over time;
    drift: per variant, how far the median travelled in units of the first snapshot's spread.
    """

    layer: int
    summary: pd.DataFrame
    histograms: dict[str, tuple[np.ndarray, np.ndarray]]
    drift: dict[str, float]
    verdict: str


def _snapshot(session: TrainingSession, layer: int) -> np.ndarray:
    """Pre-activations of `layer` on the training set: batch statistics, no dropout, nothing
    updated ("check" mode), so the snapshot does not disturb training."""
    net = session.network
    net.forward(session.X_train, mode="check")
    return net.layers[layer - 1].Z.ravel().copy()


def preactivation_drift(config: LabConfig, *, layer: int = 2, epochs: int = 200,
                        every: int = 10, bins: int = 30) -> PreactivationDrift:
    """Train `config` with and without batch norm (same data) and record hidden layer
    `layer`'s pre-activation distribution every `every` epochs.

    Without batch norm the distribution a later layer sees keeps moving as earlier weights
    change (covariate shift); with it, each unit is re-centred and re-scaled every batch and
    only gamma and beta move it.

    Examples
    --------
    >>> d = preactivation_drift(LabConfig(dataset="moons", n_train=50), layer=1, epochs=4,
    ...                         every=2)
    >>> d.summary["epoch"].tolist()
    [0, 2, 4, 0, 2, 4]
    """
    n_hidden = len(config.hidden)
    layer = check_count("layer", layer, minimum=1)
    if layer > n_hidden:
        raise ValueError(f"layer must be a hidden layer, 1 to {n_hidden}, got {layer}.")
    epochs = check_count("epochs", epochs, minimum=1)
    every = check_count("every", every, minimum=1)
    if epochs // every > MAX_SNAPSHOTS:
        raise ValueError(f"epochs / every gives more than {MAX_SNAPSHOTS} snapshots; "
                         f"raise every.")
    bins = check_count("bins", bins, minimum=2)
    dataset = make_dataset(config)
    rows, samples = [], {}
    for variant, batch_norm in (("without batch norm", False), ("with batch norm", True)):
        session = TrainingSession(config.replace(batch_norm=batch_norm), dataset=dataset)
        snaps = [(0, _snapshot(session, layer))]
        while session.epoch < epochs and not session.diverged:
            session.advance(min(every, epochs - session.epoch), record_every=every)
            snaps.append((session.epoch, _snapshot(session, layer)))
        samples[variant] = snaps
        for epoch, Z in snaps:
            rows.append([variant, epoch, float(Z.mean()), float(Z.std()),
                         *np.quantile(Z, QUANTILES).tolist()])
    names = [f"q{round(100 * q):02d}" for q in QUANTILES]
    summary = pd.DataFrame(rows, columns=["variant", "epoch", "mean", "std", *names])
    histograms, drift = {}, {}
    for variant, snaps in samples.items():
        values = np.concatenate([Z for _, Z in snaps])
        edges = np.quantile(values[np.isfinite(values)], [0.005, 0.995])
        edges = np.linspace(edges[0], max(edges[1], edges[0] + 1e-9), bins + 1)
        histograms[variant] = (edges, np.array([np.histogram(Z, edges)[0] for _, Z in snaps]))
        first = summary[summary["variant"] == variant].iloc[0]
        medians = summary.loc[summary["variant"] == variant, "q50"].to_numpy()
        spread = max(first["q75"] - first["q25"], 1e-9)
        drift[variant] = float(np.max(np.abs(medians - first["q50"])) / spread)
    calmer = drift["with batch norm"] < drift["without batch norm"]
    verdict = (f"Layer {layer}'s median pre-activation moved {drift['without batch norm']:.2f} "
               f"interquartile ranges without batch norm and {drift['with batch norm']:.2f} with "
               f"it: batch norm " + ("kept the distribution steadier." if calmer else
                                     "did not steady it here."))
    return PreactivationDrift(layer=layer, summary=summary, histograms=histograms, drift=drift,
                              verdict=verdict)


# ---- neuron tiles ------------------------------------------------------------------------

MAX_TILE_RESOLUTION = 64


@dataclass(frozen=True)
class NeuronTiles:
    """tiles[k, i, j]: hidden unit k's output (after its activation, no dropout) at
    (xs[j], ys[i]), float32; layer[k] and unit[k] say which unit (1-based layer, 0-based unit)."""

    xs: np.ndarray
    ys: np.ndarray
    tiles: np.ndarray
    layer: np.ndarray
    unit: np.ndarray


def neuron_tiles(session: TrainingSession, *, resolution: int = 24) -> NeuronTiles:
    """Each hidden unit's output over the input plane, on the decision boundary's box.

    float32 and a coarse grid keep it small: the lab's largest network (10 layers of 256
    units) at resolution 24 is 2,560 tiles of 576 values, about 6 MB.

    Examples
    --------
    >>> s = TrainingSession(LabConfig(dataset="moons", n_train=40, hidden=(3, 2)))
    >>> neuron_tiles(s, resolution=8).tiles.shape
    (5, 8, 8)
    """
    resolution = check_count("resolution", resolution, minimum=2)
    if resolution > MAX_TILE_RESOLUTION:
        raise ValueError(f"resolution must be at most {MAX_TILE_RESOLUTION}, got {resolution}.")
    xs, ys, points = session.grid(resolution)
    net = session.network
    with np.errstate(over="ignore", invalid="ignore"):
        net.forward(session.normalize(points), mode="eval")
    hidden = net.layers[:-1]
    tiles = np.concatenate([layer.A.T.astype(np.float32) for layer in hidden]) if hidden \
        else np.empty((0, len(points)), dtype=np.float32)
    layer_of = np.concatenate([np.full(n, i) for i, n in enumerate(net.layer_dims[1:-1], 1)]
                              + [np.empty(0, dtype=int)]).astype(np.int64)
    unit_of = np.concatenate([np.arange(n) for n in net.layer_dims[1:-1]]
                             + [np.empty(0, dtype=int)]).astype(np.int64)
    return NeuronTiles(xs=xs, ys=ys, tiles=tiles.reshape(-1, resolution, resolution),
                       layer=layer_of, unit=unit_of)
