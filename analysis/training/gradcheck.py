"""Gradient checking: compare backprop's gradient with two-sided differences of the cost.

diff = ||g_approx - g|| / (||g_approx|| + ||g||); about 1e-7 is great, 1e-5 deserves a closer
look, 1e-3 is likely a bug (the course's thresholds). Debugging only: it costs two forward passes
per parameter, and dropout is forced off because it makes the cost random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.training.network import Network
from analysis.validation import check_array, check_number

GREAT_BELOW = 1e-6
LOOK_CLOSER_BELOW = 1e-4
# A ReLU pre-activation this close to 0 is a kink: the two-sided difference straddles it and
# measures neither slope (e.g. Z = b = 0 exactly when a whole earlier layer is dead at init)
KINK_TOLERANCE = 1e-5
KINKED = ("relu", "leaky_relu")


@dataclass(frozen=True)
class GradCheckResult:
    """Overall relative difference, its breakdown per layer (and per parameter), a verdict
    ("great" | "look closer" | "likely a bug") and a sentence for the user."""

    difference: float
    per_layer: dict[str, float]
    verdict: str
    message: str
    per_parameter: dict[str, float]
    examples_used: int = 0
    examples_at_kinks: int = 0  # left out: a ReLU pre-activation within KINK_TOLERANCE of 0

    def to_dict(self) -> dict[str, object]:
        return {"difference": self.difference, "per_layer": dict(self.per_layer),
                "verdict": self.verdict, "message": self.message,
                "per_parameter": dict(self.per_parameter), "examples_used": self.examples_used,
                "examples_at_kinks": self.examples_at_kinks}


def relative_difference(approx: np.ndarray, grad: np.ndarray) -> float:
    """||approx - grad|| / (||approx|| + ||grad||), 0 when both are 0."""
    denominator = np.linalg.norm(approx) + np.linalg.norm(grad)
    return float(np.linalg.norm(approx - grad) / denominator) if denominator else 0.0


def _layer_number(name: str) -> int:
    """The layer of a parameter name: W2 -> 2, gamma1 -> 1."""
    return int("".join(ch for ch in name if ch.isdigit()))


def verdict_for(difference: float) -> str:
    if difference < GREAT_BELOW:
        return "great"
    if difference < LOOK_CLOSER_BELOW:
        return "look closer"
    return "likely a bug"


def examples_at_kinks(network: Network, X: np.ndarray) -> np.ndarray:
    """Boolean mask of the examples with a (leaky) ReLU pre-activation within KINK_TOLERANCE
    of 0 in some hidden layer."""
    network.forward(X, mode="check")
    at_kink = np.zeros(len(X), dtype=bool)
    for layer in network.layers[:-1]:
        if layer.g.name in KINKED:
            at_kink |= (np.abs(layer.Z) < KINK_TOLERANCE).any(axis=1)
    return at_kink


def numerical_gradient(network: Network, X: np.ndarray, Y: np.ndarray,
                       epsilon: float) -> np.ndarray:
    """(J(theta + eps e_i) - J(theta - eps e_i)) / 2 eps for every parameter i."""
    theta = network.params  # perturbed in place and restored exactly
    approx = np.empty_like(theta)
    for i in range(theta.size):
        saved = theta[i]
        theta[i] = saved + epsilon
        J_plus = network.cost(network.forward(X, mode="check"), Y)
        theta[i] = saved - epsilon
        J_minus = network.cost(network.forward(X, mode="check"), Y)
        theta[i] = saved
        approx[i] = (J_plus - J_minus) / (2.0 * epsilon)
    return approx


def gradient_check(network: Network, X: np.ndarray, y: np.ndarray, *, epsilon: float = 1e-7,
                   break_backward: bool = False) -> GradCheckResult:
    """Check `network`'s backward pass on inputs X (m, n_x) and class labels y (m,).

    Batch norm uses the batch's statistics (as in training) and dropout is off. Examples with
    a ReLU pre-activation within KINK_TOLERANCE of 0 are left out (counted in the result).
    break_backward=True plants a known bug in the backward pass (the check must flag it).

    Examples
    --------
    >>> net = Network((2, 4, 1), activation="tanh", rng=np.random.default_rng(0))
    >>> X = np.random.default_rng(1).normal(size=(8, 2))
    >>> gradient_check(net, X, np.arange(8) % 2).verdict
    'great'
    """
    X = check_array("X", X, ndim=2)
    if X.shape[1] != network.layer_dims[0]:
        raise ValueError(f"X must have {network.layer_dims[0]} columns, got {X.shape[1]}.")
    y = check_array("y", y, dtype=None)
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels.")
    check_number("epsilon", epsilon, low=1e-12, high=1e-2)
    n_kinks, all_at_kinks = 0, False
    for _ in range(3):  # batch norm: dropping examples moves the statistics, so look again
        kinks = examples_at_kinks(network, X)
        all_at_kinks = bool(kinks.all())
        if not kinks.any() or all_at_kinks:
            break
        n_kinks += int(kinks.sum())
        X, y = X[~kinks], y[~kinks]
    Y = network.targets(y)

    network.forward(X, mode="check")
    network.backward(Y, break_backward=break_backward)
    grad = network.grads.copy()
    approx = numerical_gradient(network, X, Y, epsilon)

    per_parameter = {name: relative_difference(approx[s], grad[s])
                     for name, s in network.param_slices.items()}
    per_layer = {}
    for i in range(1, network.n_layers + 1):
        idx = np.concatenate([np.arange(s.start, s.stop) for name, s in network.param_slices.items()
                              if _layer_number(name) == i])
        per_layer[f"layer {i}"] = relative_difference(approx[idx], grad[idx])
    difference = relative_difference(approx, grad)
    verdict = verdict_for(difference)
    worst = max(per_parameter, key=per_parameter.get)
    if verdict == "great":
        message = f"Backprop matches the numerical gradient (difference {difference:.1e})."
    else:
        message = (f"Difference {difference:.1e} ({verdict}): the largest mismatch is in "
                   f"{worst} ({per_parameter[worst]:.1e}); check its backward formula.")
    if all_at_kinks and verdict != "great":
        # a dead layer puts every example on a kink: the numbers cannot tell a bug from it
        verdict = "look closer"
        message = (f"Difference {difference:.1e}, but every example sits on a ReLU kink (a "
                   "layer is dead: its pre-activations are exactly 0), where the two-sided "
                   "difference is meaningless. Train a few epochs or re-initialise, then check "
                   "again.")
    elif n_kinks:
        message += (f" {n_kinks} example(s) sitting on a ReLU kink were left out (there the "
                    "two-sided difference is meaningless).")
    return GradCheckResult(difference=difference, per_layer=per_layer, verdict=verdict,
                           message=message, per_parameter=per_parameter,
                           examples_used=len(X),
                           examples_at_kinks=len(X) if all_at_kinks else n_kinks)
