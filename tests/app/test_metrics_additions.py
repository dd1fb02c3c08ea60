"""The metrics page's additions run through app.py with AppTest: calibration, the cost of
errors, A vs B per slice, a confusion cell sent to an error-analysis sheet, the misreading
warning with its swap, and "too few examples" instead of an interval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.error_analysis_state import SHEET_KIND, load_sheet
from components.state import store
from tests.app.conftest import metric_values, open_view, plain, upload_on

PAGE = "views/metrics.py"
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def metrics(sample_app: AppTest) -> AppTest:
    return open_view(sample_app, PAGE)


def _texts(elements) -> str:
    return " ".join(plain(e.value) for e in elements)


def _upload(at: AppTest, name: str, frame: pd.DataFrame) -> AppTest:
    return upload_on(at, PAGE, "metrics.file", name, frame)


def test_calibration_verdict_is_shown(metrics: AppTest):
    shown = metric_values(metrics)
    assert "Expected calibration error (ECE)" in shown and "Brier score" in shown
    verdicts = _texts(metrics.success) + _texts(metrics.warning)
    assert "probabilities" in verdicts
    assert "Recalibrated on dev, judged on test" in _texts(metrics.markdown)


def test_cheapest_threshold_moves_down_when_a_miss_costs_more(metrics: AppTest):
    before = float(metric_values(metrics)["Cheapest threshold"])
    metrics.number_input(key="metrics.cost.fn").set_value(20.0).run()
    after = float(metric_values(metrics)["Cheapest threshold"])
    assert after < before
    metrics.button(key="metrics.cost.use").click().run()
    assert metrics.slider(key="threshold").value == pytest.approx(round(after, 2))


def test_model_diff_table_has_a_row_per_slice(metrics: AppTest):
    metrics.selectbox(key="metrics.diff.slice").set_value("source").run()
    table = next(d.value for d in metrics.dataframe if "Holm p" in d.value.columns)
    assert len(table) >= 1 and set(table["source"]) <= {"web", "mobile"}
    assert table["n"].sum() > 0


def test_confusion_cell_goes_to_a_new_sheet(metrics: AppTest):
    # the false-positive cell: true negative class (row 0), predicted positive (column 1)
    table = next(d.value for d in metrics.dataframe if d.key == "metrics.cells.table")
    column = table.columns[1]
    expected = int(table.iloc[0, 1])
    metrics.session_state["metrics.cells.table"] = {"selection": {"cells": [[0, column]]}}
    metrics.run()
    metrics.text_input(key="metrics.cells.name").set_value("false positives").run()
    metrics.button(key="metrics.cells.send").click().run()
    assert not metrics.exception and not metrics.error
    names = {i.name: i for w in store().list_workspaces() for i in
             store().list_items(w.id, SHEET_KIND)}
    assert "false positives" in names
    sheet = load_sheet(store(), names["false positives"].workspace_id, "false positives")
    assert len(sheet.frame) == expected > 0
    assert set(sheet.frame["y_true"].astype(int)) == {0}
    assert set(sheet.frame["y_pred"].astype(int)) == {1}


def _misread() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    truth = np.where(rng.random(400) < 0.7, "cat", "dog")  # dog is rarer: taken as positive
    p_cat = np.clip(np.where(truth == "cat", 0.8, 0.2) + rng.normal(0, 0.1, 400), 0, 1)
    return pd.DataFrame({"y_true": truth, "score": p_cat.round(4)})


def test_misread_file_warns_and_the_swap_fixes_accuracy(app_test: AppTest):
    at = _upload(app_test, "misread.csv", _misread())
    assert "belong to the other class" in _texts(at.warning)
    low = float(metric_values(at)["Accuracy"].rstrip("%"))
    at.button(key="metrics.swap_positive").click().run()
    high = float(metric_values(at)["Accuracy"].rstrip("%"))
    assert low < 50 < 90 < high
    assert "belong to the other class" not in _texts(at.warning)


def test_five_rows_show_too_few_examples_instead_of_an_interval(app_test: AppTest):
    frame = pd.DataFrame({"y_true": [1, 0, 1, 0, 1], "score": [0.9, 0.2, 0.8, 0.3, 0.7]})
    at = _upload(app_test, "five.csv", frame)
    captions = _texts(at.caption)
    assert "no interval: too few examples" in captions
    assert "zero_division: too few" not in captions


def test_multiclass_file_gets_top_k_calibration_cost_and_its_cells(metrics: AppTest):
    metrics.selectbox(key="metrics.file.file").set_value("animals_multiclass.csv").run()
    assert not metrics.exception and not metrics.error
    shown = metric_values(metrics)
    assert "Top-2 accuracy" in shown and "Expected calibration error (ECE)" in shown
    assert "Cost per example, top class" in shown
    metrics.number_input(key="metrics.topk.k").set_value(1).run()
    top1 = float(metric_values(metrics)["Top-1 accuracy"].rstrip("%"))
    assert top1 == pytest.approx(float(metric_values(metrics)["Accuracy"].rstrip("%")), abs=0.11)
    table = next(d.value for d in metrics.dataframe if d.key == "metrics.cells.table")
    assert list(table.columns) == ["bird", "cat", "dog", "fish"]
    metrics.radio(key="metrics.cells.source").set_value("errors").run()
    metrics.selectbox(key="metrics.cells.class").set_value(1).run()
    assert "false positives of cat" in _texts(metrics.markdown)


def test_multiclass_models_of_two_files_are_compared_per_slice(metrics: AppTest):
    animals = pd.read_csv(SAMPLE_DIR / "animals_multiclass.csv")
    worse = animals.drop(columns=["p_bird", "p_cat", "p_dog", "p_fish"])
    worse.loc[worse.index % 7 == 0, "y_pred"] = "dog"  # a weaker second model
    _upload(metrics, "animals_v2.csv", worse)
    metrics.selectbox(key="metrics.file.file").set_value("animals_multiclass.csv").run()
    metrics.multiselect(key="metrics.diff.files").set_value(["animals_v2.csv"]).run()
    metrics.selectbox(key="metrics.diff.b").set_value("animals_v2.csv: y_pred").run()
    metrics.selectbox(key="metrics.diff.slice").set_value("source").run()
    assert not metrics.exception and not metrics.error
    table = next(d.value for d in metrics.dataframe if "Holm p" in d.value.columns)
    assert set(table["source"]) == {"camera trap", "phone"}
    assert table["only A right"].sum() > table["only B right"].sum()


def test_big_files_wait_for_a_click_before_calibrating(metrics: AppTest, monkeypatch):
    monkeypatch.setattr("components.metrics_compute.AUTO_ROWS", 100)
    metrics.run()
    assert "Expected calibration error (ECE)" not in metric_values(metrics)
    assert "runs when asked" in _texts(metrics.caption)
    metrics.button(key="metrics.calibration.run").click().run()
    assert "Expected calibration error (ECE)" in metric_values(metrics)


def test_class_names_reach_the_page_as_text(app_test: AppTest):
    frame = _misread().replace({"y_true": {"cat": "**cat**", "dog": "[dog](http://x.org)"}})
    at = _upload(app_test, "odd names.csv", frame)
    swap = at.button(key="metrics.swap_positive")
    assert plain(swap.label) == "Make '**cat**' the positive class"
    assert "**cat**" not in swap.label  # escaped, not bold
    columns = next(d.value for d in at.dataframe if d.key == "metrics.cells.table").columns
    assert list(columns) == ["**cat** (negative)", "[dog](http://x.org) (positive)"]
    at.session_state["metrics.cells.table"] = {"selection": {"cells": [[0, columns[1]]]}}
    at.run()
    heading = next(m.value for m in at.markdown if "examples: true" in plain(m.value))
    assert "[dog](http" not in heading and "predicted [dog](http" in plain(heading)
    assert "**cat**" not in heading
