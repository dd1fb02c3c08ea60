"""The metrics page run through app.py with AppTest: the sample, the threshold, bad mappings,
the course preset, A vs B and the hand-off to error analysis."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.page_state import EXAMPLES_FOR_SHEET
from tests.app.conftest import metric_values, open_view, table_with, texts

PAGE = "views/metrics.py"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "cat_classifier.csv"


@pytest.fixture
def metrics(sample_app: AppTest) -> AppTest:
    return open_view(sample_app, PAGE)





def test_sample_shows_cards_with_intervals_and_every_chart(metrics: AppTest):
    shown = metric_values(metrics)
    for label in ("Accuracy", "Error rate", "Precision", "Recall", "F1", "ROC AUC"):
        assert label in shown
    assert "95% CI" in texts(metrics.caption)
    # confusion, threshold curves, ROC, PR, slices, A vs B
    assert len(metrics.get("plotly_chart")) >= 6
    assert not metrics.error


def test_threshold_slider_changes_precision_and_recall(metrics: AppTest):
    before = metric_values(metrics)
    metrics.slider(key="threshold").set_value(0.85).run()
    after = metric_values(metrics)
    assert not metrics.exception
    assert after["Recall"] != before["Recall"]
    assert after["Precision"] != before["Precision"]
    assert float(after["Recall"].rstrip("%")) < float(before["Recall"].rstrip("%"))


def test_threshold_is_read_from_the_url(sample_app: AppTest):
    sample_app.switch_page(PAGE)
    sample_app.query_params["threshold"] = "0.8"
    sample_app.run()
    assert sample_app.slider(key="threshold").value == pytest.approx(0.8)


def test_best_f1_button_moves_the_slider(metrics: AppTest):
    metrics.button(key="metrics.use_best").click().run()
    best_caption = next(c.value for c in metrics.caption if str(c.value).startswith("Best F1"))
    assert f"{metrics.slider(key='threshold').value:.2f}" in best_caption


def test_bad_mapping_shows_an_error_and_the_page_still_renders(app_test: AppTest):
    app_test.switch_page(PAGE)
    app_test.run()
    app_test.file_uploader(key="metrics.file.upload").set_value(
        ("cat_classifier.csv", SAMPLE.read_bytes(), "text/csv")).run()
    assert not app_test.exception and not app_test.error
    truth = next(s for s in app_test.selectbox if s.label == "True label")
    truth.set_value("description").run()
    assert not app_test.exception
    assert "does not fit this mapping" in texts(app_test.error)
    assert "Choose a model" in texts(app_test.header)


def test_course_preset_picks_b(metrics: AppTest):
    assert "B wins" in texts(metrics.success)


def test_a_vs_b_panel_gives_a_verdict_in_words(metrics: AppTest):
    shown = metric_values(metrics)
    assert "p-value (exact McNemar)" in shown and "Error A − error B" in shown
    verdict = texts(metrics.success) + texts(metrics.info)
    assert "points lower" in verdict


def test_send_misclassified_dev_examples_to_error_analysis(metrics: AppTest):
    metrics.button(key="metrics.send_errors").click().run()
    assert not metrics.exception
    handed = metrics.session_state[EXAMPLES_FOR_SHEET.key]
    rows = handed.rows
    assert isinstance(rows, pd.DataFrame)
    assert list(rows.columns) == ["example_id", "image_path", "y_true", "y_pred", "score"]
    assert len(rows) > 0 and (rows["y_true"] != rows["y_pred"]).all()
    sample = pd.read_csv(SAMPLE)
    dev_ids = set(sample.loc[sample["split"] == "dev", "image_id"])
    assert set(rows["example_id"]) <= dev_ids
    assert "Sent" in texts(metrics.success)
    dev = sample[sample["split"] == "dev"]
    assert handed.dev_error_pct == pytest.approx(100 * len(rows) / len(dev))


def test_multiclass_file_shows_confusions(metrics: AppTest):
    metrics.selectbox(key="metrics.file.file").set_value("animals_multiclass.csv").run()
    assert not metrics.exception
    assert "Macro F1" in metric_values(metrics)
    confusions = table_with(metrics, "predicted")
    assert len(confusions) > 0 and (confusions["true"] != confusions["predicted"]).all()


def test_multilabel_file_leaves_missing_labels_out(metrics: AppTest):
    metrics.selectbox(key="metrics.file.file").set_value("driving_multitask.csv").run()
    assert not metrics.exception
    per_task = table_with(metrics, "missing")
    assert (per_task["missing"] > 0).all()
    assert "Average f1 over tasks" in metric_values(metrics)


def test_model_table_is_saved_to_the_workspace_and_reopened(metrics: AppTest):
    metrics.text_input(key="metrics.table_name").set_value("Course models").run()
    metrics.button(key="metrics.save_table").click().run()
    assert not metrics.exception
    assert "Saved 'Course models' (revision 1)" in texts(metrics.success)
    from components.state import store  # the report reads the threshold saved with the table

    saved = store().get_item(1, "model_table", "Course models")
    assert saved.content["threshold"] == pytest.approx(metrics.slider(key="threshold").value)
    metrics.run()  # the table source list is drawn above the save button: it shows 'saved' next run
    metrics.radio(key="table").set_value("saved").run()
    assert not metrics.exception
    assert "B wins" in texts(metrics.success)


def test_typed_table_without_names_shows_an_error(metrics: AppTest):
    metrics.radio(key="table").set_value("typed").run()
    assert not metrics.exception
    assert "No model meets every constraint" in texts(metrics.warning) or metrics.error


def test_model_table_from_the_loaded_models_picks_the_more_accurate_one(metrics: AppTest):
    metrics.radio(key="table").set_value("files").run()
    assert not metrics.exception
    table = table_with(metrics, "verdict")
    assert list(table["model"]) == ["score", "score_model_b"]
    best = table.loc[table["accuracy"].idxmax(), "model"]
    assert f"{best} wins" in texts(metrics.success)
