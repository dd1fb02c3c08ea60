"""Multiclass metrics that need one probability column per class: top-k accuracy (k chosen
by the user) and each class's one-vs-rest threshold with the best F1."""

from __future__ import annotations

import streamlit as st

from analysis.metrics import per_class_thresholds, top_k_accuracy
from analysis.predictions import Predictions
from analysis.text import escape_markdown
from components.errors import attempt
from components.metrics_compute import estimate_text

KEY = "metrics.topk"


def multiclass_scores(predictions: Predictions, split: str | None) -> None:
    """Top-k accuracy and per-class thresholds, or a note when the file has no probabilities."""
    with st.expander("Top-k accuracy and per-class thresholds"):
        mapping = predictions.mapping
        if not mapping.proba:
            st.caption("Needs one probability column per class (p_<class>).")
            return
        classes = tuple(mapping.classes[:len(mapping.proba)])
        rows = predictions.subset(split) if split else predictions
        proba, y = rows.frame[list(mapping.proba)].to_numpy(float), rows.y_true()
        left, right = st.columns([1, 3])
        k = left.number_input("k", min_value=1, max_value=len(classes), value=min(2, len(classes)),
                              step=1, key=f"{KEY}.k",
                              help="Right when the true class is among the k most probable.")
        estimate = attempt(top_k_accuracy, y, proba, k=int(k), classes=classes)
        if estimate is not None:
            right.metric(f"Top-{int(k)} accuracy", f"{estimate.value:.1%}")
            right.caption(escape_markdown(estimate_text(estimate)))
        table = attempt(per_class_thresholds, y, proba, classes=classes)
        if table is not None:
            st.markdown("**Per-class thresholds** (each class's column as a one-vs-rest score, "
                        "at its best F1)")
            st.dataframe(table, hide_index=True, key=f"{KEY}.thresholds",
                         column_config={c: st.column_config.NumberColumn(format="percent")
                                        for c in ("precision", "recall", "f1")})
