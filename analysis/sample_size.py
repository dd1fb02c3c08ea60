"""How many examples a dev or test set needs: the one module for sample sizes.

Every rate here is in percent (parameters end in `_pct`); fractions appear only inside the
formulas. Two questions are answered, each with its inverse:

- dev: how many examples tell apart two models whose error rates differ by d points
  (`dev_size_to_detect`; inverse `detectable_difference`);
- test: how many examples pin an error rate down to ± h points (`size_for_interval`;
  inverse `interval_half_width`).

Two models compared on one dev set are scored on the SAME examples, so the paired design
(McNemar's test, Connor 1987) is the one that matches how a dev set is used; the
two-proportion design (independent samples) is kept as the split planner's explicit,
labelled choice. With independent mistakes both give nearly the same n (13,498 paired vs
13,495 two-proportion for 1 point at 10%); a measured discordant rate makes the paired n
much smaller.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from scipy import stats

from analysis.stats import two_sided_z, wilson_interval
from analysis.validation import check_choice, check_confidence, check_count, check_number

SAMPLE_DESIGNS = ("two-proportion", "paired")
# Float noise must not push an exact integer size up by one (n = 3000.0000000001 -> 3000).
_ROUNDING_SLACK = 1e-9


@dataclass(frozen=True)
class SampleSize:
    """How many examples a dev or test set needs, with the formula and assumptions behind it.

    `inputs` echoes what was asked (rates in percent, keys ending in `_pct`).
    """

    n: int
    purpose: str
    formula: str
    assumptions: str
    explanation: str
    inputs: Mapping[str, float | str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"n": self.n, "purpose": self.purpose, "formula": self.formula,
                "assumptions": self.assumptions, "explanation": self.explanation,
                "inputs": dict(self.inputs)}


def _round_up(value: float) -> int:
    return math.ceil(value - _ROUNDING_SLACK)


def _z(probability: float) -> float:
    return float(stats.norm.ppf(probability))


def _check_error_pct(error_rate_pct: object) -> float:
    e_pct = check_number("error_rate_pct", error_rate_pct, low=0.0, high=100.0)
    if e_pct <= 0 or e_pct >= 100:
        raise ValueError("error_rate_pct must lie strictly between 0 and 100 percent, "
                         f"got {e_pct:g}.")
    return e_pct


def _check_difference_pct(difference_pct: object, e_pct: float) -> float:
    d_pct = check_number("difference_pct", difference_pct, low=0.0, high=100.0)
    if d_pct <= 0:
        raise ValueError(f"difference_pct must be above 0 percentage points, got {d_pct:g}: "
                         "enter the smallest gap between two models you need to see.")
    if d_pct > e_pct:
        raise ValueError(f"difference_pct ({d_pct:g} points) cannot exceed error_rate_pct "
                         f"({e_pct:g}%): the better model cannot have a negative error rate.")
    return d_pct


def _check_alpha_power(alpha: object, power: object) -> tuple[float, float]:
    a = check_number("alpha", alpha, low=0.0, high=0.5)
    if not 0 < a < 0.5:
        raise ValueError(f"alpha must lie strictly between 0 and 0.5, got {a:g} (0.05 is usual).")
    b = check_number("power", power, low=0.5, high=1.0)
    if b >= 1:
        raise ValueError(f"power must be below 1, got {b:g} (0.8 is usual).")
    return a, b


def _check_discordant_pct(discordant_rate_pct: object, p1: float, p2: float,
                          d_pct: float) -> float:
    """The discordant rate in percent, checked to lie between the difference and p1 + p2."""
    psi_pct = check_number("discordant_rate_pct", discordant_rate_pct, low=0.0, high=100.0)
    if psi_pct / 100 < (p1 - p2) - 1e-12 or psi_pct / 100 > min(p1 + p2, 1.0):
        raise ValueError(
            f"discordant_rate_pct must lie between the difference ({d_pct:g}%) and "
            f"p1 + p2 ({100 * min(p1 + p2, 1.0):.4g}%), got {psi_pct:g}%: it is the share "
            "of examples exactly one of the two models gets wrong.")
    return psi_pct


def two_proportion_n(p1: float, p2: float, *, alpha: float, power: float) -> int:
    """n per sample of the pooled two-proportion z-test (fractions in, examples out).

    n = [z(1-alpha/2) sqrt(2 pbar (1-pbar)) + z(power) sqrt(p1(1-p1) + p2(1-p2))]^2 / (p1-p2)^2
    """
    pbar = (p1 + p2) / 2
    root = (_z(1 - alpha / 2) * math.sqrt(2 * pbar * (1 - pbar))
            + _z(power) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))
    return _round_up(root**2 / (p1 - p2) ** 2)


def paired_n(d: float, psi: float, *, alpha: float, power: float) -> int:
    """n of McNemar's test (Connor 1987): d = p1 - p2, psi = discordant share (fractions).

    n = [z(1-alpha/2) sqrt(psi) + z(power) sqrt(psi - d^2)]^2 / d^2
    """
    root = _z(1 - alpha / 2) * math.sqrt(psi) + _z(power) * math.sqrt(max(psi - d**2, 0.0))
    return _round_up(root**2 / d**2)


def dev_size_to_detect(difference_pct: float, error_rate_pct: float, *, alpha: float = 0.05,
                       power: float = 0.8, design: str = "two-proportion",
                       discordant_rate_pct: float | None = None) -> SampleSize:
    """Dev-set size needed to tell apart two models whose error rates differ by `difference_pct`.

    One model errs at ``p1 = error_rate_pct / 100`` and the other, better one at
    ``p2 = (error_rate_pct - difference_pct) / 100``. The test is two-sided at level `alpha`
    and detects the difference with probability `power`.

    ``design="two-proportion"`` treats the two error rates as measured on independent
    samples of n examples each (normal approximation, pooled variance under H0); see
    `two_proportion_n`. ``design="paired"`` compares both models on the SAME n dev examples
    (McNemar's test): only the examples exactly one model gets wrong carry information; see
    `paired_n`. Without `discordant_rate_pct` the models' mistakes are taken as independent,
    psi = p1 (1 - p2) + p2 (1 - p1); real models share many errors, so a measured psi usually
    gives a much smaller n. Assumptions common to both: examples are i.i.d. draws from the
    target distribution, n is large enough for the normal approximation, n is rounded up.

    Parameters
    ----------
    difference_pct : float
        Difference to detect, in percentage points (> 0 and at most `error_rate_pct`).
    error_rate_pct : float
        Error rate of the current (worse) model, in percent (0 < e < 100).
    alpha : float
        Two-sided significance level (0 < alpha < 0.5).
    power : float
        Probability of detecting a real difference of that size (0.5 <= power < 1).
    design : {"two-proportion", "paired"}
    discordant_rate_pct : float, optional
        Paired design only: percent of examples on which exactly one model is wrong.

    Examples
    --------
    >>> dev_size_to_detect(1, 10).n
    13495
    >>> dev_size_to_detect(1, 10, design="paired").n
    13498
    >>> dev_size_to_detect(1, 10, design="paired", discordant_rate_pct=5).n
    3923
    """
    e_pct = _check_error_pct(error_rate_pct)
    d_pct = _check_difference_pct(difference_pct, e_pct)
    alpha, power = _check_alpha_power(alpha, power)
    design = check_choice("design", design, SAMPLE_DESIGNS)
    p1, p2 = e_pct / 100, (e_pct - d_pct) / 100
    inputs: dict[str, float | str] = {"difference_pct": d_pct, "error_rate_pct": e_pct,
                                      "alpha": alpha, "power": power, "design": design}
    if design == "two-proportion":
        if discordant_rate_pct is not None:
            raise ValueError("discordant_rate_pct only applies to design='paired'; got "
                             f"discordant_rate_pct={discordant_rate_pct!r} with "
                             "design='two-proportion'.")
        n = two_proportion_n(p1, p2, alpha=alpha, power=power)
        formula = "n = [z(1-α/2)·√(2p̄(1-p̄)) + z(power)·√(p1(1-p1)+p2(1-p2))]² / (p1-p2)²"
        assumptions = ("two-proportion z-test, error rates measured on independent samples, "
                       "i.i.d. examples from the target distribution, normal approximation")
    else:
        if discordant_rate_pct is None:
            psi, how = p1 * (1 - p2) + p2 * (1 - p1), "assuming the models' mistakes are independent"
        else:
            psi_pct = _check_discordant_pct(discordant_rate_pct, p1, p2, d_pct)
            psi, how = psi_pct / 100, "measured"
            inputs["discordant_rate_pct"] = psi_pct
        n = paired_n(p1 - p2, psi, alpha=alpha, power=power)
        formula = "n = [z(1-α/2)·√ψ + z(power)·√(ψ-d²)]² / d²"
        assumptions = (f"paired (McNemar) test on the same examples with discordant rate "
                       f"ψ = {psi:.2%} ({how}), i.i.d. examples, normal approximation")
    explanation = (f"To tell a model at {e_pct:g}% error from one at {e_pct - d_pct:g}% "
                   f"(a {d_pct:g}-point difference) with a {design} test at alpha {alpha:g} and "
                   f"power {power:g}, the dev set needs {n:,} examples.")
    return SampleSize(n=n, purpose="dev", formula=formula, assumptions=assumptions,
                      explanation=explanation, inputs=inputs)


def size_for_interval(error_rate_pct: float, half_width_pct: float, *,
                      confidence: float = 0.95) -> SampleSize:
    """Test-set size for a confidence interval of ± `half_width_pct` points around an error rate.

    Normal (Wald) approximation for a proportion: ``n = z(1 - (1-confidence)/2)^2 p (1-p) / h^2``
    with p = error_rate_pct / 100 and h = half_width_pct / 100, rounded up. Assumes i.i.d. test
    examples from the target distribution. Use 50% when you do not know the error rate yet
    (the largest n). The Wilson interval the app shows at that n is reported alongside.

    Examples
    --------
    >>> size_for_interval(10, 1).n
    3458
    """
    e_pct = _check_error_pct(error_rate_pct)
    h_pct = check_number("half_width_pct", half_width_pct, low=0.0, high=50.0)
    if h_pct <= 0:
        raise ValueError(f"half_width_pct must be above 0 percentage points, got {h_pct:g}.")
    confidence = check_confidence(confidence)
    p, h = e_pct / 100, h_pct / 100
    z = two_sided_z(confidence)
    n = max(1, _round_up(z * z * p * (1 - p) / (h * h)))
    low, high = wilson_interval(round(p * n), n, confidence=confidence)
    wilson_half = (float(high) - float(low)) / 2 * 100
    explanation = (f"For a {confidence:.0%} interval of ±{h_pct:g} points around a {e_pct:g}% "
                   f"error rate, the test set needs {n:,} examples (the Wilson interval at that "
                   f"size is ±{wilson_half:.2f} points).")
    return SampleSize(n=n, purpose="test", formula="n = z² · p(1-p) / h²",
                      assumptions="normal approximation to the binomial, i.i.d. test examples "
                                  "from the target distribution",
                      explanation=explanation,
                      inputs={"error_rate_pct": e_pct, "half_width_pct": h_pct,
                              "confidence": confidence,
                              "wilson_half_width_pct": round(wilson_half, 4)})


def detectable_difference(n: int, error_rate_pct: float, *, alpha: float = 0.05,
                          power: float = 0.8) -> float | None:
    """Smallest difference (points) a dev set of `n` examples detects: the inverse of
    dev_size_to_detect (two-proportion design), found by bisection. None when even the
    largest possible difference (the whole error rate) needs more than `n` examples.

    Examples
    --------
    >>> round(detectable_difference(13_495, 10), 2)
    1.0
    """
    n = check_count("n", n, minimum=1)
    e_pct = check_number("error_rate_pct", error_rate_pct, low=0.0, high=100.0)
    if dev_size_to_detect(e_pct, e_pct, alpha=alpha, power=power).n > n:
        return None
    low, high = 0.0, e_pct  # needed size falls as the difference grows
    for _ in range(60):
        middle = (low + high) / 2
        if middle > 0 and dev_size_to_detect(middle, e_pct, alpha=alpha, power=power).n <= n:
            high = middle
        else:
            low = middle
    return high


def interval_half_width(n: int, error_rate_pct: float, *, confidence: float = 0.95) -> float:
    """Half-width in points of the normal-approximation interval around `error_rate_pct` with
    `n` test examples (the inverse of size_for_interval).

    Examples
    --------
    >>> round(interval_half_width(3458, 10), 3)
    1.0
    """
    n = check_count("n", n, minimum=1)
    p = check_number("error_rate_pct", error_rate_pct, low=0.0, high=100.0) / 100
    return two_sided_z(confidence) * math.sqrt(p * (1 - p) / n) * 100
