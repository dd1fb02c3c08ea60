"""Building blocks of the error-slices page: which rows and errors to search (the model and
threshold read as the metrics page reads them), the cached search, and turning a found slice
into a category of an error-analysis sheet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from analysis.error_tree import ErrorTreeNode, fit_error_tree
from analysis.metrics.tables import misclassified_examples
from analysis.model_rows import binary_models
from analysis.predictions import Predictions
from analysis.slice_sheet import review_sample, slice_category_name
from analysis.slices import find_error_slices, slice_mask
from analysis.text import escape_markdown
from components import error_analysis_state as sheet_state
from components.errors import show_error
from components.score_threshold import scale_for, threshold_slider
from components.sheet_target import add_examples, target_widgets

ALL_ROWS = "All rows"
MAX_COLUMNS = 20
KEY = "slices"  # prefix of this page's widget keys
_MADE = "slices.made"  # the last slice made a category: (sheet, rows, conflict, category, slice)
# Columns that describe the prediction itself, never a cohort of examples.
_ROLE_FIELDS = ("y_true", "y_pred", "split", "weight", "example_id", "image")
_ROLE_LISTS = ("scores", "proba", "task_labels", "task_scores", "text")


@dataclass(frozen=True, eq=False)
class SearchRows:
    """The rows searched: their metadata, which ones the model gets wrong, and what the sheet
    needs of each (true and predicted label, score, id, image path)."""

    source: str
    frame: pd.DataFrame
    y_true: np.ndarray
    y_pred: np.ndarray
    scores: np.ndarray | None
    example_ids: np.ndarray
    image_paths: np.ndarray | None
    split: str | None
    model: str | None = None
    threshold: float | None = None

    @property
    def errors(self) -> np.ndarray:
        """True where the model is wrong."""
        truth, predicted = self.y_true, self.y_pred
        if truth.dtype != predicted.dtype:
            truth, predicted = truth.astype(str), predicted.astype(str)
        return np.asarray(truth != predicted, dtype=bool)

    def slice_errors(self, slice_row: pd.Series) -> pd.DataFrame:
        """The misclassified examples of one found slice, as the sheet wants them."""
        inside = slice_mask(self.frame, slice_row)
        return misclassified_examples(
            self.y_true[inside], self.y_pred[inside],
            scores=None if self.scores is None else self.scores[inside],
            example_ids=self.example_ids[inside],
            image_paths=None if self.image_paths is None else self.image_paths[inside])


# --------------------------------------------------------------------------- inputs

def split_choice(predictions: Predictions) -> str | None:
    """The split to search (dev by default: slices are read where the team tunes)."""
    splits = predictions.splits()
    if not splits:
        return None
    options = [*splits, ALL_ROWS]
    if st.session_state.get(f"{KEY}.split") not in options:
        st.session_state.pop(f"{KEY}.split", None)
    chosen = st.selectbox("Rows to search", options,
                          index=options.index("dev") if "dev" in options else 0,
                          key=f"{KEY}.split", bind="query-params")
    return None if chosen == ALL_ROWS else chosen


def _binary_rows(predictions: Predictions, split: str | None, frame: pd.DataFrame,
                 ids: np.ndarray) -> SearchRows | None:
    """Truth and predictions of the chosen model at the chosen threshold (as on the metrics page)."""
    rows = binary_models(predictions, split=split)
    if not rows.names:
        st.warning("This file has neither a score column nor a predicted-label column.")
        return None
    model = rows.names[0]
    if len(rows.names) > 1:
        model = st.selectbox("Model", rows.names, key=f"{KEY}.model")
    # on the scores' own scale: 0-1 for probabilities, score units for ranking scores
    scale = scale_for(rows.scores, predictions.mapping.score_transform, f"{KEY}.threshold")
    threshold = threshold_slider(scale) if model in rows.scores else None
    return SearchRows(predictions.name, frame, rows.y_true,
                      rows.predicted(model, scale.start if threshold is None else threshold),
                      rows.scores.get(model), ids, rows.image_paths, split, model, threshold)


def search_rows(predictions: Predictions, split: str | None) -> SearchRows | None:
    """The rows of `split` with each one's error; None (after saying why) when unusable."""
    subset = predictions.subset(split) if split else predictions
    if subset.n_rows == 0:
        show_error(f"{predictions.name} has no rows in the {split!r} split: choose another split.")
        return None
    mapping = subset.mapping
    frame = subset.frame.reset_index(drop=True)
    ids = (frame[mapping.example_id].to_numpy() if mapping.example_id
           else subset.frame.index.to_numpy())
    try:
        if subset.task == "binary":
            return _binary_rows(predictions, split, frame, ids)
        return SearchRows(predictions.name, frame, np.asarray(subset.y_true()),
                          np.asarray(subset.y_pred()), None, ids,
                          frame[mapping.image].to_numpy() if mapping.image else None, split)
    except ValueError as err:
        show_error(err)
        return None


def candidate_columns(predictions: Predictions) -> tuple[list[str], list[str]]:
    """(every column that may describe a cohort, the detected ones offered by default)."""
    mapping = predictions.mapping
    roles = {getattr(mapping, name) for name in _ROLE_FIELDS}
    for name in _ROLE_LISTS:
        roles.update(getattr(mapping, name))
    options = [str(c) for c in predictions.frame.columns if c not in roles]
    return options, [c for c in mapping.groups if c in options][:MAX_COLUMNS]


def column_choice(predictions: Predictions) -> list[str]:
    """The metadata columns to search (detected slice columns by default, at most 20)."""
    options, default = candidate_columns(predictions)
    key = f"{KEY}.columns.{predictions.name}"
    return st.multiselect("Metadata columns", options, default=default, key=key,
                          max_selections=MAX_COLUMNS,
                          help="Columns that describe each example (device, lighting, source…). "
                               "Numbers are cut into 4 ranges at their quantiles.")


# --------------------------------------------------------------------------- search

def rows_digest(rows: SearchRows, columns: list[str]) -> str:
    """Fingerprint of what the search reads: the chosen columns' values and the errors."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(rows.source.encode())
    present = [c for c in columns if c in rows.frame.columns]
    digest.update(pd.util.hash_pandas_object(rows.frame[present], index=False).to_numpy().tobytes())
    digest.update(rows.errors.tobytes())
    return digest.hexdigest()


@st.cache_data(show_spinner="Searching where errors concentrate…", max_entries=16)
def _search(_frame: pd.DataFrame, _errors: np.ndarray, digest: str, columns: tuple[str, ...],
            min_size: int, max_order: int) -> tuple[pd.DataFrame, list[ErrorTreeNode]]:
    """Slices and error tree of one set of rows; cached on the rows' digest and the settings."""
    slices = find_error_slices(_frame, _errors, list(columns), min_size=min_size,
                               max_order=max_order)
    tree = fit_error_tree(_frame, _errors, list(columns), min_samples_leaf=min_size)
    return slices, tree


def search(rows: SearchRows, columns: list[str], min_size: int,
           max_order: int) -> tuple[pd.DataFrame, list[ErrorTreeNode]]:
    """find_error_slices and fit_error_tree on `rows`, cached; ValueError on bad settings."""
    return _search(rows.frame, rows.errors, rows_digest(rows, columns), tuple(columns),
                   int(min_size), int(max_order))


# --------------------------------------------------------------------------- to the sheet

def _meta(rows: SearchRows, slice_text: str, seed: int | None) -> dict:
    errors = rows.errors
    return {"dev_error": round(100 * float(errors.mean()), 3), "total_dev_errors": int(errors.sum()),
            "source": rows.source, "model": rows.model, "threshold": rows.threshold,
            "seed": seed, "slice": slice_text}


def add_to_sheet(rows: SearchRows, slice_row: pd.Series, *, sheet_name: str, new: bool,
                 category: str, sample: int | None, seed: int) -> tuple[str, int, str | None]:
    """Add the slice as `category` to a new or existing sheet, with its misclassified rows
    (or a seeded sample of `sample` of them) ticked in it.

    Returns (where it was saved, rows ticked, conflict message or None); ValueError when the
    names do not fit.
    """
    examples = review_sample(rows.slice_errors(slice_row), sample, seed=seed)
    if examples.empty:
        raise ValueError("this slice has no misclassified rows to add: choose another slice.")
    return add_examples(examples, sheet_name=sheet_name, new=new, category=category,
                        meta=_meta(rows, str(slice_row["slice"]), seed if sample else None))


def _how_many(count: int) -> int | None:
    """None for every error of the slice, else the size of a seeded sample to review."""
    how = st.radio("Rows", ["all", "sample"], horizontal=True, key=f"{KEY}.how",
                   format_func={"all": f"All {count} misclassified examples",
                                "sample": "A seeded sample to review"}.get)
    if how == "all":
        return None
    left, right = st.columns(2)
    n = left.number_input("Examples to review", 1, max(count, 1), min(count, 50), key=f"{KEY}.n")
    right.number_input("Seed (same seed, same sample)", 0, 10**6, 0, key=f"{KEY}.seed")
    return int(n)


def make_category_form(rows: SearchRows, slice_row: pd.Series) -> None:
    """The form that turns the selected slice into a category of a sheet, and its result."""
    slice_text = str(slice_row["slice"])
    st.markdown(f"**Selected:** {escape_markdown(slice_text)} — {int(slice_row['errors'])} "
                f"errors in {int(slice_row['n'])} rows ({slice_row['error_rate']:.1%}).")
    sheet_name, new, taken = target_widgets(KEY, f"Errors where {slice_text}")
    key = f"{KEY}.category.{hashlib.blake2b(slice_text.encode(), digest_size=6).hexdigest()}"
    category = st.text_input("Category name", value=slice_category_name(slice_text, taken),
                             key=key, help="Shortened to fit a column header; rename it freely.")
    sample = _how_many(int(slice_row["errors"]))
    if st.button("Make it a category", key=f"{KEY}.make", type="primary",
                 icon=":material/playlist_add:"):
        try:
            made = add_to_sheet(rows, slice_row, sheet_name=sheet_name, new=new,
                                category=category, sample=sample,
                                seed=int(st.session_state.get(f"{KEY}.seed", 0)))
        except ValueError as err:
            show_error(err)
        else:
            st.session_state[_MADE] = (*made, category, slice_text)
            sheet_state.request_open(made[0])
    show_made(slice_text)


def show_made(slice_text: str | None = None) -> None:
    """Say where the last slice went (when it is the selected one, or none is selected), with
    a link that opens that sheet."""
    made = st.session_state.get(_MADE)
    if made is None or slice_text not in (None, made[-1]):
        return
    announce_made(*made[:4])


def announce_made(name: str, count: int, conflict: str | None, category: str) -> None:
    """Say which sheet got the slice's category and how many rows were ticked, with a link
    that opens that sheet."""
    if conflict:
        st.warning(escape_markdown(conflict))
    st.success(f"Category **{escape_markdown(category)}** added to **{escape_markdown(name)}** "
               f"with {count} example{'s' if count != 1 else ''} ticked.",
               icon=":material/check_circle:")
    st.page_link("views/error_analysis.py", label="Open the sheet in error analysis",
                 icon=":material/fact_check:", query_params={"sheet": name})


def found_table(found: pd.DataFrame, shown: dict, key: str) -> pd.Series | None:
    """The search's summary, notes and found slices (a selectable table); returns the
    selected slice, or None."""
    st.subheader("Where errors concentrate")
    st.markdown(escape_markdown(found.attrs["summary"]))
    for note in found.attrs["notes"]:
        st.caption(escape_markdown(note))
    if found.empty:
        st.info("No slice has an error rate significantly above the rest: errors are spread "
                "over these columns. Try other columns, or a smaller slice size.",
                icon=":material/info:")
        return None
    st.caption("Select a row to make the slice a category of an error-analysis sheet.")
    event = st.dataframe(found[list(shown)], hide_index=True, column_config=shown, key=key,
                         on_select="rerun", selection_mode="single-row")
    return selected_slice(event, found)


def selected_slice(event: object, table: pd.DataFrame) -> pd.Series | None:
    """The slice row the user selected in the table, or None."""
    chosen = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if not chosen or chosen[0] >= len(table):
        return None
    return table.iloc[chosen[0]]

