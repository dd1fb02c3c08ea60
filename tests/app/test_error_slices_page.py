"""The error-slices page run through app.py with AppTest: the sample's planted cohort (blurry
photos) is found first, a selected slice becomes a category of a sheet with its errors ticked,
hostile names stay text, and bad settings give a message instead of a traceback."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.sheet_content import sheet_from_content
from components.error_analysis_state import SHEET_KIND
from components.sample_project import SAMPLE_SHEET_NAME
from storage import WorkspaceStore
from tests.app.conftest import APP_PATH, open_view, plain
from tests.app.test_escaping import _assert_shown_as_text, _chart_texts
from tests.hostile_workspace import SLICE_COLUMN, SLICE_VALUE, WORKSPACE, plant

PAGE = "views/error_slices.py"
TABLE = "slices.table"
BLURRY_DEV_ERRORS = 105  # dev errors of the sample's model A on blurry photos (of 161 photos)


@pytest.fixture
def slices_page(sample_app: AppTest) -> AppTest:
    return open_view(sample_app, PAGE)


def _found(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "slice" in d.value.columns)


def _select(at: AppTest, row: int) -> AppTest:
    """Select a row of the slices table as a click in the browser would."""
    at.session_state[TABLE] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def _stored_sheet(at: AppTest, store_url: str, name: str) -> tuple[pd.DataFrame, list[str], dict]:
    item = WorkspaceStore(store_url).get_item(at.session_state["workbench.workspace_id"],
                                              SHEET_KIND, name)
    assert item is not None, f"sheet {name!r} was not saved"
    return sheet_from_content(item.content)


def test_sample_shows_the_planted_blurry_slice_first_and_the_error_tree(slices_page: AppTest):
    found = _found(slices_page)
    assert found["slice"].iloc[0] == "blur = yes"
    assert found["errors"].iloc[0] == BLURRY_DEV_ERRORS and found["n"].iloc[0] == 161
    assert "lighting = night" in set(found["slice"])
    summary = plain(" ".join(m.value for m in slices_page.markdown))
    assert "35 slices tried" in summary and "Holm-corrected" in summary
    assert len(slices_page.get("plotly_chart")) == 1
    assert slices_page.selectbox(key="slices.split").value == "dev"


def test_a_selected_slice_becomes_a_category_of_a_new_sheet(slices_page: AppTest, store_url):
    at = _select(slices_page, 0)
    assert "blur = yes" in plain(" ".join(m.value for m in at.markdown))
    at.button(key="slices.make").click().run()
    assert not at.exception and not at.error
    assert "105 examples ticked" in at.success[0].value
    frame, categories, meta = _stored_sheet(at, store_url, "Errors where blur = yes")
    assert categories == ["blur = yes"]
    assert len(frame) == BLURRY_DEV_ERRORS and frame["blur = yes"].all()
    assert (frame["y_true"].astype(str) != frame["y_pred"].astype(str)).all()
    assert meta["slice"] == "blur = yes" and meta["total_dev_errors"] == 148


def test_a_seeded_sample_of_the_slice_goes_into_the_sample_sheet(slices_page: AppTest, store_url):
    at = _select(slices_page, 0)
    before, _, _ = _stored_sheet(at, store_url, SAMPLE_SHEET_NAME)
    at.radio(key="slices.target").set_value("existing").run()
    at.selectbox(key="slices.sheet").set_value(SAMPLE_SHEET_NAME).run()
    at.radio(key="slices.how").set_value("sample").run()
    at.number_input(key="slices.n").set_value(20).run()
    at.button(key="slices.make").click().run()
    assert not at.exception and not at.error
    frame, categories, _ = _stored_sheet(at, store_url, SAMPLE_SHEET_NAME)
    assert categories[-1] == "blur = yes" and len(categories) == 6
    assert frame["blur = yes"].sum() == 20
    # rows already reviewed get the tick, the others are appended: nothing is duplicated
    assert frame["example_id"].is_unique and len(frame) <= len(before) + 20
    assert frame.loc[:len(before) - 1, "blurry"].tolist() == before["blurry"].tolist()


def test_a_category_name_already_used_is_refused_with_a_message(slices_page: AppTest):
    at = _select(slices_page, 0)
    at.radio(key="slices.target").set_value("existing").run()
    at.selectbox(key="slices.sheet").set_value(SAMPLE_SHEET_NAME).run()
    category = next(t for t in at.text_input if t.key.startswith("slices.category."))
    category.set_value("blurry").run()
    at.button(key="slices.make").click().run()
    assert not at.exception
    assert "already a column of the sheet" in plain(at.error[0].value)


def test_bad_settings_give_a_message_not_a_traceback(slices_page: AppTest):
    at = slices_page
    at.multiselect(key="slices.columns.cat_classifier.csv").set_value([]).run()
    assert not at.exception
    assert "columns" in plain(at.error[0].value)
    at.multiselect(key="slices.columns.cat_classifier.csv").set_value(["blur"]).run()
    at.number_input(key="slices.min_size").set_value(100_000).run()
    assert not at.exception and not at.error
    assert "No slice has an error rate significantly above the rest" in at.info[0].value


def test_hostile_column_names_and_values_stay_text(store_url: str):
    plant(WorkspaceStore(store_url))
    at = AppTest.from_file(APP_PATH, default_timeout=90).run()
    at = open_view(at, PAGE)
    at.selectbox(key="slices.split").set_value("All rows").run()
    found = _found(at)
    assert found["slice"].iloc[0] == f"{SLICE_COLUMN} = {SLICE_VALUE}"
    _select(at, 0)
    _assert_shown_as_text(at, WORKSPACE, SLICE_VALUE)
    assert "&lt;img src=http://evil.example/s.png&gt;" in _chart_texts(at)
    at.button(key="slices.make").click().run()
    assert "examples ticked" in at.success[0].value
    _assert_shown_as_text(at, WORKSPACE, SLICE_VALUE)  # the category and sheet names too


def test_eyeball_set_holds_about_the_errors_to_review(slices_page: AppTest):
    # 100 errors at 148 / 1,500 dev error: ceil(100 / 0.0987) = 1,014 rows to look at
    shown = {m.label: m.value for m in slices_page.metric}
    assert shown["Eyeball examples"] == "1,014" and shown["Blackbox examples"] == "486"
    slices_page.number_input(key="slices.eyeball_errors").set_value(200).run()
    shown = {m.label: m.value for m in slices_page.metric}
    assert shown["Eyeball examples"] == "1,500" and shown["Blackbox examples"] == "0"
    assert any(c.value.startswith(":material/warning:") for c in slices_page.caption)
