"""The workspaces page through app.py: create, open, rename, duplicate, delete and undo, contents,
and who sees what once sign-in is configured."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from storage import WorkspaceStore
from tests.app.conftest import APP_PATH, AUTH, cards, signed_in, texts

PAGE = "views/workspaces.py"


@pytest.fixture
def db(store_url: str) -> WorkspaceStore:
    return WorkspaceStore(store_url)


def _run(at: AppTest) -> AppTest:
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _open_id(at: AppTest) -> int:
    """The session's current workspace (what components.state.current_workspace() returns)."""
    return at.session_state["workbench.workspace_id"]



def test_open_mode_says_so_and_shows_the_default_workspace(app_test: AppTest):
    at = _run(app_test)
    assert "Open for local use" in texts(at.info)
    assert cards(at) == ["**My project**  :green-badge[open]"]


def test_create_opens_the_new_workspace(app_test: AppTest, db: WorkspaceStore):
    at = _run(app_test)
    at.text_input(key="ws.new_name").set_value("Cat app v2")
    at.button(key="FormSubmitter:ws.create-Create and open").click().run()
    assert not at.exception
    assert "**Cat app v2**  :green-badge[open]" in cards(at)
    assert "**My project**" in cards(at)
    assert [w.name for w in db.list_workspaces()] == ["Cat app v2", "My project"]
    assert _open_id(at) == db.list_workspaces()[0].id


def test_an_empty_name_is_refused_next_to_the_form(app_test: AppTest, db: WorkspaceStore):
    at = _run(app_test)
    at.text_input(key="ws.new_name").set_value("   ")
    at.button(key="FormSubmitter:ws.create-Create and open").click().run()
    assert "Workspace name is empty" in texts(at.error)
    assert len(db.list_workspaces()) == 1


def test_rename_and_open_another(db: WorkspaceStore):
    first = db.create_workspace("Cats draft")
    other = db.create_workspace("Driving")
    at = _run(AppTest.from_file(APP_PATH, default_timeout=60).run())  # a session opened after
    assert _open_id(at) == other.id  # the most recently changed one opens first
    at.text_input(key=f"ws.rename_name.{first.id}").set_value("Cats")
    at.button(key=f"ws.rename.{first.id}").click().run()
    assert db.get_workspace(first.id).name == "Cats"
    at.button(key=f"ws.open.{first.id}").click().run()
    assert "**Cats**  :green-badge[open]" in cards(at)
    assert _open_id(at) == first.id


def test_duplicate_copies_what_it_holds(app_test: AppTest, db: WorkspaceStore):
    at = _run(app_test)
    source = db.list_workspaces()[0]
    db.save_item(source.id, "waterfall_snapshot", "baseline", content={"train": 3}, author="ann")
    at.run()
    at.button(key=f"ws.copy.{source.id}").click().run()
    copy = next(w for w in db.list_workspaces() if w.name == "My project (copy)")
    assert [i.name for i in db.list_items(copy.id)] == ["baseline"]
    assert "1 waterfall snapshot" in texts(at.caption)


def test_delete_asks_then_can_be_undone(app_test: AppTest, db: WorkspaceStore):
    doomed = db.create_workspace("Scratch")
    at = _run(app_test)
    assert "Delete **Scratch**? You can undo it for 10 minutes." in texts(at.markdown)
    at.button(key=f"ws.delete.{doomed.id}").click().run()
    assert not any("Scratch" in card for card in cards(at))
    assert "Deleted **Scratch**" in texts(at.warning)
    at.button(key=f"ws.undo.{doomed.id}").click().run()
    assert any("Scratch" in card for card in cards(at))
    assert db.get_workspace(doomed.id).deleted_at is None
    assert "Deleted **Scratch**" not in texts(at.warning)


def test_contents_show_who_changed_what(app_test: AppTest, db: WorkspaceStore):
    workspace = db.create_workspace("Review")
    db.save_item(workspace.id, "error_sheet", "dev errors", content={"rows": 100}, author="bob")
    db.save_item(workspace.id, "error_sheet", "dev errors", content={"rows": 101}, author="ann")
    db.save_item(workspace.id, "lab_experiment", "adam vs sgd", content={}, author="carol")
    at = _run(app_test)
    at.selectbox(key="show").set_value(workspace.id).run()
    assert {m.label: m.value for m in at.metric} == {"error-analysis sheet": "1",
                                                   "lab experiment": "1"}
    activity = at.dataframe[0].value
    assert activity[["name", "changed by", "revision"]].values.tolist() == [
        ["adam vs sgd", "carol", 1], ["dev errors", "ann", 2]]
    at.selectbox(key="item").set_value("error-analysis sheet: dev errors").run()
    assert len(at.dataframe) == 1, "the history is read only when asked for"
    at.toggle(key="ws.history").set_value(True).run()
    history = at.dataframe[1].value
    assert history["changed by"].tolist() == ["ann", "bob"]


def test_with_sign_in_a_user_sees_only_their_workspaces(app_test: AppTest, db: WorkspaceStore):
    db.create_workspace("Ann's", owner="ann@example.com")
    shared = db.create_workspace("Bob's shared", owner="bob@example.com",
                                 members=("ann@example.com",))
    db.create_workspace("Bob's private", owner="bob@example.com")
    at = _run(signed_in(app_test, "ann@example.com"))
    assert "Signed in as **ann@example.com**" in texts(at.info)
    names = " ".join(cards(at))
    assert "Ann's" in names and "Bob's shared" in names and "Bob's private" not in names
    # a member may not delete nor manage members; the owner may
    mine = next(w for w in db.list_workspaces() if w.name == "Ann's")
    keys = {b.key for b in at.button}
    assert f"ws.delete.{mine.id}" in keys and f"ws.members.{mine.id}" in keys
    assert f"ws.delete.{shared.id}" not in keys and f"ws.members.{shared.id}" not in keys
    assert "Only the owner (bob@example.com) can delete this workspace." in texts(at.caption)


def test_the_owner_adds_a_member_who_then_sees_it(app_test: AppTest, db: WorkspaceStore):
    mine = db.create_workspace("Ann's", owner="ann@example.com")
    at = _run(signed_in(app_test, "ann@example.com"))
    at.text_area(key=f"ws.members_text.{mine.id}").set_value("carol@example.com\n")
    at.button(key=f"ws.members.{mine.id}").click().run()
    assert db.get_workspace(mine.id).members == ("ann@example.com", "carol@example.com")
    carol = _run(signed_in(AppTest.from_file(app_test._script_path, default_timeout=60),
                            "carol@example.com"))
    assert any("Ann's" in card for card in cards(carol))


def test_a_bad_member_list_is_refused(app_test: AppTest, db: WorkspaceStore):
    mine = db.create_workspace("Ann's", owner="ann@example.com")
    at = _run(signed_in(app_test, "ann@example.com"))
    at.text_area(key=f"ws.members_text.{mine.id}").set_value("carol smith")
    at.button(key=f"ws.members.{mine.id}").click().run()
    assert "'carol smith' is not one sign-in name" in texts(at.error)
    assert db.get_workspace(mine.id).members == ("ann@example.com",)


def test_with_sign_in_configured_a_visitor_must_sign_in_first(app_test: AppTest):
    app_test.secrets["auth"] = AUTH
    app_test.user = {"is_logged_in": False}
    app_test.run()
    assert app_test.button(key="app.login") is not None  # app.py's gate
    assert not cards(app_test)
    assert "sign in to see your workspaces" in texts(app_test.markdown)


def _item_key(action: str, kind: str, name: str) -> str:
    from components.state import content_digest
    return f"ws.{action}.{content_digest(f'{kind}/{name}'.encode())}"


def test_a_file_in_use_says_so_then_is_deleted_and_undone(app_test: AppTest, db: WorkspaceStore):
    workspace = db.create_workspace("P")
    db.save_item(workspace.id, "predictions", "cat.csv", content={"mapping": {}}, author="ann")
    db.save_item(workspace.id, "error_sheet", "dev errors",
                 content={"meta": {"source": "cat.csv"}}, author="ann")
    at = _run(app_test)
    at.selectbox(key="show").set_value(workspace.id).run()
    at.selectbox(key="item").set_value("predictions file: cat.csv").run()
    at.button(key=_item_key("ask_delete", "predictions", "cat.csv")).click().run()
    assert "It is in use: error-analysis sheet 'dev errors' refers to it" in texts(at.warning)
    at.button(key=_item_key("delete_item", "predictions", "cat.csv")).click().run()
    assert not at.exception
    assert [i.name for i in db.list_items(workspace.id)] == ["dev errors"]
    assert "Deleted the predictions file **cat.csv** (local user, just now)" in texts(at.warning)
    at.button(key=_item_key("restore", "predictions", "cat.csv")).click().run()
    assert sorted(i.name for i in db.list_items(workspace.id)) == ["cat.csv", "dev errors"]
    assert db.list_deleted_items(workspace.id) == []


def test_pins_and_storage_figures_are_shown(app_test: AppTest, db: WorkspaceStore):
    workspace = db.create_workspace("P")
    for n in range(3):
        db.save_item(workspace.id, "predictions", "cat.csv", content={"n": n}, blob=b"x" * 2048)
    at = _run(app_test)
    assert "Storage: 1 predictions file · 3 revisions · 6.0 KB" in texts(at.caption)
    at.selectbox(key="show").set_value(workspace.id).run()
    at.toggle(key="ws.history").set_value(True).run()
    at.multiselect(key=_item_key("pins", "predictions", "cat.csv")).select(2).run()
    assert not at.exception
    pinned = db.list_revisions(workspace.id, "predictions", "cat.csv", with_content=False)
    assert [r.revision for r in pinned if r.pinned] == [2]
    assert "erased for good after 30 days" in texts(at.caption)


def test_the_server_start_erases_what_was_deleted_before_the_retention(
        app_test: AppTest, db: WorkspaceStore, monkeypatch: pytest.MonkeyPatch):
    workspace = db.create_workspace("P")
    db.save_item(workspace.id, "predictions", "old.csv", content={}, blob=b"x")
    db.delete_item(workspace.id, "predictions", "old.csv", author="ann")
    monkeypatch.setenv("WORKBENCH_RETENTION_DAYS", "0")  # everything deleted so far is due
    at = _run(app_test)
    assert db.list_deleted_items(workspace.id) == []
    assert not any("old.csv" in w.value for w in at.warning)
