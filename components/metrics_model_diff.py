"""The metrics page's "A vs B per slice" section: for two models on the same examples, the
examples each gets right that the other gets wrong, slice by slice, with the exact McNemar
p-value, Holm's adjustment over the slices, a verdict in words, and the rows of each group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis.metrics import ALL_ROWS, model_diff
from analysis.model_rows import ModelRows, align_rows
from analysis.predictions import Predictions
from analysis.text import escape_markdown
from components.errors import attempt, show_error
from components.state import loaded_predictions

KEY = "metrics.diff"
TITLE = "A vs B per slice"
NO_SLICES = "(no slices: all rows)"
GROUP_LABELS = {"only_a_right": "only A right", "only_b_right": "only B right",
                "both_wrong": "both wrong", "both_right": "both right"}
MAX_SHOWN = 500
TOP_CLASS = "top class of the probabilities"


def binary_model_diff(rows: ModelRows | None, threshold: float) -> None:
    """The section for the binary models of the page (score columns at `threshold`)."""
    if rows is None or len(rows.names) < 2:
        return  # the A vs B section above already says how to load a second model
    ids = rows.example_ids if rows.example_ids is not None else np.arange(1, len(rows.y_true) + 1)
    examples = pd.DataFrame({"example_id": ids, "y_true": rows.y_true})
    models = {name: rows.predicted(name, threshold) for name in rows.names}
    with st.expander(TITLE):
        _diff_body(rows.y_true, models, rows.groups, examples)


def multiclass_models(rows: Predictions) -> dict[str, np.ndarray]:
    """A multiclass file's models: its predicted-label column and, when they differ from it,
    the top classes of its probability columns."""
    mapping = rows.mapping
    models: dict[str, np.ndarray] = {}
    if mapping.y_pred:
        models[mapping.y_pred] = rows.frame[mapping.y_pred].astype(str).to_numpy()
    if mapping.proba:
        proba = rows.frame[list(mapping.proba)].to_numpy(float)
        top = np.asarray(mapping.classes[:len(mapping.proba)], dtype=object)[proba.argmax(axis=1)]
        if not any(np.array_equal(top.astype(str), m) for m in models.values()):
            models[TOP_CLASS] = top.astype(str)
    return models


def _other_models(primary: Predictions, split: str | None) -> dict[str, np.ndarray]:
    """Models of other multiclass files of the same examples the user adds (matched by id)."""
    files = loaded_predictions()  # tables are read only for the files chosen
    others = [name for name in files
              if name != primary.name and files.task_of(name) == "multiclass"]
    if not others:
        return {}
    chosen = st.multiselect("Also compare models from", others, key=f"{KEY}.files",
                            help="Other multiclass files of the same examples (matched by example id).")
    base = primary.subset(split) if split else primary
    models: dict[str, np.ndarray] = {}
    for name in chosen:
        other = files[name]
        rows = other.subset(split) if split and other.mapping.split else other
        try:
            order = align_rows(base, rows)
        except ValueError as err:
            show_error(err)
            continue
        if not np.array_equal(rows.y_true().astype(str)[order], base.y_true().astype(str)):
            show_error(f"{name} gives different true labels for the same examples as "
                       f"{primary.name}: both files must describe the same examples.")
            continue
        for column, values in multiclass_models(rows).items():
            models[f"{name}: {column}"] = values[order]
    return models


def multiclass_model_diff(predictions: Predictions, split: str | None) -> None:
    """The section for a multiclass file: its label column, its probabilities' top class and
    the models of other files of the same examples, two at a time."""
    rows = predictions.subset(split) if split else predictions
    with st.expander(TITLE):
        models = {**multiclass_models(rows), **_other_models(predictions, split)}
        if len(models) < 2:
            st.caption("Needs two models of the same examples: probability columns that disagree "
                       "with the predicted-label column, or another multiclass file of the same "
                       "examples (added above).")
            return
        mapping = rows.mapping
        y = rows.y_true().astype(str)
        ids = (rows.frame[mapping.example_id].to_numpy() if mapping.example_id
               else np.arange(1, len(y) + 1))
        groups = {c: rows.frame[c].astype(str).to_numpy() for c in mapping.groups}
        _diff_body(y, models, groups, pd.DataFrame({"example_id": ids, "y_true": y}))


def _diff_body(y_true: np.ndarray, models: dict[str, np.ndarray], groups: dict[str, np.ndarray],
               examples: pd.DataFrame) -> None:
    names = list(models)
    left, middle, right = st.columns(3)
    name_a = left.selectbox("Model A", names, index=0, key=f"{KEY}.a")
    name_b = middle.selectbox("Model B", names, index=1, key=f"{KEY}.b")
    column = right.selectbox("Slice by", [NO_SLICES, *groups], key=f"{KEY}.slice")
    if name_a == name_b:
        st.warning("Choose two different models.")
        return
    sliced = column != NO_SLICES
    diff = attempt(model_diff, y_true, models[name_a], models[name_b],
                   groups=groups[column] if sliced else None,
                   column=column if sliced else "slice", names=(name_a, name_b))
    if diff is None:
        return
    st.caption(escape_markdown(f"A = {name_a}, B = {name_b}. Exact McNemar test per slice on the "
                               "examples only one model gets right; Holm's correction for the "
                               "number of slices."))
    table = diff.table.rename(columns={**GROUP_LABELS, "p": "McNemar p", "p_holm": "Holm p"})
    st.dataframe(table, hide_index=True, key=f"{KEY}.table",
                 column_config={c: st.column_config.NumberColumn(format="%.3g")
                                for c in ("McNemar p", "Holm p")})
    _group_rows(diff, examples, models, (name_a, name_b))


def _group_rows(diff, examples: pd.DataFrame, models: dict[str, np.ndarray],
                names: tuple[str, str]) -> None:
    left, right = st.columns(2)
    group = left.radio("Show the examples", list(GROUP_LABELS)[:3], format_func=GROUP_LABELS.get,
                       horizontal=True, key=f"{KEY}.group")
    slice_name = right.selectbox("In slice", list(diff.rows), key=f"{KEY}.in_slice",
                                 index=list(diff.rows).index(ALL_ROWS))
    where = diff.examples(group, slice_name)
    shown = examples.iloc[where[:MAX_SHOWN]].assign(
        **{f"A: {names[0]}": models[names[0]][where[:MAX_SHOWN]],
           f"B: {names[1]}": models[names[1]][where[:MAX_SHOWN]]})
    more = f" (first {MAX_SHOWN:,} shown)" if len(where) > MAX_SHOWN else ""
    st.caption(f"{len(where):,} examples{more}.")
    st.dataframe(shown, hide_index=True, key=f"{KEY}.rows")
