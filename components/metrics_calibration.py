"""The metrics page's "Calibration" section: can the scores be read as probabilities?

Reliability diagram with the rows per bin, ECE and Brier score with bootstrap intervals, the
verdict (usable as probabilities only when the ECE interval's upper bound is below 0.05), and
what Platt or temperature scaling fitted on dev changes on test. Binary files are judged on
the chosen model's scores; multiclass files on their top-class confidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis.metrics import CalibrationMetrics, Recalibration, calibration_metrics, recalibrate
from analysis.model_rows import ModelRows
from analysis.predictions import Predictions
from analysis.text import escape_markdown
from charts.calibration import reliability_figure
from components.errors import attempt
from components.metrics_compute import (
    BOOTSTRAP_DRAWS,
    BOOTSTRAP_SEED,
    compute_allowed,
    estimate_text,
    model_scores,
    rows_digest,
)

KEY = "metrics.calibration"
STRATEGY_LABELS = {"uniform": "equal width", "quantile": "equal count"}
TITLE = "Calibration: can the scores be read as probabilities?"


@st.cache_data(show_spinner="Binning the scores…", max_entries=16)
def _calibration(digest: str, n_bins: int, strategy: str, classes: tuple[str, ...] | None,
                 _y: np.ndarray, _scores: np.ndarray) -> CalibrationMetrics:
    # keyed on the rows' digest and the options; the arrays themselves are not hashed again
    return calibration_metrics(_y, _scores, n_bins=n_bins, strategy=strategy, classes=classes,
                               n_boot=BOOTSTRAP_DRAWS, seed=BOOTSTRAP_SEED)


@st.cache_data(show_spinner="Fitting on dev, judging on test…", max_entries=16)
def _recalibration(digest: str, n_bins: int, strategy: str, classes: tuple[str, ...] | None,
                   _y: np.ndarray, _scores: np.ndarray, _split: np.ndarray) -> Recalibration:
    return recalibrate(_y, _scores, _split, classes=classes, n_bins=n_bins, strategy=strategy,
                       n_boot=BOOTSTRAP_DRAWS, seed=BOOTSTRAP_SEED)


def binary_calibration(predictions: Predictions, rows: ModelRows, model: str) -> None:
    """The section for one binary model; recalibration uses the whole file's dev and test rows."""
    with st.expander(TITLE):
        if predictions.mapping.score_transform == "rank":
            st.caption("Calibration needs probabilities, and this file's scores are read as "
                       "ranking scores (score transform \"rank only\"). Upload it again with the "
                       "sigmoid transform to judge them as probabilities.")
            return
        scores = model_scores(rows, model, "Calibration")
        if scores is None:
            return
        whole = None
        if predictions.mapping.split and model in predictions.mapping.scores:
            whole = (predictions.y_true().astype(np.int8), predictions.score(model),
                     predictions.frame[predictions.mapping.split].to_numpy(dtype=object))
        _calibration_body(rows.y_true, scores, None, whole, has_split=bool(predictions.mapping.split))


def multiclass_calibration(predictions: Predictions, split: str | None) -> None:
    """The section for a multiclass file with one probability column per class (top class)."""
    with st.expander(TITLE):
        mapping = predictions.mapping
        if not mapping.proba:
            st.caption("Calibration needs one probability column per class (p_<class>); this "
                       "file has predicted labels only.")
            return
        classes = tuple(mapping.classes[:len(mapping.proba)])
        rows = predictions.subset(split) if split else predictions
        whole = None
        if mapping.split:
            whole = (predictions.y_true(), predictions.frame[list(mapping.proba)].to_numpy(float),
                     predictions.frame[mapping.split].to_numpy(dtype=object))
        st.caption("Judged by top-class confidence: a row counts as right when its most probable "
                   "class is the true one.")
        _calibration_body(rows.y_true(), rows.frame[list(mapping.proba)].to_numpy(float), classes,
                          whole, has_split=bool(mapping.split))


def _calibration_body(y: np.ndarray, scores: np.ndarray, classes: tuple[str, ...] | None,
                      whole: tuple[np.ndarray, np.ndarray, np.ndarray] | None, *,
                      has_split: bool) -> None:
    left, right = st.columns(2)
    n_bins = left.slider("Bins", 5, 30, 10, 1, key=f"{KEY}.bins")
    strategy = right.radio("Bins of", list(STRATEGY_LABELS), format_func=STRATEGY_LABELS.get,
                           horizontal=True, key=f"{KEY}.strategy")
    if not compute_allowed(len(y), f"{KEY}.run", "calibration"):
        return
    result = attempt(_calibration, rows_digest(y, scores), n_bins, strategy, classes, y, scores)
    if result is None:
        return
    cards = st.columns(2)
    cards[0].metric("Expected calibration error (ECE)", f"{result.ece.value:.1%}",
                    help="Row-weighted mean gap between each bin's mean score and its observed rate.")
    cards[0].caption(escape_markdown(estimate_text(result.ece)))
    cards[1].metric("Brier score", f"{result.brier.value:.4f}",
                    help="Mean squared distance between the predicted probabilities and the truth.")
    cards[1].caption(escape_markdown(estimate_text(result.brier, percent=False, digits=4)))
    show = st.success if result.usable_as_probabilities else st.warning
    show(escape_markdown(result.verdict), icon=":material/rule:")
    st.plotly_chart(reliability_figure(result), key=f"{KEY}.chart")
    _recalibration_part(whole, n_bins, strategy, classes, has_split=has_split)


def _recalibration_part(whole: tuple[np.ndarray, np.ndarray, np.ndarray] | None, n_bins: int,
                        strategy: str, classes: tuple[str, ...] | None, *, has_split: bool) -> None:
    st.markdown("**Recalibrated on dev, judged on test**")
    if whole is None:
        st.caption("Hidden: " + ("recalibration is shown for the file's own score columns."
                                 if has_split else "this file has no split column, and a fit "
                                 "judged on the rows it was fitted on would flatter itself. Map "
                                 "a split column with dev and test rows to see it."))
        return
    y, scores, split = whole
    result = attempt(_recalibration, rows_digest(y, scores, split), n_bins, strategy, classes,
                     y, scores, split)
    if result is None:
        return
    if not result.available:
        st.caption(f"Hidden: {escape_markdown(result.note)}.")
        return
    table = pd.DataFrame({
        "on test": ["as given", f"after {result.method} scaling"],
        "ECE": [estimate_text(result.before.ece), estimate_text(result.after.ece)],
        "Brier": [estimate_text(result.before.brier, percent=False, digits=4),
                  estimate_text(result.after.brier, percent=False, digits=4)],
        "reading": [result.before.verdict, result.after.verdict]})
    st.dataframe(table, hide_index=True, key=f"{KEY}.recalibration")
    fitted = ", ".join(f"{name} = {value:.3g}" for name, value in result.parameters.items())
    st.caption(escape_markdown(f"{result.note}; fitted {fitted}."))
