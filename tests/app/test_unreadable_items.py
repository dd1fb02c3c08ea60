"""A saved item that cannot be shown (a corrupt or old-format sheet, model table, snapshot,
experiment or predictions file, content that no longer parses) never crashes a page for the
workspace: each page shows what is wrong and offers to rename or delete it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components.pages import PAGES as REGISTERED
from storage import WorkspaceStore
from storage.store import items, revisions
from tests.app.conftest import APP_PATH
from workspace.kinds import (
    ERROR_SHEET,
    LAB_EXPERIMENT,
    MODEL_TABLE,
    PROJECT_SETTINGS,
    WATERFALL_SNAPSHOT,
)

GOOD_MAPPING = {"task": "binary", "y_true": "y_true", "scores": ["score"]}

BAD_ITEMS: dict[tuple[str, str], object] = {
    (ERROR_SHEET.name, "integer ids"): {"version": 1, "columns": ["example_id", "blurry", "comments"],
                                     "categories": ["blurry"], "rows": [
                                         {"example_id": 7, "blurry": 1, "comments": None},
                                         {"example_id": 8, "blurry": "yes", "comments": 3}]},
    (ERROR_SHEET.name, "float ids and dates"): {
        "version": 1, "columns": ["example_id", "when", "empty", "blurry"],
        "categories": ["blurry"], "rows": [
            {"example_id": 7.0, "when": "2026-01-02T00:00:00", "empty": None, "blurry": "True"},
            {"example_id": 8.5, "when": None, "empty": None, "blurry": "no"}]},
    (ERROR_SHEET.name, "bad ticks"): {"version": 1, "columns": ["example_id", "blurry"],
                                   "categories": ["blurry"],
                                   "rows": [{"example_id": "a", "blurry": "maybe"}]},
    (ERROR_SHEET.name, "rows not a list"): {"columns": ["a"], "rows": 5, "categories": []},
    (ERROR_SHEET.name, "a list"): [1, 2, 3],
    (ERROR_SHEET.name, "a string"): "hello",
    (ERROR_SHEET.name, "old format"): {"version": 0, "data": [[1, 2]]},
    (ERROR_SHEET.name, "nested cells"): {"columns": ["example_id", "blurry"], "categories": ["blurry"],
                                      "rows": [{"example_id": {"a": [1]}, "blurry": [True]}]},
    (MODEL_TABLE.name, "a list"): [1, 2],
    (MODEL_TABLE.name, "rows a string"): {"rows": "x", "selection": "y"},
    (MODEL_TABLE.name, "nested cells"): {"rows": [{"model": {"a": 1}, "accuracy": [0.9]}],
                                      "selection": {"optimize": 5, "satisfy": {"x": 1}}},
    (WATERFALL_SNAPSHOT.name, "a list"): [1],
    (WATERFALL_SNAPSHOT.name, "bad inputs"): {"inputs": {"train_error": "abc", "extra": 1}},
    (LAB_EXPERIMENT.name, "garbage"): {"config": "nope"},
    (LAB_EXPERIMENT.name, "a list"): [1],
    ("predictions", "no mapping"): {"rows": 3},
    (PROJECT_SETTINGS.name, "human levels"): ["not", "a", "mapping"],
}


def _plant(url: str) -> tuple[WorkspaceStore, int]:
    """Every bad item in a workspace, plus a predictions blob that is not Parquet and an item
    whose stored text is not JSON at all."""
    store = WorkspaceStore(url)
    workspace = store.create_workspace("Damaged project")
    for (kind, name), content in BAD_ITEMS.items():
        store.save_item(workspace.id, kind, name, content=content, author="mallory")
    store.save_item(workspace.id, "predictions", "not parquet.csv",
                    content={"mapping": GOOD_MAPPING, "rows": 3}, blob=b"PAR1 garbage",
                    author="mallory")
    for kind in (ERROR_SHEET.name, MODEL_TABLE.name, WATERFALL_SNAPSHOT.name, LAB_EXPERIMENT.name):
        store.save_item(workspace.id, kind, "not json", content={}, author="mallory")
    with store.engine.begin() as conn:
        ids = sa.select(items.c.id).where(items.c.name == "not json").scalar_subquery()
        conn.execute(revisions.update().where(revisions.c.item_id.in_(ids))
                     .values(content="{not json"))
    return store, workspace.id


@pytest.fixture
def planted(store_url) -> tuple[AppTest, WorkspaceStore, int]:
    """The app on its home page, opened on a workspace full of bad items (a new session)."""
    store, workspace_id = _plant(store_url)
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    _fine(at)
    return at, store, workspace_id


def _fine(at: AppTest, what: object = "") -> None:
    """No exception on the page (its stack trace in the failure message when there is one)."""
    assert not at.exception, (what, "".join(at.exception[0].stack_trace)[-1500:])


def open_view(at: AppTest, path: str) -> AppTest:
    at.switch_page(path).run()
    _fine(at, path)
    return at


def _errors(at: AppTest) -> list[str]:
    """The page's error boxes as plain text (markdown escapes removed)."""
    return [e.value.replace("\\", "") for e in at.error]


def _control(at: AppTest, name: str, label: str):
    """The rename field or the Rename / Delete button offered for the item `name`."""
    if label == "New name":
        return next(t for t in at.text_input if t.label == f"New name for {name}")
    prefix = next(t for t in at.text_input if t.label == f"New name for {name}").key[:-len(".name")]
    return next(b for b in at.button if b.key == f"{prefix}.{label.lower()}")


PAGES = [spec.path for spec in REGISTERED]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_with_unreadable_items_saved(planted, page):
    at = open_view(planted[0], page)
    if page == "views/report.py":
        at.button(key="report.build").click().run()
        _fine(at)
    if page == "views/workspaces.py":
        for label in at.selectbox(key="item").options:
            at.selectbox(key="item").set_value(label).run()
            _fine(at, label)


def test_every_saved_sheet_either_opens_or_says_why_and_offers_rename_and_delete(planted):
    at = open_view(planted[0], "views/error_analysis.py")
    for name in at.selectbox(key="sheet").options:
        at.selectbox(key="sheet").set_value(name).run()
        _fine(at, name)
        readable = bool(at.data_editor)
        if name in ("integer ids", "float ids and dates"):
            assert readable, (name, [e.value for e in at.error])
            assert at.data_editor[0].value["example_id"].tolist()[0] == "7"
        else:
            assert not readable, name
            assert any("cannot be shown" in e and name in e for e in _errors(at)), name
            assert _control(at, name, "Delete").label == "Delete"


def test_a_broken_sheet_can_be_renamed_then_deleted(planted):
    app, store, workspace_id = planted
    at = open_view(app, "views/error_analysis.py")
    at.selectbox(key="sheet").set_value("a list").run()
    _control(at, "a list", "New name").set_value("a list (broken)").run()
    _control(at, "a list", "Rename").click().run()
    _fine(at)
    names = {i.name for i in store.list_items(workspace_id, ERROR_SHEET.name)}
    assert "a list (broken)" in names and "a list" not in names
    at.selectbox(key="sheet").set_value("a list (broken)").run()
    _control(at, "a list (broken)", "Delete").click().run()
    _fine(at)
    assert "a list (broken)" not in {i.name for i in store.list_items(workspace_id, ERROR_SHEET.name)}


def test_a_saved_model_table_that_cannot_be_shown_says_why(planted):
    at = open_view(planted[0], "views/metrics.py")
    at.radio(key="table").set_value("saved").run()
    for name in at.selectbox(key="metrics.saved_table").options:
        at.selectbox(key="metrics.saved_table").set_value(name).run()
        _fine(at, name)
        assert any("cannot be shown" in e and name in e for e in _errors(at)), name


def test_a_predictions_file_that_no_longer_parses_is_named_with_rename_and_delete(planted):
    app, store, workspace_id = planted
    at = open_view(app, "views/metrics.py")
    assert any("not parquet.csv" in e and "cannot be shown" in e for e in _errors(at))
    _control(at, "not parquet.csv", "Delete").click().run()
    _fine(at)
    assert store.get_item(workspace_id, "predictions", "not parquet.csv") is None


def test_saved_snapshots_that_cannot_be_drawn_are_named_with_rename_and_delete(planted):
    at = open_view(planted[0], "views/waterfall.py")
    for name in ("a list", "bad inputs", "not json"):
        assert any(f"Snapshot '{name}' cannot be shown" in e for e in _errors(at)), name
        assert _control(at, name, "Delete").label == "Delete"


def test_opening_a_saved_experiment_that_cannot_be_read_says_why(planted):
    at = open_view(planted[0], "views/training_lab.py")
    for name in ("garbage", "a list", "not json"):
        at.selectbox(key="lab_open_choice").set_value(name).run()
        at.button(key="lab_open").click().run()
        _fine(at, name)
        assert at.error, name
