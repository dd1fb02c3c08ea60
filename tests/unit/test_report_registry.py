"""The report's sections are typed and registered: a new section joins by registering, the
report reads only through the access gate, and it applies the error-analysis page's rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import pandas as pd
import pytest

from analysis.error_analysis import DEFAULT_DEV_ERROR_PCT, mislabeled_category
from analysis.error_sheet import LABEL_CATEGORY, new_sheet
from analysis.sheet_content import sheet_to_content
from reporting import REGISTRY, collect_story, render_html, render_markdown, section_keys
from reporting.registry import ReportContext, register
from reporting.sections import Section
from storage import WorkspaceStore
from workspace.gate import NoAccess, WorkspaceGate
from workspace.identity import Identity
from workspace.kinds import ERROR_SHEET

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{tmp_path / 'registry.sqlite'}")


def _open_gate(db: WorkspaceStore) -> WorkspaceGate:
    return WorkspaceGate(db, user=None, auth=False)


@pytest.fixture
def extra_section():
    """Register a made-up section for one test, then take it out again."""
    before = list(REGISTRY)

    @dataclass(frozen=True)
    class NotesSection(Section):
        key: ClassVar[str] = "notes"
        title: ClassVar[str] = "Team notes"
        markdown_table: ClassVar[bool] = True

    @register(NotesSection)
    def notes(context: ReportContext) -> NotesSection:
        table = pd.DataFrame([{"note": "label the night photos", "by": "ann"}])
        return NotesSection(True, f"Notes of workspace #{context.workspace_id}.",
                            tables=(("Notes", table),))

    yield NotesSection
    REGISTRY[:] = before


def test_a_new_section_joins_the_report_by_registering(db, extra_section):
    workspace = db.create_workspace("Notes")
    story = collect_story(_open_gate(db), workspace.id, now=NOW)
    assert section_keys()[-1] == "notes" and story.sections[-1].key == "notes"
    assert isinstance(story.section("notes"), extra_section)
    html = render_html(story)
    assert '<section id="notes" class="slide" data-present="true">' in html and "Team notes" in html
    markdown = render_markdown(story)
    assert "## Team notes" in markdown and "label the night photos" in markdown


def test_a_key_is_registered_once(extra_section):
    with pytest.raises(ValueError, match="'notes' is already registered"):
        register(extra_section)


def test_the_report_reads_only_through_the_access_gate(db):
    workspace = db.create_workspace("Private", owner="ann@example.com")
    with pytest.raises(TypeError, match="through the access gate"):
        collect_story(db, workspace.id, now=NOW)
    eve = WorkspaceGate(db, user=Identity("eve@example.com", "https://id.example.com", "eve"), auth=True)
    with pytest.raises(NoAccess):
        collect_story(eve, workspace.id, now=NOW)


def _sheet_workspace(db, categories, meta):
    workspace = db.create_workspace("Sheet")
    examples = pd.DataFrame({"example_id": ["a", "b", "c", "d"], categories[0]: [True] * 4})
    sheet = new_sheet(examples, categories=categories)
    db.save_item(workspace.id, ERROR_SHEET.name, "dev errors",
                 content=sheet_to_content(sheet, categories, meta))
    return workspace


def test_a_category_merely_named_like_labels_is_not_taken_for_label_noise(db):
    """The page only falls back to 'incorrectly_labeled'; the report now follows the same rule."""
    categories = ["bad_labels", "blurry"]
    assert mislabeled_category(categories, {}) is None
    workspace = _sheet_workspace(db, categories, {"dev_error": 8.0})
    section = collect_story(_open_gate(db), workspace.id, now=NOW).section("error_analysis")
    assert section.label_noise is None
    assert section.bullets == ("Label noise: no category is marked 'incorrectly labeled' on this "
                               "sheet.",)


def test_without_a_saved_dev_error_the_report_uses_the_pages_default(db):
    categories = [LABEL_CATEGORY, "blurry"]
    workspace = _sheet_workspace(db, categories, {})
    section = collect_story(_open_gate(db), workspace.id, now=NOW).section("error_analysis")
    assert section.ceilings.dev_error == DEFAULT_DEV_ERROR_PCT
    assert f"at {DEFAULT_DEV_ERROR_PCT:g}% dev error" in section.summary
    assert "assumed from its name" in section.bullets[0]
