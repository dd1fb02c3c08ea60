"""What recalibrating would change: Platt scaling (binary) or temperature scaling
(multiclass, or any logits) fitted on the dev split and judged on the test split, ECE and
Brier before -> after. Without a test split there is no honest number to show, so the
result says so instead of scoring the fit on the rows it was fitted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special

from analysis.metrics.calibration import (
    CalibrationMetrics,
    calibration_metrics,
    check_probabilities,
    check_probability_matrix,
    class_indices,
)
from analysis.predictions import canonical_split
from analysis.validation import check_array, check_binary, check_choice, check_same_length

METHODS = ("auto", "platt", "temperature")
_EPS = 1e-12
_LOG_T_RANGE = (-4.6, 4.6)  # temperatures between 0.01 and 100


# --------------------------------------------------------------------------- the two fits
def platt_fit(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(a, b) of P(y = 1 | f) = sigmoid(a f + b), by maximum likelihood on Platt's smoothed
    targets (N+ + 1) / (N+ + 2) and 1 / (N- + 2), which keep a and b finite on separable data
    (Platt 1999, as scikit-learn's sigmoid calibration)."""
    n_pos = float(y.sum())
    n_neg = len(y) - n_pos
    target = np.where(y == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = params[0] * scores + params[1]
        # cross-entropy with soft targets: sum log(1 + e^z) - t z, gradient sum (sigmoid(z) - t) x
        value = float(np.sum(np.logaddexp(0.0, z) - target * z))
        residual = special.expit(z) - target
        return value, np.array([residual @ scores, residual.sum()])

    fitted = optimize.minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(fitted.x[0]), float(fitted.x[1])


def temperature_fit(logits: np.ndarray, codes: np.ndarray) -> float:
    """T minimising the negative log-likelihood of softmax(logits / T) (Guo et al. 2017);
    T > 1 softens over-confident scores, T < 1 sharpens timid ones. Searched on log T."""
    rows = np.arange(len(codes))

    def nll(log_t: float) -> float:
        scaled = logits / np.exp(log_t)
        return float(np.sum(special.logsumexp(scaled, axis=1) - scaled[rows, codes]))

    fitted = optimize.minimize_scalar(nll, bounds=_LOG_T_RANGE, method="bounded")
    return float(np.exp(fitted.x))


# --------------------------------------------------------------------------- the result
@dataclass(frozen=True, eq=False)
class Recalibration:
    """A recalibration fitted on dev and judged on test, or why it cannot be judged.

    `before` / `after` are the test split's calibration with the scores as given and as
    rescaled; both are None when `available` is False (then `note` says why).
    `parameters` holds a and b (Platt: sigmoid(a f + b)) or the temperature T.
    """

    method: str
    available: bool
    note: str
    n_dev: int
    n_test: int
    parameters: dict[str, float] = field(default_factory=dict)
    before: CalibrationMetrics | None = None
    after: CalibrationMetrics | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "available": self.available, "note": self.note,
                "n_dev": self.n_dev, "n_test": self.n_test, "parameters": dict(self.parameters),
                "before": None if self.before is None else self.before.to_dict(),
                "after": None if self.after is None else self.after.to_dict()}


def _split_masks(split: object, n: int) -> tuple[np.ndarray, np.ndarray]:
    names = np.array([canonical_split(v) for v in np.asarray(split, dtype=object).tolist()],
                     dtype=object)
    check_same_length(scores=np.empty(n), split=names)
    return names == "dev", names == "test"


def _as_logits(scores: object, logits: bool | None) -> tuple[np.ndarray, bool]:
    """The scores on the logit scale (log-odds, or log-probabilities per class), and whether
    they came as logits. Probabilities are clipped away from 0 and 1 before the log."""
    if np.ndim(scores) not in (1, 2):
        raise ValueError("scores must hold one score per row (binary) or one column per class; "
                         f"got {np.ndim(scores)} dimensions.")
    values = check_array("scores", scores, dtype=float, ndim=np.ndim(scores))
    if logits is None:
        logits = bool(((values < 0) | (values > 1)).any())
    if logits:
        return values, True
    if values.ndim == 1:
        clipped = np.clip(check_probabilities("scores", values), _EPS, 1 - _EPS)
        return special.logit(clipped), False
    return np.log(np.clip(check_probability_matrix("scores", values), _EPS, 1.0)), False


def _to_probabilities(z: np.ndarray) -> np.ndarray:
    return special.expit(z) if z.ndim == 1 else special.softmax(z, axis=1)


def recalibrate(y_true: object, scores: object, split: object, *, method: str = "auto",
                logits: bool | None = None, classes: Sequence[object] | None = None,
                n_bins: int = 10, strategy: str = "uniform", n_boot: int = 200, seed: int = 0,
                confidence: float = 0.95) -> Recalibration:
    """Fit Platt or temperature scaling on the dev rows, report ECE and Brier on the test rows
    before and after.

    Parameters
    ----------
    y_true : 0/1 labels (scores of shape (n,)) or class labels (scores of shape (n, K))
    scores : probabilities, or logits / decision scores (any real numbers)
    split : split name of every row ('dev', 'validation', 'test', 'holdout', ...)
    method : 'auto' (Platt for binary, temperature for multiclass), 'platt' or 'temperature'
    logits : whether `scores` are logits; default: yes when any value lies outside [0, 1]
    classes, n_bins, strategy, n_boot, seed, confidence : as in `calibration_metrics`

    Examples
    --------
    >>> r = recalibrate([0, 1, 0, 1], [0.2, 0.9, 0.4, 0.7], ["dev", "dev", "dev", "dev"])
    >>> r.available, r.note
    (False, 'no test rows: a fit judged on the dev rows it was fitted on would flatter it, so no before/after is shown')
    """
    choice = check_choice("method", method, METHODS)
    z, given_as_logits = _as_logits(scores, logits)
    multiclass = z.ndim == 2
    if choice == "platt" and multiclass:
        raise ValueError("method='platt' fits binary scores (one column); use 'temperature' for "
                         f"{z.shape[1]} probability columns.")
    chosen = ("temperature" if multiclass else "platt") if choice == "auto" else choice
    truth = class_indices(y_true, z.shape[1], classes) if multiclass else check_binary("y_true", y_true)
    check_same_length(y_true=truth, scores=z)
    dev, test = _split_masks(split, len(truth))
    n_dev, n_test = int(dev.sum()), int(test.sum())
    if n_dev == 0:
        return Recalibration(chosen, False, "no dev rows to fit on: mark the rows to fit with "
                             "split = 'dev'", n_dev, n_test)
    if n_test == 0:
        return Recalibration(chosen, False, "no test rows: a fit judged on the dev rows it was "
                             "fitted on would flatter it, so no before/after is shown", n_dev, n_test)
    if chosen == "platt":
        a, b = platt_fit(z[dev], truth[dev])
        parameters, rescaled = {"a": a, "b": b}, a * z[test] + b
    else:
        temperature = temperature_fit(z[dev] if multiclass else np.c_[np.zeros(n_dev), z[dev]],
                                      truth[dev])
        parameters, rescaled = {"temperature": temperature}, z[test] / temperature
    options = {"n_bins": n_bins, "strategy": strategy, "n_boot": n_boot, "seed": seed,
               "confidence": confidence}
    before = calibration_metrics(truth[test], _to_probabilities(z[test]), **options)
    after = calibration_metrics(truth[test], _to_probabilities(rescaled), **options)
    source = "logits" if given_as_logits else "probabilities"
    note = (f"fitted on {n_dev:,} dev rows, judged on {n_test:,} test rows ({source}): ECE "
            f"{before.ece.value:.1%} -> {after.ece.value:.1%}, Brier {before.brier.value:.3f} -> "
            f"{after.brier.value:.3f}")
    return Recalibration(chosen, True, note, n_dev, n_test, parameters, before, after)
