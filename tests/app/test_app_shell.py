"""Every page of app.py opens in AppTest without an exception, before and after the sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.pages import PAGES as REGISTERED

PAGES = [spec.path for spec in REGISTERED]
ROOT = Path(__file__).resolve().parents[2]


def test_every_view_file_is_registered_once_with_its_own_url():
    views = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "views").glob("*.py"))
    assert sorted(PAGES) == views
    url_paths = [spec.url_path for spec in REGISTERED]
    assert len(set(url_paths)) == len(url_paths) and url_paths.count("") == 1


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_on_an_empty_workspace(app_test, page):
    app_test.run()
    app_test.switch_page(page).run()
    assert not app_test.exception, app_test.exception


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_with_the_sample_project(sample_app, page):
    sample_app.switch_page(page).run()
    assert not sample_app.exception, sample_app.exception


def test_home_offers_the_sample_then_confirms_it(app_test):
    app_test.run()
    assert any("New here?" in m.value for m in app_test.markdown)
    app_test.button(key="home.load_sample").click().run()
    assert any("sample project is loaded" in s.value for s in app_test.success)


def test_sidebar_names_the_workspace(app_test):
    app_test.run()
    assert any(m.value == "**My project**" for m in app_test.sidebar.markdown)


def test_sample_files_reach_other_pages_through_the_workspace(sample_app):
    from storage import WorkspaceStore
    from workspace.kinds import PREDICTIONS

    store = WorkspaceStore.from_env()
    names = {item.name for item in store.list_items(1, PREDICTIONS.name)}
    assert names == {"cat_classifier.csv", "animals_multiclass.csv", "driving_multitask.csv"}


def test_a_new_session_restores_the_cat_classifier_as_the_active_file(sample_app, app_test):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP_PATH

    teammate = AppTest.from_file(APP_PATH, default_timeout=60).run()
    teammate.switch_page("views/metrics.py").run()
    assert teammate.selectbox(key="metrics.file.file").value == "cat_classifier.csv"


def test_copy_link_carries_the_open_workspace(app_test):
    from components.state import store

    other = store().create_workspace("Second project")
    app_test.session_state["workbench.workspace_id"] = other.id
    app_test.switch_page("views/waterfall.py").run()
    links = [c.value for c in app_test.code if "ws=" in c.value]
    assert links and all(f"ws={other.id}" in link for link in links)
    assert links[0].startswith("http://localhost:8501/waterfall")
