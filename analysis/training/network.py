"""A dense neural network in numpy, written to be read next to the course.

Examples are rows (X has shape (m, n_x), as in TF Playground and PyTorch); each layer keeps the
textbook shapes W (n_l, n_{l-1}), b (n_l,) and computes Z = A_prev W^T + b, A = g(Z).
All parameters live in ONE flat float64 vector (and all gradients in another); each layer's
W, b, gamma, beta are views into it. That makes an optimizer step a handful of vector
operations whatever the depth, and gradient checking a loop over one vector (the course's
dictionary_to_vector, without the copying).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit

BN_EPSILON = 1e-5
BN_MOMENTUM = 0.9  # running mean/variance are exponentially weighted averages of batch stats
LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    """A (function, derivative) pair. The derivative is written in terms of the layer's output
    A = g(Z), which every activation here allows, so Z need not be kept."""

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]


def _leaky_relu(Z: np.ndarray) -> np.ndarray:
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


ACTIVATION_FUNCTIONS: dict[str, Activation] = {
    "relu": Activation("relu", lambda Z: np.maximum(Z, 0.0), lambda A: A > 0),
    "leaky_relu": Activation("leaky_relu", _leaky_relu,
                             lambda A: np.where(A > 0, 1.0, LEAKY_SLOPE)),
    "tanh": Activation("tanh", np.tanh, lambda A: 1.0 - A * A),
    "sigmoid": Activation("sigmoid", expit, lambda A: A * (1.0 - A)),
}


def init_scale(init: str, n_prev: int, scale: float = 10.0) -> float:
    """Standard deviation of the initial weights: zeros, random x scale, Xavier 1/n, He 2/n."""
    if init == "zeros":
        return 0.0
    if init == "random":
        return scale
    if init == "xavier":
        return float(np.sqrt(1.0 / n_prev))
    if init == "he":
        return float(np.sqrt(2.0 / n_prev))
    raise ValueError(f"init must be one of 'zeros', 'random', 'xavier', 'he'; got {init!r}.")


class Dense:
    """One fully connected layer: forward, backward, nothing else.

    Hidden layers: Z = A_prev W^T + b (or, with batch norm, Z~ = gamma Z_norm + beta and no b),
    A = g(Z), then inverted dropout. The output layer's backward starts from dZ (the loss
    gives it directly), so it has no activation derivative or dropout of its own.
    """

    def __init__(self, W: np.ndarray, dW: np.ndarray, *, b: np.ndarray | None = None,
                 db: np.ndarray | None = None, gamma: np.ndarray | None = None,
                 beta: np.ndarray | None = None, dgamma: np.ndarray | None = None,
                 dbeta: np.ndarray | None = None, activation: Activation | None = None,
                 keep_prob: float = 1.0) -> None:
        self.W, self.dW, self.b, self.db = W, dW, b, db
        self.gamma, self.beta, self.dgamma, self.dbeta = gamma, beta, dgamma, dbeta
        self.batch_norm = gamma is not None
        self.g = activation
        self.keep_prob = keep_prob
        n = W.shape[0]
        self.running_mean = np.zeros(n)
        self.running_var = np.ones(n)
        self.stats_seen = False
        # forward caches used by backward (A_act: the activation before dropout)
        self.A_prev = self.Z = self.A = self.A_act = self.D = self.Z_norm = self.inv_std = None

    def forward(self, A_prev: np.ndarray, mode: str, rng: np.random.Generator | None) -> np.ndarray:
        """mode "train": batch statistics, dropout, running statistics updated;
        "check": batch statistics, no dropout, nothing updated (gradient checking);
        "eval": running statistics, no dropout (predictions)."""
        self.A_prev = A_prev
        Z = A_prev @ self.W.T
        if self.batch_norm:
            Z = self._batch_norm(Z, mode)
        else:
            Z += self.b
        self.Z = Z  # the pre-activation (gradient checking looks for ReLU kinks in it)
        if self.g is None:  # output layer: the network applies sigmoid/softmax with the loss
            return Z
        A = self.A_act = self.g.function(Z)
        self.D = None
        if mode == "train" and self.keep_prob < 1.0:
            # inverted dropout: keep with probability keep_prob and scale up by 1/keep_prob so
            # the expected activation is unchanged and evaluation needs no rescaling
            self.D = (rng.random(A.shape) < self.keep_prob) / self.keep_prob
            A = A * self.D
        self.A = A
        return A

    def _batch_norm(self, Z: np.ndarray, mode: str) -> np.ndarray:
        if mode == "eval" and self.stats_seen:
            mu, var = self.running_mean, self.running_var
            Z -= mu
        else:
            mu = Z.mean(axis=0)
            Z -= mu
            var = np.einsum("ij,ij->j", Z, Z) / len(Z)
            if mode == "train":
                self._update_running_stats(mu, var)
        self.inv_std = 1.0 / np.sqrt(var + BN_EPSILON)
        Z *= self.inv_std
        self.Z_norm = Z
        return Z * self.gamma + self.beta

    def _update_running_stats(self, mu: np.ndarray, var: np.ndarray) -> None:
        if not self.stats_seen:  # start from the first batch instead of bias-correcting
            self.running_mean[:] = mu
            self.running_var[:] = var
            self.stats_seen = True
            return
        self.running_mean *= BN_MOMENTUM
        self.running_mean += (1.0 - BN_MOMENTUM) * mu
        self.running_var *= BN_MOMENTUM
        self.running_var += (1.0 - BN_MOMENTUM) * var

    def backward(self, dA: np.ndarray | None = None, *, dZ: np.ndarray | None = None,
                 need_dA_prev: bool = True) -> np.ndarray | None:
        """Fill dW, db (or dgamma, dbeta) and return dA_prev. Gradients already carry the 1/m
        of the mean cost (the network folds it into the output dZ)."""
        if dZ is None:
            # dA is a fresh array from the next layer's backward: safe to scale in place
            if self.D is not None:
                dA *= self.D
            dA *= self.g.derivative(self.A_act)
            dZ = dA
        if self.batch_norm:
            dZ = self._batch_norm_backward(dZ)
        else:
            np.add.reduce(dZ, axis=0, out=self.db)
        np.matmul(dZ.T, self.A_prev, out=self.dW)
        return dZ @ self.W if need_dA_prev else None

    def _batch_norm_backward(self, dZ_tilde: np.ndarray) -> np.ndarray:
        m = len(dZ_tilde)
        np.einsum("ij,ij->j", dZ_tilde, self.Z_norm, out=self.dgamma)
        np.add.reduce(dZ_tilde, axis=0, out=self.dbeta)
        # dZ = gamma/sigma * (dZ~ - mean(dZ~) - Z_norm * mean(dZ~ * Z_norm)), using the sums
        # just computed for dbeta and dgamma
        dZ = dZ_tilde - self.dbeta / m
        dZ -= self.Z_norm * (self.dgamma / m)
        dZ *= self.gamma * self.inv_std
        return dZ


class Network:
    """Dense layers ending in sigmoid + cross-entropy (1 output) or softmax (K outputs).

    Parameters
    ----------
    layer_dims : units per layer, input and output included, e.g. (2, 10, 5, 1).
    activation : hidden activation name (relu, leaky_relu, tanh, sigmoid).
    init : zeros, random (x init_scale), xavier, he.
    l2 : lambda of the L2 penalty (lambda / 2m) sum ||W||^2, with m = n_train.
    l1 : lambda of the L1 penalty (lambda / m) sum |W|; its subgradient (lambda / m) sign(W)
        joins the gradient unless `l1_in_gradient` is set False (a proximal step then
        applies it: see soft_threshold).
    keep_prob : inverted-dropout keep probability of hidden units (1 = off).
    batch_norm : normalise every hidden layer's Z (gamma, beta replace b).
    n_train : the m of the L2 and L1 terms.
    rng : np.random.Generator for the initial weights.

    Examples
    --------
    >>> net = Network((2, 3, 1), rng=np.random.default_rng(0))
    >>> net.forward(np.zeros((4, 2)), mode="eval").shape
    (4, 1)
    """

    def __init__(self, layer_dims: tuple[int, ...], *, activation: str = "relu",
                 init: str = "he", init_scale_random: float = 10.0, l2: float = 0.0,
                 l1: float = 0.0, keep_prob: float = 1.0, batch_norm: bool = False,
                 n_train: int = 1,
                 rng: np.random.Generator | None = None) -> None:
        rng = rng if rng is not None else np.random.default_rng(0)
        self.layer_dims = tuple(int(n) for n in layer_dims)
        self.n_layers = len(self.layer_dims) - 1
        self.binary = self.layer_dims[-1] == 1
        self.l2_scale = l2 / n_train  # d/dW of (lambda / 2m) ||W||^2 is (lambda / m) W
        self.l1_scale = l1 / n_train  # d/dW of (lambda / m) |W| is (lambda / m) sign(W), W != 0
        self.l1_in_gradient = True
        self.param_slices = self._layout(batch_norm)
        size = max(s.stop for s in self.param_slices.values())
        self.params = np.zeros(size)
        self.grads = np.zeros(size)
        # all W come first in the vector: the L2 penalty and weight norms are one slice
        dims = self.layer_dims
        self.n_weights = sum(dims[i] * dims[i - 1] for i in range(1, len(dims)))
        self.layers = self._build_layers(activation, keep_prob, batch_norm)
        self.initialize(init, rng, init_scale_random)

    def _layout(self, batch_norm: bool) -> dict[str, slice]:
        """Where each named parameter (W1, b1, gamma1, ...) sits in the flat vector."""
        shapes: list[tuple[str, int]] = []
        dims = self.layer_dims
        for i in range(1, self.n_layers + 1):
            shapes.append((f"W{i}", dims[i] * dims[i - 1]))
        for i in range(1, self.n_layers + 1):
            if batch_norm and i < self.n_layers:
                shapes += [(f"gamma{i}", dims[i]), (f"beta{i}", dims[i])]
            else:
                shapes.append((f"b{i}", dims[i]))
        slices, start = {}, 0
        for name, size in shapes:
            slices[name] = slice(start, start + size)
            start += size
        return slices

    def view(self, vector: np.ndarray, name: str) -> np.ndarray:
        """The named parameter (W1, b2, gamma1, ...) as a view into `vector` (params or grads)."""
        s = self.param_slices[name]
        if name.startswith("W"):
            i = int(name[1:])
            return vector[s].reshape(self.layer_dims[i], self.layer_dims[i - 1])
        return vector[s]

    def _build_layers(self, activation: str, keep_prob: float, batch_norm: bool) -> list[Dense]:
        g = ACTIVATION_FUNCTIONS[activation]
        layers = []
        for i in range(1, self.n_layers + 1):
            output = i == self.n_layers
            views = {"W": self.view(self.params, f"W{i}"), "dW": self.view(self.grads, f"W{i}")}
            if batch_norm and not output:
                for name in ("gamma", "beta"):
                    views[name] = self.view(self.params, f"{name}{i}")
                    views[f"d{name}"] = self.view(self.grads, f"{name}{i}")
            else:
                views["b"] = self.view(self.params, f"b{i}")
                views["db"] = self.view(self.grads, f"b{i}")
            layers.append(Dense(**views, activation=None if output else g,
                                keep_prob=1.0 if output else keep_prob))
        return layers

    def initialize(self, init: str, rng: np.random.Generator, scale: float = 10.0) -> None:
        """Set W ~ N(0, std^2) by the init rule, b = 0, gamma = 1, beta = 0."""
        self.params[:] = 0.0
        for i, layer in enumerate(self.layers, start=1):
            std = init_scale(init, self.layer_dims[i - 1], scale)
            if std:
                layer.W[:] = rng.standard_normal(layer.W.shape) * std
            if layer.batch_norm:
                layer.gamma[:] = 1.0
                layer.running_mean[:] = 0.0
                layer.running_var[:] = 1.0
                layer.stats_seen = False

    # ---- forward / cost / backward -------------------------------------------------------

    def forward(self, X: np.ndarray, *, mode: str = "eval",
                rng: np.random.Generator | None = None) -> np.ndarray:
        """Logits Z_L of the output layer, shape (m, n_out)."""
        A = X
        for layer in self.layers:
            A = layer.forward(A, mode, rng)
        self.ZL = A
        return A

    def probabilities(self, ZL: np.ndarray) -> np.ndarray:
        """sigmoid(Z_L) (binary) or softmax(Z_L) (multiclass)."""
        if self.binary:
            return expit(ZL)
        e = np.exp(ZL - ZL.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def example_losses(self, ZL: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Cross-entropy of each example, shape (m,), from the logits (stable: no log of a
        rounded 0)."""
        if self.binary:
            # -[y log s(z) + (1-y) log(1-s(z))] = log(1 + e^z) - y z
            return (np.logaddexp(0.0, ZL) - Y * ZL)[:, 0]
        shifted = ZL - ZL.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=1))
        return log_norm - np.einsum("ij,ij->i", shifted, Y)

    def cross_entropy(self, ZL: np.ndarray, Y: np.ndarray) -> float:
        """Mean cross-entropy over the examples."""
        return float(np.mean(self.example_losses(ZL, Y)))

    def penalty(self) -> float:
        """The regularisation terms of J: L2 + L1."""
        return self.l2_cost() + self.l1_cost()

    def l2_cost(self) -> float:
        """(lambda / 2m) sum ||W||^2."""
        W = self.params[:self.n_weights]
        return 0.5 * self.l2_scale * float(W @ W)

    def l1_cost(self) -> float:
        """(lambda / m) sum |W| (0 without L1: the cost of every mini-batch is recorded, so
        skip the pass over the weights)."""
        if not self.l1_scale:
            return 0.0
        return self.l1_scale * float(np.abs(self.params[:self.n_weights]).sum())

    def cost(self, ZL: np.ndarray, Y: np.ndarray) -> float:
        """J = cross-entropy + L2 penalty + L1 penalty."""
        return self.cross_entropy(ZL, Y) + self.penalty()

    def soft_threshold(self, threshold: float) -> None:
        """The proximal step of the L1 penalty: W := sign(W) max(|W| - threshold, 0).

        Gradient descent on the smooth part of J followed by this step minimises J with the
        L1 term (proximal gradient, ISTA, threshold = alpha lambda / m). Unlike the
        subgradient, which makes small weights jump around 0, it sets them to exactly 0.
        """
        W = self.params[:self.n_weights]
        np.copysign(np.maximum(np.abs(W) - threshold, 0.0), W, out=W)

    def backward(self, Y: np.ndarray, *, break_backward: bool = False) -> None:
        """Fill self.grads with dJ/dparams for the last forward pass (targets Y, shape like ZL).

        break_backward plants the course's two deliberate bugs (dW2 doubled, db1 times 4) so
        that gradient checking has something to catch."""
        dZ = self.output_delta(Y)
        layers = self.layers
        dA = layers[-1].backward(dZ=dZ, need_dA_prev=len(layers) > 1)
        for i in range(len(layers) - 2, -1, -1):
            dA = layers[i].backward(dA, need_dA_prev=i > 0)
        if self.l2_scale:
            self.grads[:self.n_weights] += self.l2_scale * self.params[:self.n_weights]
        if self.l1_scale and self.l1_in_gradient:
            self.grads[:self.n_weights] += self.l1_scale * np.sign(self.params[:self.n_weights])
        if break_backward:
            self._plant_bugs()

    def output_delta(self, Y: np.ndarray) -> np.ndarray:
        """dZ_L = (A_L - Y) / m for the last forward pass."""
        # sigmoid + cross-entropy and softmax + cross-entropy both give dZ_L = A_L - Y; the 1/m
        # of the mean cost is applied here once and flows into every layer's gradients
        dZ = self.probabilities(self.ZL)
        dZ -= Y
        dZ *= 1.0 / len(Y)
        return dZ

    def _plant_bugs(self) -> None:
        second = min(2, self.n_layers)
        self.view(self.grads, f"W{second}")[:] *= 2.0
        first_bias = "b1" if "b1" in self.param_slices else "beta1"
        self.view(self.grads, first_bias)[:] *= 4.0

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Class indices (m,) -> the float target matrix: (m, 1) 0/1 or (m, K) one-hot."""
        y = np.asarray(y)
        if self.binary:
            return y.astype(np.float64).reshape(-1, 1)
        return np.eye(self.layer_dims[-1])[y]

    def predict(self, ZL: np.ndarray) -> np.ndarray:
        """Class indices from logits (P >= 0.5 is Z >= 0 for the sigmoid)."""
        if self.binary:
            return (ZL[:, 0] >= 0.0).astype(np.int64)
        return ZL.argmax(axis=1)

    # ---- diagnostics ---------------------------------------------------------------------

    def weight_norms(self, vector: np.ndarray | None = None) -> np.ndarray:
        """Frobenius norm of each layer's W (or of its dW when given self.grads)."""
        vector = self.params if vector is None else vector
        starts = [self.param_slices[f"W{i}"].start for i in range(1, self.n_layers + 1)]
        W = vector[:self.n_weights]
        return np.sqrt(np.add.reduceat(W * W, starts))

    def running_stats(self) -> list[list[list[float]]]:
        """Batch-norm running mean/variance per layer (for saving a session)."""
        return [[layer.running_mean.tolist(), layer.running_var.tolist()] for layer in self.layers]

    def set_running_stats(self, stats: list[list[list[float]]]) -> None:
        for layer, (mean, var) in zip(self.layers, stats, strict=True):
            layer.running_mean[:] = mean
            layer.running_var[:] = var
            layer.stats_seen = layer.batch_norm
