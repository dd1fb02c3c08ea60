"""Every read and write of workspace data checks the user's access at the moment it happens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storage import WorkspaceStore
from workspace.gate import NO_ACCESS, NoAccess, NotAllowed, WorkspaceGate
from workspace.identity import Identity

ROOT = Path(__file__).resolve().parents[2]
ANN = Identity("ann@example.com", "https://id.example.com", "1", "Ann")
CAROL = Identity("carol@example.com", "https://id.example.com", "3", "Carol")
EVE = Identity("eve@example.com", "https://id.example.com", "5", "Eve")


@pytest.fixture
def db(tmp_path: Path) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{tmp_path / 'gate.sqlite'}")


def gate(db: WorkspaceStore, user: Identity | None, *, admins: frozenset[str] = frozenset()):
    return WorkspaceGate(db, user=user, auth=user is not None, admins=admins)


def test_a_member_removed_by_the_owner_is_refused_on_the_next_read_and_save(db):
    shared = db.create_workspace("Cats", owner=ANN.email, members=(CAROL.email,))
    carol = gate(db, CAROL)  # carol's page is open: her gate was made before the removal
    carol.save_item(shared.id, "error_sheet", "dev errors", content={"rows": 1})
    gate(db, ANN).set_members(shared.id, [])
    with pytest.raises(NoAccess, match=re.escape(NO_ACCESS)):
        carol.save_item(shared.id, "error_sheet", "dev errors", content={"rows": 2})
    with pytest.raises(NoAccess):
        carol.get_item(shared.id, "error_sheet", "dev errors")
    with pytest.raises(NoAccess):
        carol.list_items(shared.id)
    assert db.get_item(shared.id, "error_sheet", "dev errors").revision == 1


def test_no_such_workspace_and_no_access_look_the_same(db):
    private = db.create_workspace("Ann's", owner=ANN.email)
    eve = gate(db, EVE)
    errors = []
    for workspace_id in (private.id, 9999, "not a number"):
        with pytest.raises(NoAccess) as caught:
            eve.get_workspace(workspace_id)
        errors.append((type(caught.value), str(caught.value)))
    assert len(set(errors)) == 1


def test_saves_into_a_deleted_workspace_are_refused(db):
    workspace = db.create_workspace("Cats", owner=ANN.email)
    ann = gate(db, ANN)
    ann.delete_workspace(workspace.id)
    with pytest.raises(NoAccess, match="'Cats' was deleted"):
        ann.save_item(workspace.id, "waterfall_snapshot", "baseline", content={})
    with pytest.raises(NoAccess):
        ann.rename_workspace(workspace.id, "Dogs")
    assert db.list_items(workspace.id) == []
    ann.restore_workspace(workspace.id)
    assert ann.save_item(workspace.id, "waterfall_snapshot", "baseline", content={}).revision == 1


def test_a_removed_member_does_not_learn_the_workspace_was_deleted(db):
    workspace = db.create_workspace("Cats", owner=ANN.email, members=(CAROL.email,))
    carol = gate(db, CAROL)
    db.set_members(workspace.id, [])
    db.delete_workspace(workspace.id)
    with pytest.raises(NoAccess, match=re.escape(NO_ACCESS)):
        carol.save_item(workspace.id, "error_sheet", "x", content={})


def test_roles_as_before_members_rename_and_duplicate_only_the_owner_deletes(db):
    shared = db.create_workspace("Cats", owner=ANN.email, members=(CAROL.email,))
    carol = gate(db, CAROL)
    carol.rename_workspace(shared.id, "Cats v2")
    copy = carol.duplicate_workspace(shared.id, "Carol's cats")
    assert copy.owner == CAROL.email
    with pytest.raises(NotAllowed, match=r"Only the owner \(ann@example.com\) can delete"):
        carol.delete_workspace(shared.id)
    with pytest.raises(NotAllowed, match="change the members of"):
        carol.set_members(shared.id, [EVE.email])
    with pytest.raises(NotAllowed):
        carol.restore_workspace(shared.id)
    assert db.get_workspace(shared.id).deleted_at is None


def test_saves_are_recorded_under_the_gate_user_whoever_the_caller_names(db):
    workspace = db.create_workspace("Cats", owner=ANN.email)
    item = gate(db, ANN).save_item(workspace.id, "model_table", "t", content={},
                                   author="bob@example.com")
    assert item.updated_by == db.get_item(workspace.id, "model_table", "t").updated_by == ANN.email


def test_entries_saved_with_capitals_keep_working(db):
    workspace = db.create_workspace("Cats", owner="Ann@Example.COM", members=("Carol@Example.com",))
    for person in (ANN, CAROL):
        assert [w.id for w in gate(db, person).list_workspaces()] == [workspace.id]
    assert gate(db, ANN).permissions(workspace).delete


def test_open_mode_reaches_everything_and_saves_as_local_user(db):
    workspace = db.create_workspace("Scratch")
    open_gate = WorkspaceGate(db, user=None, auth=False)
    assert open_gate.save_item(workspace.id, "x", "y", content={}).updated_by == "local user"
    with pytest.raises(ValueError, match="needs a signed-in user"):
        WorkspaceGate(db, user=None, auth=True)


def test_workspaces_made_in_open_mode_are_hidden_until_an_admin_gives_them_an_owner(db):
    orphan = db.create_workspace("Made before sign-in")
    ann, admin = gate(db, ANN), gate(db, EVE, admins=frozenset({"Eve@Example.com"}))
    assert ann.list_workspaces() == [] and ann.unowned_workspaces() == []
    with pytest.raises(NoAccess):
        ann.list_items(orphan.id)
    with pytest.raises(NoAccess):
        ann.set_owner(orphan.id, ANN.email)
    assert [w.id for w in admin.unowned_workspaces()] == [orphan.id]
    with pytest.raises(ValueError, match="is not an e-mail address"):
        admin.set_owner(orphan.id, "Ann Smith")
    admin.set_owner(orphan.id, "Ann@Example.com")
    assert [w.id for w in ann.list_workspaces()] == [orphan.id]
    assert admin.unowned_workspaces() == []
    with pytest.raises(NoAccess):  # an owned workspace is not the admin's to give away
        admin.set_owner(orphan.id, EVE.email)


def test_no_view_or_component_reaches_the_store_without_the_gate():
    offenders = []
    for path in [*ROOT.glob("views/*.py"), *ROOT.glob("components/*.py")]:
        if path.name == "state.py":  # the one place that wraps the store in the gate
            continue
        text = path.read_text()
        if re.search(r"\bstore\(\)|WorkspaceStore\(", text):
            offenders.append(path.name)
    assert offenders == []


def test_renaming_an_item_needs_access_to_its_workspace(db):
    shared = db.create_workspace("Cats", owner=ANN.email)
    db.save_item(shared.id, "error_sheet", "dev errors", content={"rows": 1})
    with pytest.raises(NoAccess):
        gate(db, EVE).rename_item(shared.id, "error_sheet", "dev errors", "mine now")
    gate(db, ANN).rename_item(shared.id, "error_sheet", "dev errors", "dev errors (old)")
    assert db.get_item(shared.id, "error_sheet", "dev errors (old)").revision == 1
