"""Sign-in through app.py: a broken configuration stops every page, only a verified e-mail gets
in, and a member the owner removed loses the workspace on their next action."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from storage import Item, WorkspaceStore
from tests.app.conftest import APP_PATH, AUTH, cards, signed_in, texts
from tests.app.test_error_analysis_page import editor, open_page, start_from_sample
from workspace.kinds import ERROR_SHEET

WORKSPACES = "views/workspaces.py"


@pytest.fixture
def db(store_url: str) -> WorkspaceStore:
    return WorkspaceStore(store_url)


@pytest.fixture
def secrets_file(tmp_path: Path) -> Iterator[Path]:
    """A secrets file of the test's own, in place of .streamlit/secrets.toml."""
    path = tmp_path / "secrets.toml"
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    yield path
    config.set_option("secrets.files", saved)


def _fresh(user: dict | None = None, **secrets: object) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    return at


def _verified(email: str) -> dict:
    return {"is_logged_in": True, "email": email, "email_verified": True,
            "iss": "https://id.example.com", "sub": f"sub-{email}"}


def _stopped_with(at: AppTest, *words: str) -> None:
    """app.py stopped before any page: the admin's message is shown, no workspace is."""
    at.run()
    assert not at.exception
    message = texts(at.error)
    assert "sign-in configuration is broken" in message
    for word in words:
        assert word in message
    assert not cards(at)
    assert not [b for b in at.button if b.key == "app.login"]


def test_a_secrets_file_that_does_not_parse_stops_the_app(secrets_file: Path, db: WorkspaceStore):
    db.create_workspace("Bob's private", owner="bob@example.com")
    secrets_file.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback\n')
    at = _fresh()
    at.switch_page(WORKSPACES)
    _stopped_with(at, "could not be read", "secrets.toml")


@pytest.mark.parametrize("key", ["redirect_uri", "cookie_secret", "client_id", "client_secret",
                                 "server_metadata_url"])
def test_a_half_configured_auth_table_stops_the_app(key: str, db: WorkspaceStore):
    db.create_workspace("Ann's", owner="ann@example.com")
    auth = {k: v for k, v in AUTH.items() if k != key}
    _stopped_with(_fresh(_verified("ann@example.com"), auth=auth), key)


def test_a_short_cookie_secret_stops_the_app(db: WorkspaceStore):
    db.create_workspace("Ann's", owner="ann@example.com")
    auth = {**AUTH, "cookie_secret": "too short"}
    _stopped_with(_fresh(_verified("ann@example.com"), auth=auth), "cookie_secret has 9")


def test_an_auth_value_that_is_not_a_table_stops_the_app(db: WorkspaceStore):
    db.create_workspace("Ann's", owner="ann@example.com")
    _stopped_with(_fresh(_verified("ann@example.com"), auth="on"), "must be a table")


def test_an_unverified_email_is_refused_with_the_reason_and_a_sign_out_button(db: WorkspaceStore):
    db.create_workspace("Ann's", owner="ann@example.com")
    at = _fresh({**_verified("ann@example.com"), "email_verified": False}, auth=AUTH)
    at.switch_page(WORKSPACES).run()
    assert not at.exception
    assert "has not verified the e-mail address ann@example.com" in texts(at.error)
    assert at.button(key="app.refused_logout").label == "Sign out"
    assert not cards(at)


def test_a_display_name_never_stands_in_for_the_email(db: WorkspaceStore):
    db.create_workspace("Ann's", owner="ann@example.com")
    at = _fresh({"is_logged_in": True, "name": "ann@example.com", "email_verified": True,
                 "iss": "https://id.example.com", "sub": "1"}, auth=AUTH)
    at.switch_page(WORKSPACES).run()
    assert "did not send an e-mail address" in texts(at.error)
    assert not cards(at)


def test_owner_and_member_entries_saved_with_capitals_keep_working(db: WorkspaceStore):
    db.create_workspace("Cats", owner="Ann@Example.com", members=("Carol@Example.COM",))
    for email in ("ann@example.com", "CAROL@example.com"):
        at = _fresh(_verified(email), auth=AUTH)
        at.switch_page(WORKSPACES).run()
        assert any("Cats" in card for card in cards(at)), email


def test_a_link_to_someone_elses_workspace_reads_like_a_missing_one(db: WorkspaceStore):
    private = db.create_workspace("Bob's private", owner="bob@example.com")
    shown = []
    for workspace_id in (private.id, 9999):
        at = _fresh(_verified("eve@example.com"), auth=AUTH)
        at.query_params["ws"] = str(workspace_id)
        at.run()
        assert not at.exception
        shown.append(texts(at.error))
        assert "Bob's private" not in texts(at.sidebar.markdown)
    assert shown[0] == shown[1] and "does not exist or you do not have access" in shown[0]


def _removed_while_editing(db: WorkspaceStore) -> tuple[AppTest, Item]:
    """Carol, a member of ann's 'Cats', has its error-analysis sheet open when ann removes her."""
    shared = db.create_workspace("Cats", owner="ann@example.com", members=("carol@example.com",))
    carol = _fresh(_verified("carol@example.com"), auth=AUTH)
    carol.session_state["workbench.workspace_id"] = shared.id
    carol = start_from_sample(carol.run())
    sheet = db.list_items(shared.id, ERROR_SHEET.name)[0]
    db.set_members(shared.id, [])
    return carol, sheet


def _refused(carol: AppTest, db: WorkspaceStore, sheet: Item) -> None:
    """Nothing of carol's reached ann's sheet, and she was told why, without a traceback."""
    assert db.get_item(sheet.workspace_id, sheet.kind, sheet.name).revision == sheet.revision
    assert not carol.exception
    assert "do not have access" in texts(carol.error)
    assert "Cats" not in texts(carol.sidebar.markdown)


def test_a_removed_member_is_refused_on_their_next_save(db: WorkspaceStore):
    carol, sheet = _removed_while_editing(db)
    rows = editor(carol).value
    free = rows.index[~rows["dog"].astype(bool)].tolist()
    carol.session_state[editor(carol).key] = {"edited_rows": {free[0]: {"dog": True}},
                                              "added_rows": [], "deleted_rows": []}
    carol.run()
    _refused(carol, db, sheet)


def test_a_removed_members_button_callback_is_refused_without_a_traceback(db: WorkspaceStore):
    carol, sheet = _removed_while_editing(db)
    carol.text_input(key="ea.cat_new").set_value("low light")
    carol.button(key="ea.cat_add").click().run()  # the save runs in the button's callback
    _refused(carol, db, sheet)


def test_an_admin_gives_an_owner_to_a_workspace_made_in_open_mode(db: WorkspaceStore):
    orphan = db.create_workspace("Made before sign-in")
    ann = signed_in(_fresh(), "ann@example.com")
    ann.switch_page(WORKSPACES).run()
    assert not any("Made before sign-in" in card for card in cards(ann))
    admin = _fresh(_verified("eve@example.com"),
                   auth=AUTH, workbench={"admins": ["eve@example.com"]})
    admin.switch_page(WORKSPACES).run()
    admin.text_input(key=f"ws.owner_text.{orphan.id}").set_value("Ann@Example.com")
    admin.button(key=f"ws.owner.{orphan.id}").click().run()
    assert not admin.exception
    assert db.get_workspace(orphan.id).owner == "ann@example.com"
    ann = signed_in(_fresh(), "ann@example.com")
    ann.switch_page(WORKSPACES).run()
    assert any("Made before sign-in" in card for card in cards(ann))


def test_open_mode_still_runs_without_any_auth_table(app_test: AppTest):
    open_page(app_test)
    assert "Open for local use" in texts(app_test.sidebar.caption)


def test_deleting_the_open_workspace_opens_another_without_an_access_warning(db: WorkspaceStore):
    db.create_workspace("Older", owner="ann@example.com")
    doomed = db.create_workspace("Scratch", owner="ann@example.com")
    ann = signed_in(_fresh(), "ann@example.com")
    ann.switch_page(WORKSPACES).run()
    assert ann.session_state["workbench.workspace_id"] == doomed.id
    ann.button(key=f"ws.delete.{doomed.id}").click().run()
    assert not ann.exception
    assert "do not have access" not in texts(ann.error) and "was deleted" not in texts(ann.error)
    assert "Older" in texts(ann.sidebar.markdown)
