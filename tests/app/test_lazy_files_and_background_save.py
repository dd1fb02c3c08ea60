"""A session reads a file's table only when a page uses it, and a big upload is saved in the
background with its outcome told on a later run (a failure is never dropped)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from storage import WorkspaceStore
from tests.app.conftest import APP_PATH, open_view


def test_a_new_session_reads_only_the_table_its_page_uses(sample_app, monkeypatch):
    read: list[str] = []
    original = WorkspaceStore.open_blob

    def counting_open_blob(self, workspace_id, kind, name, **kwargs):
        read.append(name)
        return original(self, workspace_id, kind, name, **kwargs)

    monkeypatch.setattr(WorkspaceStore, "open_blob", counting_open_blob)
    monkeypatch.setattr(WorkspaceStore, "get_item", _no_blob_reads(WorkspaceStore.get_item))
    teammate = AppTest.from_file(APP_PATH, default_timeout=60)
    teammate.session_state["workbench.workspace_id"] = 1
    teammate.run()
    open_view(teammate, "views/metrics.py")
    assert teammate.selectbox(key="metrics.file.file").value == "cat_classifier.csv"
    assert read == ["cat_classifier.csv"], "the other files' tables were read too"


def _no_blob_reads(get_item):
    def checked(self, *args, with_blob=True, **kwargs):
        item = get_item(self, *args, with_blob=with_blob, **kwargs)
        assert item is None or item.kind != "predictions" or not with_blob, \
            "a predictions blob was read whole"
        return item
    return checked


def _uploader_script() -> None:
    import streamlit as st

    from components.sample_project import _read_sample
    from components.state import (
        add_predictions,
        report_background_saves,
        start_background_saves,
    )

    report_background_saves()
    if st.button("Add", key="add"):
        add_predictions(_read_sample("cat_classifier.csv"))
    start_background_saves()


def _finish_saves(at: AppTest) -> None:
    for job in at.session_state["workbench.background_saves"]:
        assert job.done.wait(60), "the background save did not finish"


@pytest.fixture
def uploader(store_url, monkeypatch) -> AppTest:
    monkeypatch.setattr("components.state.BACKGROUND_SAVE_ROWS", 0)  # every file is "big"
    return AppTest.from_function(_uploader_script, default_timeout=60).run()


def test_a_big_upload_is_saved_in_the_background_and_the_next_run_says_so(uploader):
    uploader.button(key="add").click().run()
    _finish_saves(uploader)
    uploader.run()
    assert [t.value for t in uploader.toast] == [
        "Saved cat\\_classifier\\.csv in the workspace (revision 1)."]
    (item,) = WorkspaceStore.from_env().list_item_summaries(1, "predictions")
    assert item.name == "cat_classifier.csv"
    uploader.run()
    assert not uploader.toast, "an outcome is told once"


def test_a_failed_background_save_is_told_not_lost(uploader, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(WorkspaceStore, "save_item", broken_save)
    uploader.button(key="add").click().run()
    _finish_saves(uploader)
    uploader.run()
    (error,) = uploader.error
    assert "could not be saved in the workspace" in error.value
    assert "No space left on device" in error.value and "upload it again" in error.value
