"""The report's priority table: the newest sheet's categories ranked by ceiling gain per unit
of effort with the owners the team typed (the course's sheet: 100 reviewed errors at 10% dev
error), escaped in HTML and Markdown, placed right after the error-analysis section."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from analysis.sheet_content import sheet_to_content
from analysis.sheet_io import read_sheet
from reporting import collect_story, render_html, render_markdown, section_keys
from storage import WorkspaceStore
from workspace.gate import WorkspaceGate
from workspace.kinds import ERROR_SHEET, SHEET_PRIORITIES

DATA = Path(__file__).resolve().parents[2] / "data"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOSTILE = "<img src=x onerror=alert(1)> [x](http://evil)"


@pytest.fixture
def db(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{tmp_path / 'priorities.sqlite'}")


def _workspace(db: WorkspaceStore, plans: dict | None) -> int:
    workspace = db.create_workspace("Cat app")
    sheet, categories = read_sheet(DATA / "error_sheet_sample.csv")
    db.save_item(workspace.id, ERROR_SHEET.name, "dev errors", author="carol@example.com",
                 content=sheet_to_content(sheet, categories, {"dev_error": 10.0}))
    if plans is not None:
        db.save_item(workspace.id, SHEET_PRIORITIES.name, "dev errors", author="ann@example.com",
                     content=SHEET_PRIORITIES.to_content(plans))
    return workspace.id


def _section(db: WorkspaceStore, workspace_id: int):
    story = collect_story(WorkspaceGate(db, user=None, auth=False), workspace_id, now=NOW)
    return story, story.section("priorities")


def test_the_section_follows_error_analysis():
    keys = section_keys()
    assert keys.index("priorities") == keys.index("error_analysis") + 1


def test_without_efforts_categories_rank_by_ceiling_gain(db):
    _, section = _section(db, _workspace(db, None))
    assert section.present
    ranking = section.ranking
    # blurry 61% -> 6.1 points, great cat 43% -> 4.3, instagram 12%, dog 8%, labels 6%
    assert ranking["category"].tolist() == ["blurry", "great_cat", "instagram_filter", "dog",
                                            "incorrectly_labeled"]
    assert ranking.loc[0, "ceiling_gain"] == pytest.approx(6.1)
    assert "work on blurry first (dev error 3.90% at best)" in section.summary
    assert "no ideas, efforts or owners typed yet" in section.summary
    assert "0 of 5 categories have an owner" in section.summary
    assert any("No effort estimate" in w for w in section.warnings)


def test_efforts_and_owners_change_the_ranking_and_are_reported(db):
    plans = {"dog": {"ideas": "more dog photos", "effort": 1, "owner": "ana"},
             "blurry": {"ideas": "deblur filter", "effort": 10, "owner": "ben"},
             "great_cat": {"effort": 2, "owner": ""}}
    _, section = _section(db, _workspace(db, plans))
    # gain per effort: great cat 4.3 / 2 = 2.15, dog 0.8 / 1 = 0.8, blurry 6.1 / 10 = 0.61
    assert section.ranking["category"].tolist()[:3] == ["great_cat", "dog", "blurry"]
    assert "work on great cat first" in section.summary
    assert "2 of 5 categories have an owner" in section.summary
    assert "saved by ann@example.com" in section.summary
    assert section.bullets[1] == ("2. dog: at most 0.80 points of dev error, effort 1, 0.80 "
                                  "points per unit, owner ana.")
    table = section.tables[0][1]
    assert table.loc[1, ["category", "owner", "ideas", "gain per effort"]].tolist() == [
        "dog", "ana", "more dog photos", 0.8]
    assert pd.isna(table.loc[3, "effort"])  # instagram: not estimated


def test_owner_and_ideas_are_escaped_in_html_and_markdown(db):
    plans = {"dog": {"ideas": HOSTILE, "effort": 1, "owner": HOSTILE}}
    story, section = _section(db, _workspace(db, plans))
    assert section.ranking.loc[0, "owner"] == HOSTILE
    html = render_html(story)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    markdown = render_markdown(story)
    assert "## What to work on first: priorities and owners" in markdown
    assert HOSTILE not in markdown and "http://evil" not in markdown
    assert "owner \\<img src\\=x" in markdown  # the typed text, escaped
    assert "| 1 | dog |" in markdown


def test_a_damaged_priorities_item_empties_only_this_section(db):
    workspace_id = _workspace(db, None)
    db.save_item(workspace_id, SHEET_PRIORITIES.name, "dev errors",
                 content={"version": 99, "categories": {}})
    story, section = _section(db, workspace_id)
    assert not section.present and "could not be read" in section.summary
    assert story.section("error_analysis").present


def test_no_sheet_says_where_to_make_one(db):
    _, section = _section(db, db.create_workspace("Empty").id)
    assert not section.present and "error-analysis page" in section.summary
