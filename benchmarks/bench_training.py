"""Benchmark: epochs per second of the lab's numpy network against the same network in
PyTorch on the CPU (one thread), Adam, mini-batch 32, 1,000 points (ours also records every
mini-batch's cost); then the random search, serial and "caviar" (worker processes).

Run:  python benchmarks/bench_training.py [--epochs 200] [--repeats 3] [--trials 20]
Needs torch==2.13.0 (requirements-bench.txt). Prints a table; nothing is written.
"""

from __future__ import annotations

import os

# one thread for everyone, set before numpy/torch load their BLAS
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.training import LabConfig, SearchSpace, TrainingSession, random_search  # noqa: E402
from analysis.training.search import caviar_workers  # noqa: E402

CONFIG = LabConfig(dataset="moons", n_train=1000, n_train_dev=0, n_dev=200, noise=0.2,
                   hidden=(10, 5), activation="relu", init="he", optimizer="adam",
                   learning_rate=0.01, batch_size=32)


def time_ours(epochs: int, record_every: int) -> tuple[float, float]:
    """Seconds for `epochs` epochs of our session, and its final training cost."""
    session = TrainingSession(CONFIG)
    session.advance(1)  # warm-up, untimed (as for PyTorch)
    start = time.perf_counter()
    session.advance(epochs, record_every=record_every)
    seconds = time.perf_counter() - start
    return seconds, session.current().cost


def time_torch(epochs: int, dtype_name: str) -> tuple[float, float]:
    """Seconds for `epochs` epochs of the same network and loop in PyTorch."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(CONFIG.seed)
    dtype = getattr(torch, dtype_name)
    reference = TrainingSession(CONFIG)  # same data, same normalisation
    X = torch.tensor(reference.X_train, dtype=dtype)
    y = torch.tensor(reference.Y_train, dtype=dtype)
    dims = CONFIG.layer_dims
    layers: list[torch.nn.Module] = []
    for i in range(1, len(dims)):
        layers.append(torch.nn.Linear(dims[i - 1], dims[i], dtype=dtype))
        if i < len(dims) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, torch.nn.Linear):  # He init, zero bias, as ours
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=CONFIG.learning_rate,
                                 betas=(CONFIG.beta1, CONFIG.beta2), eps=CONFIG.epsilon)
    m, size = len(X), CONFIG.batch_size

    def train(n_epochs: int) -> None:
        for _ in range(n_epochs):
            order = torch.randperm(m)
            Xs, ys = X[order], y[order]
            for begin in range(0, m, size):
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(Xs[begin:begin + size]), ys[begin:begin + size])
                loss.backward()
                optimizer.step()

    train(1)  # warm-up (lazy initialisation of autograd and the optimizer), untimed
    start = time.perf_counter()
    train(epochs)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        cost = float(loss_fn(model(X), y))
    return seconds, cost


def fastest(runs: dict[str, object], repeats: int) -> dict[str, tuple[float, float]]:
    """Fastest of `repeats` rounds per contender, the contenders interleaved in every round so
    that a busy spell on the shared machine hits all of them alike."""
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            results[name].append(run())
    return {name: min(times, key=lambda r: r[0]) for name, times in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--search-epochs", type=int, default=200)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)

    E = args.epochs
    print(f"Network {CONFIG.layer_dims}, ReLU, Adam lr {CONFIG.learning_rate}, mini-batch "
          f"{CONFIG.batch_size}, {CONFIG.n_train} points, {E} epochs, best of {args.repeats}; "
          f"numpy {np.__version__}, torch {torch.__version__} (1 thread)")
    rows = list(fastest({
        "ours, numpy float64, training only": lambda: time_ours(E, E),
        "ours, numpy float64, + history every epoch": lambda: time_ours(E, 1),
        "PyTorch float64": lambda: time_torch(E, "float64"),
        "PyTorch float32": lambda: time_torch(E, "float32"),
    }, args.repeats).items())
    torch_rate = E / rows[2][1][0]
    print(f"{'':45s} {'epochs/s':>10s} {'vs torch f64':>13s} {'final cost':>11s}")
    for name, (seconds, cost) in rows:
        rate = E / seconds
        print(f"{name:45s} {rate:10.0f} {rate / torch_rate:12.1f}x {cost:11.4f}")

    print()
    for mode in ("serial", "caviar"):
        start = time.perf_counter()
        # depth 1: learning rate only, so every trial keeps the full batch of 300 points
        result = random_search(CONFIG.replace(n_train=300, batch_size=0), SearchSpace(depth=1),
                               n_trials=args.trials, epochs=args.search_epochs, seed=0,
                               mode=mode)
        seconds = time.perf_counter() - start
        best = result.best.iloc[0]
        workers = f", {caviar_workers()} worker process(es)" if mode == "caviar" else ""
        print(f"Random search ({mode}{workers}): {args.trials} configs x {args.search_epochs} "
              f"full-batch epochs on 300 points in {seconds:.2f} s "
              f"({args.trials / seconds:.1f} configs/s); best dev error "
              f"{best['dev_error']:.1f}% at learning rate {best['learning_rate']:.4f}")


if __name__ == "__main__":
    main()
