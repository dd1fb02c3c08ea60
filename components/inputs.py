"""The predictions picker every page reuses: choose a loaded file or upload one and map its columns.

Reading is cached on the file's bytes; the mapping widgets are keyed by the file's digest so a
new upload never inherits the previous file's choices. Problems appear right under the uploader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st

from analysis.model_files import find_model_column
from analysis.predictions import (
    READABLE_FILE_TYPES,
    TASKS,
    ColumnMapping,
    Predictions,
    read_table,
    split_by_model,
    suggest_mapping,
)
from components.errors import escape_markdown, show_error
from components.limits import WAITING, parse_slot, read_limits
from components.real_exports import (
    TRANSFORM_HELP,
    TRANSFORM_LABELS,
    build_predictions,
    changed_roles,
    join_as_model,
)
from components.role_labels import MULTI_ROLES, NONE, POSITIVE_HELP, SINGLE_ROLES
from components.sample_project import load_sample_project
from components.source_picker import chosen_source
from components.source_upload import forget_large_upload, routed_to_duckdb
from components.state import (
    active_predictions,
    add_predictions,
    content_digest,
    get_shared,
    loaded_predictions,
    reload_files,
    set_shared,
    unreadable_predictions,
)
from components.unreadable import unreadable_item
from workspace.kinds import PREDICTIONS

UPLOAD_CHOICE = "Upload a file…"
FILE_TYPES = list(READABLE_FILE_TYPES)


# Uploads are memoised per session and per picker, not with st.cache_data: a 5M-row table
# would be pickled into the cache and unpickled (copied) on every rerun of every page.
_MEMO = "inputs.memo.{key}"


def _memo(key: str, upload: Any) -> dict[str, Any]:
    """This picker's memo of the current upload (bytes, digest, read tables, validations).

    Keyed on the uploader's file id, so the bytes are copied and hashed once per upload,
    and only the latest upload's tables are kept (memory stays bounded by one file).
    """
    slot = _MEMO.format(key=key)
    memo = st.session_state.get(slot)
    if memo is None or memo["file_id"] != upload.file_id:
        data = upload.getvalue()
        memo = {"file_id": upload.file_id, "data": data, "size": len(data),
                "digest": content_digest(data),
                "tables": {}, "shapes": {}, "validated": {}}
        st.session_state[slot] = memo
    return memo


def _read(memo: dict[str, Any], name: str, sheet: str | None,
          on_wait: Callable[[], None] | None = None) -> tuple[pd.DataFrame, str, list[str]]:
    """read_table once per (upload, sheet), within the server's limits and parse slots; a
    ValueError is remembered and raised again."""
    if sheet not in memo["tables"]:
        try:
            limits = read_limits()
            with parse_slot(memo["data"], limits, on_wait):
                memo["tables"] = {sheet: read_table(memo["data"], name, sheet=sheet,
                                                    limits=limits)}
        except ValueError as err:
            memo["tables"] = {sheet: err}
        if not name.lower().endswith((".xlsx", ".xlsm")):
            memo["data"] = None  # only another Excel sheet needs the bytes again: free them
    found = memo["tables"][sheet]
    if isinstance(found, ValueError):
        raise found
    return found


def _shape(memo: dict[str, Any], name: str,
           sheet: str | None) -> tuple[pd.DataFrame, ColumnMapping, tuple[str, str] | None]:
    """The table the mapping form shows, its detected mapping and, for a long binary file,
    its (model column, id column): then the form maps one model's table. Once per sheet."""
    if sheet not in memo["shapes"]:
        frame = _read(memo, name, sheet)[0]
        found: Any = (frame, suggest_mapping(frame, name=name), None)
        long = find_model_column(frame)
        if long is not None:
            first = next(iter(split_by_model(frame, long[0]).values()))
            detected = suggest_mapping(first, name=name, example_id=long[1])
            if detected.task == "binary":
                found = (first, detected, long)
        memo["shapes"] = {sheet: found}
    return memo["shapes"][sheet]


def _validate(memo: dict[str, Any], name: str, sheet: str | None, task: str,
              overrides: dict[str, Any], positive_label: str | None) -> Predictions:
    """build_predictions once per (upload, sheet, task, overrides, positive label)."""
    fingerprint = repr((sheet, task, sorted(overrides.items()), positive_label))
    if fingerprint not in memo["validated"]:
        frame, name, notes = _read(memo, name, sheet)
        try:
            result = build_predictions(frame, name, task, overrides, positive_label,
                                       long=_shape(memo, name, sheet)[2])
            found: Predictions | ValueError = Predictions(
                result.frame, result.mapping, result.name, tuple(notes) + result.notes)
        except ValueError as err:
            found = err
        memo["validated"] = {fingerprint: found}
    found = memo["validated"][fingerprint]
    if isinstance(found, ValueError):
        raise found
    return found


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024**2:,.1f} MB" if n_bytes >= 1024**2 else f"{n_bytes / 1024:,.0f} KB"


def _describe(predictions: Predictions) -> str:
    mapping = predictions.mapping
    rows = predictions.n_rows
    parts = [f"**{rows:,}** row{'' if rows == 1 else 's'}", f"task **{mapping.task}**"]
    if mapping.split:
        parts.append("splits " + escape_markdown(", ".join(predictions.splits())))
    if mapping.scores:
        parts.append(f"{len(mapping.scores)} score column(s)")
    return " · ".join(parts)


def _single_role(label: str, role: str, columns: Sequence[str], detected: str | None,
                 key: str) -> str | None:
    options = [NONE, *columns]
    index = options.index(detected) if detected in options else 0
    choice = st.selectbox(label, options, index=index, key=f"{key}.{role}")
    return None if choice == NONE else choice


def _multi_role(label: str, role: str, columns: Sequence[str], detected: Sequence[str],
                key: str) -> tuple[str, ...]:
    default = [c for c in detected if c in columns]
    return tuple(st.multiselect(label, list(columns), default=default, key=f"{key}.{role}"))


def _transform_choice(detected: ColumnMapping, key: str) -> str | None:
    """The score transform, the detected one first (None: the scores are probabilities)."""
    options = list(TRANSFORM_LABELS)
    start = options.index(detected.score_transform or "none")
    choice = st.selectbox("Score transform", options, index=start, format_func=TRANSFORM_LABELS.get,
                          key=f"{key}.score_transform", help=TRANSFORM_HELP)
    if detected.score_transform or choice != "none":
        st.caption("sigmoid/softmax: logits to probabilities · rank only: ROC/PR and thresholds "
                   "in score units")
    return None if choice == "none" else choice


def _one_hot_caption(detected: ColumnMapping) -> None:
    """Say which columns make the true label when it is built from one-hot columns."""
    shown = ", ".join(f"'{escape_markdown(c)}'" for c in detected.one_hot[:8])
    more = f" and {len(detected.one_hot) - 8} more" if len(detected.one_hot) > 8 else ""
    st.caption(f"**True label**: built from the one-hot columns {shown}{more} (each row's class "
               "is its column holding 1).")


def _mapping_form(frame: pd.DataFrame, detected: ColumnMapping, key: str,
                  tasks: Sequence[str]) -> tuple[str, dict[str, Any], str | None]:
    """Widgets to override every detected role; returns the task, the roles the user changed
    (the rest stays as detected: one-hot labels, class columns, their classes) and the
    positive label."""
    columns = [str(c) for c in frame.columns]
    task_options = [t for t in TASKS if t in tasks]
    task_index = task_options.index(detected.task) if detected.task in task_options else 0
    task = st.radio("Task", task_options, index=task_index, horizontal=True, key=f"{key}.task")
    values: dict[str, Any] = {}
    left, right = st.columns(2)
    with left:
        for role in ("y_true", "y_pred", "split"):
            if task == "multilabel" and role in ("y_true", "y_pred"):
                continue
            if role == "y_true" and detected.one_hot:
                _one_hot_caption(detected)
                continue
            values[role] = _single_role(SINGLE_ROLES[role], role, columns,
                                        getattr(detected, role), key)
    with right:
        for role in ("weight", "example_id", "image"):
            values[role] = _single_role(SINGLE_ROLES[role], role, columns,
                                        getattr(detected, role), key)
        values["score_transform"] = _transform_choice(detected, key)
    wanted = {"binary": ("scores", "groups"), "multiclass": ("proba", "groups"),
              "multilabel": ("task_labels", "task_scores", "groups")}[task]
    for role in wanted:
        values[role] = _multi_role(MULTI_ROLES[role], role, columns, getattr(detected, role), key)
    positive = None
    if task == "binary":
        positive = st.text_input("Positive class (leave empty to detect)", key=f"{key}.positive",
                                 help=POSITIVE_HELP) or None
    return task, changed_roles(detected, values), positive


def _sheet_choice(name: str, key: str) -> str | None:
    if not name.lower().endswith((".xlsx", ".xlsm")):
        return None
    return st.text_input("Excel sheet (empty: the first non-empty one)", key=f"{key}.sheet") or None


def _upload_flow(key: str, tasks: Sequence[str]) -> Predictions | None:
    """Uploader, then the mapping, then validation; each problem shown where it arises."""
    upload = st.file_uploader("Predictions file (CSV, TSV, Parquet, Excel)", type=FILE_TYPES,
                              key=f"{key}.upload",
                              help="One row per example: the true label, the model's prediction "
                                   "or score, and optionally split, weight, slice columns.")
    if upload is None:
        _offer_sample(key)
        return None
    if routed_to_duckdb(key, upload):
        return None  # a large file: the page evaluates it with DuckDB, not in memory
    shown_name = escape_markdown(upload.name)
    memo = _memo(key, upload)
    digest = memo["digest"]
    read = _read_upload(memo, upload.name, f"{key}.{digest}")
    if read is None:
        return None
    frame, name, sheet = read
    try:
        # The same suggestion read_predictions makes (task inferred from the labels; a long
        # file split by its model column), so the page and the library agree on a file.
        form_frame, detected, long = _shape(memo, upload.name, sheet)
    except ValueError as err:
        show_error(err, title=f"{upload.name} cannot be used as predictions")
        return None
    if detected.task not in tasks:
        show_error(wrong_task_message(upload.name, detected, tasks))
        return None
    with st.expander("Column mapping", expanded=True):
        st.caption("Detected from the column names; change any role that is wrong.")
        if long is not None:
            st.caption(_long_caption(frame, long))
        task, overrides, positive = _mapping_form(form_frame, detected, f"{key}.{digest}", tasks)
        target = _join_target(memo, name, task, f"{key}.{digest}")
    joins = target.name if target is not None else None
    fingerprint = f"{digest}:{task}:{sorted(overrides.items())}:{positive}:{joins}"
    fresh = fingerprint not in get_shared("inputs.saved_uploads", set())
    try:
        with _working(fresh, f"Checking the columns of {len(frame):,} rows…") as status:
            predictions = _validate(memo, name, sheet, task, overrides, positive)
            if target is not None:
                predictions = join_as_model(target, predictions)
            if status is not None:
                status.update(label=f"Saving {shown_name} to the workspace…")
            _remember(predictions, fingerprint)
            if status is not None:
                status.update(label=f"Checked {shown_name}; it is saved in the workspace "
                                    "(a big file in the background)", state="complete")
    except ValueError as err:
        show_error(err, title=f"{upload.name} does not fit this mapping")
        if "outside [0, 1]" in str(err):
            st.caption("Logits or decision scores? Choose sigmoid, softmax or rank only under "
                       "**Score transform** in the column mapping.")
        return None
    into = f" as a model of {escape_markdown(target.name)}" if target is not None else ""
    st.success(f"Loaded {shown_name}{into}: {_describe(predictions)}",
               icon=":material/check_circle:")
    for note in predictions.notes:
        st.warning(escape_markdown(note), icon=":material/info:")
    return predictions


def _read_upload(memo: dict[str, Any], filename: str,
                 key: str) -> tuple[pd.DataFrame, str, str | None] | None:
    """The uploaded table (the chosen sheet of a workbook), its name and the sheet; None after
    showing why it does not read."""
    shown_name = escape_markdown(filename)
    sheet = _sheet_choice(filename, key)
    fresh = sheet not in memo["tables"]
    try:
        with _working(fresh, f"Reading {shown_name} ({_size(memo['size'])})…") as status:
            frame, name, _notes = _read(memo, filename, sheet, _waiting_label(status))
            if status is not None:
                status.update(label=f"Read {shown_name}: {len(frame):,} rows × "
                                    f"{frame.shape[1]} columns", state="complete")
    except ValueError as err:
        show_error(err, title=f"Could not read {filename}")
        return None
    return frame, name, sheet


def _long_caption(frame: pd.DataFrame, long: tuple[str, str]) -> str:
    """Say that a long file becomes one model per value of its model column."""
    model_column, id_column = long
    models = frame[model_column].nunique(dropna=True)
    return (f":material/info: One row per example and model: the {models} models in "
            f"'{escape_markdown(model_column)}' become score columns joined on "
            f"'{escape_markdown(id_column)}'. Map one model's columns; every model is read "
            "the same way.")


def _join_target(memo: dict[str, Any], name: str, task: str, key: str) -> Predictions | None:
    """The file that was active when this upload arrived, when the user adds the upload to it
    as another model (binary files only; rows matched on the example id)."""
    if "join_onto" not in memo:  # decided once per upload, before it becomes the active file
        active = active_predictions()
        memo["join_onto"] = active.name if active is not None else None
    onto = memo["join_onto"]
    if task != "binary" or onto is None or onto == name:
        return None
    loaded = loaded_predictions()
    if onto not in loaded or loaded.task_of(onto) != "binary":
        return None
    if not st.checkbox(f"Add as another model of {escape_markdown(onto)}", key=f"{key}.join",
                       help="For a file of the same examples scored by another model: its score "
                            "column joins that file's models, rows matched on the example id."):
        return None
    return loaded.get(onto)


def _waiting_label(status: Any) -> Callable[[], None] | None:
    """What the status box says while the file waits for a parse slot."""
    if status is None:
        return None
    return lambda: status.update(label=WAITING, state="running")


@contextmanager
def _working(show: bool, label: str) -> Iterator[Any]:
    """A status box saying what the app is doing, only when there is real work (not a rerun)."""
    if not show:
        yield None
        return
    with st.status(label, expanded=False) as status:
        try:
            yield status
        except ValueError:
            status.update(label=label.replace("…", ": failed (see below)"), state="error")
            raise


def wrong_task_message(name: str, mapping: ColumnMapping, tasks: Sequence[str]) -> str:
    """Why a page refuses a file of a task it does not analyse (e.g. multi-label on the waterfall)."""
    columns = mapping.task_labels or (mapping.y_true,)
    return (f"{name} holds {mapping.task} predictions (columns {', '.join(map(repr, columns))}); "
            f"this page works with {' and '.join(tasks)} predictions. Open the Metrics page for "
            f"{mapping.task} files.")


def _remember(predictions: Predictions, fingerprint: str) -> None:
    """Add an upload to the project once per (content, mapping), not on every rerun."""
    saved = get_shared("inputs.saved_uploads", set())
    if fingerprint not in saved:
        add_predictions(predictions)
        set_shared("inputs.saved_uploads", saved | {fingerprint})


def _offer_sample(key: str) -> None:
    st.caption("No file yet? Load the course's cat-classifier sample project.")
    if st.button("Load the sample project", key=f"{key}.sample", icon=":material/pets:"):
        load_sample_project()
        st.rerun()


def predictions_picker(key: str, *, tasks: Sequence[str] = TASKS,
                       label: str = "Predictions file") -> Predictions | None:
    """Choose one of the project's files or upload a new one; None until there is a usable file.

    Saved files that no longer read are named above it, with a way to rename or delete them.
    """
    forget_large_upload(key)
    if chosen_source(key) is not None:
        return None  # a configured source: the page evaluates it on its engine
    loaded = loaded_predictions()
    files = [name for name in loaded if loaded.task_of(name) in tasks]  # no table read yet
    for name, why in unreadable_predictions().items():
        unreadable_item(PREDICTIONS.name, name, why, what="Saved file", place=key,
                        after=reload_files)
    options = [*files, UPLOAD_CHOICE]
    active = active_predictions()
    index = options.index(active.name) if active is not None and active.name in files else 0
    choice = st.selectbox(label, options, index=index, key=f"{key}.file")
    if choice == UPLOAD_CHOICE or choice not in files:
        return _upload_flow(key, tasks)
    predictions = loaded.get(choice)
    if predictions is None:  # its table no longer reads: say why, offer rename or delete
        unreadable_item(PREDICTIONS.name, choice, loaded.unreadable[choice], what="Saved file",
                        place=key, after=reload_files)
        return None
    st.caption(_describe(predictions))
    for note in predictions.notes:
        st.caption(f":material/info: {escape_markdown(note)}")
    return predictions
