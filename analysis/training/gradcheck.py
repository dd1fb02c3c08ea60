"""Gradient checking: compare backprop's gradient with two-sided differences of the cost.

diff = ||g_approx - g|| / (||g_approx|| + ||g||); about 1e-7 is great, 1e-5 deserves a closer
look, 1e-3 is likely a bug (DOMAIN.md section 6). Debugging only: it costs two forward passes
per parameter, and dropout is forced off because it makes the cost random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.training.network import Network
from analysis.validation import check_array, check_number

GREAT_BELOW = 1e-6
LOOK_CLOSER_BELOW = 1e-4


@dataclass(frozen=True)
class GradCheckResult:
    """Overall relative difference, its breakdown per layer (and per parameter), a verdict
    ("great" | "look closer" | "likely a bug") and a sentence for the user."""

    difference: float
    per_layer: dict[str, float]
    verdict: str
    message: str
    per_parameter: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        return {"difference": self.difference, "per_layer": dict(self.per_layer),
                "verdict": self.verdict, "message": self.message,
                "per_parameter": dict(self.per_parameter)}


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

    Batch norm uses the batch's statistics (as in training) and dropout is off.
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
    return GradCheckResult(difference=difference, per_layer=per_layer, verdict=verdict,
                           message=message, per_parameter=per_parameter)
