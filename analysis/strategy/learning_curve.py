"""Learning curves: dev error against training-set size, fitted as error = a + b * n^-c, and
whether more data is likely to close the gap (variance) or not (bias).

`a` is the error the model family levels off at with unlimited data, `b` and `c` say how
fast it gets there. The fit is a bounded least squares (a >= 0, b >= 0, 0.05 <= c <= 5)
started from the best of a grid over c (for fixed c the model is linear in a and b); its
intervals come from a seeded residual bootstrap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import least_squares, nnls

from analysis.strategy.thresholds import Threshold, at_least
from analysis.validation import (
    check_array,
    check_confidence,
    check_count,
    check_number,
    check_percent,
    rows_preview,
)

MIN_SIZES = 4
# Doubling the data "still helps" when it lowers dev error by at least this share of it and
# at least this many points; below both the curve has flattened.
MIN_GAIN_SHARE = 0.05
MIN_GAIN_POINTS = 0.1
# Extrapolating this far past the largest size is shown, but flagged as unreliable.
RELIABLE_FACTOR = 2
UNRELIABLE_FACTOR = 10
# Bounds of the exponent c. Flatter than n^-0.05 cannot be told from a plateau over any
# realistic range of sizes (published learning curves run from about n^-0.07 to n^-0.5, and
# without the floor the bootstrap wanders off to a = 0 with a near-flat power law); a curve
# steeper than n^-5 is not a learning curve.
C_BOUNDS = (0.05, 5.0)
_C_GRID = np.linspace(0.05, 3.0, 60)


@dataclass(frozen=True)
class Extrapolation:
    """The fitted dev error at `factor` times the largest training size, with its interval."""

    size: float
    factor: float
    error_pct: float
    low: float
    high: float
    reliable: bool
    note: str


@dataclass(frozen=True, eq=False)
class LearningCurve:
    """A fitted learning curve error = a + b * n^-c (percent), its intervals and its verdict.

    `diagnosis` is 'variance' (still falling: more data helps), 'bias' (levelled off far
    above the floor: more data will not close the gap), 'bias and variance' (more data helps
    but will not close the gap), 'no gap' (dev error already at the floor) or 'unclear'.
    `more_data_closes_gap` is True, False or None (cannot tell / nothing to close).
    """

    sizes: tuple[float, ...]
    dev_errors_pct: tuple[float, ...]
    train_errors_pct: tuple[float, ...] | None
    human_error_pct: float | None
    a: float
    b: float
    c: float
    a_interval: tuple[float, float]
    b_interval: tuple[float, float]
    c_interval: tuple[float, float]
    confidence: float
    extrapolations: tuple[Extrapolation, ...]
    gain_at_2x: float
    gain_at_2x_interval: tuple[float, float]
    diagnosis: str
    more_data_closes_gap: bool | None
    verdict: str
    reasons: tuple[str, ...]
    thresholds: tuple[Threshold, ...]
    warnings: tuple[str, ...]
    boot_params: np.ndarray = field(repr=False)

    def predict(self, n: float) -> tuple[float, float, float]:
        """(error_pct, low, high) of the fitted curve at training-set size `n`.

        The interval is the bootstrap's band for the curve itself (where the mean error at
        that size lies), not for one new measurement.
        """
        size = check_number("n", n)
        if size <= 0:
            raise ValueError(f"n must be a positive training-set size; got {n!r}.")
        return _band(size, np.array([self.a, self.b, self.c]), self.boot_params, self.confidence)

    def extrapolation(self, factor: float) -> Extrapolation:
        """The stored extrapolation at `factor` (2 or 10) times the largest size."""
        for stored in self.extrapolations:
            if stored.factor == factor:
                return stored
        raise ValueError(f"factor must be {RELIABLE_FACTOR} or {UNRELIABLE_FACTOR} (the "
                         f"extrapolations computed); got {factor!r}. Use predict(n) for others.")


def _curve(n: float | np.ndarray, a: float | np.ndarray, b: float | np.ndarray,
           c: float | np.ndarray) -> np.ndarray:
    return np.asarray(a + b * np.power(n, -np.asarray(c)), dtype=float)


def _tails(confidence: float) -> list[float]:
    return [(1 - confidence) / 2, (1 + confidence) / 2]


def _band(n: float, params: np.ndarray, boot: np.ndarray,
          confidence: float) -> tuple[float, float, float]:
    """(error, low, high) at size n: the fitted value and the bootstrap curves' quantiles."""
    point = float(_curve(n, *params))
    low, high = np.quantile(_curve(n, boot[:, 0], boot[:, 1], boot[:, 2]), _tails(confidence))
    return point, float(min(low, point)), float(max(high, point))


# ---------------------------------------------------------------------------- input checks

def _check_sizes(sizes: object) -> np.ndarray:
    values = check_array("sizes", sizes)
    if len(values) < MIN_SIZES:
        raise ValueError(f"sizes needs at least {MIN_SIZES} training-set sizes to fit a, b and c "
                         f"with a residual left over; got {len(values)}.")
    bad = np.flatnonzero(values <= 0)
    if bad.size:
        raise ValueError(f"sizes must be positive numbers of training examples; "
                         f"{rows_preview(bad)} hold {values[bad][0]:g}.")
    _, first, counts = np.unique(values, return_index=True, return_counts=True)
    if (counts > 1).any():
        twice = values[first[counts > 1]]
        raise ValueError(f"sizes lists {', '.join(f'{v:g}' for v in twice)} more than once: give "
                         "each training-set size once (average repeated runs first).")
    return values


def _check_errors(name: str, errors: object, count: int) -> np.ndarray:
    values = check_array(name, errors)
    if len(values) != count:
        raise ValueError(f"{name} has {len(values)} values but sizes has {count}: give one error "
                         "per training-set size.")
    bad = np.flatnonzero((values < 0) | (values > 100))
    if bad.size:
        raise ValueError(f"{name} must be percentages between 0 and 100; {rows_preview(bad)} "
                         f"hold {values[bad][0]:g} (type 8 for 8%, not 0.08 or 800).")
    return values


def learning_curve_points(table: pd.DataFrame, *, size_column: str = "size",
                          dev_column: str = "dev_error_pct",
                          train_column: str | None = "train_error_pct",
                          ) -> tuple[list[float], list[float], list[float] | None]:
    """(sizes, dev errors, train errors or None) from a typed or uploaded table.

    Rows left wholly empty (an editable table's spare rows) are dropped; a train column that
    is absent or empty gives None. Text where a number belongs, and holes, are named with
    their rows.

    Examples
    --------
    >>> table = pd.DataFrame({"size": [100, 200, None], "dev_error_pct": [20, 15, None]})
    >>> learning_curve_points(table)
    ([100.0, 200.0], [20.0, 15.0], None)
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a DataFrame with one row per training-set size; got "
                         f"{type(table).__name__}.")
    for column in (size_column, dev_column):
        if column not in table.columns:
            raise ValueError(f"the table has no column {column!r}; its columns are "
                             f"{', '.join(map(repr, map(str, table.columns)))}.")
    has_train = train_column is not None and train_column in table.columns
    columns = [size_column, dev_column] + ([train_column] if has_train else [])
    frame = table[columns].dropna(how="all").reset_index(drop=True)
    if has_train and frame[train_column].isna().all():
        frame = frame.drop(columns=train_column)
    values = [_filled_numbers(frame, column) for column in frame.columns]
    return values[0], values[1], values[2] if len(values) > 2 else None


def _filled_numbers(frame: pd.DataFrame, column: str) -> list[float]:
    """The column as floats; text or an empty cell is an error naming its rows."""
    numbers = pd.to_numeric(frame[column], errors="coerce")
    text = np.flatnonzero(numbers.isna().to_numpy() & frame[column].notna().to_numpy())
    if text.size:
        raise ValueError(f"column {column!r} has values that are not numbers "
                         f"({rows_preview(text)}): type plain numbers such as 8 for 8%.")
    empty = np.flatnonzero(numbers.isna().to_numpy())
    if empty.size:
        raise ValueError(f"column {column!r} is empty in {rows_preview(empty)}: fill every row "
                         "or delete it.")
    return [float(v) for v in numbers]


# ---------------------------------------------------------------------------- the fit

def _fit(x: np.ndarray, y: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """Least squares of y = a + B * x^-c on scaled sizes x, bounded a in [0, 100], B >= 0."""
    if start is None:
        start = _grid_start(x, y)

    def residuals(theta: np.ndarray) -> np.ndarray:
        return theta[0] + theta[1] * np.power(x, -theta[2]) - y

    lower, upper = [0.0, 0.0, C_BOUNDS[0]], [100.0, np.inf, C_BOUNDS[1]]
    return least_squares(residuals, np.clip(start, lower, upper), bounds=(lower, upper),
                         x_scale="jac", method="trf").x


def _grid_start(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For each c on a grid, a and B by non-negative least squares; keep the best."""
    best, best_cost = None, np.inf
    for c in _C_GRID:
        design = np.column_stack([np.ones_like(x), np.power(x, -c)])
        (a, scale), cost = nnls(design, y)
        if cost < best_cost:
            best, best_cost = np.array([min(a, 100.0), scale, c]), cost
    return best


def _bootstrap(x: np.ndarray, y: np.ndarray, theta: np.ndarray, n_boot: int,
               seed: int) -> np.ndarray:
    """Residual bootstrap: refit on fitted + resampled residuals.

    Residuals are centred and inflated by sqrt(m / (m - 3)), since three fitted parameters
    make raw residuals smaller than the noise (m sizes). Cases cannot be resampled: a resample
    with repeated sizes could leave fewer distinct sizes than parameters.
    """
    fitted = theta[0] + theta[1] * np.power(x, -theta[2])
    m = len(x)
    residuals = (y - fitted) * np.sqrt(m / (m - 3))
    residuals -= residuals.mean()
    rng = np.random.default_rng(seed)
    draws = np.empty((n_boot, 3))
    for i in range(n_boot):
        replicate = fitted + rng.choice(residuals, size=m, replace=True)
        draws[i] = _fit(x, replicate, start=theta)
    return draws


def fit_learning_curve(sizes: Sequence[float], dev_errors_pct: Sequence[float], *,
                       train_errors_pct: Sequence[float] | None = None,
                       confidence: float = 0.95, human_error_pct: float | None = None,
                       n_boot: int = 300, seed: int = 0) -> LearningCurve:
    """Fit error = a + b * n^-c to dev errors at four or more training-set sizes.

    Parameters
    ----------
    sizes : sequence of float
        Training-set sizes (positive, distinct, at least four).
    dev_errors_pct : sequence of float
        Dev error in percent at each size.
    train_errors_pct : sequence of float, optional
        Training error in percent at each size; the train-dev gap at the largest size then
        weighs in the verdict.
    confidence : float
        Confidence of the bootstrap intervals (0.95 = 95%).
    human_error_pct : float, optional
        The best human level (Bayes proxy): the floor the gap is measured to. Without it the
        floor is 0%.
    n_boot : int
        Bootstrap replicates (at least 50; 300 by default).
    seed : int
        Seed of the bootstrap, so the same input gives the same intervals.

    Returns
    -------
    LearningCurve

    Examples
    --------
    >>> sizes = [1_000, 2_000, 4_000, 8_000, 16_000]
    >>> dev = [3 + 300 * n ** -0.5 for n in sizes]
    >>> curve = fit_learning_curve(sizes, dev, human_error_pct=1)
    >>> round(curve.a, 2), round(curve.b), round(curve.c, 2)
    (3.0, 300, 0.5)
    >>> curve.diagnosis, curve.more_data_closes_gap
    ('variance', True)
    """
    n = _check_sizes(sizes)
    dev = _check_errors("dev_errors_pct", dev_errors_pct, len(n))
    train = None if train_errors_pct is None else _check_errors("train_errors_pct",
                                                                train_errors_pct, len(n))
    level = check_confidence(confidence)
    human = check_percent("human_error_pct", human_error_pct, allow_none=True)
    draws = check_count("n_boot", n_boot, minimum=50)
    seed = check_count("seed", seed)
    order = np.argsort(n)
    n, dev = n[order], dev[order]
    train = None if train is None else train[order]

    # Sizes are scaled by the largest so the fit works on numbers near 1 whatever the units.
    largest = float(n[-1])
    theta = _fit(n / largest, dev)
    params = _unscale(theta[None, :], largest)[0]
    boot = _unscale(_bootstrap(n / largest, dev, theta, draws, seed), largest)
    intervals = [tuple(float(v) for v in np.quantile(boot[:, j], _tails(level))) for j in range(3)]
    gain = _gain_at_2x(largest, params, boot, level)
    now = float(_curve(largest, *params))
    floor = human if human is not None else 0.0
    thresholds = _rules(now, gain[0], float(params[0]), floor, dev, train)
    diagnosis, closes = _classify(now - floor, bool(thresholds[0].met),
                                  any(t.met for t in thresholds[1:]))
    floor_name = "0% (no human level given)" if human is None else f"human level ({human:g}%)"
    return LearningCurve(
        sizes=tuple(map(float, n)), dev_errors_pct=tuple(map(float, dev)),
        train_errors_pct=None if train is None else tuple(map(float, train)),
        human_error_pct=human, a=float(params[0]), b=float(params[1]), c=float(params[2]),
        a_interval=intervals[0], b_interval=intervals[1], c_interval=intervals[2],
        confidence=level,
        extrapolations=tuple(_extrapolate(largest, f, params, boot, level)
                             for f in (RELIABLE_FACTOR, UNRELIABLE_FACTOR)),
        gain_at_2x=gain[0], gain_at_2x_interval=gain[1:], diagnosis=diagnosis,
        more_data_closes_gap=closes,
        verdict=_verdict_text(diagnosis, float(params[0]), now, gain[0], floor_name),
        reasons=_reasons(largest, now, gain, params, intervals[0], floor, floor_name, level, dev,
                         train),
        thresholds=thresholds, warnings=tuple(_warnings(len(n), human, params, gain[1])),
        boot_params=boot)


def _unscale(theta: np.ndarray, largest: float) -> np.ndarray:
    """(a, B, c) on sizes scaled by `largest` -> (a, b, c) with b = B * largest^c."""
    out = theta.copy()
    out[:, 1] = theta[:, 1] * np.power(largest, theta[:, 2])
    return out


# ---------------------------------------------------------------------------- the verdict

def _gain_at_2x(largest: float, params: np.ndarray, boot: np.ndarray,
                confidence: float) -> tuple[float, float, float]:
    """How much doubling the largest size lowers the fitted dev error, with its interval."""
    gain = float(_curve(largest, *params) - _curve(RELIABLE_FACTOR * largest, *params))
    draws = (_curve(largest, boot[:, 0], boot[:, 1], boot[:, 2])
             - _curve(RELIABLE_FACTOR * largest, boot[:, 0], boot[:, 1], boot[:, 2]))
    low, high = np.quantile(draws, _tails(confidence))
    return gain, float(low), float(high)


def _rules(now: float, gain: float, a: float, floor: float, dev: np.ndarray,
           train: np.ndarray | None) -> tuple[Threshold, ...]:
    """The stated rules: still falling first, then the signs of bias."""
    required = max(MIN_GAIN_POINTS, MIN_GAIN_SHARE * now)
    falling = at_least(f"doubling the data lowers dev error by at least {MIN_GAIN_SHARE:.0%} of "
                       f"it and at least {MIN_GAIN_POINTS:g} points", required, gain)
    removable, stays = now - a, a - floor
    plateau = Threshold("the error that stays with unlimited data (a - floor) exceeds what more "
                        "data can still remove (dev - a)", removable, stays, stays > removable)
    if train is None:
        return falling, plateau
    avoidable, spread = train[-1] - floor, dev[-1] - train[-1]
    split = Threshold("avoidable bias (train - floor) exceeds the train-dev gap (dev - train) "
                      "at the largest size", float(spread), float(avoidable), bool(avoidable > spread))
    return falling, plateau, split


def _reasons(largest: float, now: float, gain: tuple[float, float, float], params: np.ndarray,
             a_interval: tuple[float, float], floor: float, floor_name: str, confidence: float,
             dev: np.ndarray, train: np.ndarray | None) -> tuple[str, ...]:
    a = float(params[0])
    reasons = [
        f"Doubling the training set to {RELIABLE_FACTOR * largest:,.0f} is predicted to lower dev "
        f"error by {gain[0]:.2f} points ({confidence:.0%} interval {gain[1]:.2f} to "
        f"{gain[2]:.2f}), from {now:.2f}% to {now - gain[0]:.2f}%.",
        f"The curve levels off at a = {a:.2f}% (interval {a_interval[0]:.2f} to "
        f"{a_interval[1]:.2f}) however much data is added: {a - floor:.2f} points above "
        f"{floor_name}, against {now - a:.2f} points that more data can still remove.",
    ]
    if train is not None:
        reasons.append(f"At {largest:,.0f} examples training error is {train[-1]:.2f}%: avoidable "
                       f"bias {train[-1] - floor:.2f} points against a train-dev gap of "
                       f"{dev[-1] - train[-1]:.2f} points.")
    return tuple(reasons)


def _classify(gap: float, falling: bool, bias: bool) -> tuple[str, bool | None]:
    if gap <= MIN_GAIN_POINTS:
        return "no gap", None
    if falling and bias:
        return "bias and variance", False
    if falling:
        return "variance", True
    if bias:
        return "bias", False
    return "unclear", None


def _verdict_text(diagnosis: str, a: float, now: float, gain: float, floor: str) -> str:
    if diagnosis == "no gap":
        return f"Dev error ({now:.2f}%) is already within {MIN_GAIN_POINTS:g} points of {floor}."
    if diagnosis == "variance":
        return (f"More data is likely to close the gap (variance): the dev curve is still falling "
                f"({gain:.2f} points at 2x the data) toward a = {a:.2f}%, near {floor}.")
    if diagnosis == "bias and variance":
        return (f"More data helps ({gain:.2f} points at 2x the data) but will not close the gap: "
                f"the curve levels off at {a:.2f}%, well above {floor}. Reduce bias too "
                "(bigger model, better optimizer, better architecture).")
    if diagnosis == "bias":
        return (f"More data is unlikely to close the gap (bias): the dev curve has levelled off "
                f"near {a:.2f}%, well above {floor}. Work on bias: a bigger model, a better "
                "optimizer, a better architecture.")
    return ("The curve falls too slowly to tell whether more data closes the gap: add a larger "
            "training size and fit again.")


def _extrapolate(largest: float, factor: float, params: np.ndarray, boot: np.ndarray,
                 confidence: float) -> Extrapolation:
    size = factor * largest
    error, low, high = _band(size, params, boot, confidence)
    reliable = factor <= RELIABLE_FACTOR
    note = (f"{factor:g}x the largest training size: a modest extrapolation." if reliable else
            f"{factor:g}x the largest training size: an unreliable extrapolation, far beyond the "
            "measured sizes; read it as a direction, not a figure.")
    return Extrapolation(size, float(factor), error, low, high, reliable, note)


def _warnings(count: int, human: float | None, params: np.ndarray, gain_low: float) -> list[str]:
    notes = []
    _, b, c = params
    if count - 3 < 3:
        notes.append(f"Only {count} sizes for three parameters: the intervals rest on "
                     f"{count - 3} residual degree(s) of freedom and are rough; add sizes.")
    if human is None:
        notes.append("No human level given: the gap is measured down to 0%. Enter the best human "
                     "error as the floor.")
    if b == 0:
        notes.append("Dev error does not fall with more data over these sizes: the fit is flat.")
    elif gain_low <= 0:
        notes.append("The interval of the gain at 2x the data reaches 0: the bootstrap cannot "
                     "rule out a flat curve, so the fall is within the noise of these points.")
    if c >= C_BOUNDS[1] * 0.99:
        notes.append(f"The exponent c sits at its upper bound ({C_BOUNDS[1]:g}): the curve "
                     "drops too steeply for the model; check the smallest sizes.")
    elif b > 0 and c <= C_BOUNDS[0] * 1.01:
        notes.append(f"The exponent c sits at its lower bound ({C_BOUNDS[0]:g}): over these "
                     "sizes the curve cannot be told from a plateau.")
    return notes
