"""Who sees and changes which workspace, and how a workspace's contents are summarised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import Item, Workspace, WorkspaceStore
from workspace.access import (
    UNDO_WINDOW,
    other_members,
    parse_members,
    permissions,
    restorable,
    visible,
)
from workspace.summary import (
    activity_table,
    ago,
    count_by_kind,
    display_names,
    holdings_text,
    last_change,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _ws(wid: int, name: str, owner: str | None = None, members: tuple[str, ...] = (),
        deleted: datetime | None = None) -> Workspace:
    people = ((owner,) if owner else ()) + members
    return Workspace(wid, name, owner, people, NOW - timedelta(days=1), NOW, deleted)


def _item(kind: str, name: str, who: str | None, minutes_ago: float, revision: int = 1) -> Item:
    moment = NOW - timedelta(minutes=minutes_ago)
    return Item(1, kind, name, revision, {}, None, moment, moment, who)


ANN, BOB, EVE = "ann@example.com", "bob@example.com", "eve@example.com"


def test_the_owner_may_do_everything():
    rights = permissions(_ws(1, "cats", ANN), ANN, auth=True)
    assert (rights.see, rights.open, rights.rename, rights.duplicate, rights.delete,
            rights.manage_members) == (True, True, True, True, True, True)


def test_a_member_may_open_rename_duplicate_but_not_delete_or_manage():
    rights = permissions(_ws(1, "cats", ANN, (BOB,)), BOB, auth=True)
    assert rights.see and rights.open and rights.rename and rights.duplicate
    assert not rights.delete and not rights.manage_members
    assert rights.reason == f"{BOB} is its member"


def test_an_outsider_sees_nothing():
    rights = permissions(_ws(1, "cats", ANN, (BOB,)), EVE, auth=True)
    assert not any((rights.see, rights.open, rights.rename, rights.duplicate, rights.delete))


def test_without_sign_in_everyone_may_do_everything_but_members_are_not_managed():
    rights = permissions(_ws(1, "cats", ANN), "local user", auth=False)
    assert rights.see and rights.delete and not rights.manage_members
    assert "open for local use" in rights.reason


def test_visible_lists_only_the_users_workspaces_and_hides_deleted_ones():
    spaces = [_ws(1, "ann", ANN), _ws(2, "bob", BOB), _ws(3, "shared", BOB, (ANN,)),
              _ws(4, "gone", ANN, deleted=NOW)]
    assert [w.name for w in visible(spaces, ANN, auth=True)] == ["ann", "shared"]
    assert [w.name for w in visible(spaces, EVE, auth=True)] == []
    assert [w.name for w in visible(spaces, "local user", auth=False)] == ["ann", "bob", "shared"]


def test_visible_reads_the_members_the_store_saved(tmp_path):
    db = WorkspaceStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    db.create_workspace("ann", owner=ANN)
    db.create_workspace("bob", owner=BOB)
    db.create_workspace("shared", owner=BOB, members=(ANN,))
    everything = db.list_workspaces()
    assert {w.name for w in visible(everything, ANN, auth=True)} == {"ann", "shared"}
    assert {w.name for w in visible(everything, BOB, auth=True)} == {"bob", "shared"}
    assert visible(everything, EVE, auth=True) == []


def test_other_members_leave_out_the_owner_in_any_case():
    shared = _ws(1, "shared", "Bob@Example.com", (BOB, ANN))
    assert other_members(shared) == [ANN]


def test_deleted_workspaces_can_be_restored_within_the_window_by_whoever_could_delete():
    recent = _ws(1, "recent", ANN, deleted=NOW - timedelta(minutes=2))
    older = _ws(2, "older", ANN, deleted=NOW - timedelta(minutes=5))
    expired = _ws(3, "expired", ANN, deleted=NOW - UNDO_WINDOW - timedelta(seconds=1))
    bobs = _ws(4, "bob's", BOB, (ANN,), deleted=NOW - timedelta(minutes=1))
    alive = _ws(5, "alive", ANN)
    found = restorable([older, expired, bobs, alive, recent], ANN, auth=True, now=NOW)
    assert [w.name for w in found] == ["recent", "older"]  # newest deletion first
    assert [w.name for w in restorable([bobs], BOB, auth=True, now=NOW)] == ["bob's"]
    assert [w.name for w in restorable([bobs], "x", auth=False, now=NOW)] == ["bob's"]


def test_parse_members_splits_dedupes_and_leaves_out_the_owner():
    assert parse_members(f"{BOB}, {EVE}\n{BOB};\n\n{ANN}", owner=ANN) == [BOB, EVE]
    assert parse_members("") == []


@pytest.mark.parametrize(("text", "message"), [
    ("carol smith", r"'carol smith' is not one sign-in name"),
    ("x" * 201, r"is not one sign-in name"),
    (42, r"members must be text"),
])
def test_parse_members_refuses_what_is_not_a_sign_in_name(text, message):
    with pytest.raises(ValueError, match=message):
        parse_members(text)


def test_parse_members_lower_cases_e_mails_and_refuses_bare_names():
    assert parse_members("Carol@Example.com\nann@example.com", owner="Ann@Example.com") == [
        "carol@example.com"]
    with pytest.raises(ValueError, match="'carol' is not one sign-in name"):
        parse_members("carol")


def test_holdings_count_items_by_kind_in_a_fixed_order():
    items = [_item("lab_experiment", "adam", ANN, 1), _item("predictions", "a.csv", ANN, 2),
             _item("predictions", "b.csv", BOB, 3), _item("waterfall_snapshot", "v1", BOB, 4),
             _item("custom_thing", "z", BOB, 5)]
    assert count_by_kind(items) == {"predictions": 2, "waterfall_snapshot": 1,
                                    "lab_experiment": 1, "custom_thing": 1}
    assert holdings_text(items) == ("2 predictions files · 1 waterfall snapshot · "
                                    "1 lab experiment · 1 custom thing")
    assert holdings_text([]) == "empty"


def test_activity_says_who_changed_what_when_newest_first():
    items = [_item("error_sheet", "dev errors", BOB, 90, revision=3),
             _item("model_table", "A vs B", None, 3)]
    table = activity_table(items, now=NOW)
    assert table.to_dict(orient="records") == [
        {"what": "model table", "name": "A vs B", "revision": 1, "changed by": "unknown",
         "when": "3 min ago", "at (UTC)": "2026-11-23 11:57:00"},
        {"what": "error-analysis sheet", "name": "dev errors", "revision": 3, "changed by": BOB,
         "when": "1 h ago", "at (UTC)": "2026-11-23 10:30:00"}]
    assert last_change(items, _ws(1, "w"), now=NOW) == (
        "last change by someone 3 min ago (model table 'A vs B')")
    assert last_change([], _ws(1, "w"), now=NOW) == "created 1 day ago, nothing saved yet"


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(seconds=5), "just now"), (timedelta(minutes=59), "59 min ago"),
    (timedelta(hours=5), "5 h ago"), (timedelta(days=3), "3 days ago"),
    (timedelta(days=30), "2026-10-24"),
])
def test_ago_reads_like_a_person_would_say_it(delta, text):
    assert ago(NOW - delta, NOW) == text


def test_display_names_tell_apart_workspaces_with_the_same_name():
    spaces = [_ws(1, "cats"), _ws(2, "cats"), _ws(3, "dogs")]
    assert display_names(spaces) == {1: "cats #1", 2: "cats #2", 3: "dogs"}
