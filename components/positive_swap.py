"""The misreading warning on the binary card, with a one-click swap of the positive class.

A binary file whose scores belong to the other class (P(cat) read against "dog" as
positive) ranks negatives first and scores below the majority rate. The swap re-derives the
labels with the other class as positive and keeps the score columns, which are then read as
that class's probability. The choice holds per file for the session.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from analysis.metrics import BinaryMetrics, misreading_warning
from analysis.predictions import Predictions
from analysis.text import escape_markdown

SWAPPED_KEY = "metrics.swapped_positive"  # names of the files read with the other class positive


def swap_positive(predictions: Predictions) -> Predictions:
    """The same binary file with the other class as positive: true (and predicted) labels
    flipped, score columns kept as they are (now read as the new positive class's score)."""
    mapping = predictions.mapping
    if predictions.task != "binary" or len(mapping.classes) != 2:
        raise ValueError(f"only a binary file's positive class can be swapped; {predictions.name} "
                         f"is {predictions.task}.")
    frame = predictions.frame.copy()
    for column in (mapping.y_true, mapping.y_pred):
        if column:
            frame[column] = (1 - frame[column].to_numpy(dtype=np.int8)).astype(np.int8)
    negative, positive = mapping.classes
    swapped = replace(mapping, positive_label=negative, classes=(positive, negative))
    note = f"Positive class swapped to {negative!r}: the score columns are read as its probability."
    return replace(predictions, frame=frame, mapping=swapped, notes=(*predictions.notes, note))


def _swapped() -> set[str]:
    return set(st.session_state.get(SWAPPED_KEY, ()))


def _toggle(name: str) -> None:
    st.session_state[SWAPPED_KEY] = _swapped() ^ {name}


def chosen_positive(predictions: Predictions | None) -> Predictions | None:
    """The file as the user chose to read it: swapped when they clicked the swap for it."""
    if predictions is None or predictions.task != "binary" or predictions.name not in _swapped():
        return predictions
    return swap_positive(predictions)


def misreading_notice(result: BinaryMetrics, predictions: Predictions) -> None:
    """Which class the scores are read as (always, for a file with scores), the warning when
    the result looks misread, and the button that swaps the positive class, or undoes it."""
    warning = misreading_warning(result)
    swapped = predictions.name in _swapped()
    classes = predictions.mapping.classes
    if warning:
        st.warning(escape_markdown(warning), icon=":material/swap_horiz:")
    if swapped:
        st.caption(f"Read with {escape_markdown(repr(classes[-1]))} as the positive class "
                   "(swapped on this page).")
        st.button("Undo the swap", key="metrics.swap_positive", on_click=_toggle,
                  args=(predictions.name,), icon=":material/undo:")
    elif predictions.mapping.scores and len(classes) == 2:
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.caption(f"Scores read as the score of {escape_markdown(repr(classes[1]))} (positive "
                     f"class); {escape_markdown(repr(classes[0]))} is negative.")
        right.button(f"Make {escape_markdown(repr(classes[0]))} the positive class",
                     key="metrics.swap_positive", on_click=_toggle, args=(predictions.name,),
                     icon=":material/swap_horiz:", type="secondary" if warning else "tertiary",
                     help="Re-reads the labels with the other class as positive; the score "
                          "columns are then read as its score.")
