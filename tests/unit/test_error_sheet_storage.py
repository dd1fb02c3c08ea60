"""The error sheet in the workspace store: a revision per edit, stale writes kept as a copy,
and the sheet read back by another process from the same SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.error_sheet import DEFAULT_CATEGORIES, new_sheet
from components.error_analysis_state import (
    SHEET_KIND,
    conflict_copy_name,
    create_sheet,
    load_sheet,
    save_sheet,
)
from storage import StaleRevisionError, WorkspaceStore

ROOT = Path(__file__).resolve().parents[2]
CATS = list(DEFAULT_CATEGORIES)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'sheets.sqlite'}"
    store = WorkspaceStore(url)
    workspace = store.create_workspace("cat project", owner="ana")
    return store, workspace.id, url


def examples(n: int = 5) -> pd.DataFrame:
    return pd.DataFrame({"example_id": [f"img_{i}" for i in range(n)], "y_true": [1] * n,
                         "y_pred": [0] * n, "score": [0.1 * i for i in range(n)]})


def test_every_edit_is_a_new_revision_and_each_is_kept(db):
    store, ws, _ = db
    sheet = create_sheet(store, ws, "dev errors", new_sheet(examples()), CATS, {"dev_error": 10.0},
                         author="ana")
    assert sheet.revision == 1
    for row in range(3):
        sheet.frame.loc[row, "blurry"] = True
        outcome = save_sheet(store, sheet, author="ana")
        assert outcome.conflict_message is None and outcome.revision == row + 2
    revisions = store.list_revisions(ws, SHEET_KIND, "dev errors")
    assert [r.revision for r in revisions] == [4, 3, 2, 1]
    ticks = [sum(row["blurry"] for row in r.content["rows"]) for r in revisions]
    assert ticks == [3, 2, 1, 0]
    old = load_sheet(store, ws, "dev errors", revision=2)
    assert old.frame["blurry"].sum() == 1 and old.revision == 4  # next save follows the latest


def test_a_stale_write_is_refused_and_kept_as_a_conflict_copy(db):
    store, ws, _ = db
    create_sheet(store, ws, "dev errors", new_sheet(examples()), CATS, {}, author="ana")
    ana = load_sheet(store, ws, "dev errors")
    ben = load_sheet(store, ws, "dev errors")
    ana.frame.loc[0, "dog"] = True
    assert save_sheet(store, ana, author="ana").revision == 2
    ben.frame.loc[1, "great_cat"] = True
    outcome = save_sheet(store, ben, author="ben")

    assert outcome.conflict_message is not None
    assert "ana" in outcome.conflict_message and outcome.name in outcome.conflict_message
    theirs = load_sheet(store, ws, "dev errors")
    assert theirs.revision == 2 and bool(theirs.frame.loc[0, "dog"])
    assert not theirs.frame["great_cat"].any()  # ben's save did not overwrite ana's
    ours = load_sheet(store, ws, outcome.name)
    assert bool(ours.frame.loc[1, "great_cat"]) and not ours.frame["dog"].any()
    assert ben.name == outcome.name and ben.revision == 1  # ben keeps editing his copy
    assert save_sheet(store, ben, author="ben").conflict_message is None


def test_the_store_itself_refuses_a_stale_revision(db):
    store, ws, _ = db
    store.save_item(ws, SHEET_KIND, "s", content={"rows": []}, author="ana")
    store.save_item(ws, SHEET_KIND, "s", content={"rows": [1]}, expected_revision=1, author="ana")
    with pytest.raises(StaleRevisionError) as info:
        store.save_item(ws, SHEET_KIND, "s", content={"rows": [2]}, expected_revision=1,
                        author="ben")
    assert info.value.current.revision == 2
    assert store.get_item(ws, SHEET_KIND, "s").content == {"rows": [1]}


def test_creating_a_sheet_under_a_used_name_is_refused(db):
    store, ws, _ = db
    create_sheet(store, ws, "dev errors", new_sheet(examples()), CATS, {}, author="ana")
    with pytest.raises(ValueError, match="already used"):
        create_sheet(store, ws, "dev errors", new_sheet(None), CATS, {}, author="ben")
    with pytest.raises(ValueError, match="sheet name is empty"):
        create_sheet(store, ws, "  ", new_sheet(None), CATS, {}, author="ben")


def test_conflict_copy_names_never_collide():
    from datetime import UTC, datetime

    when = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    first = conflict_copy_name("s", "ben", when, set())
    assert first == "s (conflict, ben, 2026-11-23 12:00:00)"
    assert conflict_copy_name("s", "ben", when, {first}) == f"{first} 2"


def _conflict(store, ws, name: str, author: str):
    """Two sessions open `name`; ana saves first, then `author` saves: a conflict."""
    ana, other = load_sheet(store, ws, name), load_sheet(store, ws, name)
    ana.frame.loc[0, "dog"] = not bool(ana.frame.loc[0, "dog"])
    save_sheet(store, ana, author="ana")
    other.frame.loc[1, "blurry"] = not bool(other.frame.loc[1, "blurry"])
    return other, save_sheet(store, other, author=author)


def test_a_conflict_on_a_200_character_sheet_name_still_saves_the_copy(db):
    store, ws, _ = db
    name = "n" * 200
    create_sheet(store, ws, name, new_sheet(examples()), CATS, {}, author="ana")
    author = "a-very-long-address-" * 10 + "@example.com"
    ben, outcome = _conflict(store, ws, name, author)
    assert outcome.conflict_message is not None and len(outcome.name) <= 200
    assert outcome.name.startswith("n" * 50) and "(conflict, a-very-long" in outcome.name
    ours = load_sheet(store, ws, outcome.name)
    assert bool(ours.frame.loc[1, "blurry"])
    ben.frame.loc[2, "dog"] = True  # and every later edit of the copy saves too
    assert save_sheet(store, ben, author=author).conflict_message is None
    assert load_sheet(store, ws, outcome.name).revision == 2


def test_repeated_conflicts_each_keep_a_copy_of_their_own(db):
    store, ws, _ = db
    name = "x" * 199
    create_sheet(store, ws, name, new_sheet(examples()), CATS, {}, author="ana")
    copies = {_conflict(store, ws, name, "ben")[1].name for _ in range(4)}
    assert len(copies) == 4 and all(len(c) <= 200 for c in copies)
    first = sorted(copies)[0]  # a conflict on a conflict copy saves a copy of the copy
    _, again = _conflict(store, ws, first, "ben")
    assert again.conflict_message and again.name not in copies and len(again.name) <= 200
    names = {i.name for i in store.list_items(ws, SHEET_KIND)}
    assert copies | {name, first, again.name} <= names


def test_a_copy_name_a_teammate_takes_meanwhile_is_skipped(db, monkeypatch):
    store, ws, _ = db
    create_sheet(store, ws, "s", new_sheet(examples()), CATS, {}, author="ana")
    real_list = store.list_items
    taken_by_teammate: list[str] = []

    def list_before_teammate(workspace_id, kind=None):
        found = real_list(workspace_id, kind)
        if not taken_by_teammate:  # the teammate's copy lands after we looked
            from datetime import UTC, datetime
            squatted = conflict_copy_name("s", "ben", datetime.now(UTC), set())
            store.save_item(ws, SHEET_KIND, squatted, content={"rows": []}, author="cy")
            taken_by_teammate.append(squatted)
        return found

    monkeypatch.setattr(store, "list_items", list_before_teammate)
    _, outcome = _conflict(store, ws, "s", "ben")
    assert outcome.name != taken_by_teammate[0]
    assert store.get_item(ws, SHEET_KIND, taken_by_teammate[0]).content == {"rows": []}


READ_BACK = """
import json, sys
from components.error_analysis_state import load_sheet
from analysis.error_analysis import category_summary
from storage import WorkspaceStore
store = WorkspaceStore(sys.argv[1])
workspace = store.list_workspaces()[0]
sheet = load_sheet(store, workspace.id, "dev errors")
summary = category_summary(sheet.frame, sheet.categories, sheet.meta["dev_error"])
print(json.dumps({"revision": sheet.revision, "comment": sheet.frame.loc[2, "comments"],
                  "counts": dict(zip(summary.table["category"], summary.table["count"].tolist()))}))
"""


@pytest.mark.slow
def test_the_sheet_survives_a_restart_in_a_new_process(db):
    store, ws, url = db
    sheet = create_sheet(store, ws, "dev errors", new_sheet(examples()), CATS, {"dev_error": 10.0},
                         author="ana")
    sheet.frame.loc[[0, 1], "blurry"] = True
    sheet.frame.loc[2, "comments"] = "=not a formula"
    save_sheet(store, sheet, author="ana")
    store.engine.dispose()  # this process lets go of the file, as a stopped server would

    done = subprocess.run([sys.executable, "-c", READ_BACK, url], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["revision"] == 2 and seen["comment"] == "=not a formula"
    assert seen["counts"]["blurry"] == 2 and seen["counts"]["dog"] == 0


def test_no_server_file_named_in_the_sheet_is_read_for_a_preview(tmp_path):
    from components.error_analysis_state import PREVIEW_COLUMN, editor_input

    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    values = ["/etc/passwd", str(picture), "/proc/self/environ", "/proc/self/mem",
              "data:image/png;base64,iVBORw0KGgo=", "https://evil.example.net/a.png"]
    frame = new_sheet(pd.DataFrame({"example_id": list("abcdef"), "image_path": values}),
                      categories=CATS)
    base = editor_input(frame)  # no image host or folder configured: nothing is previewed
    assert PREVIEW_COLUMN not in base.columns
    assert base["image_path"].tolist() == values
