"""From a confusion cell to its examples: the confusion matrix as a table whose cells can be
selected, or the false positives / false negatives of one class; the chosen examples in a
table, sent to a new or an existing error-analysis sheet in one action.

(Plotly heatmap clicks do not reach Python; a dataframe's cell selection does.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from analysis.error_sheet import DEFAULT_CATEGORIES, ID_COLUMN, new_sheet, validate_sheet
from analysis.metrics import confusion_cell_examples, error_examples, misclassified_examples
from analysis.predictions import Predictions
from analysis.text import escape_markdown
from components.error_analysis_state import (
    SHEET_KIND,
    SheetStore,
    create_sheet,
    load_sheet,
    request_open,
    save_sheet,
)
from components.errors import attempt, show_error
from components.state import current_user, current_workspace, workspace_data

KEY = "metrics.cells"
TABLE_KEY = f"{KEY}.table"
SOURCES = {"cell": "the selected cell", "errors": "false positives / false negatives of a class"}
KINDS = {"false_positive": "false positives", "false_negative": "false negatives"}
NEW, EXISTING = "new", "existing"
MAX_SHOWN = 500
INDEX_WIDTH, CELL_WIDTH = 180, 110  # pixels: cells stay readable and clickable


@dataclass(frozen=True)
class ExampleRows:
    """The page's rows for one model: truth, prediction, and what identifies each example."""

    y_true: np.ndarray
    y_pred: np.ndarray
    labels: Sequence[object]  # the label values, in the matrix's order
    names: Sequence[str]  # what each label is called on screen
    scores: np.ndarray | None = None
    example_ids: np.ndarray | None = None
    image_paths: np.ndarray | None = None

    @classmethod
    def of_file(cls, rows: Predictions, labels: Sequence[object]) -> ExampleRows:
        """A multiclass file's rows: its true and predicted labels, ids and image paths."""
        mapping = rows.mapping
        ids = rows.frame[mapping.example_id].to_numpy() if mapping.example_id else None
        images = rows.frame[mapping.image].to_numpy() if mapping.image else None
        return cls(rows.y_true(), rows.y_pred(), labels, [str(c) for c in labels],
                   example_ids=ids, image_paths=images)

    @property
    def ids(self) -> np.ndarray:
        """Each row's example id (1, 2, ... when the file has no id column)."""
        return self.example_ids if self.example_ids is not None else np.arange(1, len(self.y_true) + 1)

    def sheet_rows(self, where: np.ndarray) -> pd.DataFrame:
        """The rows at `where` that are mistakes, as the error-analysis sheet takes them."""
        return misclassified_examples(
            self.y_true[where], self.y_pred[where], example_ids=self.ids[where],
            scores=None if self.scores is None else self.scores[where],
            image_paths=None if self.image_paths is None else np.asarray(self.image_paths)[where])


@dataclass(frozen=True)
class SentRows:
    """Where examples went: the sheet, how many rows were added, and any conflict note."""

    sheet: str
    added: int
    skipped: int
    conflict_message: str | None = None


def send_to_sheet(gate: SheetStore, workspace_id: int, name: str, rows: pd.DataFrame, *,
                  new: bool, author: str, note: str) -> SentRows:
    """Save `rows` as a new sheet, or append them to an existing one (examples it already
    holds are skipped). Raises ValueError when the name is taken (new) or missing (existing)."""
    if rows.empty:
        raise ValueError("no examples to send: pick a cell or a class with mistakes in it.")
    if new:
        sheet = create_sheet(gate, workspace_id, name, new_sheet(rows), list(DEFAULT_CATEGORIES),
                             {"source": note}, author=author)
        return SentRows(sheet.name, len(rows), 0)
    sheet = load_sheet(gate, workspace_id, name)
    if sheet is None:
        raise ValueError(f"sheet {name!r} is not in this workspace any more: choose another "
                         "sheet or send to a new one.")
    held = set(sheet.frame[ID_COLUMN].astype(str)) if ID_COLUMN in sheet.frame else set()
    fresh = rows[~rows["example_id"].astype(str).isin(held)]
    if not fresh.empty:
        added = new_sheet(fresh, categories=sheet.categories)
        sheet.frame = validate_sheet(pd.concat([sheet.frame, added], ignore_index=True),
                                     sheet.categories)
        outcome = save_sheet(gate, sheet, author=author)
        return SentRows(outcome.name, len(fresh), len(rows) - len(fresh), outcome.conflict_message)
    return SentRows(sheet.name, 0, len(rows))


def _confusion_table(rows: ExampleRows) -> pd.DataFrame:
    truth = pd.Categorical(rows.y_true, categories=list(rows.labels))
    predicted = pd.Categorical(rows.y_pred, categories=list(rows.labels))
    counts = pd.crosstab(truth, predicted, dropna=False)
    counts.index = pd.Index(list(rows.names), name="true \\ predicted")
    counts.columns = list(rows.names)
    return counts


def _picked(rows: ExampleRows, table: pd.DataFrame,
            cells: list[tuple[int, str]]) -> tuple[np.ndarray, str] | None:
    """Row indices chosen by the selected cell or the class picker, and what they are."""
    source = st.radio("Examples from", list(SOURCES), format_func=SOURCES.get, horizontal=True,
                      key=f"{KEY}.source")
    if source == "cell":
        # a selection left from another file may point outside this table: ignore it
        cells = [(r, c) for r, c in cells if c in table.columns and 0 <= int(r) < len(table)]
        if not cells:
            st.caption("Select a cell of the table above to see its examples.")
            return None
        row, column = cells[0]
        true_class, predicted = rows.labels[int(row)], rows.labels[list(table.columns).index(column)]
        where = attempt(confusion_cell_examples, rows.y_true, rows.y_pred, true_class, predicted)
        what = f"true {rows.names[int(row)]}, predicted {column}"
        return None if where is None else (where, what)
    left, right = st.columns(2)
    kind = left.radio("Which", list(KINDS), format_func=KINDS.get, horizontal=True,
                      key=f"{KEY}.kind")
    position = right.selectbox("Of class", range(len(rows.labels)), format_func=lambda i: rows.names[i],
                               key=f"{KEY}.class")
    where = attempt(error_examples, rows.y_true, rows.y_pred, kind=kind, cls=rows.labels[position])
    return None if where is None else (where, f"{KINDS[kind]} of {rows.names[position]}")


def confusion_examples(rows: ExampleRows) -> None:
    """The selectable confusion table, the chosen examples and the send-to-sheet controls."""
    with st.expander("From a confusion cell to its examples", expanded=False):
        table = _confusion_table(rows)
        st.caption("Click a cell to pick its examples (rows: true class, columns: predicted).")
        widths = {"_index": st.column_config.Column(width=INDEX_WIDTH),
                  **{c: st.column_config.NumberColumn(width=CELL_WIDTH) for c in table.columns}}
        event = st.dataframe(table, key=TABLE_KEY, on_select="rerun", selection_mode="single-cell",
                             column_config=widths, width="content")
        chosen = _picked(rows, table, list(event.selection.cells))
        if chosen is None:
            return
        where, what = chosen
        names = np.asarray(rows.names, dtype=object)
        shown = pd.DataFrame({"example_id": rows.ids[where],
                              "true": names[_codes(rows, rows.y_true[where])],
                              "predicted": names[_codes(rows, rows.y_pred[where])]})
        if rows.scores is not None:
            shown["score"] = rows.scores[where]
        st.markdown(f"**{len(where):,} examples: {escape_markdown(what)}**")
        st.dataframe(shown.head(MAX_SHOWN), hide_index=True, key=f"{KEY}.examples")
        _send_controls(rows.sheet_rows(where), what)


def _codes(rows: ExampleRows, values: np.ndarray) -> np.ndarray:
    """Position of each value in rows.labels (labels may arrive as numbers or text)."""
    lookup = {str(label): i for i, label in enumerate(rows.labels)}
    return np.array([lookup[str(v)] for v in values], dtype=np.intp)


def _send_controls(sheet_rows: pd.DataFrame, what: str) -> None:
    if sheet_rows.empty:
        st.caption("These are right answers: pick a cell off the diagonal to send mistakes to "
                   "error analysis.")
        return
    gate, workspace = workspace_data(), current_workspace()
    sheets = [item.name for item in gate.list_items(workspace.id, SHEET_KIND)]
    targets = {NEW: "a new sheet", **({EXISTING: "an existing sheet"} if sheets else {})}
    left, right = st.columns(2)
    target = left.radio("Send to", list(targets), format_func=targets.get, horizontal=True,
                        key=f"{KEY}.target")
    if target == NEW:
        name = right.text_input("New sheet name", value=f"Metrics: {what}"[:80], key=f"{KEY}.name")
    else:
        name = right.selectbox("Sheet", sheets, key=f"{KEY}.sheet")
    label = f"Send {len(sheet_rows):,} examples to the sheet"
    if not st.button(label, key=f"{KEY}.send", icon=":material/send:"):
        return
    try:
        sent = send_to_sheet(gate, workspace.id, str(name), sheet_rows, new=target == NEW,
                             author=current_user(), note=f"metrics page: {what}")
    except ValueError as err:
        show_error(err)
        return
    if sent.conflict_message:
        st.warning(escape_markdown(sent.conflict_message), icon=":material/call_split:")
    skipped = f" ({sent.skipped:,} already there)" if sent.skipped else ""
    st.success(f"Added {sent.added:,} examples to '{escape_markdown(sent.sheet)}'{skipped}.",
               icon=":material/check_circle:")
    request_open(sent.sheet)
    st.page_link("views/error_analysis.py", label="Open error analysis", icon=":material/fact_check:")
