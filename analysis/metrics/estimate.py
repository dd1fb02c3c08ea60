"""One metric value with its interval (`Estimate`) and the interval formulas behind it:
Wilson for rates, the delta method for F-scores, Hanley-McNeil for ROC AUC.

An interval is withheld, and the Estimate says "too few examples" instead, when it would
claim a certainty its sample cannot give: its standard error is 0 (F1 = 100% on two
examples gave "100-100%"), or the metric rests on fewer than `MIN_POSITIVES` positive
examples.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.stats import two_sided_z, wilson_interval

MIN_POSITIVES = 10
TOO_FEW = "too few examples"


@dataclass(frozen=True)
class Estimate:
    """One metric value with its interval and the counts behind it.

    `value` is None when the metric is undefined (then `reason` says why). When
    `zero_division` replaced an undefined value, `value` is that number and `reason` still
    explains it. `low`/`high` bound the value at the result's confidence level.
    """

    name: str
    value: float | None
    low: float | None = None
    high: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    reason: str | None = None
    method: str = "wilson"

    @property
    def too_few_examples(self) -> bool:
        """True when the value stands but its interval was withheld (see `require_positives`)."""
        return self.value is not None and (self.reason or "").startswith(TOO_FEW)

    def text(self, digits: int = 1) -> str:
        """'92.0% (CI 90.1-93.6%)', '100.0% (no interval: too few examples ...)', or
        'undefined: <reason>'."""
        if self.value is None:
            return f"undefined: {self.reason}"
        shown = f"{100 * self.value:.{digits}f}%"
        if self.low is not None and self.high is not None:
            shown += f" (CI {100 * self.low:.{digits}f}-{100 * self.high:.{digits}f}%)"
        elif self.too_few_examples:
            shown += f" (no interval: {self.reason})"
        return shown

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def too_few_positives(positives: float) -> str | None:
    """The "too few examples" reason when fewer than `MIN_POSITIVES` positive examples stand
    behind a metric about the positive class, else None."""
    if positives >= MIN_POSITIVES:
        return None
    plural = "" if positives == 1 else "s"
    return (f"{TOO_FEW}: only {positives:g} positive example{plural}; an interval needs at "
            f"least {MIN_POSITIVES}")


def require_positives(estimate: Estimate, positives: float) -> Estimate:
    """Withhold the interval of a metric about the positive class when too few positive
    examples stand behind it."""
    reason = too_few_positives(positives)
    if reason is None or estimate.value is None or estimate.low is None:
        return estimate
    return replace(estimate, low=None, high=None, reason=reason)


def _normal_estimate(name: str, value: float, standard_error: float, confidence: float, *,
                     method: str, numerator: float | None = None,
                     denominator: float | None = None) -> Estimate:
    """value +- z * SE clipped to [0, 1]; no interval when SE is 0 (a zero-width claim)."""
    if standard_error <= 0:
        return Estimate(name, value, numerator=numerator, denominator=denominator, method=method,
                        reason=f"{TOO_FEW}: the standard error is 0, so a 0-width interval "
                               "would claim certainty")
    half = two_sided_z(confidence) * standard_error
    return Estimate(name, value, max(0.0, value - half), min(1.0, value + half), numerator,
                    denominator, method=method)


def ratio_estimate(name: str, numerator: float, denominator: float, *, reason: str,
           zero_division: float | None, n_eff: float | None = None,
           confidence: float = 0.95) -> Estimate:
    """numerator / denominator with a Wilson interval; a 0/0 becomes undefined or `zero_division`.

    With sample weights the interval uses Kish's effective sample size `n_eff`.
    """
    if denominator <= 0:
        return Estimate(name, zero_division, None, None, float(numerator), float(denominator),
                        reason=reason)
    value = numerator / denominator
    n = denominator if n_eff is None else n_eff
    low, high = wilson_interval(value * n, n, confidence=confidence)
    return Estimate(name, float(value), float(low), float(high), float(numerator),
                    float(denominator))


def f_beta_estimate(tp: float, fp: float, fn: float, beta: float, *, zero_division: float | None,
            confidence: float) -> Estimate:
    """F-beta from counts, (1+b^2)TP / ((1+b^2)TP + b^2 FN + FP), as scikit-learn computes it.

    Interval: delta method on the counts (F is scale-free in TP, FP, FN, so TN drops out):
    var = sum_i (dF/dc_i)^2 c_i.
    """
    name = "f1" if beta == 1 else f"f{beta:g}"
    k = 1 + beta**2
    denominator = k * tp + beta**2 * fn + fp
    if denominator <= 0:
        return Estimate(name, zero_division, numerator=0.0, denominator=0.0, method="delta",
                        reason="there are no positive examples and none was predicted positive "
                               "(TP + FP + FN = 0)")
    value = k * tp / denominator
    grad_tp = k * (fp + beta**2 * fn) / denominator**2
    grad_fp = -k * tp / denominator**2
    grad_fn = -k * beta**2 * tp / denominator**2
    standard_error = math.sqrt(grad_tp**2 * tp + grad_fp**2 * fp + grad_fn**2 * fn)
    return _normal_estimate(name, value, standard_error, confidence, method="delta",
                            numerator=k * tp, denominator=denominator)


def balanced_accuracy_estimate(recall: Estimate, specificity: Estimate, confidence: float) -> Estimate:
    """Mean of recall and specificity; like scikit-learn, a class absent from y_true is skipped."""
    parts = [e for e in (recall, specificity) if e.denominator]
    if len(parts) == 1:
        only = parts[0]
        return Estimate("balanced_accuracy", only.value, only.low, only.high, method=only.method,
                        reason=None)
    value = (recall.value + specificity.value) / 2
    variance = sum(e.value * (1 - e.value) / e.denominator for e in parts) / 4
    return _normal_estimate("balanced_accuracy", value, math.sqrt(variance), confidence,
                            method="normal")


def roc_auc_estimate(auc: float | None, n_pos: float, n_neg: float, confidence: float) -> Estimate:
    """ROC AUC with the Hanley-McNeil (1982) standard error."""
    if auc is None:
        return Estimate("roc_auc", None, reason="only one class is present, so no pair of a "
                        "positive and a negative example can be ranked", method="hanley-mcneil")
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (n_pos * n_neg)
    return _normal_estimate("roc_auc", auc, math.sqrt(max(variance, 0.0)), confidence,
                            method="hanley-mcneil")
