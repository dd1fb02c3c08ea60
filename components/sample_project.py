"""The sample project: the course's cat classifier and friends, loaded in one click."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.predictions import Predictions, read_predictions
from analysis.sheet_io import read_sheet
from components.error_analysis_state import create_sheet
from components.project_goal import seed_sample_strategy
from components.state import (
    add_predictions,
    current_user,
    current_workspace,
    get_shared,
    loaded_predictions,
    set_project_human_levels,
    set_shared,
    workspace_data,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_FILES = ("cat_classifier.csv", "animals_multiclass.csv", "driving_multitask.csv")
SAMPLE_ERROR_SHEET = DATA_DIR / "error_sheet_sample.csv"
SAMPLE_SHEET_NAME = "Sample: reviewed dev errors"
# Human-level references for the cat task (the best one is the Bayes proxy).
SAMPLE_HUMAN_LEVELS = {"typical human": 3.0, "careful reviewer": 1.0, "team of reviewers": 0.5}
_LOADED_KEY = "sample_project.loaded"


@st.cache_data(show_spinner=False)
def _read_sample(filename: str) -> Predictions:
    return read_predictions(DATA_DIR / filename)


def load_sample_project() -> None:
    """Add the sample files to the session (and workspace); the cat classifier becomes active."""
    # Saved last so that it is the newest: a new session restores the newest file as active.
    for filename in reversed(SAMPLE_FILES):
        add_predictions(_read_sample(filename), make_active=filename == SAMPLE_FILES[0])
    set_project_human_levels(SAMPLE_HUMAN_LEVELS)
    seed_sample_strategy()
    _start_sample_sheet(_read_sample(SAMPLE_FILES[0]).subset("dev"))
    set_shared(_LOADED_KEY, True)


def _start_sample_sheet(dev: Predictions) -> None:
    """Save the sample's reviewed sheet of dev errors (unless the workspace has it already), so
    the project opens with its error analysis started."""
    frame, categories = read_sheet(SAMPLE_ERROR_SHEET)
    errors = int((dev.y_true() != dev.y_pred()).sum())
    meta = {"dev_error": round(100 * errors / dev.n_rows, 3), "total_dev_errors": errors,
            "source": SAMPLE_FILES[0]}
    try:
        create_sheet(workspace_data(), current_workspace().id, SAMPLE_SHEET_NAME, frame,
                     categories, meta, author=current_user())
    except ValueError:  # already started in this workspace: a teammate's ticks are kept
        return


def sample_project_loaded() -> bool:
    """True once the sample project is in this session's files."""
    return bool(get_shared(_LOADED_KEY)) or SAMPLE_FILES[0] in loaded_predictions()
