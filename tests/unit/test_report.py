"""The project-review report: each section from a workspace holding the course's examples, the
absent ones saying so, a self-contained HTML file that fetches nothing, a Markdown summary."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from analysis.bias_variance import decompose
from analysis.predictions import predictions_to_parquet, read_predictions
from analysis.sheet_content import sheet_to_content
from analysis.sheet_io import read_sheet
from analysis.training.config import LabConfig
from analysis.training.session import TrainingSession
from charts.report import story_figures
from reporting import collect_story, render_html, render_markdown, section_keys
from storage import WorkspaceStore
from tests.unit.test_report_strategy_sections import save_strategy
from workspace.gate import WorkspaceGate
from workspace.kinds import ERROR_SHEET, LAB_EXPERIMENT, MODEL_TABLE, WATERFALL_SNAPSHOT

DATA = Path(__file__).resolve().parents[2] / "data"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
COURSE_MODELS = [{"model": "A", "accuracy": 90, "running_time_ms": 80},
                 {"model": "B", "accuracy": 92, "running_time_ms": 95},
                 {"model": "C", "accuracy": 95, "running_time_ms": 1500}]


@pytest.fixture(scope="module")
def cat_file():
    return read_predictions(DATA / "cat_classifier.csv")


@pytest.fixture
def db(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{tmp_path / 'report.sqlite'}")


def _gate(db: WorkspaceStore) -> WorkspaceGate:
    """The gate the report page passes in, as it is when the app runs open (no sign-in)."""
    return WorkspaceGate(db, user=None, auth=False)


def save_predictions(db, workspace_id, predictions):
    """Save a predictions file as the app does (mapping, notes, rows; its table as the blob)."""
    db.save_item(workspace_id, "predictions", predictions.name, author="ann@example.com",
                 content={"mapping": predictions.mapping.to_dict(), "notes": list(predictions.notes),
                          "rows": predictions.n_rows},
                 blob=predictions_to_parquet(predictions))


@pytest.fixture
def full(db, cat_file):
    """A workspace holding every kind of item, with the course's numbers."""
    workspace = db.create_workspace("Cat app")
    save_predictions(db, workspace.id, cat_file)
    # two model versions: high bias first (train 15%), then variance (train 1%, dev 11%)
    for name, rates in (("v1 baseline", (15, 16)), ("v2 bigger net", (1, 11))):
        result = decompose(human=1, train=rates[0], dev=rates[1])
        db.save_item(workspace.id, WATERFALL_SNAPSHOT.name, name, author="bob@example.com",
                     content={"inputs": result.as_inputs(), "result": result.to_dict()})
    selection = {"optimize": "accuracy", "goal": "max", "satisfy": {"running_time_ms": ["<=", 100]},
                 "threshold": 0.4}
    db.save_item(workspace.id, MODEL_TABLE.name, "course models", author="ann@example.com",
                 content={"rows": COURSE_MODELS, "selection": selection})
    sheet, categories = read_sheet(DATA / "error_sheet_sample.csv")
    meta = {"dev_error": 10.0, "label_category": "incorrectly_labeled"}
    db.save_item(workspace.id, ERROR_SHEET.name, "dev errors", author="carol@example.com",
                 content=sheet_to_content(sheet, categories, meta))
    session = TrainingSession(LabConfig())
    session.advance(20)
    db.save_item(workspace.id, LAB_EXPERIMENT.name, "He init on circles", author="dan@example.com",
                 content=session.to_state())
    save_strategy(db, workspace.id, snapshots=False)
    return workspace


def test_every_section_is_present_in_reading_order(db, full):
    save_predictions(db, full.id, read_predictions(DATA / "animals_multiclass.csv"))
    story = collect_story(_gate(db), full.id, now=NOW)
    assert [s.key for s in story.sections] == list(section_keys())
    assert all(s.present for s in story.sections), [s.summary for s in story.sections if not s.present]
    assert story.workspace_name == "Cat app"


def test_files_section_names_each_file_with_its_row_count(db, full, cat_file):
    files = collect_story(_gate(db), full.id, now=NOW).section("files")
    table = files.tables[0][1]
    assert table[["file", "rows", "task"]].values.tolist() == [["cat_classifier.csv", cat_file.n_rows,
                                                                "binary"]]
    assert f"{cat_file.n_rows:,} rows" in files.summary


def test_waterfall_shows_the_latest_snapshot_and_the_history(db, full):
    waterfall = collect_story(_gate(db), full.id, now=NOW).section("waterfall")
    assert waterfall.summary.startswith("Latest snapshot 'v2 bigger net' (2 saved)")
    assert "variance" in waterfall.summary.lower()
    history = waterfall.tables[0][1]
    assert history["snapshot"].tolist() == ["v1 baseline", "v2 bigger net"]
    assert history["avoidable bias"].tolist() == [14.0, 0.0]
    assert history["variance"].tolist() == [1.0, 10.0]
    assert history["saved by"].tolist() == ["bob@example.com"] * 2
    assert [name for name, _ in waterfall.history] == ["v1 baseline", "v2 bigger net"]


def test_metrics_use_the_threshold_saved_with_the_model_table(db, full):
    metrics = collect_story(_gate(db), full.id, now=NOW).section("metrics")
    assert "threshold 0.40 (saved with the model table)" in metrics.summary
    table = metrics.tables[0][1].set_index("metric")
    assert {"accuracy", "error_rate", "precision", "recall", "f1", "roc_auc"} <= set(table.index)
    low, value, high = table.loc["error_rate", ["low %", "value %", "high %"]]
    assert low < value < high
    assert metrics.metrics.threshold == 0.4


def test_a_threshold_given_to_the_report_wins(db, full):
    metrics = collect_story(_gate(db), full.id, threshold=0.7, now=NOW).section("metrics")
    assert "threshold 0.70 (given for this report)" in metrics.summary


def test_selection_picks_b_under_the_running_time_constraint_and_gives_the_ab_verdict(db, full):
    selection = collect_story(_gate(db), full.id, now=NOW).section("selection")
    assert selection.selection.winner == "B"
    assert any(b.startswith("C: fails running_time_ms <= 100") for b in selection.bullets)
    comparison = selection.comparison
    assert (comparison.name_a, comparison.name_b) == ("score", "score_model_b")
    assert "A/B on cat_classifier.csv [dev] at threshold 0.40" in selection.summary


def test_error_analysis_gives_ceilings_and_the_label_noise_verdict(db, full):
    section = collect_story(_gate(db), full.id, now=NOW).section("error_analysis")
    table = section.tables[0][1].set_index("category")
    # the course's worked case: 100 reviewed errors at 10% dev error
    assert table.loc["great cat", "count"] == 43 and table.loc["great cat", "ceiling %"] == 5.7
    assert table.loc["dog", "ceiling %"] == 9.2
    assert table.loc["blurry", "share %"] == 61.0
    assert "Not worth fixing labels yet" in section.bullets[0]
    assert "0.6 of the 10.0 points" in section.bullets[0]


def test_lab_section_reads_the_saved_experiment(db, full):
    lab = collect_story(_gate(db), full.id, now=NOW).section("lab")
    assert lab.summary.startswith("Experiment 'He init on circles' (saved by dan@example.com")
    assert "after 20 epochs" in lab.summary
    assert len(lab.history) > 0


def test_an_empty_workspace_says_what_is_missing_in_each_section(db):
    empty = db.create_workspace("Empty")
    story = collect_story(_gate(db), empty.id, now=NOW)
    assert not any(s.present for s in story.sections)
    assert "No data file is saved" in story.section("files").summary
    assert "No error-analysis sheet is saved" in story.section("error_analysis").summary
    html = render_html(story, story_figures(story))
    assert html.count('class="absent"') == len(section_keys())
    # the summary is Markdown-escaped text (it can quote a saved name): \- and \. read as - and .
    assert r"_No training\-lab experiment is saved in this workspace\._" in render_markdown(story)


def test_a_broken_item_empties_only_its_section(db, full):
    db.save_item(full.id, ERROR_SHEET.name, "broken", content={"nothing": 1})
    story = collect_story(_gate(db), full.id, now=NOW)
    broken = story.section("error_analysis")
    assert not broken.present and "could not be read" in broken.summary
    assert story.section("waterfall").present


class _Fetches(HTMLParser):
    """Every attribute that would make a browser fetch something, and every <link>/<img>."""

    FETCHING = frozenset({"src", "href", "data", "poster", "srcset", "action", "background"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"
        self.urls += [value for name, value in attrs if name in self.FETCHING and value]

    def handle_endtag(self, tag):
        self._in_style = False if tag == "style" else self._in_style

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def test_html_is_self_contained_with_each_section_and_plotly_once(db, full):
    save_predictions(db, full.id, read_predictions(DATA / "animals_multiclass.csv"))
    story = collect_story(_gate(db), full.id, now=NOW)
    figures = story_figures(story)
    html = render_html(story, figures)
    for key in section_keys():
        assert f'<section id="{key}" class="slide" data-present="true">' in html
    assert "Project review: Cat app" in html and "2026-11-23 12:00 UTC" in html
    # plotly.js inline exactly once, one div per figure, no <script src=...>
    assert html.count("plotly.js v") == 1
    assert html.count('class="plotly-graph-div"') == sum(len(f) for f in figures.values()) >= 7
    parser = _Fetches()
    parser.feed(html)
    external = [u for u in parser.urls if re.match(r"^\s*(https?:)?//", u, re.IGNORECASE)]
    assert external == []
    assert all(u.startswith("#") for u in parser.urls)  # only the table of contents' anchors
    assert "link" not in parser.tags and "img" not in parser.tags and "iframe" not in parser.tags
    assert not any("@import" in s or "url(" in s for s in parser.styles)


def test_user_text_is_escaped(db, cat_file):
    workspace = db.create_workspace('<script>alert("x")</script> & co')
    save_predictions(db, workspace.id, cat_file)
    result = decompose(human=1, train=5, dev=6)
    db.save_item(workspace.id, WATERFALL_SNAPSHOT.name, '<a href="https://evil.example">v1</a>',
                 content={"inputs": result.as_inputs()})
    story = collect_story(_gate(db), workspace.id, now=NOW)
    html = render_html(story, story_figures(story))
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert '<a href="https://evil.example"' not in html  # shown as text, never a link
    assert "&lt;a href=" in html


HOSTILE_IMAGE = "![x](http://evil.example/x.png)"
HOSTILE_LINK = '<a href="http://evil.example">win</a>'
HOSTILE_TAG = "<img src=http://evil.example/x.png>"
FORMULA = '=HYPERLINK("http://evil.example","win")'


def _hostile_workspace(db, cat_file):
    """Names, categories, models and comments a teammate typed to plant links, images, formulas."""
    workspace = db.create_workspace(HOSTILE_IMAGE)
    save_predictions(db, workspace.id, cat_file)
    for name, (train, dev) in ((HOSTILE_LINK, (15, 16)), (HOSTILE_TAG, (1, 11))):
        result = decompose(human=1, train=train, dev=dev)
        db.save_item(workspace.id, WATERFALL_SNAPSHOT.name, name,
                     content={"inputs": result.as_inputs()})
    categories = [HOSTILE_TAG, FORMULA, "incorrectly labeled"]
    sheet = pd.DataFrame({"example_id": ["a", "b", "c", "d"],
                          HOSTILE_TAG: [True, True, False, True],
                          FORMULA: [False, True, True, False],
                          "incorrectly labeled": [False, False, True, False],
                          "comments": [HOSTILE_LINK, FORMULA, HOSTILE_IMAGE, ""]})
    db.save_item(workspace.id, ERROR_SHEET.name, HOSTILE_IMAGE, content=sheet_to_content(
        sheet, categories, {"dev_error": 10.0, "label_category": "incorrectly labeled"}))
    db.save_item(workspace.id, MODEL_TABLE.name, HOSTILE_LINK, content={
        "rows": [{"model": HOSTILE_TAG, "accuracy": 90}, {"model": FORMULA, "accuracy": 92}],
        "selection": {"optimize": "accuracy", "goal": "max", "satisfy": {}}})
    return workspace


def _figure_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _figure_strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _figure_strings(item)]
    return []


def test_charts_of_the_report_draw_typed_names_as_text(db, cat_file):
    story = collect_story(_gate(db), _hostile_workspace(db, cat_file).id, now=NOW)
    figures = [f for drawn in story_figures(story).values() for f in drawn]
    texts = [s for f in figures for s in _figure_strings(f.to_plotly_json())]
    assert [t for t in texts if "<a href" in t or "<img" in t] == []
    assert any("&lt;img src=http://evil.example/x.png&gt;" in t for t in texts)  # ceiling, history
    html = render_html(story, story_figures(story))
    # plotly's JSON writes < as \u003c: a raw tag in it would still be drawn as a link or image
    assert "\\u003ca href" not in html and "\\u003cimg" not in html
    parser = _Fetches()
    parser.feed(html)
    assert "img" not in parser.tags and not [u for u in parser.urls if "evil" in u]


def test_report_tables_neutralise_formulas_in_html_and_markdown(db, cat_file):
    story = collect_story(_gate(db), _hostile_workspace(db, cat_file).id, now=NOW)
    html = render_html(story, story_figures(story))
    assert "<td>=HYPERLINK" not in html and "<th>=HYPERLINK" not in html
    assert """<td>'=HYPERLINK("http://evil.example","win")</td>""" in html
    markdown = render_markdown(story)
    cells = [c.strip() for line in markdown.splitlines() if line.startswith("|")
             for c in line.split(" | ")]
    assert cells and not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert "'\\=HYPERLINK" in markdown


def test_markdown_summary_shows_typed_names_literally(db, cat_file):
    markdown = render_markdown(collect_story(_gate(db), _hostile_workspace(db, cat_file).id, now=NOW))
    for payload in (HOSTILE_IMAGE, HOSTILE_LINK, HOSTILE_TAG, FORMULA):
        assert payload not in markdown
    assert "http://evil" not in markdown  # not even a bare address GitHub would turn into a link
    assert markdown.startswith("# Project review: \\!\\[x\\]\\(http\\:")


def test_markdown_summary_has_each_section_and_the_error_table(db, full):
    markdown = render_markdown(collect_story(_gate(db), full.id, now=NOW))
    assert markdown.startswith("# Project review: Cat app\n")
    for title in ("## Data files", "## Where the error comes from", "## Key metrics",
                  "## Model selection and A/B verdicts", "## Error analysis", "## Training-lab"):
        assert title in markdown
    assert "| great cat | 43 |" in markdown
    assert "Not worth fixing labels yet" in markdown


def test_without_a_snapshot_the_waterfall_comes_from_the_file(db, cat_file):
    workspace = db.create_workspace("Files only")
    save_predictions(db, workspace.id, cat_file)
    story = collect_story(_gate(db), workspace.id, human={"team": 0.5}, now=NOW)
    assert "threshold 0.50 (the default: no threshold was saved)" in story.section("metrics").summary
    waterfall = story.section("waterfall")
    assert waterfall.summary.startswith("No snapshot saved: computed from cat_classifier.csv")
    assert waterfall.tables[0][1].loc[0, "human %"] == 0.5


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"workspace_id": 999}, r"This workspace does not exist or you do not have access"),
    ({"threshold": 1.5}, r"threshold must be at most 1, got 1.5"),
    ({"threshold": "high"}, r"threshold must be a number, got the text 'high'"),
])
def test_bad_inputs(db, kwargs, message):
    workspace = db.create_workspace("w")
    arguments = {"workspace_id": workspace.id, **kwargs}
    with pytest.raises(ValueError, match=message):
        collect_story(_gate(db), arguments.pop("workspace_id"), **arguments)


def test_story_to_dict_is_json_able(db, full):
    import json

    data = collect_story(_gate(db), full.id, now=NOW).to_dict()
    text = json.dumps(data)
    assert '"key": "error_analysis"' in text
    files = next(section for section in data["sections"] if section["key"] == "files")
    assert pd.DataFrame(files["tables"][0]["rows"]).shape[0] == 1
