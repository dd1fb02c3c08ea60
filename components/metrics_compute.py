"""What the metrics page's heavier sections (calibration, cost of errors) share: a digest of
the rows for their cache keys, the rule that they run by themselves only on files up to
`AUTO_ROWS` rows, and how an estimate with its interval is written under a number.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from analysis.metrics import Estimate, ScoreCurve, score_curve
from analysis.model_rows import ModelRows
from analysis.text import escape_markdown
from components.state import content_digest

AUTO_ROWS = 200_000  # calibration and cost take tens of seconds at a million rows
BOOTSTRAP_DRAWS = 200
BOOTSTRAP_SEED = 0


def rows_digest(*arrays: np.ndarray | None) -> str:
    """A fingerprint of the arrays' contents: the cache key of a computation on them."""
    parts = []
    for values in arrays:
        if values is None:
            parts.append(b"-")
        elif values.dtype == object:
            parts.append("\x1f".join(map(str, values.ravel().tolist())).encode())
        else:
            parts.append(np.ascontiguousarray(values).tobytes() + str(values.shape).encode())
    return content_digest(b"\x1e".join(parts))


def compute_allowed(n_rows: int, key: str, what: str) -> bool:
    """True when `what` may run now: always up to AUTO_ROWS rows, else once the user asked.

    A big file shows why the section waits and a button; the choice holds for the session.
    """
    if n_rows <= AUTO_ROWS or st.session_state.get(f"{key}.asked"):
        return True
    st.caption(f"{n_rows:,} rows: {escape_markdown(what)} takes tens of seconds at this size, so "
               f"it runs when asked (by itself only up to {AUTO_ROWS:,} rows).")
    if st.button(f"Compute {escape_markdown(what)}", key=key, icon=":material/calculate:"):
        st.session_state[f"{key}.asked"] = True
        return True
    return False


def estimate_text(estimate: Estimate, *, percent: bool = True, digits: int = 3) -> str:
    """'0.031 (95% CI 0.020-0.043)', or the value with 'no interval: too few examples ...'."""
    def shown(v: float) -> str:
        return f"{100 * v:.1f}%" if percent else f"{v:.{digits}f}"

    if estimate.value is None:
        return f"undefined: {estimate.reason}"
    if estimate.low is not None and estimate.high is not None:
        return f"{shown(estimate.value)} (95% CI {shown(estimate.low)}-{shown(estimate.high)})"
    if estimate.reason:
        return f"{shown(estimate.value)} (no interval: {estimate.reason})"
    return shown(estimate.value)


def model_scores(rows: ModelRows, model: str, what: str) -> np.ndarray | None:
    """The model's scores, or None with a note that `what` needs scores (a label-only model)."""
    scores = rows.scores.get(model)
    if scores is None:
        st.caption(f"{escape_markdown(what)} needs a score column; this model gives labels only.")
    return scores


@st.cache_data(show_spinner="Sorting the scores…", max_entries=16)
def cached_curve(y_true: np.ndarray, scores: np.ndarray,
                 weights: np.ndarray | None = None) -> ScoreCurve:
    """The one sort per (labels, scores): every threshold move afterwards reads this curve."""
    return score_curve(y_true, scores, sample_weight=weights)
