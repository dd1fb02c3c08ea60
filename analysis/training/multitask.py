"""Multi-task learning: one network with several sigmoid outputs (pedestrian, car, stop sign,
...), some labels missing, against one network per task, on data whose tasks share features.

Loss (the course's): J = (1/m) sum_i sum_t [y_it labelled] L(a_it, y_it), with the logistic
loss L(a, y) = -(y log a + (1 - y) log(1 - a)); a missing label ("?", NaN here) is left out of
the inner sum, and m counts every example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from analysis.training.network import Network
from analysis.training.optimizers import make_optimizer
from analysis.validation import check_count, check_fraction

MAX_TASKS = 8
MAX_EXAMPLES = 20_000


class MultiTaskNetwork(Network):
    """A Network whose output layer has one sigmoid unit per task and a loss that skips
    missing labels. Targets Y are (m, tasks) floats: 0, 1 or NaN (missing).

    Examples
    --------
    >>> net = MultiTaskNetwork((2, 4, 3), activation="tanh", rng=np.random.default_rng(0))
    >>> Y = np.array([[1.0, np.nan, 0.0], [np.nan, np.nan, 1.0]])
    >>> round(net.cost(net.forward(np.zeros((2, 2))), Y), 4)  # 3 labels x log 2, over m = 2
    1.0397
    """

    def __init__(self, layer_dims: tuple[int, ...], **options: object) -> None:
        super().__init__(layer_dims, **options)
        self.binary = False  # several independent sigmoids, not one, and not a softmax

    def probabilities(self, ZL: np.ndarray) -> np.ndarray:
        """sigmoid(Z_L) for every task."""
        return expit(ZL)

    def example_losses(self, ZL: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Per example, the sum over its LABELLED tasks of the logistic loss (the network's
        cross_entropy is their mean over all m examples)."""
        labelled = ~np.isnan(Y)
        # -[y log s(z) + (1-y) log(1-s(z))] = log(1 + e^z) - y z; missing entries left out
        loss = np.logaddexp(0.0, ZL) - np.where(labelled, Y, 0.0) * ZL
        return np.sum(loss, axis=1, where=labelled)

    def output_delta(self, Y: np.ndarray) -> np.ndarray:
        """dZ_L = (A_L - Y) / m on labelled entries, 0 on missing ones (they add no loss)."""
        labelled = ~np.isnan(Y)
        dZ = self.probabilities(self.ZL)
        dZ -= np.where(labelled, Y, 0.0)
        dZ *= labelled / len(Y)
        return dZ

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Labels are already the (m, tasks) target matrix."""
        return np.asarray(y, dtype=np.float64)

    def predict(self, ZL: np.ndarray) -> np.ndarray:
        """0/1 per task (P >= 0.5 is Z >= 0)."""
        return (ZL >= 0.0).astype(np.int64)


@dataclass(frozen=True)
class MultiTaskData:
    """Inputs X (m, 2); Y (m, tasks) with NaN for a missing label; complete dev labels."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_dev: np.ndarray
    Y_dev: np.ndarray


TEACHER_UNITS = 4


def make_multitask_data(*, tasks: int = 4, n_train: int = 200, n_dev: int = 1000,
                        missing: float = 0.3, label_flip: float = 0.05,
                        seed: int = 0) -> MultiTaskData:
    """Tasks that share features: a fixed random "teacher" computes TEACHER_UNITS features
    h = tanh(X W^T + b) of points X uniform in [-1, 1]^2; task t is 1 where v_t . h + c_t > 0,
    a different mix of the SAME features per task. Then a share `label_flip` of training
    labels is flipped and a share `missing` hidden (NaN).

    Examples
    --------
    >>> d = make_multitask_data(tasks=3, n_train=10, n_dev=5, missing=0.5)
    >>> d.Y_train.shape, d.Y_dev.shape, bool(np.isnan(d.Y_dev).any())
    ((10, 3), (5, 3), False)
    """
    tasks = check_count("tasks", tasks, minimum=1)
    if tasks > MAX_TASKS:
        raise ValueError(f"tasks must be at most {MAX_TASKS}, got {tasks}.")
    n_train = check_count("n_train", n_train, minimum=2)
    n_dev = check_count("n_dev", n_dev, minimum=1)
    if n_train + n_dev > MAX_EXAMPLES:
        raise ValueError(f"n_train + n_dev must be at most {MAX_EXAMPLES:,}.")
    missing = check_fraction("missing", missing)
    if missing >= 0.95:
        raise ValueError(f"missing must be below 0.95 (some labels are needed), got {missing}.")
    label_flip = check_fraction("label_flip", label_flip)
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 2.0, (TEACHER_UNITS, 2))
    b = rng.normal(0.0, 0.5, TEACHER_UNITS)
    V = rng.normal(0.0, 1.0, (tasks, TEACHER_UNITS))
    X = rng.uniform(-1.0, 1.0, (n_train + n_dev, 2))
    score = np.tanh(X @ W.T + b) @ V.T
    score -= np.median(score, axis=0)  # each task about half positive
    Y = (score > 0).astype(np.float64)
    train = slice(0, n_train)
    flip = rng.random((n_train, tasks)) < label_flip
    Y[train][flip] = 1.0 - Y[train][flip]
    hidden = rng.random((n_train, tasks)) < missing
    Y_train = np.where(hidden, np.nan, Y[train])
    return MultiTaskData(X_train=X[train], Y_train=Y_train, X_dev=X[n_train:], Y_dev=Y[n_train:])


def fit(network: Network, X: np.ndarray, Y: np.ndarray, *, epochs: int,
        learning_rate: float = 0.01) -> Network:
    """Full-batch Adam for `epochs` iterations (the lab's loop, without its bookkeeping)."""
    optimizer = make_optimizer("adam", learning_rate=learning_rate)
    for _ in range(epochs):
        network.forward(X, mode="train")
        network.backward(Y)
        optimizer.update(network.params, network.grads)
    return network


@dataclass(frozen=True)
class MultiTaskResult:
    """per_task: task, labelled (training labels), multi_task and separate dev error (%);
    mean dev errors of both ways and a sentence for the page."""

    per_task: pd.DataFrame
    multi_task_error: float
    separate_error: float
    summary: str


def compare_multitask(data: MultiTaskData, *, hidden: tuple[int, ...] = (16, 16),
                      epochs: int = 500, learning_rate: float = 0.01,
                      seed: int = 0) -> MultiTaskResult:
    """One network for every task (missing labels left out of the loss) against one network
    per task trained on that task's labelled examples only; dev error per task.

    Examples
    --------
    >>> r = compare_multitask(make_multitask_data(tasks=2, n_train=40, n_dev=40), epochs=5)
    >>> r.per_task["task"].tolist()
    [1, 2]
    """
    epochs = check_count("epochs", epochs, minimum=1)
    tasks = data.Y_train.shape[1]
    options = {"activation": "relu", "init": "he"}
    joint = MultiTaskNetwork((2, *hidden, tasks), rng=np.random.default_rng(seed), **options)
    fit(joint, data.X_train, data.Y_train, epochs=epochs, learning_rate=learning_rate)
    joint_wrong = joint.predict(joint.forward(data.X_dev)) != data.Y_dev
    rows = []
    for t in range(tasks):
        labelled = ~np.isnan(data.Y_train[:, t])
        alone = Network((2, *hidden, 1), rng=np.random.default_rng(seed), **options)
        fit(alone, data.X_train[labelled], data.Y_train[labelled, t:t + 1], epochs=epochs,
            learning_rate=learning_rate)
        alone_wrong = alone.predict(alone.forward(data.X_dev)) != data.Y_dev[:, t]
        rows.append([t + 1, int(labelled.sum()), 100.0 * joint_wrong[:, t].mean(),
                     100.0 * alone_wrong.mean()])
    per_task = pd.DataFrame(rows, columns=["task", "labelled", "multi_task", "separate"])
    joint_error, separate_error = per_task["multi_task"].mean(), per_task["separate"].mean()
    better = "multi-task" if joint_error < separate_error else "separate networks"
    summary = (f"Mean dev error over {tasks} tasks: {joint_error:.1f}% with one multi-task "
               f"network, {separate_error:.1f}% with a network per task; {better} did better.")
    return MultiTaskResult(per_task=per_task, multi_task_error=float(joint_error),
                           separate_error=float(separate_error), summary=summary)
