"""Examples picked on the metrics page going to error-analysis sheets, and the positive-class
swap of a misread binary file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.predictions import read_predictions
from components.confusion_examples import ExampleRows, send_to_sheet
from components.error_analysis_state import load_sheet
from components.positive_swap import swap_positive
from storage import WorkspaceStore


@pytest.fixture
def db(tmp_path):
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'sheets.sqlite'}")
    return store, store.create_workspace("cat project", owner="ana").id


def _rows() -> ExampleRows:
    return ExampleRows(np.array([1, 0, 1, 0, 1]), np.array([0, 1, 1, 1, 0]), (0, 1),
                       ["dog", "cat"], scores=np.array([0.2, 0.7, 0.9, 0.6, 0.1]),
                       example_ids=np.array(["a", "b", "c", "d", "e"], dtype=object))


def test_sheet_rows_keep_the_ids_of_the_picked_mistakes_only():
    sheet_rows = _rows().sheet_rows(np.array([0, 2, 4]))  # c is right: left out
    assert sorted(sheet_rows["example_id"]) == ["a", "e"]
    assert set(sheet_rows["y_true"]) == {1} and set(sheet_rows["y_pred"]) == {0}


def test_new_sheet_then_append_skips_examples_already_there(db):
    store, workspace = db
    rows = _rows()
    first = send_to_sheet(store, workspace, "misses", rows.sheet_rows(np.array([0, 4])), new=True,
                          author="ana", note="false negatives of cat")
    assert (first.sheet, first.added) == ("misses", 2)
    again = send_to_sheet(store, workspace, "misses", rows.sheet_rows(np.array([0, 1, 3])),
                          new=False, author="ana", note="false positives of cat")
    assert (again.added, again.skipped) == (2, 1)
    sheet = load_sheet(store, workspace, "misses")
    assert sorted(sheet.frame["example_id"]) == ["a", "b", "d", "e"]
    assert sheet.revision == 2


def test_new_sheet_name_in_use_and_empty_picks_are_refused(db):
    store, workspace = db
    rows = _rows().sheet_rows(np.array([0]))
    send_to_sheet(store, workspace, "misses", rows, new=True, author="ana", note="x")
    with pytest.raises(ValueError, match="already used"):
        send_to_sheet(store, workspace, "misses", rows, new=True, author="ana", note="x")
    with pytest.raises(ValueError, match="no examples"):
        send_to_sheet(store, workspace, "misses", rows.iloc[:0], new=False, author="ana", note="x")


def test_swap_reads_the_scores_as_the_other_class():
    frame = pd.DataFrame({"y_true": ["cat", "cat", "cat", "dog"], "score": [0.9, 0.8, 0.7, 0.2]})
    predictions = read_predictions(frame.to_csv(index=False).encode(), "pets.csv")
    assert predictions.mapping.positive_label == "dog"  # the rarer class
    swapped = swap_positive(predictions)
    assert swapped.mapping.positive_label == "cat"
    assert swapped.mapping.classes == ("dog", "cat")
    assert swapped.y_true().tolist() == [1, 1, 1, 0]
    assert swapped.score().tolist() == predictions.score().tolist()
    assert swap_positive(swapped).y_true().tolist() == predictions.y_true().tolist()
