"""The metrics page's "Cost of errors" section: the user prices a false positive and a false
negative (a cost matrix for multiclass), starting from the project goal's costs and saving them
back into it, and the page shows the expected cost against the threshold, the cheapest
threshold with its seeded bootstrap interval (B = 200), and the cost at the threshold in use,
with a button that moves the page's threshold there (on the scores' own scale).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis.metrics import DecisionCost, ErrorCost, decision_cost, error_cost
from analysis.model_rows import ModelRows
from analysis.predictions import Predictions
from analysis.score_scale import ThresholdScale
from analysis.text import escape_markdown
from charts.calibration import cost_figure
from components.errors import attempt, show_error
from components.goal_costs import (
    SavedGoal,
    goal_caption,
    goal_matrix,
    save_costs_button,
    saved_goal,
    start_inputs,
)
from components.metrics_compute import (
    BOOTSTRAP_DRAWS,
    BOOTSTRAP_SEED,
    compute_allowed,
    estimate_text,
    model_scores,
    rows_digest,
)
from components.score_threshold import use_threshold

KEY = "metrics.cost"
TITLE = "Cost of errors"


@st.cache_data(show_spinner="Pricing every threshold…", max_entries=16)
def _error_cost(digest: str, cost_fp: float, cost_fn: float, threshold: float,
                _y: np.ndarray, _scores: np.ndarray) -> ErrorCost:
    return error_cost(_y, _scores, cost_fp=cost_fp, cost_fn=cost_fn, threshold=threshold,
                      n_boot=BOOTSTRAP_DRAWS, seed=BOOTSTRAP_SEED)


@st.cache_data(show_spinner="Pricing the decisions…", max_entries=16)
def _decision_cost(digest: str, matrix: tuple[tuple[float, ...], ...], classes: tuple[str, ...],
                   _y: np.ndarray, _proba: np.ndarray) -> DecisionCost:
    return decision_cost(_y, _proba, np.array(matrix), classes=classes, n_boot=BOOTSTRAP_DRAWS,
                         seed=BOOTSTRAP_SEED)


def binary_cost(rows: ModelRows, model: str, threshold: float, scale: ThresholdScale) -> None:
    """Expected cost against the threshold for one binary model's scores; the costs start from
    the project goal's and can be saved into it."""
    with st.expander(TITLE):
        scores = model_scores(rows, model, "The cost curve")
        if scores is None:
            return
        saved = saved_goal()
        cost_fp, cost_fn = _cost_inputs(saved)
        save_costs_button(saved, KEY, cost_fp, cost_fn)
        if not compute_allowed(len(scores), f"{KEY}.run", "the cost curve"):
            return
        result = attempt(_error_cost, rows_digest(rows.y_true, scores), cost_fp, cost_fn,
                         float(threshold), rows.y_true, scores)
        if result is None:
            return
        _show_error_cost(result, scale)


def _cost_inputs(saved: SavedGoal) -> tuple[float, float]:
    """The two cost inputs, starting from the goal's costs when a goal is saved."""
    goal = saved.goal
    start_inputs(saved, KEY, (f"{KEY}.fp", f"{KEY}.fn"))
    goal_caption(saved, "The costs")
    left, right = st.columns(2)
    cost_fp = left.number_input("Cost of a false positive", min_value=0.0,
                                value=goal.false_positive_cost if goal else 1.0, step=0.5,
                                key=f"{KEY}.fp",
                                help="What flagging a negative example costs (any unit).")
    cost_fn = right.number_input("Cost of a false negative", min_value=0.0,
                                 value=goal.false_negative_cost if goal else 1.0, step=0.5,
                                 key=f"{KEY}.fn",
                                 help="What missing a positive example costs (same unit).")
    return float(cost_fp), float(cost_fn)


def _show_error_cost(result: ErrorCost, scale: ThresholdScale) -> None:
    best = result.best_threshold
    cards = st.columns(3)
    cards[0].metric("Cheapest threshold", f"{best.value:.3f}")
    cards[0].caption(escape_markdown(estimate_text(best, percent=False)))
    cards[1].metric("Cost there (per example)", f"{result.best_cost:.4g}")
    cards[2].metric(f"Cost at the current threshold {scale.text(result.current_threshold)}",
                    f"{result.current_cost:.4g}", delta=f"{result.saving:.4g} more than the cheapest",
                    delta_color="inverse")
    st.caption(escape_markdown(result.verdict))
    if result.bayes_threshold is not None:
        st.caption(f"For calibrated probabilities the cheapest rule is c_FP / (c_FP + c_FN) = "
                   f"{result.bayes_threshold:.3f}; a gap to the threshold above points at "
                   "miscalibrated scores.")
    st.plotly_chart(cost_figure(result), key=f"{KEY}.chart")
    st.button("Use the cheapest threshold", key=f"{KEY}.use", icon=":material/savings:",
              on_click=use_threshold, args=(scale, best.value),
              help=f"Moves the threshold slider (rounded to its {scale.step:g} step).")


def _default_matrix(classes: tuple[str, ...], saved: SavedGoal) -> pd.DataFrame:
    """The goal's matrix when it fits these classes, else 1 for every error."""
    values = goal_matrix(saved, len(classes))
    if values is None:
        values = np.ones((len(classes), len(classes))) - np.eye(len(classes))
    return pd.DataFrame(values, index=pd.Index(classes, name="true \\ predicted"), columns=classes)


def multiclass_cost(predictions: Predictions, split: str | None) -> None:
    """Top-class decisions against least-expected-cost decisions under a typed cost matrix
    (starting from the project goal's matrix when it has one for these classes)."""
    with st.expander(TITLE):
        mapping = predictions.mapping
        if not mapping.proba:
            st.caption("Deciding by cost needs one probability column per class (p_<class>).")
            return
        classes = tuple(mapping.classes[:len(mapping.proba)])
        values = _matrix_input(classes, saved_goal())
        rows = predictions.subset(split) if split else predictions
        proba = rows.frame[list(mapping.proba)].to_numpy(float)
        if values is None or not compute_allowed(len(proba), f"{KEY}.run", "the decision cost"):
            return
        y = rows.y_true()
        result = attempt(_decision_cost, rows_digest(y, proba), tuple(map(tuple, values.tolist())),
                         classes, y, proba)
        if result is None:
            return
        cards = st.columns(3)
        cards[0].metric("Cost per example, top class", f"{result.cost_argmax:.4g}")
        cards[1].metric("Cost per example, least expected cost", f"{result.cost_min_expected:.4g}")
        cards[2].metric("Decisions changed", f"{result.changed:,}")
        st.caption(escape_markdown(f"{result.verdict} Saving: "
                                   f"{estimate_text(result.saving, percent=False, digits=4)}."))


def _matrix_input(classes: tuple[str, ...], saved: SavedGoal) -> np.ndarray | None:
    """The cost matrix as typed, with the button that saves it into the goal (None, after
    saying why, when a cell is empty)."""
    start_inputs(saved, KEY, (f"{KEY}.matrix",))
    st.caption("Cost of predicting the column's class when the truth is the row's class "
               "(0 on the diagonal: a right answer costs nothing).")
    if goal_matrix(saved, len(classes)) is not None:
        goal_caption(saved, "The costs")
    matrix = st.data_editor(_default_matrix(classes, saved), key=f"{KEY}.matrix",
                            column_config={c: st.column_config.NumberColumn(min_value=0.0)
                                           for c in classes})
    values = matrix.to_numpy(dtype=float)
    if np.isnan(values).any():
        show_error("Every cell of the cost matrix needs a number: type 0 where an error "
                   "costs nothing.")
        return None
    goal = saved.goal
    save_costs_button(saved, KEY, goal.false_positive_cost if goal else 1.0,
                      goal.false_negative_cost if goal else 1.0, matrix=values.tolist())
    return values
