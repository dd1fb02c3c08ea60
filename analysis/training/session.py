"""A training session: data + network + optimizer + schedule, advanced k epochs at a time.

The page asks for "k more epochs" and gets the new history records back (the Playground
loop, kept apart from the model and the drawing). Everything is seeded from the config, so a
session rebuilt from its config trains to the same numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.training.config import LabConfig
from analysis.training.datasets import Dataset, make_dataset
from analysis.training.gradcheck import GradCheckResult, gradient_check
from analysis.training.network import Network
from analysis.training.optimizers import make_optimizer
from analysis.training.schedules import decayed_learning_rate
from analysis.validation import check_array, check_count

GRADCHECK_EXAMPLES = 64  # enough to exercise every unit, small enough to stay instant
MAX_ADVANCE = 100_000


@dataclass(frozen=True)
class EpochRecord:
    """The state after `epoch` epochs. cost is J (cross-entropy + L2 + L1) on the whole
    training set in evaluation mode (no dropout), so it is comparable between optimizers and
    batch sizes; errors are in percent (NaN for an empty split); grad_norms are those of the
    epoch's last mini-batch. batch_costs are the mini-batch costs J{t} of this epoch's iterations, in
    order, measured in training mode on each batch before its update: noisy where `cost`
    is smooth (one value for full batch)."""

    epoch: int
    cost: float
    train_error: float
    train_dev_error: float
    dev_error: float
    learning_rate: float
    weight_norms: tuple[float, ...]
    grad_norms: tuple[float, ...]
    batch_costs: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        for name in ("weight_norms", "grad_norms", "batch_costs"):
            out[name] = list(getattr(self, name))
        return out


class TrainingSession:
    """Train a lab network step by step.

    Parameters
    ----------
    config : the experiment.
    dataset : reuse an already drawn dataset (the random search shares one); by default
        make_dataset(config).
    input_stats : (mu, sigma) to normalise inputs with instead of the training set's own
        (transfer learning keeps task A's).

    Examples
    --------
    >>> session = TrainingSession(LabConfig(dataset="moons", n_train=100))
    >>> records = session.advance(5)
    >>> session.epoch, len(session.history), records[-1].epoch
    (5, 5, 5)
    """

    def __init__(self, config: LabConfig, *, dataset: Dataset | None = None,
                 input_stats: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.config = config.validate()
        self.dataset = dataset if dataset is not None else make_dataset(config)
        # a stream of its own for init, shuffling and dropout (the data used default_rng(seed))
        self.rng = np.random.default_rng([config.seed, 1])
        self.epoch = 0
        self.history: list[EpochRecord] = []
        self.stopped_early = False
        self.diverged = False
        self.best_epoch = 0
        self._trainable: np.ndarray | None = None  # 0/1 mask of frozen/trained parameters
        self._prepare_data(input_stats)
        self.network = Network(config.layer_dims, activation=config.activation,
                               init=config.init, init_scale_random=config.init_scale,
                               l2=config.l2, l1=config.l1, keep_prob=config.keep_prob,
                               batch_norm=config.batch_norm, n_train=len(self.X_train),
                               rng=self.rng)
        # proximal L1: the optimizer follows the smooth part, soft_threshold the |W| term
        self.proximal_l1 = config.l1 > 0 and config.l1_method == "proximal"
        self.network.l1_in_gradient = not self.proximal_l1
        self._batch_costs: list[float] = []
        self.optimizer = make_optimizer(config.optimizer, learning_rate=config.learning_rate,
                                        beta1=config.beta1, beta2=config.beta2,
                                        epsilon=config.epsilon)
        self._best_params = self.network.params.copy()
        self._best_dev = np.inf
        self._best_stats = self.network.running_stats()
        self._last_grad_norms = np.zeros(self.network.n_layers)

    def _prepare_data(self, input_stats: tuple[np.ndarray, np.ndarray] | None) -> None:
        """Normalise inputs with the TRAINING mean and std (the same shift for every split),
        stack all splits for one evaluation pass, and build the target matrices."""
        d = self.dataset
        if input_stats is not None:
            self.mu, self.sigma = (np.asarray(v, dtype=np.float64) for v in input_stats)
        elif self.config.normalize_inputs:
            self.mu = d.X_train.mean(axis=0)
            sigma = d.X_train.std(axis=0)
            self.sigma = np.where(sigma > 0, sigma, 1.0)
        else:
            self.mu, self.sigma = np.zeros(2), np.ones(2)
        self.X_train = self.normalize(d.X_train)
        self.X_eval = self.normalize(np.concatenate([d.X_train, d.X_train_dev, d.X_dev]))
        self.y_eval = np.concatenate([d.y_train, d.y_train_dev, d.y_dev])
        n1, n2 = len(d.y_train), len(d.y_train_dev)
        self._splits = {"train": slice(0, n1), "train_dev": slice(n1, n1 + n2),
                        "dev": slice(n1 + n2, len(self.y_eval))}
        n_out = 1 if d.n_classes == 2 else d.n_classes
        self.Y_train = (d.y_train.astype(np.float64).reshape(-1, 1) if n_out == 1
                        else np.eye(n_out)[d.y_train])
        # shuffled copies are written into these each epoch (no new arrays per epoch)
        self._X_shuffled = np.empty_like(self.X_train)
        self._Y_shuffled = np.empty_like(self.Y_train)
        # each mini-batch's training-mode logits, kept to cost the batches once an epoch
        self._ZL_epoch = np.empty_like(self.Y_train)

    def normalize(self, X: np.ndarray) -> np.ndarray:
        """Inputs in the network's coordinates: (X - mu) / sigma of the training set."""
        return (X - self.mu) / self.sigma

    # ---- training ------------------------------------------------------------------------

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next epoch under the decay schedule."""
        c = self.config
        return decayed_learning_rate(c.learning_rate, self.epoch, decay=c.decay,
                                     decay_rate=c.decay_rate, interval=c.decay_interval)

    def advance(self, epochs: int, *, record_every: int = 1) -> list[EpochRecord]:
        """Train `epochs` more epochs (fewer if training diverges or stops early) and return
        the new history records (one every `record_every` epochs, and one for the last)."""
        epochs = check_count("epochs", epochs, minimum=0)
        if epochs > MAX_ADVANCE:
            raise ValueError(f"epochs must be at most {MAX_ADVANCE} per call, got {epochs}.")
        record_every = check_count("record_every", record_every, minimum=1)
        new: list[EpochRecord] = []
        # a diverging run overflows on its way to inf/NaN: that is detected and reported
        # (self.diverged), so numpy's warnings would only be noise
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._train(epochs, record_every, new)
        return new

    def _train(self, epochs: int, record_every: int, new: list[EpochRecord]) -> None:
        for i in range(epochs):
            if self.diverged or self.stopped_early:
                break
            rate = self.learning_rate
            self.optimizer.learning_rate = rate
            self._train_one_epoch()
            self.epoch += 1
            if not np.isfinite(self.network.params.sum()):
                self.diverged = True
            if self.diverged or (i + 1) % record_every == 0 or i == epochs - 1:
                record = self.evaluate(rate)
                new.append(record)
                self.history.append(record)
                self._watch(record)

    def _train_one_epoch(self) -> None:
        m = len(self.X_train)
        size = self.config.batch_size
        if size == 0 or size >= m:
            X, Y, size = self.X_train, self.Y_train, m
        else:
            # reshuffle every epoch; mini-batches are contiguous views (the last may be short)
            order = self.rng.permutation(m)
            X = np.take(self.X_train, order, axis=0, out=self._X_shuffled)
            Y = np.take(self.Y_train, order, axis=0, out=self._Y_shuffled)
        starts = np.arange(0, m, size)
        penalties = np.zeros(len(starts))
        for t, start in enumerate(starts):
            batch = slice(start, start + size)
            penalties[t] = self._step(X[batch], Y[batch], self._ZL_epoch[batch])
        self._record_batch_costs(Y, starts, penalties)

    def _record_batch_costs(self, Y: np.ndarray, starts: np.ndarray,
                            penalties: np.ndarray) -> None:
        """J{t} of every mini-batch of the epoch, from the logits each step kept: one
        vectorised loss over the epoch, summed per batch (cheaper than costing each step)."""
        losses = self.network.example_losses(self._ZL_epoch, Y)
        counts = np.diff(np.append(starts, len(Y)))
        costs = np.add.reduceat(losses, starts) / counts + penalties
        self._batch_costs = costs.tolist()

    def _step(self, X: np.ndarray, Y: np.ndarray, ZL_out: np.ndarray) -> float:
        """One update on a mini-batch; its logits go to ZL_out. Returns the penalty part of
        the batch's cost (before the update)."""
        net = self.network
        np.copyto(ZL_out, net.forward(X, mode="train", rng=self.rng))
        penalty = net.penalty() if net.l2_scale or net.l1_scale else 0.0
        net.backward(Y)
        if self._trainable is not None:
            net.grads *= self._trainable
        self.optimizer.update(net.params, net.grads)
        if self.proximal_l1:
            saved = None if self._trainable is None else net.params[:net.n_weights].copy()
            net.soft_threshold(self.optimizer.learning_rate * net.l1_scale)
            if saved is not None:  # frozen layers keep their weights
                frozen = self._trainable[:net.n_weights] == 0
                net.params[:net.n_weights][frozen] = saved[frozen]
        return penalty

    def freeze_layers(self, n: int) -> None:
        """Stop training the first `n` layers (fine-tuning only the later ones)."""
        n = check_count("n", n, minimum=0)
        net = self.network
        mask = np.ones_like(net.params)
        for name, s in net.param_slices.items():
            if int("".join(ch for ch in name if ch.isdigit())) <= n:
                mask[s] = 0.0
        self._trainable = mask if n else None

    def evaluate(self, learning_rate: float | None = None) -> EpochRecord:
        """The current cost and errors (one forward pass over every split), without training."""
        net = self.network
        with np.errstate(over="ignore", invalid="ignore"):
            ZL = net.forward(self.X_eval, mode="eval")
            train = self._splits["train"]
            cost = net.cost(ZL[train], self.Y_train)
        wrong = net.predict(ZL) != self.y_eval
        errors = {name: 100.0 * float(wrong[s].mean()) if s.stop > s.start else float("nan")
                  for name, s in self._splits.items()}
        rate = self.learning_rate if learning_rate is None else learning_rate
        return EpochRecord(epoch=self.epoch, cost=cost, train_error=errors["train"],
                           train_dev_error=errors["train_dev"], dev_error=errors["dev"],
                           learning_rate=float(rate),
                           weight_norms=tuple(net.weight_norms().tolist()),
                           grad_norms=tuple(net.weight_norms(net.grads).tolist()),
                           batch_costs=tuple(self._batch_costs))

    def _watch(self, record: EpochRecord) -> None:
        """Flag divergence; keep the best dev parameters and stop after `patience` epochs
        without improvement (early stopping restores the best ones)."""
        if not np.isfinite(record.cost):
            self.diverged = True
            return
        patience = self.config.early_stopping_patience
        if not patience:
            return
        if record.dev_error < self._best_dev:
            self._best_dev = record.dev_error
            self.best_epoch = record.epoch
            self._best_params[:] = self.network.params
            self._best_stats = self.network.running_stats()
        elif record.epoch - self.best_epoch >= patience:
            self.stopped_early = True
            self.network.params[:] = self._best_params
            if self.network.layers[0].batch_norm:
                self.network.set_running_stats(self._best_stats)

    # ---- views for the page ----------------------------------------------------------------

    def history_frame(self) -> pd.DataFrame:
        """One row per record; per-layer norms as columns weight_norm_1.., grad_norm_1..."""
        n = self.network.n_layers
        columns = ["epoch", "cost", "train_error", "train_dev_error", "dev_error",
                   "learning_rate"]
        rows = [[getattr(r, c) for c in columns] + list(r.weight_norms) + list(r.grad_norms)
                for r in self.history]
        names = (columns + [f"weight_norm_{i}" for i in range(1, n + 1)]
                 + [f"grad_norm_{i}" for i in range(1, n + 1)])
        frame = pd.DataFrame(rows, columns=names)
        return frame.astype({"epoch": "int64"})

    def iteration_frame(self) -> pd.DataFrame:
        """The mini-batch costs of the recorded epochs: one row per iteration with its
        position in epochs (epoch - 1 + (t + 1) / iterations per epoch), so they plot on the
        same axis as the per-epoch cost."""
        rows = []
        for r in self.history:
            n = len(r.batch_costs)
            rows += [[r.epoch, r.epoch - 1 + (t + 1) / n, cost]
                     for t, cost in enumerate(r.batch_costs)]
        return pd.DataFrame(rows, columns=["epoch", "position", "batch_cost"])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(class 1), shape (m,), for binary data; class probabilities (m, K) otherwise.
        X is in the original input coordinates."""
        X = check_array("X", X, ndim=2)
        if X.shape[1] != 2:
            raise ValueError(f"X must have 2 columns (x1, x2), got {X.shape[1]}.")
        net = self.network
        with np.errstate(over="ignore", invalid="ignore"):
            P = net.probabilities(net.forward(self.normalize(X), mode="eval"))
        return P[:, 0] if net.binary else P

    def decision_grid(self, resolution: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, Z) over the bounding box of all points, in original coordinates.
        Z[i, j] belongs to (xs[j], ys[i]) (a heatmap's layout): P(class 1) for binary data,
        the predicted class for multiclass."""
        xs, ys, points = self.grid(resolution)
        P = self.predict_proba(points)
        Z = P if P.ndim == 1 else P.argmax(axis=1).astype(np.float64)
        return xs, ys, Z.reshape(resolution, resolution)

    def grid(self, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, points): a resolution x resolution grid over the bounding box of all
        points (5% margin), in original coordinates; points are its (x, y) pairs row by row
        (ys outer), so values reshape to (resolution, resolution) with [i, j] at (xs[j], ys[i])."""
        resolution = check_count("resolution", resolution, minimum=2)
        X = self.dataset.X_all
        low, high = X.min(axis=0), X.max(axis=0)
        pad = 0.05 * np.maximum(high - low, 1e-9)
        xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
        ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
        xx, yy = np.meshgrid(xs, ys)
        return xs, ys, np.column_stack([xx.ravel(), yy.ravel()])

    def current(self) -> EpochRecord:
        """The latest record (evaluated now when nothing has been trained yet)."""
        return self.history[-1] if self.history else self.evaluate()

    def waterfall(self) -> object:
        """The error waterfall of this run: analysis.bias_variance.decompose with the data's
        Bayes error as human level and the latest train / train-dev / dev errors."""
        from analysis.bias_variance import decompose  # the waterfall engineer's module

        r = self.current()
        train_dev = None if np.isnan(r.train_dev_error) else r.train_dev_error
        d = self.dataset
        sizes = {"train": len(d.y_train), "dev": len(d.y_dev)}
        if train_dev is not None:
            sizes["train_dev"] = len(d.y_train_dev)
        # the sizes give each gap a confidence interval: small toy splits are noisy
        return decompose(human=d.bayes_error, train=r.train_error, train_dev=train_dev,
                         dev=r.dev_error, sizes=sizes)

    def gradient_check(self, *, epsilon: float = 1e-7,
                       break_backward: bool = False) -> GradCheckResult:
        """Gradient check of the current network on the first training examples."""
        n = min(GRADCHECK_EXAMPLES, len(self.X_train))
        net = self.network
        net.l1_in_gradient = True  # the check compares the gradient of the whole cost
        try:
            return gradient_check(net, self.X_train[:n], self.dataset.y_train[:n],
                                  epsilon=epsilon, break_backward=break_backward)
        finally:
            net.l1_in_gradient = not self.proximal_l1

    # ---- saving --------------------------------------------------------------------------

    def to_state(self) -> dict[str, object]:
        """JSON-able: config, history and the exact training state (parameters, optimizer
        buffers, batch-norm statistics, random generator), so from_state resumes exactly."""
        return {
            "config": self.config.to_dict(),
            "epoch": self.epoch,
            "history": [r.to_dict() for r in self.history],
            "stopped_early": self.stopped_early,
            "diverged": self.diverged,
            "best_epoch": self.best_epoch,
            "best_dev_error": None if np.isinf(self._best_dev) else self._best_dev,
            "best_params": self._best_params.tolist(),
            "best_running_stats": self._best_stats,
            "params": self.network.params.tolist(),
            "running_stats": self.network.running_stats(),
            "optimizer": self.optimizer.state_dict(),
            "rng": self.rng.bit_generator.state,
        }

    @classmethod
    def from_state(cls, state: dict[str, object]) -> TrainingSession:
        """Rebuild a session saved with to_state; training continues where it stopped."""
        try:
            session = cls(LabConfig.from_dict(state["config"]))
            params = np.asarray(state["params"], dtype=np.float64)
            if params.shape != session.network.params.shape:
                raise ValueError(f"the saved parameters have {params.size} values but the "
                                 f"network needs {session.network.params.size}.")
            session.network.params[:] = params
            session.network.set_running_stats(state["running_stats"])
            session.optimizer.load_state_dict(state["optimizer"])
            session.rng.bit_generator.state = state["rng"]
            session.epoch = int(state["epoch"])
            session.history = [EpochRecord(**{**r, "weight_norms": tuple(r["weight_norms"]),
                                              "grad_norms": tuple(r["grad_norms"]),
                                              "batch_costs": tuple(r.get("batch_costs", ()))})
                               for r in state["history"]]
            session.stopped_early = bool(state["stopped_early"])
            session.diverged = bool(state["diverged"])
            session.best_epoch = int(state["best_epoch"])
            best_dev = state.get("best_dev_error")
            session._best_dev = np.inf if best_dev is None else float(best_dev)
            if "best_params" in state:
                session._best_params[:] = np.asarray(state["best_params"], dtype=np.float64)
                session._best_stats = state["best_running_stats"]
        except (KeyError, TypeError) as err:
            raise ValueError(f"state is not a saved training session (missing or bad "
                             f"{err}).") from None
        return session
