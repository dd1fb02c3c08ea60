"""The course's optimizers, each a small class with the same `update(params, grads)` face.

`params` and `grads` are flat float64 vectors (the network keeps all its parameters in one);
`update` changes `params` in place. Work buffers are allocated once, on the first update, so
a step allocates nothing.
"""

from __future__ import annotations

import numpy as np


class GradientDescent:
    """theta := theta - alpha * dtheta."""

    name = "gd"

    def __init__(self, learning_rate: float = 0.01) -> None:
        self.learning_rate = learning_rate
        self.t = 0  # number of updates so far
        self._step: np.ndarray | None = None

    def _buffers(self, params: np.ndarray) -> None:
        self._step = np.empty_like(params)

    def update(self, params: np.ndarray, grads: np.ndarray) -> None:
        if self._step is None:
            self._buffers(params)
        self.t += 1
        np.multiply(grads, self.learning_rate, out=self._step)
        params -= self._step

    buffers: tuple[str, ...] = ()  # names of the moving averages kept between updates

    def state_dict(self) -> dict[str, object]:
        """JSON-able state (update count and moving averages) to save and resume a session."""
        state: dict[str, object] = {"t": self.t}
        for name in self.buffers:
            value = getattr(self, name)
            state[name] = None if value is None else value.tolist()
        return state

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.t = int(state["t"])
        for name in self.buffers:
            value = state.get(name)
            setattr(self, name, None if value is None else np.asarray(value, dtype=np.float64))
        if self.buffers and getattr(self, self.buffers[0]) is not None:
            self._step = np.empty_like(getattr(self, self.buffers[0]))


class Momentum(GradientDescent):
    """v := beta v + (1 - beta) dtheta;  theta := theta - alpha v."""

    name = "momentum"
    buffers = ("v",)

    def __init__(self, learning_rate: float = 0.01, beta: float = 0.9) -> None:
        super().__init__(learning_rate)
        self.beta = beta
        self.v: np.ndarray | None = None

    def _buffers(self, params: np.ndarray) -> None:
        super()._buffers(params)
        self.v = np.zeros_like(params)

    def update(self, params: np.ndarray, grads: np.ndarray) -> None:
        if self.v is None:
            self._buffers(params)
        self.t += 1
        v, step = self.v, self._step
        v *= self.beta
        np.multiply(grads, 1.0 - self.beta, out=step)
        v += step
        np.multiply(v, self.learning_rate, out=step)
        params -= step



class RMSprop(GradientDescent):
    """s := beta s + (1 - beta) dtheta^2;  theta := theta - alpha dtheta / (sqrt(s) + eps)."""

    name = "rmsprop"
    buffers = ("s",)

    def __init__(self, learning_rate: float = 0.001, beta: float = 0.999,
                 epsilon: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.beta, self.epsilon = beta, epsilon
        self.s: np.ndarray | None = None

    def _buffers(self, params: np.ndarray) -> None:
        super()._buffers(params)
        self.s = np.zeros_like(params)

    def update(self, params: np.ndarray, grads: np.ndarray) -> None:
        if self.s is None:
            self._buffers(params)
        self.t += 1
        s, step = self.s, self._step
        s *= self.beta
        np.multiply(grads, grads, out=step)
        step *= 1.0 - self.beta
        s += step
        np.sqrt(s, out=step)
        step += self.epsilon
        np.divide(grads, step, out=step)
        step *= self.learning_rate
        params -= step



class Adam(GradientDescent):
    """Momentum and RMSprop together, with bias correction (t counts updates):

    v := beta1 v + (1 - beta1) dtheta,   s := beta2 s + (1 - beta2) dtheta^2
    v_corr = v / (1 - beta1^t),          s_corr = s / (1 - beta2^t)
    theta := theta - alpha v_corr / (sqrt(s_corr) + eps)
    """

    name = "adam"
    buffers = ("v", "s")

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.v: np.ndarray | None = None
        self.s: np.ndarray | None = None

    def _buffers(self, params: np.ndarray) -> None:
        super()._buffers(params)
        self.v = np.zeros_like(params)
        self.s = np.zeros_like(params)

    def update(self, params: np.ndarray, grads: np.ndarray) -> None:
        if self.v is None:
            self._buffers(params)
        self.t += 1
        v, s, step = self.v, self.s, self._step
        b1, b2 = self.beta1, self.beta2
        v *= b1
        np.multiply(grads, 1.0 - b1, out=step)
        v += step
        s *= b2
        np.multiply(grads, grads, out=step)
        step *= 1.0 - b2
        s += step
        # sqrt(s_corr) + eps, then alpha * v_corr / that: the corrections are scalars, so they
        # scale the whole vector once instead of making corrected copies of v and s
        np.sqrt(s, out=step)
        step *= 1.0 / np.sqrt(1.0 - b2 ** self.t)
        step += self.epsilon
        np.divide(v, step, out=step)
        step *= self.learning_rate / (1.0 - b1 ** self.t)
        params -= step



def make_optimizer(name: str, *, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999,
                   epsilon: float = 1e-8) -> GradientDescent:
    """The optimizer called `name` ("gd", "momentum", "rmsprop", "adam"). Momentum uses beta1,
    RMSprop beta2 (the course's names for the two averages)."""
    if name == "gd":
        return GradientDescent(learning_rate)
    if name == "momentum":
        return Momentum(learning_rate, beta1)
    if name == "rmsprop":
        return RMSprop(learning_rate, beta2, epsilon)
    if name == "adam":
        return Adam(learning_rate, beta1, beta2, epsilon)
    raise ValueError(f"optimizer must be one of 'gd', 'momentum', 'rmsprop', 'adam'; got {name!r}.")
