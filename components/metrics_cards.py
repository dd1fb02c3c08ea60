"""The metrics page's cards: one number with its 95% interval and counts, or why it has none
("too few examples", undefined with its reason, a threshold-free summary)."""

from __future__ import annotations

import streamlit as st

from analysis.metrics import BinaryMetrics, Estimate
from analysis.text import escape_markdown


def estimate_card(column, title: str, estimate: Estimate | None, *, help_text: str | None = None,
                  percent: bool = True) -> None:
    """A bordered card in `column`: the value (percent or plain), and under it the interval
    with its counts, or the reason it has none."""
    with column.container(border=True):
        if estimate is None:
            st.metric(title, "n/a", help=help_text)
            return
        if estimate.value is None:
            st.metric(title, "undefined", help=help_text)
            st.caption(escape_markdown(estimate.reason))
            return
        shown = (lambda v: f"{100 * v:.1f}%") if percent else (lambda v: f"{v:.3f}")
        st.metric(title, shown(estimate.value), help=help_text)
        under = _under_the_value(estimate, shown)
        if under:
            st.caption(under)


def _under_the_value(estimate: Estimate, shown) -> str:
    """The caption under a card's value: interval and counts, or why there is no interval."""
    if estimate.low is not None and estimate.high is not None:
        counts = ""
        if estimate.method == "wilson" and estimate.denominator:
            counts = f" · {estimate.numerator:,.0f}/{estimate.denominator:,.0f}"
        return f"95% CI {shown(estimate.low)}–{shown(estimate.high)}{counts}"
    if estimate.too_few_examples:
        return f"no interval: {escape_markdown(estimate.reason)}"
    if estimate.method == "point":
        return "no interval (threshold-free summary)"
    if estimate.reason:
        return f"zero_division: {escape_markdown(estimate.reason)}"
    return ""


def binary_cards(result: BinaryMetrics) -> None:
    """The eight binary cards, the confusion counts and the result's warnings."""
    first = st.columns(4)
    estimate_card(first[0], "Accuracy", result.accuracy)
    estimate_card(first[1], "Error rate", result.error_rate)
    estimate_card(first[2], "Precision", result.precision,
                  help_text="TP / (TP + FP): of the flagged, how many are positive")
    estimate_card(first[3], "Recall", result.recall,
                  help_text="TP / (TP + FN): of the positives, how many are flagged")
    second = st.columns(4)
    estimate_card(second[0], "F1", result.f1, help_text="Harmonic mean of precision and recall")
    estimate_card(second[1], "Specificity", result.specificity, help_text="TN / (TN + FP)")
    estimate_card(second[2], "ROC AUC", result.roc_auc, percent=False,
                  help_text="Threshold-free: how well scores rank positives above negatives")
    estimate_card(second[3], "Average precision", result.average_precision, percent=False,
                  help_text="Threshold-free: area under the precision-recall steps")
    st.caption(f"TP {result.tp:,.0f} · FP {result.fp:,.0f} · TN {result.tn:,.0f} · "
               f"FN {result.fn:,.0f} · queue rate {result.queue_rate:.1%} of {result.n:,.0f} "
               "examples flagged positive")
    for warning in result.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
