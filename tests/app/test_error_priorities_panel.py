"""Under the sample's reviewed sheet: the priority table ranks categories by ceiling gain per
unit of effort from the efforts and owners the team types (saved beside the sheet), and each
category's share is split into false positives and false negatives."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.sample_project import SAMPLE_SHEET_NAME
from storage import WorkspaceStore
from tests.app.conftest import open_view, plain
from workspace.kinds import ERROR_SHEET, SHEET_PRIORITIES

PAGE = "views/error_analysis.py"


def _table(at: AppTest, column: str):
    """The shown table that has `column` (read-only tables carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _priorities_editor_key(at: AppTest) -> str:
    return next(d.key for d in at.dataframe if (d.key or "").startswith("ea.priorities."))


def test_sample_sheet_ranks_blurry_first_until_efforts_are_typed(sample_app: AppTest, store_url):
    at = open_view(sample_app, PAGE)
    ranked = _table(at, "gain_per_effort")
    assert ranked["category"].tolist()[:2] == ["blurry", "great_cat"]  # by ceiling gain
    # the team estimates: dog is quick (1 day), blurry slow (10 days); Ana owns dog
    key = _priorities_editor_key(at)
    at.session_state[key] = {"edited_rows": {0: {"effort": 1.0, "owner": "ana"},
                                             2: {"effort": 10.0}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and not at.error
    ranked = _table(at, "gain_per_effort")
    assert ranked["category"].tolist()[:2] == ["dog", "blurry"]
    assert ranked.loc[0, "owner"] == "ana"
    assert ranked.loc[0, "gain_per_effort"] == ranked.loc[0, "ceiling_gain"]
    item = WorkspaceStore(store_url).get_item(at.session_state["workbench.workspace_id"],
                                              SHEET_PRIORITIES.name, SAMPLE_SHEET_NAME)
    assert item.content["categories"]["dog"] == {"ideas": "", "effort": 1.0, "owner": "ana"}


def test_sample_sheet_splits_each_category_into_false_positives_and_negatives(sample_app):
    at = open_view(sample_app, PAGE)
    split = _table(at, "false positive").set_index("category")
    assert list(split.columns) == ["false positive", "false negative"]
    shares = split.sum(axis=1)
    assert round(shares["blurry"], 2) == 0.61 and round(shares["great_cat"], 2) == 0.43


def test_blurry_is_flagged_when_far_more_frequent_in_dev_than_train_dev_errors(sample_app,
                                                                              store_url):
    # train-dev errors reviewed on the same categories: 10 blurry of 100 (61 of 100 in dev)
    rows = [{"example_id": f"td_{i}", "dog": i < 8, "great_cat": i < 43, "blurry": i < 10,
             "instagram_filter": i < 12, "incorrectly_labeled": i < 6} for i in range(100)]
    workspace_id = sample_app.session_state["workbench.workspace_id"]
    WorkspaceStore(store_url).save_item(workspace_id, ERROR_SHEET.name, "Train-dev errors", content={
        "version": 1, "columns": list(rows[0]), "rows": rows,
        "categories": ["dog", "great_cat", "blurry", "instagram_filter", "incorrectly_labeled"]})
    at = open_view(sample_app, PAGE)
    at.selectbox(key="sheet").set_value(SAMPLE_SHEET_NAME).run()
    at.selectbox(key="ea.twin_sheet").set_value("Train-dev errors").run()
    assert not at.exception and not at.error
    compared = _table(at, "train_dev_share").set_index("category")
    assert compared.loc["blurry", "flagged"] and not compared.loc["great_cat", "flagged"]
    assert "blurry" in at.warning[0].value


def test_the_report_shows_the_ranking_and_owner_typed_on_the_page(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    key = _priorities_editor_key(at)
    at.session_state[key] = {"edited_rows": {0: {"effort": 1.0, "owner": "ana"},
                                             2: {"effort": 10.0, "owner": "ben"}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    at = open_view(at, "views/report.py")
    at.button(key="report.build").click().run()
    assert not at.exception and not at.error
    summary = plain(next(c.value for c in at.code if c.value.startswith("# Project review")))
    assert "## What to work on first: priorities and owners" in summary
    assert "work on dog first" in summary
    # the sample's dev error is 9.867%: dog 8% -> 0.79 points in 1 unit of effort
    assert ("- 1. dog: at most 0.79 points of dev error, effort 1, 0.79 points per unit, "
            "owner ana.") in summary
    assert "- 2. blurry:" in summary and "owner ben." in summary
