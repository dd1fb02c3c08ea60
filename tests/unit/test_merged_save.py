"""Merged saves in the store, on SQLite and PostgreSQL (db_url): teammates editing different
cells of one sheet at once all land in the next revisions, a same-cell clash comes back with
who set the other value, the revision history records who changed which cell, presence and
the cheap revision check go through the gate, and migration 0003 upgrades an 0002 database."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis.selection import SavedModelTable
from analysis.strategy.goal import ProjectGoal
from storage import WorkspaceStore, migrate
from storage.tidy import purge_deleted
from tests.sheet_merge_worker import SHEET, create_shared_sheet, in_threads, review
from workspace.data import WorkspaceData
from workspace.gate import NoAccess, WorkspaceGate
from workspace.identity import Identity
from workspace.kinds import ERROR_SHEET, MODEL_TABLE, PROJECT_GOAL
from workspace.merge_formats import SHEET_FORMAT
from workspace.table_merge import DeleteRow, RenameColumn, SetCell, SetField

ROOT = Path(__file__).resolve().parents[2]
WRITERS, EDITS = 6, 25


@pytest.fixture
def store(db_url):
    opened = WorkspaceStore(db_url)
    yield opened
    opened.engine.dispose()


def person(store: WorkspaceStore, workspace_id: int, email: str) -> WorkspaceData:
    """`email` signed in, reaching the workspace through the gate."""
    user = Identity(email=email, name=email.split("@")[0], issuer="https://id.example", subject=email)
    return WorkspaceData(WorkspaceGate(store, user=user, auth=True), workspace_id)


@pytest.fixture
def team(store):
    workspace = store.create_workspace("cats", owner="ana@x.org", members=("ben@x.org",))
    create_shared_sheet(store, workspace.id)
    return person(store, workspace.id, "ana@x.org"), person(store, workspace.id, "ben@x.org")


def _check_union(store: WorkspaceStore, workspace_id: int, reports: list[dict], how: str,
                 seconds: float) -> None:
    """The final sheet holds every writer's ticks and own row, and the history every change."""
    final = SHEET_FORMAT.to_doc(store.get_item(workspace_id, ERROR_SHEET.name, SHEET).content)
    ticked = {(row, column) for report in reports for row, column in report["ticked"]}
    missing = [cell for cell in ticked if final.value(*cell) is not True]
    assert missing == [], f"edits lost: {missing[:5]}"
    unticked = [(r, c) for r in final.row_ids if r.startswith("r") for c in final.categories
                if final.value(r, c) and (r, c) not in ticked]
    assert unticked == [], "a cell nobody ticked is ticked"
    for report in reports:
        assert final.value(f"w{report['writer']}", "comments") == report["comment"]
    assert sum(r["conflicts"] + r["unapplied"] for r in reports) == 0
    edits = store.live.edits(workspace_id, ERROR_SHEET.name, SHEET)
    assert {(e.row, e.column) for e in edits if e.op == "SetCell" and e.new is True} == ticked
    assert store.integrity_check() == []
    saves = sum(r["saves"] for r in reports)
    rounds = sum(r["attempts"] for r in reports)
    print(f"\n{store.engine.dialect.name} {how}: {len(reports)} writers x {EDITS} edits, "
          f"{saves} revisions, {rounds} save rounds, 0 conflicts, {seconds:.1f} s")


def test_writers_in_threads_ticking_random_cells_all_land(store, team):
    ana, _ = team
    reports, seconds = in_threads(
        lambda writer: review(store, ana.workspace_id, writer, EDITS, seed=1), WRITERS)
    _check_union(store, ana.workspace_id, reports, "threads", seconds)


@pytest.mark.slow
def test_writers_in_processes_ticking_random_cells_all_land(store, team, db_url, tmp_path):
    ana, _ = team
    go = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-m", "tests.sheet_merge_worker", db_url,
                                 str(ana.workspace_id), str(w), str(EDITS), "2", "tick", str(go)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for w in range(WRITERS)]
    time.sleep(0.5)  # the interpreters import before the start signal; only overlap depends on it
    started = time.perf_counter()
    go.touch()
    reports = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
        reports.append(json.loads(out))
    _check_union(store, ana.workspace_id, reports, "processes", time.perf_counter() - started)


def test_a_tick_made_on_an_old_revision_merges_without_a_conflict_copy(store, team):
    ana, ben = team
    opened = ana.item(ERROR_SHEET, SHEET)
    ana.save_merged(ERROR_SHEET, SHEET, [SetCell("r0", "dog", False, True)],
                    base_revision=opened.revision)
    saved = ben.save_merged(ERROR_SHEET, SHEET, [SetCell("r1", "blurry", False, True)],
                            base_revision=opened.revision)
    assert saved.saved and not saved.merged.conflicts and saved.item.revision == 3
    assert saved.doc.value("r0", "dog") and saved.doc.value("r1", "blurry")
    assert ana.names(ERROR_SHEET) == [SHEET]  # no copy


def test_a_same_cell_clash_comes_back_with_both_values_and_who(store, team):
    ana, ben = team
    opened = ana.item(ERROR_SHEET, SHEET).revision
    ana.save_merged(ERROR_SHEET, SHEET, [SetCell("r2", "comments", "", "dark")],
                    base_revision=opened)
    saved = ben.save_merged(ERROR_SHEET, SHEET, [SetCell("r2", "comments", "", "a dog"),
                                                 SetCell("r3", "dog", False, True)],
                            base_revision=opened)
    (conflict,) = saved.merged.conflicts
    assert (conflict.mine, conflict.theirs, conflict.theirs_by) == ("a dog", "dark", "ana@x.org")
    assert conflict.theirs_revision == 2
    assert saved.doc.value("r2", "comments") == "dark" and saved.doc.value("r3", "dog")


def test_a_tick_on_a_row_deleted_meanwhile_is_reported_with_who_deleted_it(store, team):
    ana, ben = team
    opened = ana.item(ERROR_SHEET, SHEET)
    row = SHEET_FORMAT.to_doc(opened.content).cells["r4"]
    ana.save_merged(ERROR_SHEET, SHEET, [DeleteRow("r4", row)], base_revision=opened.revision)
    saved = ben.save_merged(ERROR_SHEET, SHEET, [SetCell("r4", "dog", False, True)],
                            base_revision=opened.revision)
    (lost,) = saved.merged.unapplied
    assert lost.reason == "row deleted" and saved.deleted_by("r4", None) == "ana@x.org"
    assert not saved.saved  # nothing else to write: no empty revision


def test_a_tick_in_a_category_renamed_meanwhile_lands_there_in_the_store(store, team):
    ana, ben = team
    opened = ana.item(ERROR_SHEET, SHEET).revision
    ana.save_merged(ERROR_SHEET, SHEET, [RenameColumn("blurry", "blurry", "out of focus")],
                    base_revision=opened)
    ben.save_merged(ERROR_SHEET, SHEET, [SetCell("r5", "blurry", False, True)],
                    base_revision=opened)
    sheet = ana.load(ERROR_SHEET, SHEET)
    assert "out of focus" in sheet.categories and "blurry" not in sheet.categories
    assert bool(sheet.frame.loc[5, "out of focus"])


def test_the_history_says_who_set_each_cell_of_a_row(store, team):
    ana, ben = team
    opened = ana.item(ERROR_SHEET, SHEET).revision
    ana.save_merged(ERROR_SHEET, SHEET, [SetCell("r7", "dog", False, True)], base_revision=opened)
    ben.save_merged(ERROR_SHEET, SHEET, [SetCell("r7", "blurry", False, True)],
                    base_revision=opened)
    edits = ana.cell_edits(ERROR_SHEET, SHEET, row="r7")
    assert [(e.column, e.new, e.by, e.revision) for e in edits] == [
        ("dog", True, "ana@x.org", 2), ("blurry", True, "ben@x.org", 3)]
    assert ana.cell_edits(ERROR_SHEET, SHEET, row="r8") == []


def test_presence_and_the_revision_check_go_through_the_gate(store, team):
    ana, ben = team
    ana.touch_presence(ERROR_SHEET, SHEET)
    ben.touch_presence(ERROR_SHEET, SHEET)
    ana.touch_presence(ERROR_SHEET, SHEET)
    assert [who for who, _ in ben.present(ERROR_SHEET, SHEET)] == ["ana@x.org", "ben@x.org"]
    assert ben.latest_revision(ERROR_SHEET, SHEET) == 1
    assert ben.latest_revision(ERROR_SHEET, "no such sheet") is None
    outsider = person(store, ana.workspace_id, "eve@x.org")
    for call in (lambda: outsider.latest_revision(ERROR_SHEET, SHEET),
                 lambda: outsider.present(ERROR_SHEET, SHEET),
                 lambda: outsider.touch_presence(ERROR_SHEET, SHEET),
                 lambda: outsider.cell_edits(ERROR_SHEET, SHEET)):
        with pytest.raises(NoAccess):
            call()


def test_a_deleted_item_keeps_its_changes_until_the_purge_erases_them(store, team):
    ana, _ = team
    ana.save_merged(ERROR_SHEET, SHEET, [SetCell("r0", "dog", False, True)], base_revision=1)
    ana.touch_presence(ERROR_SHEET, SHEET)
    ana.delete(ERROR_SHEET, SHEET)  # undo must bring the history back too

    def count(table: str) -> int:
        with store.engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()

    assert count("cell_edits") == 1
    purge_deleted(store.engine, store.blobs, datetime.now(UTC) + timedelta(days=1))
    assert (count("cell_edits"), count("presence")) == (0, 0)


def test_model_tables_merge_row_by_model_name(store, team):
    ana, ben = team
    content = {"rows": [{"model": "A", "accuracy": 90.0}, {"model": "B", "accuracy": 92.0}],
               "selection": {"optimize": "accuracy"}, "threshold": 0.5, "schema_version": 1}
    ana.gate.save_item(ana.workspace_id, MODEL_TABLE.name, "models", content=content)
    ana.save_merged(MODEL_TABLE, "models", [SetCell("model:A", "accuracy", 90.0, 91.0)],
                    base_revision=1)
    saved = ben.save_merged(MODEL_TABLE, "models", [SetCell("model:B", "accuracy", 92.0, 93.5)],
                            base_revision=1)
    table = ben.load(MODEL_TABLE, "models").table
    assert table["accuracy"].tolist() == [91.0, 93.5] and not saved.merged.conflicts


def test_a_model_table_edited_as_a_whole_saves_only_what_changed(store, team):
    ana, ben = team
    table = pd.DataFrame({"model": ["A", "B"], "accuracy": [90.0, 92.0]})
    ana.save(MODEL_TABLE, "models", SavedModelTable(table, "accuracy", "max", {}))
    opened = ana.item(MODEL_TABLE, "models")
    ana.save_edit(MODEL_TABLE, "models", SavedModelTable(
        table.assign(accuracy=[91.0, 92.0]), "accuracy", "max", {}), base=opened)
    saved = ben.save_edit(MODEL_TABLE, "models", SavedModelTable(
        pd.concat([table, pd.DataFrame({"model": ["C"], "accuracy": [95.0]})],
                  ignore_index=True), "accuracy", "max", {}), base=opened)
    assert not saved.merged.conflicts
    merged = ben.load(MODEL_TABLE, "models").table
    assert merged["model"].tolist() == ["A", "B", "C"]
    assert merged["accuracy"].tolist() == [91.0, 92.0, 95.0]


def test_the_project_goal_merges_field_by_field(store, team):
    ana, ben = team
    ana.save(PROJECT_GOAL, "goal", ProjectGoal(metric="accuracy", direction="max", target=95.0))
    ana.save_merged(PROJECT_GOAL, "goal", [SetField("metric_unit", "", "points")],
                    base_revision=1)
    saved = ben.save_merged(PROJECT_GOAL, "goal", [SetField("target", 95.0, 97.0)],
                            base_revision=1)
    goal = ben.load(PROJECT_GOAL, "goal")
    assert (goal.metric_unit, goal.target, saved.item.revision) == ("points", 97.0, 3)


def test_a_clash_with_a_plain_save_names_who_made_it_from_the_revisions(store, team):
    ana, ben = team
    ana.save(PROJECT_GOAL, "goal", ProjectGoal(metric="accuracy", target=95.0))
    base = ana.item(PROJECT_GOAL, "goal")
    # ana saves twice without merging (no recorded changes): target, then an unrelated unit
    ana.save(PROJECT_GOAL, "goal", ProjectGoal(metric="accuracy", target=96.0))
    ana.save(PROJECT_GOAL, "goal", ProjectGoal(metric="accuracy", target=96.0, metric_unit="%"))
    saved = ben.save_edit(PROJECT_GOAL, "goal", ProjectGoal(metric="accuracy", target=97.0),
                          base=base)
    (clash,) = saved.merged.conflicts
    assert (clash.column, clash.mine, clash.theirs) == ("target", 97.0, 96.0)
    assert (clash.theirs_by, clash.theirs_revision) == ("ana@x.org", 2)


def test_migration_0004_upgrades_an_0002_database_and_keeps_its_data(db_url):
    engine = sa.create_engine(db_url)
    assert migrate.upgrade(engine, to="0002") == "0002"
    with engine.begin() as conn:
        assert not sa.inspect(conn).has_table("cell_edits")
        conn.exec_driver_sql("INSERT INTO workspaces (name, members, created_at, updated_at) "
                             "VALUES ('made by 0002', '[]', '2026-01-01', '2026-01-01')")
    engine.dispose()
    store = WorkspaceStore(db_url)  # a server of this release starts: upgrade to the head
    try:
        with store.engine.connect() as conn:
            assert sa.inspect(conn).has_table("cell_edits")
            assert sa.inspect(conn).has_table("presence")
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() \
                == migrate.head_revision() == "0004"
        (workspace,) = store.list_workspaces()
        assert workspace.name == "made by 0002"
        create_shared_sheet(store, workspace.id)
        data = WorkspaceData(WorkspaceGate(store, user=None, auth=False), workspace.id)
        saved = data.save_merged(ERROR_SHEET, SHEET, [SetCell("r0", "dog", False, True)],
                                 base_revision=1)
        assert [e.column for e in data.cell_edits(ERROR_SHEET, SHEET)] == ["dog"]
        assert saved.item.revision == 2
    finally:
        store.engine.dispose()
