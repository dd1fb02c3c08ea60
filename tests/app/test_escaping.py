"""A teammate plants Markdown images, links, HTML and colour directives in every name and cell a
workspace holds; every page shows them as typed text. No element that renders Markdown (text,
captions, alerts, headings, widget labels and help, radio options, metric labels, expander, tab
and popover titles) carries a payload unescaped, no chart carries raw plotly markup, and the
split planner's download neutralises formulas."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.errors import escape_markdown
from storage import WorkspaceStore
from tests.app.conftest import APP_PATH
from tests.hostile_workspace import (
    HUMAN,
    PAYLOADS,
    SHEET,
    SLICE_COLUMN,
    SLICE_VALUE,
    SNAPSHOTS,
    TABLE_MODEL,
    WORKSPACE,
    plant,
)

# Elements whose text is shown as plain text, never as Markdown. Of the other widgets only the
# label, help and (radio) options are Markdown: selectbox and multiselect options, and typed
# values, are plain text, so they are not collected.
PLAIN = {"code", "json", "text", "dataframe", "arrow_data_frame", "plotly_chart"}


@pytest.fixture
def hostile(store_url: str) -> AppTest:
    plant(WorkspaceStore(store_url))
    at = AppTest.from_file(APP_PATH, default_timeout=90).run()
    assert not at.exception, at.exception
    return at


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) for every string the browser would render as Markdown."""
    found = []
    for node in _nodes(at._tree):
        proto, kind = getattr(node, "proto", None), getattr(node, "type", "")
        if proto is None or kind in PLAIN or not hasattr(proto, "DESCRIPTOR"):
            continue
        if proto.DESCRIPTOR.name == "Block" and proto.WhichOneof("type"):
            proto = getattr(proto, proto.WhichOneof("type"))
        fields = proto.DESCRIPTOR.fields_by_name
        found += [(kind, getattr(proto, f)) for f in ("body", "label", "help", "delta")
                  if f in fields and isinstance(getattr(proto, f), str)]
        if kind == "radio":
            found += [(kind, option) for option in proto.options]
    return found


def _chart_texts(at: AppTest) -> str:
    return " ".join(json.dumps(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart"))


def _assert_shown_as_text(at: AppTest, *expected: str) -> None:
    assert not at.exception, at.exception
    texts = _markdown_texts(at)
    live = [(kind, text) for kind, text in texts for payload in PAYLOADS if payload in text]
    assert live == [], f"a planted payload is rendered as Markdown: {live[:3]}"
    joined = "\n".join(text for _, text in texts)
    for payload in expected:
        assert escape_markdown(payload) in joined, f"{payload!r} is not shown (escaped)"
    charts = _chart_texts(at)
    assert "<img" not in charts and "<a href" not in charts and "\\u003cimg" not in charts


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    return at


def test_sidebar_and_home_show_the_workspace_name_as_text(hostile: AppTest):
    _assert_shown_as_text(hostile, WORKSPACE)


def test_workspaces_page_shows_names_as_text(hostile: AppTest):
    _assert_shown_as_text(_open(hostile, "views/workspaces.py"), WORKSPACE)


def test_waterfall_page_shows_snapshot_human_level_and_file_names_as_text(hostile: AppTest):
    at = _open(hostile, "views/waterfall.py")
    _assert_shown_as_text(at, WORKSPACE, HUMAN)
    assert SNAPSHOTS[0] in _chart_texts(at)  # the history chart names it (plotly has no Markdown)


def test_metrics_page_shows_models_slices_and_tables_as_text(hostile: AppTest):
    at = _open(hostile, "views/metrics.py")
    _assert_shown_as_text(at, WORKSPACE, SLICE_VALUE)
    charts = _chart_texts(at)
    assert "&lt;img src=http://evil.example/s.png&gt;" in charts  # the slice column, escaped
    at.radio(key="table").set_value("saved").run()
    _assert_shown_as_text(at, TABLE_MODEL)


def test_error_analysis_page_shows_sheet_categories_and_comments_as_text(hostile: AppTest):
    at = _open(hostile, "views/error_analysis.py")
    _assert_shown_as_text(at, WORKSPACE, SHEET)
    assert ":red[cat]" in _chart_texts(at)  # ceiling, co-occurrence: no Markdown in plotly


def test_split_planner_shows_source_names_as_text(hostile: AppTest):
    at = _open(hostile, "views/split_planner.py")
    at.text_input(key="sources").set_value(f"{SLICE_COLUMN}: 10000; web: 200000").run()
    _assert_shown_as_text(at, WORKSPACE, SLICE_COLUMN)


def test_report_and_lab_pages_show_the_workspace_name_as_text(hostile: AppTest):
    at = _open(hostile, "views/report.py")
    at.button(key="report.build").click().run()
    _assert_shown_as_text(at, WORKSPACE)
    _assert_shown_as_text(_open(hostile, "views/training_lab.py"), WORKSPACE)


def test_split_planner_download_neutralises_formulas(app_test: AppTest,
                                                      monkeypatch: pytest.MonkeyPatch):
    downloads: list[bytes] = []
    original = st.download_button

    def spy(label, data=None, *args, **kwargs):
        downloads.append(data)
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    frame = pd.DataFrame({"id": range(600), "source": ["web"] * 400 + ["mobile"] * 200,
                          "note": ['=HYPERLINK("http://evil.example","win")', "+1", "-cmd",
                                   "@SUM(A1)", "plain", "\tx"] * 100,
                          "=cmd|' /C calc'!A0": ["x"] * 600})
    _open(app_test, "views/split_planner.py")
    app_test.file_uploader(key="split_file").set_value(
        ("mine.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    assert not app_test.exception and downloads
    written = pd.read_csv(io.BytesIO(downloads[-1]), encoding="utf-8-sig", dtype=str,
                          keep_default_na=False)
    cells = [*map(str, written.columns), *written.drop(columns="id").to_numpy().ravel()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=HYPERLINK(\"http://evil.example\",\"win\")" in written["note"].tolist()
    assert set(written["split"]) <= {"train", "train-dev", "dev", "test"}
