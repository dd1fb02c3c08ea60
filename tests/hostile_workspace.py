"""A workspace a hostile teammate filled: a Markdown image, link, HTML tag or colour directive
in every name and cell it holds. Shared by the AppTest and the browser escaping tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.bias_variance import decompose
from analysis.predictions import ColumnMapping, predictions_to_parquet, validate_predictions
from analysis.sheet_content import sheet_to_content
from analysis.sheet_io import read_sheet
from storage import WorkspaceStore
from workspace import kinds

DATA = Path(__file__).resolve().parents[1] / "data"
WORKSPACE = "Team ![w](http://evil.example/w.png)"
FILE = "[f](http://evil.example/f).csv"
MODEL_A = "![m](http://evil.example/m.png)"
MODEL_B = ":red[b]"
SLICE_COLUMN = "<img src=http://evil.example/s.png>"
SLICE_VALUE = "[v](http://evil.example/v)"
SNAPSHOTS = ("![s](http://evil.example/s1.png)", "[s2](http://evil.example/s2)")
SHEET = "[sheet](http://evil.example/sh)"
CATEGORY = ":red[cat]"
COMMENT = "![c](http://evil.example/c.png)"
MODEL_TABLE = "[t](http://evil.example/t)"
TABLE_MODEL = "<img src=http://evil.example/tm.png>"
HUMAN = "![h](http://evil.example/h.png)"
PAYLOADS = (WORKSPACE, FILE, MODEL_A, MODEL_B, SLICE_COLUMN, SLICE_VALUE, *SNAPSHOTS, SHEET,
            CATEGORY, COMMENT, MODEL_TABLE, TABLE_MODEL, HUMAN)


def _predictions_content() -> tuple[dict, bytes]:
    frame = pd.read_csv(DATA / "cat_classifier.csv").drop(columns=["image_path"])
    frame = frame.rename(columns={"score": MODEL_A, "score_model_b": MODEL_B,
                                  "source": SLICE_COLUMN})
    frame[SLICE_COLUMN] = frame[SLICE_COLUMN].replace({"mobile": SLICE_VALUE})
    mapping = ColumnMapping(task="binary", y_true="y_true", scores=(MODEL_A, MODEL_B),
                            split="split", weight="weight", example_id="image_id",
                            groups=(SLICE_COLUMN,), text=("description",))
    predictions = validate_predictions(frame, mapping, name=FILE)
    content = {"mapping": predictions.mapping.to_dict(), "notes": list(predictions.notes),
               "rows": predictions.n_rows, "columns": [str(c) for c in predictions.frame.columns]}
    return content, predictions_to_parquet(predictions)


def plant(store: WorkspaceStore) -> None:
    """One workspace holding a hostile name of every kind."""
    workspace = store.create_workspace(WORKSPACE)
    content, blob = _predictions_content()
    store.save_item(workspace.id, "predictions", FILE, content=content, blob=blob)
    for name, (train, dev) in zip(SNAPSHOTS, ((15, 16), (1, 11)), strict=True):
        result = decompose(human=1, train=train, dev=dev)
        store.save_item(workspace.id, kinds.WATERFALL_SNAPSHOT.name, name,
                        content={"inputs": result.as_inputs(), "result": result.to_dict()})
    sheet, categories = read_sheet(DATA / "error_sheet_sample.csv")
    sheet = sheet.rename(columns={"blurry": CATEGORY})
    categories = [CATEGORY if c == "blurry" else c for c in categories]
    sheet.loc[:4, "comments"] = COMMENT
    store.save_item(workspace.id, kinds.ERROR_SHEET.name, SHEET, content=sheet_to_content(
        sheet, categories, {"dev_error": 10.0, "label_category": CATEGORY}))
    store.save_item(workspace.id, kinds.MODEL_TABLE.name, MODEL_TABLE, content={
        "rows": [{"model": TABLE_MODEL, "accuracy": 95.0, "running_time_ms": 80.0},
                 {"model": "B", "accuracy": 92.0, "running_time_ms": 1500.0}],
        "selection": {"optimize": "accuracy", "goal": "max",
                      "satisfy": {"running_time_ms": ["<=", 100.0]}}})
    store.save_item(workspace.id, kinds.PROJECT_SETTINGS.name, kinds.HUMAN_LEVELS_ITEM, content={HUMAN: 1.0})
