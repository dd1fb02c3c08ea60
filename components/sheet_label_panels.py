"""Label panels under an error-analysis sheet: whether the dev set's bad labels are worth
fixing (from the category ticked 'incorrectly labeled'), and the dev rows whose given label
the model finds least likely, to add to the sheet as 'check this label' rows.

The page owns saving: it hands in the callbacks that change and save the sheet.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analysis.error_analysis import CategorySummary, label_noise_impact
from analysis.error_sheet import ID_COLUMN, IMAGE_COLUMN, category_label
from analysis.label_issues import has_class_probabilities, suspected_label_errors
from analysis.predictions import Predictions
from analysis.text import escape_markdown
from components.error_analysis_state import LABEL_KEY, HeldSheet, setting_defaults, setting_key
from components.errors import show_error
from components.state import loaded_predictions
from components.training_labels_panel import predictions_fingerprint


def label_noise_panel(sheet: HeldSheet, summary: CategorySummary | None,
                      on_change: Callable[[], None]) -> None:
    """Choose the 'incorrectly labeled' category; points of dev error from bad labels and
    from other causes, and whether fixing the labels is worth it yet."""
    st.subheader("Bad labels: worth fixing?")
    start = setting_defaults(sheet)[LABEL_KEY]
    st.selectbox("Category meaning 'incorrectly labeled'", sheet.categories, key=setting_key(LABEL_KEY),
                 index=sheet.categories.index(start) if start in sheet.categories else None,
                 format_func=category_label, on_change=on_change,
                 placeholder="Choose the category")
    label = st.session_state.get(setting_key(LABEL_KEY))
    if summary is None or label is None:
        st.caption("Tick the wrongly labeled examples in a category and choose it here.")
        return
    row = summary.table.set_index("category").loc[label]
    try:
        impact = label_noise_impact(summary.dev_error, float(row["share"]))
    except ValueError as err:
        show_error(err)
        return
    a, b, c = st.columns(3)
    a.metric("From bad labels", f"{impact.label_points:.2f} pts")
    b.metric("From other causes", f"{impact.other_points:.2f} pts")
    c.metric("Share of errors", f"{impact.mislabeled_share:.0%}", help=(
        f"{int(row['count'])} of {summary.n_reviewed} reviewed errors"))
    if summary.is_sample:
        st.caption(f"95% interval of the share: {row['share_low']:.0%} to {row['share_high']:.0%}.")
    box = st.success if impact.worth_fixing else st.info
    box(f"**{escape_markdown(impact.verdict)}.** {escape_markdown(impact.reason)}")


@st.cache_data(show_spinner="Looking for suspicious labels…", max_entries=8)
def _suspects(_predictions: Predictions, fingerprint: str) -> tuple[pd.DataFrame, int,
                                                                    tuple[str, ...]]:
    issues = suspected_label_errors(_predictions)
    return issues.frame, issues.n_checked, issues.warnings


def _source(sheet: HeldSheet) -> Predictions | None:
    """The sheet's own predictions file, else the first loaded file with probabilities."""
    files = loaded_predictions()
    source = files.get(sheet.meta.get("source", "")) or next(
        (p for p in files.values() if has_class_probabilities(p)), None)
    return source if source is not None and has_class_probabilities(source) else None


def suspects_panel(sheet: HeldSheet, on_add: Callable[[pd.DataFrame], None]) -> None:
    """Dev rows whose given label looks wrong, with a button that hands the ones not yet in
    the sheet to `on_add`."""
    st.subheader("Suspected label errors")
    source = _source(sheet)
    if source is None:
        st.caption("Load predictions with scores or class probabilities (home page) to get "
                   "'check this label' suggestions from confident learning.")
        return
    try:
        frame, checked, warnings = _suspects(source, predictions_fingerprint(source))
    except ValueError as err:
        show_error(err)
        return
    st.caption(f"cleanlab (confident learning) checked {checked} rows of "
               f"{escape_markdown(source.name)}: these given labels are the ones the model finds "
               "least likely. Check them by eye.")
    for warning in warnings:
        st.caption(escape_markdown(warning))
    if frame.empty:
        st.success("No suspicious labels found.")
        return
    in_sheet = frame[ID_COLUMN].astype(str).isin(sheet.frame.get(ID_COLUMN, pd.Series()).astype(str))
    st.dataframe(frame.assign(in_sheet=in_sheet).head(20), hide_index=True, key="ea.suspects",
                 column_config={
                     ID_COLUMN: st.column_config.TextColumn("id"),
                     IMAGE_COLUMN: st.column_config.TextColumn("image path"),
                     "y_true": st.column_config.TextColumn("given label"),
                     "y_pred": st.column_config.TextColumn("predicted"),
                     "label_quality": st.column_config.ProgressColumn(
                         "P(given label)", format="percent", min_value=0.0, max_value=1.0),
                     "suggested_label": st.column_config.TextColumn("suggested label"),
                     "in_sheet": st.column_config.CheckboxColumn("in sheet")})
    missing = frame[~in_sheet].head(20)
    if not missing.empty:
        st.button(f"Add {len(missing)} of them to the sheet as 'check this label' rows",
                  key="ea.add_suspects", on_click=on_add, args=(missing,),
                  icon=":material/playlist_add:")
