"""The report page through app.py: build after loading the sample project, downloads, summary."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from storage import WorkspaceStore
from tests.app.conftest import plain
from workspace.kinds import ERROR_SHEET, WATERFALL_SNAPSHOT

PAGE = "views/report.py"


def _markdown_box(at: AppTest) -> str:
    # the summary is escaped Markdown (it quotes names users typed): compare with what it reads
    return plain(next(c.value for c in at.code if c.value.startswith("# Project review")))


def test_before_building_the_page_invites_to_build(app_test: AppTest):
    app_test.switch_page(PAGE)
    app_test.run()
    assert not app_test.exception
    assert "Press **Build the report**" in app_test.info[0].value


def test_build_after_loading_the_sample_project(sample_app: AppTest):
    sample_app.switch_page(PAGE)
    sample_app.run()
    sample_app.button(key="report.build").click().run()
    assert not sample_app.exception and not sample_app.error
    built = sample_app.success[0].value
    # the goal, the split plan and the project's course come with the sample too
    assert built.startswith("Report built with 10 sections; no data yet for: Training-lab")
    summary = _markdown_box(sample_app)
    assert "cat_classifier.csv" in summary and "threshold 0.50" in summary
    assert "Sheet 'Sample: reviewed dev errors'" in summary  # the sample opens with its sheet
    keys = {b.key for b in sample_app.get("download_button")}
    assert {"report.download_html", "report.download_md"} <= keys


def test_the_threshold_typed_on_the_page_is_used(sample_app: AppTest):
    sample_app.switch_page(PAGE)
    sample_app.run()
    sample_app.number_input(key="threshold").set_value(0.7).run()
    sample_app.button(key="report.build").click().run()
    assert "threshold 0.70" in _markdown_box(sample_app)


def test_a_human_level_typed_on_the_page_feeds_the_file_waterfall(sample_app: AppTest,
                                                                  store_url: str):
    db = WorkspaceStore(store_url)  # without the sample's snapshots the file is the source
    workspace_id = sample_app.session_state["workbench.workspace_id"]
    for item in db.list_items(workspace_id, WATERFALL_SNAPSHOT.name):
        db.delete_item(workspace_id, item.kind, item.name)
    sample_app.switch_page(PAGE)
    sample_app.run()
    sample_app.number_input(key="human").set_value(0.5).run()
    sample_app.button(key="report.build").click().run()
    summary = _markdown_box(sample_app)
    assert "No snapshot saved: computed from cat_classifier.csv" in summary
    assert "No human-level error was given" not in summary


def test_a_sheet_saved_by_a_teammate_shows_on_the_next_build(sample_app: AppTest, store_url: str):
    sample_app.switch_page(PAGE)
    sample_app.run()
    sample_app.button(key="report.build").click().run()
    assert "Sheet 'Sample: reviewed dev errors'" in _markdown_box(sample_app)
    db = WorkspaceStore(store_url)
    workspace_id = sample_app.session_state["workbench.workspace_id"]
    db.save_item(workspace_id, ERROR_SHEET.name, "dev errors", author="carol@example.com",
                 content={"version": 1, "columns": ["example_id", "blurry", "mislabeled"],
                          "categories": ["blurry", "mislabeled"],
                          "rows": [{"example_id": i, "blurry": i < 6, "mislabeled": i >= 8}
                                   for i in range(10)],
                          "meta": {"dev_error": 8.0, "label_category": "mislabeled"}})
    sample_app.button(key="report.build").click().run()
    summary = _markdown_box(sample_app)
    assert "Sheet 'dev errors' (1 other sheet saved), revision 1 by carol@example.com" in summary
    assert "| blurry | 6 |" in summary
