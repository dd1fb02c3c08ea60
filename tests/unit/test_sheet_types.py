"""Every sheet the reader accepts has the app's own column types afterwards (ids as text, ticks
as booleans), and a saved sheet, model table or item that cannot be read says why."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analysis.error_sheet import validate_sheet
from analysis.selection import saved_model_table
from analysis.sheet_content import sheet_from_content, sheet_to_content
from analysis.sheet_io import read_sheet
from storage import StaleRevisionError, UnreadableContent, WorkspaceStore
from storage.store import items, revisions


def _read(text: str) -> tuple[pd.DataFrame, list[str]]:
    return read_sheet(text.encode(), "sheet.csv")


def test_integer_and_float_example_ids_become_text():
    frame, _ = _read("example_id,blurry\n7,1\n8,0\n")
    assert frame["example_id"].tolist() == ["7", "8"]
    sheet = validate_sheet(pd.DataFrame({"example_id": [7.0, 8.5, np.nan], "dog": [1, 0, 0]}),
                           ["dog"])
    assert sheet["example_id"].tolist() == ["7", "8.5", None]


@pytest.mark.parametrize(("column", "expected"), [
    (["1", "0", ""], [True, False, False]),
    ([1, 0, 1], [True, False, True]),
    ([1.0, 0.0, np.nan], [True, False, False]),
    (["yes", "no", "YES"], [True, False, True]),
    (["True", "False", "true"], [True, False, True]),
    ([True, False, None], [True, False, False]),
    (["x", "", "✓"], [True, False, True]),
])
def test_tick_columns_of_every_spelling_become_booleans(column, expected):
    sheet = validate_sheet(pd.DataFrame({"example_id": list("abc"), "dog": column}), ["dog"])
    assert sheet["dog"].tolist() == expected and sheet["dog"].dtype == bool


def test_a_tick_column_holding_something_else_is_refused_with_its_rows():
    with pytest.raises(ValueError, match=r"'dog' has 1 values that are not ticks.*maybe"):
        validate_sheet(pd.DataFrame({"example_id": ["a", "b"], "dog": ["x", "maybe"]}), ["dog"])


def test_dates_empty_and_mixed_columns_survive_a_save_and_a_reload():
    frame = pd.DataFrame({
        "example_id": [pd.Timestamp("2026-01-02"), 3],
        "seen": pd.to_datetime(["2026-01-02", None]),
        "empty": [np.nan, np.nan],
        "mixed": [1, "two"],
        "dog": ["yes", "no"]})
    content = json.loads(json.dumps(sheet_to_content(frame, ["dog"])))
    back, categories, _ = sheet_from_content(content)
    assert categories == ["dog"] and back["dog"].tolist() == [True, False]
    assert back["example_id"].tolist() == ["2026-01-02T00:00:00", "3"]
    assert back["seen"].tolist()[0] == "2026-01-02T00:00:00" and back["empty"].isna().all()
    assert back["mixed"].tolist() == [1, "two"]


def test_an_excel_sheet_with_numbers_and_dates_reads_with_text_ids():
    buffer = io.BytesIO()
    pd.DataFrame({"example_id": [101, 102], "when": pd.to_datetime(["2026-01-02", "2026-01-03"]),
                  "blurry": [1, 0], "comments": [None, 5]}).to_excel(buffer, index=False)
    frame, categories = read_sheet(buffer.getvalue(), "sheet.xlsx")
    assert categories == ["blurry"] and frame["example_id"].tolist() == ["101", "102"]
    assert frame["comments"].tolist() == ["", "5"]
    back, _, _ = sheet_from_content(json.loads(json.dumps(sheet_to_content(frame, categories))))
    assert back["when"].tolist() == ["2026-01-02T00:00:00", "2026-01-03T00:00:00"]


@pytest.mark.parametrize(("content", "message"), [
    ([1, 2], "not an error-analysis sheet of this version"),
    ("hello", "not an error-analysis sheet of this version"),
    ({"version": 0, "data": []}, "not an error-analysis sheet of this version"),
    ({"columns": ["a"], "rows": 5}, "not an error-analysis sheet of this version"),
    ({"columns": ["a"], "rows": [1, {"a": 2}]}, "1 of its rows are not rows of cells"),
    ({"columns": ["a"], "rows": [{"a": {"b": 1}}]}, "not rows of cells"),
    ({"columns": ["a"], "rows": [], "categories": "a"}, "categories are not a list"),
    ({"columns": ["a"], "rows": [], "meta": [1]}, "settings are not a mapping"),
])
def test_a_saved_sheet_that_cannot_be_read_says_why(content, message):
    with pytest.raises(ValueError, match=message):
        sheet_from_content(content)


def test_saved_settings_of_the_wrong_type_fall_back_to_their_defaults():
    content = {"columns": ["example_id"], "rows": [{"example_id": 1}], "categories": [],
               "meta": {"dev_error": "ten", "total_dev_errors": -3, "label_category": [1],
                        "source": "x.csv"}}
    _, _, meta = sheet_from_content(content)
    assert meta == {"total_dev_errors": None, "label_category": None, "source": "x.csv"}


@pytest.mark.parametrize(("content", "message"), [
    ([1, 2], "not a model table of this version"),
    ({"rows": "x"}, "not a model table of this version"),
    ({"rows": [{"model": {"a": 1}}]}, "1 of its rows hold something other than plain cells"),
    ({"rows": [], "selection": "y"}, "choice saved with it is not a mapping"),
    ({"rows": [], "selection": {"satisfy": {"x": 1}}}, r"satisfy\['x'\] must be"),
])
def test_a_saved_model_table_that_cannot_be_read_says_why(content, message):
    with pytest.raises(ValueError, match=message):
        saved_model_table(content)


def test_a_saved_model_table_reads_back_with_its_choice():
    stored = saved_model_table({"rows": [{"model": "A", "accuracy": 90}],
                                "selection": {"optimize": "accuracy", "goal": "sideways",
                                              "satisfy": {"accuracy": [">=", 80]}}})
    assert stored.table["model"].tolist() == ["A"] and stored.optimize == "accuracy"
    assert stored.goal == "max" and stored.satisfy == {"accuracy": (">=", 80.0)}


@pytest.fixture
def store(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{tmp_path / 'store.sqlite'}")


def test_content_that_no_longer_parses_is_reported_not_raised(store):
    workspace = store.create_workspace("w")
    store.save_item(workspace.id, "error_sheet", "bad", content={"rows": []})
    store.save_item(workspace.id, "error_sheet", "good", content={"rows": []})
    with store.engine.begin() as conn:
        bad = sa.select(items.c.id).where(items.c.name == "bad").scalar_subquery()
        conn.execute(revisions.update().where(revisions.c.item_id == bad).values(content="{x"))
    listed = {i.name: i.content for i in store.list_items(workspace.id)}
    assert listed["good"] == {"rows": []}
    assert isinstance(listed["bad"], UnreadableContent) and "JSON" in listed["bad"].error
    assert isinstance(store.get_item(workspace.id, "error_sheet", "bad").content,
                      UnreadableContent)
    assert isinstance(store.list_revisions(workspace.id, "error_sheet", "bad")[0].content,
                      UnreadableContent)
    copy = store.duplicate_workspace(workspace.id, "copy")  # the damaged item stays behind
    assert [i.name for i in store.list_items(copy.id)] == ["good"]


def test_rename_item_keeps_every_revision_and_refuses_a_taken_or_vanished_name(store):
    workspace = store.create_workspace("w")
    store.save_item(workspace.id, "model_table", "old", content={"rows": [1]})
    store.save_item(workspace.id, "model_table", "old", content={"rows": [2]}, expected_revision=1)
    store.save_item(workspace.id, "model_table", "taken", content={})
    with pytest.raises(ValueError, match="'taken' is already used"):
        store.rename_item(workspace.id, "model_table", "old", "taken")
    renamed = store.rename_item(workspace.id, "model_table", "old", "new")
    assert renamed.name == "new" and renamed.revision == 2 and renamed.content == {"rows": [2]}
    assert len(store.list_revisions(workspace.id, "model_table", "new")) == 2
    assert store.get_item(workspace.id, "model_table", "old") is None
    with pytest.raises(ValueError, match="'old' no longer exists"):
        store.rename_item(workspace.id, "model_table", "old", "other")
    with pytest.raises(ValueError, match="200"):
        store.rename_item(workspace.id, "model_table", "new", "n" * 201)
    # a session still holding revision 2 under the new name saves on top of it, nothing lost
    store.save_item(workspace.id, "model_table", "new", content={"rows": [3]}, expected_revision=2)
    with pytest.raises(StaleRevisionError):
        store.save_item(workspace.id, "model_table", "new", content={}, expected_revision=2)
