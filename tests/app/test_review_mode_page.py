"""The report page's review mode: after building, the report is shown as slides (the same
HTML, opening in review mode) or as the document."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_view, texts

PAGE = "views/report.py"


def _frames(at: AppTest) -> list[str]:
    """The HTML of every iframe the page shows."""
    return [element.proto.srcdoc for element in at.get("iframe")]


def test_the_report_shows_as_slides_or_as_the_document(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    at.button(key="report.build").click().run()
    assert not at.exception
    frames = _frames(at)
    assert len(frames) == 1 and '<body data-start="review">' not in frames[0]
    at.segmented_control(key="report.preview").set_value("Slides (review mode)").run()
    frames = _frames(at)
    assert len(frames) == 1 and '<body data-start="review">' in frames[0]
    assert "PageDown" in texts(at.caption) and "landscape" in texts(at.caption)
    at.segmented_control(key="report.preview").set_value(None).run()
    assert _frames(at) == []
