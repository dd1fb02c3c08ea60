"""The error sheet in the workspace store: a revision per edit, a save made on an older revision
merged cell by cell (a same-cell clash kept for the person to choose), and the sheet read back
by another process from the same SQLite file."""

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


def test_a_save_on_an_older_revision_merges_with_the_teammates_save(db):
    store, ws, _ = db
    create_sheet(store, ws, "dev errors", new_sheet(examples()), CATS, {}, author="ana")
    ana = load_sheet(store, ws, "dev errors")
    ben = load_sheet(store, ws, "dev errors")
    ana.frame.loc[0, "dog"] = True
    assert save_sheet(store, ana, author="ana").revision == 2
    ben.frame.loc[1, "great_cat"] = True
    outcome = save_sheet(store, ben, author="ben")

    assert outcome.conflict_message is None and outcome.revision == 3
    assert outcome.name == "dev errors"  # no conflict copy
    merged = load_sheet(store, ws, "dev errors")
    assert bool(merged.frame.loc[0, "dog"]) and bool(merged.frame.loc[1, "great_cat"])
    assert bool(ben.frame.loc[0, "dog"])  # ben now holds ana's tick too
    assert [i.name for i in store.list_items(ws, SHEET_KIND)] == ["dev errors"]


def test_the_same_cell_set_two_ways_is_a_conflict_and_theirs_stays(db):
    store, ws, _ = db
    create_sheet(store, ws, "dev errors", new_sheet(examples()), CATS, {}, author="ana")
    ana = load_sheet(store, ws, "dev errors")
    ben = load_sheet(store, ws, "dev errors")
    ana.frame.loc[2, "comments"] = "dark"
    save_sheet(store, ana, author="ana")
    ben.frame.loc[2, "comments"] = "a dog"
    ben.frame.loc[3, "dog"] = True
    outcome = save_sheet(store, ben, author="ben")
    (conflict,) = outcome.conflicts
    assert (conflict.mine, conflict.theirs) == ("a dog", "dark")
    assert outcome.conflict_message and "choose" in outcome.conflict_message
    stored = load_sheet(store, ws, "dev errors")
    assert stored.frame.loc[2, "comments"] == "dark" and bool(stored.frame.loc[3, "dog"])


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
