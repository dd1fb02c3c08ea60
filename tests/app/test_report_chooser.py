"""The report page's chooser through app.py and AppTest: every saved file is listed with its
task and rows, the chosen file and models are what the report covers, and a multiclass file
gets its per-class section."""

from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from components.inputs import UPLOAD_CHOICE
from tests.app.conftest import open_view, plain

PAGE = "views/report.py"
FILE = "report.choice.file"


def _built(at: AppTest) -> str:
    at.button(key="report.build").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    # the Markdown summary, escaped (it quotes names users typed): compared as it reads
    return plain(next(c.value for c in at.code if c.value.startswith("# Project review")))


def test_every_saved_file_is_offered_with_its_task_and_rows(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    chooser = at.selectbox(key=FILE)
    shown = " ".join(plain(o) for o in chooser.options)
    assert "cat_classifier.csv (binary, 10,000 rows)" in shown
    assert "animals_multiclass.csv (multiclass" in shown
    assert at.multiselect(key=f"report.choice.models.{chooser.value}").value == [
        "score", "score_model_b"]


def test_the_chosen_model_is_reported(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    at.selectbox(key=FILE).set_value("cat_classifier.csv").run()
    at.multiselect(key="report.choice.models.cat_classifier.csv").set_value(["score_model_b"]).run()
    markdown = _built(at)
    assert "cat_classifier.csv, model 'score_model_b'" in markdown


def test_a_multiclass_file_gets_its_per_class_section(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    at.selectbox(key=FILE).set_value("animals_multiclass.csv").run()
    assert "One model in this file" in " ".join(plain(c.value) for c in at.caption)
    markdown = _built(at)
    assert "Per-class metrics (multiclass and multi-label)" in markdown
    assert "animals_multiclass.csv, dev" in markdown and "macro F1" in markdown


def test_a_tiny_file_is_named_as_such_and_never_taken_silently(sample_app: AppTest):
    at = sample_app.switch_page("views/metrics.py").run()
    at.selectbox(key="metrics.file.file").set_value(UPLOAD_CHOICE).run()
    tiny = pd.DataFrame({"y_true": [1, 0], "score": [0.9, 0.2]})
    at.file_uploader(key="metrics.file.upload").set_value(
        ("tiny.csv", tiny.to_csv(index=False).encode(), "text/csv")).run()
    at = open_view(at, PAGE)
    chooser = at.selectbox(key=FILE)
    assert "tiny.csv (binary, 2 rows)" in " ".join(plain(o) for o in chooser.options)
    if chooser.value == "tiny.csv":  # the file just loaded is the one open on the other pages
        assert "2 rows: every figure from this file is mostly noise" in " ".join(
            plain(c.value) for c in at.caption)
    at.selectbox(key=FILE).set_value("cat_classifier.csv").run()
    assert "cat_classifier.csv, model 'score'" in _built(at)


def test_ranking_scores_get_a_threshold_in_their_own_units(app_test: AppTest):
    rng = np.random.default_rng(0)
    truth = (rng.random(300) < 0.4).astype(int)
    scores = np.clip(np.where(truth == 1, rng.normal(4, 3, 300), rng.normal(-2, 2, 300)), -7, 12)
    scores[:2] = [-7.0, 12.0]
    at = app_test.switch_page("views/metrics.py").run()
    at.file_uploader(key="metrics.file.upload").set_value(
        ("ranked.csv", pd.DataFrame({"y_true": truth, "decision": scores}).to_csv(index=False)
         .encode(), "text/csv")).run()
    next(s for s in at.selectbox if s.label == "Score transform").set_value("rank").run()
    at = open_view(at, PAGE)
    slider = at.slider(key="report.choice.threshold.ranked.csv_score")
    assert (slider.min, slider.max, slider.value) == (-7.0, 12.0, 0.0)
    slider.set_value(2.5).run()
    assert "threshold 2.50 (given for this report)" in _built(at)
