"""Errors in the training set: the user picks a training predictions file (out-of-fold class
probabilities and the given labels), sees the suspected wrong labels ranked, the estimated
noise rate with its interval, whether the suspects look random or systematic and whether
fixing them is worth it, and can send the suspects to a sheet as a category to review.

The check refuses in-sample scores: a model scoring its own training rows has memorised their
labels, flipped ones included, so the flips hide.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.error_sheet import COMMENTS_COLUMN, EXAMPLE_COLUMNS
from analysis.predictions import Predictions
from analysis.slice_sheet import slice_category_name
from analysis.text import escape_markdown
from analysis.training_labels import (
    OUT_OF_FOLD_WHY,
    TrainingLabelCheck,
    check_training_predictions,
)
from components import error_analysis_state as sheet_state
from components.errors import show_error
from components.inputs import predictions_picker
from components.sheet_target import add_examples, target_widgets

KEY = "ea.train_labels"  # prefix of this panel's widget keys
_SENT = f"{KEY}.sent"  # the last send: (sheet, rows, conflict, category) or an error message
_NO_SOURCE = "(none)"
_SHOWN_ROWS = 100
_SHARES = {"share": st.column_config.NumberColumn("share of suspects", format="percent"),
           "expected_share": st.column_config.NumberColumn("expected if random",
                                                           format="percent")}


def predictions_fingerprint(predictions: Predictions) -> str:
    """A cache key for a predictions file: its name, size and a hash of its table."""
    digest = int(pd.util.hash_pandas_object(predictions.frame).sum())
    return f"{predictions.name}:{predictions.n_rows}:{digest}"


@st.cache_data(show_spinner="Looking for wrong training labels…", max_entries=8)
def _checked(_predictions: Predictions, fingerprint: str,
             source_column: str | None) -> TrainingLabelCheck:
    """check_training_predictions, cached on the file's fingerprint and the source column."""
    return check_training_predictions(_predictions, out_of_fold=True, source_column=source_column)


def _inputs() -> tuple[Predictions, str | None] | None:
    """The training file and its source column once the user says its scores are out-of-fold;
    None (after saying why) before that."""
    predictions = predictions_picker(f"{KEY}.pick", tasks=("binary", "multiclass"),
                                     label="Training predictions file")
    if predictions is None:
        return None
    left, right = st.columns(2)
    out_of_fold = left.checkbox(
        "These training scores are out-of-fold", key=f"{KEY}.out_of_fold",
        help="Each training row was scored by a model that did not train on it (e.g. "
             "scikit-learn's cross_val_predict with method='predict_proba').")
    columns = [str(c) for c in predictions.frame.columns]
    default = predictions.mapping.groups[0] if predictions.mapping.groups else _NO_SOURCE
    options = [_NO_SOURCE, *columns]
    source = right.selectbox("Where each row comes from (optional)", options,
                             index=options.index(default) if default in options else 0,
                             key=f"{KEY}.source.{predictions.name}",
                             help="A vendor, labeller or crawl column: systematic label errors "
                                  "often sit in one source.")
    if not out_of_fold:
        st.info(escape_markdown(f"Tick the box once your training scores are out-of-fold. "
                                f"{OUT_OF_FOLD_WHY}"), icon=":material/block:")
        return None
    return predictions, None if source == _NO_SOURCE else source


def _verdict(check: TrainingLabelCheck) -> None:
    """Counts, noise rate with its interval, pattern with its reasons, and the advice."""
    a, b, c = st.columns(3)
    a.metric("Training rows checked", f"{check.n_checked:,}")
    b.metric("Suspected wrong labels", f"{check.n_suspects:,}")
    c.metric("Estimated noise rate", f"{check.noise_rate:.1%}",
             help="Confident learning's estimate of the share of wrong labels.")
    st.caption(f"95% interval of the noise rate: {check.noise_low:.1%} to {check.noise_high:.1%} "
               f"({check.n_checked:,} rows).")
    box = {"systematic": st.warning, "random": st.info}.get(check.pattern, st.success)
    box(f"**{escape_markdown(check.pattern.capitalize())} label noise.** "
        f"{escape_markdown(check.verdict)}")
    for reason in check.reasons:
        st.markdown(f"- {escape_markdown(reason)}")
    advice = st.warning if check.worth_fixing else st.info
    advice(escape_markdown(check.advice), icon=":material/build:" if check.worth_fixing
           else ":material/do_not_disturb_on:")
    for warning in check.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")


def _tables(check: TrainingLabelCheck) -> None:
    """The suspects, most suspicious first, and where they concentrate."""
    shown = check.suspects.drop(columns=["row"]).head(_SHOWN_ROWS)
    st.caption(f"The {len(shown)} most suspicious of {check.n_suspects} suspects (lowest "
               "probability of the given label first): check them by eye.")
    st.dataframe(shown, hide_index=True, key=f"{KEY}.suspects", column_config={
        "y_true": st.column_config.TextColumn("given label"),
        "y_pred": st.column_config.TextColumn("model reads"),
        "label_quality": st.column_config.ProgressColumn("P(given label)", format="percent",
                                                         min_value=0.0, max_value=1.0)})
    pairs_col, sources_col = st.columns(2)
    with pairs_col:
        st.caption("Suspects per class pair, beside the share random flips would give")
        pairs = check.pairs.sort_values("suspects", ascending=False, kind="stable")
        st.dataframe(pairs, hide_index=True, key=f"{KEY}.pairs", column_config=_SHARES)
    if check.sources is not None:
        with sources_col:
            st.caption("Suspects per source, beside its share of the rows")
            st.dataframe(check.sources, hide_index=True, key=f"{KEY}.sources",
                         column_config=_SHARES)


def _suspect_examples(check: TrainingLabelCheck, n: int) -> pd.DataFrame:
    """The `n` most suspicious rows as sheet rows, each with a comment saying why."""
    top = check.suspects.head(n)
    rows = top[[c for c in EXAMPLE_COLUMNS if c in top.columns]].copy()
    rows[COMMENTS_COLUMN] = [f"training label: the model gives it {q:.0%}"
                             for q in top["label_quality"]]
    return rows


def _send(examples: pd.DataFrame, sheet_name: str, new: bool, category: str, meta: dict) -> None:
    """The send button's callback: add the suspects, then open that sheet on this run."""
    try:
        made = add_examples(examples, sheet_name=sheet_name, new=new, category=category,
                            meta=meta)
    except ValueError as err:
        st.session_state[_SENT] = str(err)
        return
    st.session_state[_SENT] = (*made, category)
    sheet_state.request_open(made[0])


def _send_form(check: TrainingLabelCheck, source: str) -> None:
    """Send the most suspicious rows to a new or existing sheet as a category."""
    st.markdown("**Send suspects to a sheet**")
    count = int(st.number_input("Suspects to send (most suspicious first)", 1, check.n_suspects,
                                min(check.n_suspects, 50), key=f"{KEY}.n"))
    sheet_name, new, taken = target_widgets(KEY, f"Training label suspects in {source}")
    category = st.text_input("Category name", key=f"{KEY}.category.{sheet_name}",
                             value=slice_category_name("suspect training label", taken))
    st.button("Send to the sheet", key=f"{KEY}.send", icon=":material/playlist_add:",
              on_click=_send, args=(_suspect_examples(check, count), sheet_name, new, category,
                                    {"source": source, "split": "train"}))
    sent = st.session_state.get(_SENT)
    if isinstance(sent, str):
        show_error(sent)
    elif sent is not None:
        name, rows, conflict, made_category = sent
        if conflict:
            st.warning(escape_markdown(conflict))
        st.success(f"Category **{escape_markdown(made_category)}** added to "
                   f"**{escape_markdown(name)}** with {rows} suspect{'s' if rows != 1 else ''} "
                   "ticked: the sheet is open above.", icon=":material/check_circle:")


def training_labels_panel() -> None:
    """The whole training-label check, from the file to the sheet."""
    st.subheader("Errors in the training set")
    st.caption("Wrong labels in the training set: random ones in a big set hurt little, "
               "systematic ones (every white dog labelled cat) teach the model the mistake. "
               "Confident learning (cleanlab) finds the labels the model finds least likely.")
    chosen = _inputs()
    if chosen is None:
        return
    predictions, source_column = chosen
    try:
        check = _checked(predictions, predictions_fingerprint(predictions), source_column)
    except ValueError as err:
        show_error(err)
        return
    _verdict(check)
    if check.n_suspects == 0:
        return
    _tables(check)
    _send_form(check, predictions.name)
