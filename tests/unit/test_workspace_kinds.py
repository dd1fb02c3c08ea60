"""Each saved kind is declared once (name, label, schema version, to/from content) and pages
read and write typed objects through WorkspaceData, every call checked by the access gate."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.bias_variance import decompose
from analysis.selection import SavedModelTable
from analysis.strategy.goal import ProjectGoal
from storage import WorkspaceStore
from workspace.data import WorkspaceData
from workspace.gate import NoAccess, WorkspaceGate
from workspace.identity import Identity
from workspace.kinds import (
    ERROR_SHEET,
    KINDS,
    LAB_EXPERIMENT,
    MODEL_TABLE,
    PREDICTIONS,
    PROJECT_GOAL,
    PROJECT_SETTINGS,
    WATERFALL_SNAPSHOT,
    ErrorSheet,
)

ANN = Identity("ann@example.com", "https://id.example.com", "1", "Ann")
CAROL = Identity("carol@example.com", "https://id.example.com", "3", "Carol")


@pytest.fixture
def db(tmp_path: Path) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{tmp_path / 'kinds.sqlite'}")


def test_every_kind_has_one_name_a_label_and_a_version():
    names = [kind.name for kind in KINDS]
    assert len(names) == len(set(names))
    assert {"predictions", "waterfall_snapshot", "model_table", "error_sheet", "lab_experiment",
            "project_settings", "project_goal", "iteration_log", "learning_curve",
            "split_plan", "sheet_priorities"} == set(names)
    assert WATERFALL_SNAPSHOT.label(1) == "waterfall snapshot"
    assert WATERFALL_SNAPSHOT.label(3) == "waterfall snapshots"
    assert all(kind.version >= 1 for kind in KINDS)


def test_a_snapshot_round_trips_and_old_content_without_a_version_reads_as_version_1():
    result = decompose(human=1.0, train=8.0, dev=10.0)
    content = WATERFALL_SNAPSHOT.to_content(result)
    assert content["schema_version"] == 1
    assert WATERFALL_SNAPSHOT.from_content(content).as_inputs() == result.as_inputs()
    old = {"inputs": {"human": 1.0, "train": 8.0, "dev": 10.0}}  # saved before versions
    assert WATERFALL_SNAPSHOT.from_content(old).error("dev") == 10.0


@pytest.mark.parametrize("content, message", [
    ([1], "not readable content"),
    ({"inputs": {"train_error": "abc"}}, "does not take: train_error"),
    ({"inputs": {"human": 1, "train": 800}}, "do not make a waterfall .train must be at most 100"),
    ({"inputs": {"human": 1}}, "do not make a waterfall"),
    ({"result": {}}, "has no waterfall inputs"),
    ({"inputs": {"human": 1, "train": 2}, "schema_version": 7}, "update the app"),
    ({"inputs": {"human": 1, "train": 2}, "schema_version": "x"}, "damaged"),
])
def test_a_damaged_or_newer_snapshot_says_what_is_wrong(content, message):
    with pytest.raises(ValueError, match=message):
        WATERFALL_SNAPSHOT.from_content(content)


def test_a_model_table_keeps_its_choice_and_threshold():
    table = pd.DataFrame({"model": ["A", "B"], "accuracy": [90.0, None]})
    saved = SavedModelTable(table, "accuracy", "max", {"running_time_ms": ("<=", 100.0)},
                            threshold=0.4, choice={"optimize": "accuracy", "winner": "A"})
    content = MODEL_TABLE.to_content(saved)
    assert content["rows"][1]["accuracy"] is None
    assert content["threshold"] == 0.4 and content["selection"]["winner"] == "A"
    back = MODEL_TABLE.from_content(content)
    assert back.threshold == 0.4 and back.optimize == "accuracy"
    assert back.table["model"].tolist() == ["A", "B"]


def test_a_sheet_and_the_human_levels_and_a_goal_round_trip():
    sheet = ErrorSheet(pd.DataFrame({"example_id": ["a"], "dog": [True]}), ["dog"],
                       {"dev_error": 9.5})
    back = ERROR_SHEET.from_content(ERROR_SHEET.to_content(sheet))
    assert back.categories == ["dog"] and back.meta["dev_error"] == 9.5
    assert PROJECT_SETTINGS.from_content(PROJECT_SETTINGS.to_content({"expert": 0.7})) == {
        "expert": 0.7}
    with pytest.raises(ValueError, match="not numbers"):
        PROJECT_SETTINGS.from_content({"expert": "low"})
    goal = ProjectGoal(metric="accuracy", target=95.0)
    assert PROJECT_GOAL.from_content(PROJECT_GOAL.to_content(goal)).target == 95.0
    with pytest.raises(ValueError, match="not a saved experiment"):
        LAB_EXPERIMENT.from_content({"until": "soon"})


def test_workspace_data_saves_and_loads_typed_objects_through_the_gate(db):
    shared = db.create_workspace("Cats", owner=ANN.email, members=(CAROL.email,))
    carol = WorkspaceData(WorkspaceGate(db, user=CAROL, auth=True), shared.id)
    item = carol.save(WATERFALL_SNAPSHOT, "v1", decompose(human=1.0, train=8.0, dev=10.0))
    assert item.kind == "waterfall_snapshot" and item.updated_by == CAROL.email
    carol.save(WATERFALL_SNAPSHOT, "v1", decompose(human=1.0, train=5.0, dev=10.0),
               expected_revision=1)
    assert carol.names(WATERFALL_SNAPSHOT) == ["v1"]
    assert [r.revision for r in carol.revisions(WATERFALL_SNAPSHOT, "v1")] == [2, 1]
    assert carol.load(WATERFALL_SNAPSHOT, "v1").error("train") == 5.0
    assert carol.load(WATERFALL_SNAPSHOT, "v1", revision=1).error("train") == 8.0
    assert carol.load(WATERFALL_SNAPSHOT, "missing") is None
    carol.rename(WATERFALL_SNAPSHOT, "v1", "v2")
    assert carol.names(WATERFALL_SNAPSHOT) == ["v2"]
    WorkspaceGate(db, user=ANN, auth=True).set_members(shared.id, [])
    with pytest.raises(NoAccess):
        carol.load(WATERFALL_SNAPSHOT, "v2")
    with pytest.raises(NoAccess):
        carol.delete(WATERFALL_SNAPSHOT, "v2")


def test_a_predictions_file_keeps_its_table_in_the_blob(db, data_dir):
    from analysis.predictions import read_predictions

    predictions = read_predictions(data_dir / "cat_classifier.csv")
    workspace = db.create_workspace("Cats")
    data = WorkspaceData(WorkspaceGate(db, user=None, auth=False), workspace.id)
    data.save(PREDICTIONS, predictions.name, predictions)
    described = data.load(PREDICTIONS, predictions.name)
    assert described.rows == predictions.n_rows and described.task == predictions.task
    with data.open_blob(PREDICTIONS, predictions.name) as stream:
        table = described.read_table(stream, predictions.name)
    assert table.n_rows == predictions.n_rows
