"""The threshold slider every page draws on a binary file's scores, on the scores' own scale
(analysis.score_scale): 0-1 for probabilities, score units for ranking scores.

A value kept in the session from another file (a probability threshold, or another file's
score range) is brought inside the range before the slider is drawn, so switching files never
breaks the page; the buttons that move the threshold (best F1, cheapest cost) snap their value
onto the same scale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import streamlit as st

from analysis.predictions import Predictions
from analysis.score_scale import ThresholdScale, threshold_scale

LABEL = "Threshold (score ≥ threshold is predicted positive)"
RANKED_HELP = ("These are ranking scores (decision scores or logits used as they are): the "
               "threshold is in their own units, over their own range.")


def scale_for(scores: Mapping[str, np.ndarray], score_transform: str | None,
              key: str = "threshold") -> ThresholdScale:
    """The scale of a threshold on these scores under the widget key `key`."""
    return threshold_scale(scores, score_transform, key=key)


def scale_of_file(predictions: Predictions, *, key: str = "threshold",
                  start: float | None = None) -> ThresholdScale:
    """The scale of a threshold on a binary file's score columns; `start` (e.g. from an old
    link's parameter) replaces the probability slider's 0.5 when it lies in 0-1."""
    scores = {c: predictions.frame[c].to_numpy(dtype=float) for c in predictions.mapping.scores}
    scale = scale_for(scores, predictions.mapping.score_transform, key)
    if start is not None and not scale.ranked and scale.low <= start <= scale.high:
        scale = replace(scale, start=float(start))
    return scale


def threshold_slider(scale: ThresholdScale, *, label: str = LABEL, bind: bool = False) -> float:
    """Draw the slider on `scale` and return its value (bind: shared through the URL)."""
    kept = st.session_state.get(scale.key)
    if isinstance(kept, int | float) and not scale.low <= kept <= scale.high:
        st.session_state[scale.key] = scale.snap(kept)
    options = {"bind": "query-params"} if bind else {}
    value = st.slider(label, scale.low, scale.high, scale.start, scale.step, key=scale.key,
                      help=RANKED_HELP if scale.ranked else None, format=f"%.{max(2, scale.digits)}f",
                      **options)
    return float(value)


def use_threshold(scale: ThresholdScale, value: float) -> None:
    """Widget callback: move the slider of `scale` to `value` (snapped onto its range and step)."""
    st.session_state[scale.key] = scale.snap(value)
