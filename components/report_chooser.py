"""What the report covers: the presenter picks the predictions file (every saved one is listed
with its task and rows, so a 2-row test upload is never taken silently) and which of its
models the metrics and the A/B verdict report. Read from the saved files' descriptions only:
no table is read until the report is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analysis.text import escape_markdown
from components.score_threshold import scale_of_file, threshold_slider
from components.state import active_predictions, loaded_predictions, workspace_items
from workspace.kinds import PREDICTIONS, PredictionsFile

KEY = "report.choice"
FEW_ROWS = 30  # below this many rows every figure of a file is mostly noise


@dataclass(frozen=True)
class ReportChoice:
    """The file the report's metrics come from (None: no saved file) and its chosen models
    (empty: the file's own default, all of them)."""

    file: str | None = None
    models: tuple[str, ...] = ()
    #: For ranking scores: the threshold in the scores' own units (None: the page's 0-1 one).
    score_threshold: float | None = None

    def threshold(self, typed: float | None) -> float | None:
        """The threshold the report uses: in score units for ranking scores, else `typed`."""
        return self.score_threshold if self.score_threshold is not None else typed


def _saved_files() -> dict[str, PredictionsFile]:
    """The workspace's readable predictions files, newest first, by name."""
    data = workspace_items()
    files = {}
    for item in data.items(PREDICTIONS):
        try:
            files[item.name] = data.read(PREDICTIONS, item)
        except ValueError:
            continue  # the Files section of the report names the unreadable ones
    return files


def models_of(described: PredictionsFile) -> tuple[str, ...]:
    """A file's models: its score columns, else its predicted-label column."""
    mapping = described.mapping
    return tuple(mapping.scores) or ((mapping.y_pred,) if mapping.y_pred else ())


def _default_file(files: dict[str, PredictionsFile]) -> str:
    """The file open on the other pages when it is saved, else the newest binary one."""
    active = active_predictions()
    if active is not None and active.name in files:
        return active.name
    return next((name for name, f in files.items() if f.task == "binary"), next(iter(files)))


def _label(name: str, described: PredictionsFile) -> str:
    rows = f"{described.rows:,} rows" if described.rows is not None else "rows unknown"
    return f"{name} ({described.task}, {rows})"


def report_choice() -> ReportChoice:
    """The file and models chosen for the report (with a word when the file is tiny)."""
    files = _saved_files()
    if not files:
        return ReportChoice()
    names = list(files)
    left, right = st.columns(2)
    name = left.selectbox("Predictions file to report", names,
                          index=names.index(_default_file(files)), key=f"{KEY}.file",
                          format_func=lambda n: _label(n, files[n]),  # options are plain text
                          help="The metrics, per-class tables and A/B verdicts come from this file.")
    described = files[name]
    if described.rows is not None and described.rows < FEW_ROWS:
        left.caption(f":material/warning: {described.rows} rows: every figure from this file is "
                     "mostly noise; choose a bigger file if there is one.")
    models = models_of(described)
    score_threshold = _score_threshold(name, described, left)
    if len(models) <= 1 or described.task != "binary":
        right.caption("One model in this file: "
                      + (escape_markdown(", ".join(models)) if models else "its predictions") + ".")
        return ReportChoice(name, (), score_threshold)
    chosen = right.multiselect("Models to report", models, default=list(models),
                               key=f"{KEY}.models.{name}",
                               help="The first two chosen are compared A vs B.")
    return ReportChoice(name, tuple(chosen), score_threshold)


def _score_threshold(name: str, described: PredictionsFile, column) -> float | None:
    """For a file of ranking scores, its threshold in their own units and range (the 0-1
    threshold below does not apply to it); None for probabilities."""
    if described.mapping.score_transform != "rank" or described.task != "binary":
        return None
    predictions = loaded_predictions().get(name)  # the table is read only for such a file
    if predictions is None:
        return None
    scale = scale_of_file(predictions, key=f"{KEY}.threshold.{name}")
    with column:
        return threshold_slider(scale, label="Threshold in the scores' units (ranking scores)")
