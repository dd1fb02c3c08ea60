"""A data source is mapped like an uploaded file on the metrics page: the positive class of
text labels (guessed as the file reader guesses it, then the user's), predicted labels only
(no threshold, no curves, said so), metrics per slice and the weighted error, multiclass
labels with per-class metrics; and each mistake in the mapping is said next to it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP_PATH, app_on_source, open_view, table_with, texts, upload_on

KEY = "metrics.source"


@pytest.fixture
def lake(store_url: str, tmp_path: Path) -> AppTest:
    """The metrics page on source `lake`: one Parquet table with every kind of column."""
    rng = np.random.default_rng(3)
    n = 240
    animal = rng.choice(["cat", "dog"], n, p=[0.3, 0.7])
    pd.DataFrame({
        "label": animal, "guess": np.where(rng.random(n) < 0.8, animal, "cat"),
        "score": rng.random(n).round(3), "split": rng.choice(["train", "dev", "test"], n),
        "weight": rng.choice([1.0, 10.0], n), "region": rng.choice(["US", "EU", "India"], n),
        "row_id": np.arange(n), "kind": rng.choice(["a", "b", "c"], n),
        "kind_pred": rng.choice(["a", "b", "c"], n),
    }).to_parquet(tmp_path / "lake.parquet")
    at = open_view(app_on_source(tmp_path / "lake.parquet"), "views/metrics.py")
    at.radio(key="metrics.file.source").set_value("lake").run()
    assert not at.exception, at.exception
    return at


def _role(at: AppTest, role: str):
    """The mapping's selectbox of `role` (its key carries a digest of the table read)."""
    return next(s for s in at.selectbox if s.key.startswith(KEY) and s.key.endswith(f".{role}"))


def _positive(at: AppTest):
    return next(s for s in at.selectbox if s.label == "Positive class")


def _tp(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("TP "))


def test_text_labels_get_the_readers_positive_class_and_the_users_choice(lake: AppTest) -> None:
    at = lake
    assert _role(at, "y_true").value == "label"  # guessed from the name
    assert _role(at, "score").value == "score"
    assert _role(at, "weight").value == "weight"
    positive = _positive(at)
    assert positive.value == "cat" and list(positive.options) == ["cat", "dog"]
    assert "Positive class taken as 'cat' (the rarer one)" in texts(at.caption)
    before = _tp(at)
    positive.set_value("dog").run()
    assert not at.exception, at.exception
    assert _tp(at) != before
    assert "Positive class taken as" not in texts(at.caption)


def test_predicted_labels_only_give_threshold_metrics_and_say_what_is_missing(
        lake: AppTest) -> None:
    at = lake
    _role(at, "score").set_value("(none)").run()
    _role(at, "y_pred").set_value("guess").run()
    assert not at.exception, at.exception
    shown = texts(at.caption)
    assert "Predicted labels only: ROC and PR curves" in shown
    assert "computed by duckdb on source lake" in shown
    assert not [s for s in at.slider if s.key == f"{KEY}.threshold"]
    assert not at.get("plotly_chart") or all("ROC" not in str(c.proto.spec)
                                              for c in at.get("plotly_chart"))
    _role(at, "y_pred").set_value("(none)").run()
    assert "Map a score column or a predicted-label column" in texts(at.error)


def test_slices_and_the_weighted_error_are_counted_by_the_engine(lake: AppTest) -> None:
    at = lake
    at.selectbox(key=f"{KEY}.slice").set_value("region").run()
    assert not at.exception, at.exception
    table = table_with(at, "region")
    assert sorted(table["region"]) == ["EU", "India", "US"]
    assert table["n"].sum() == 240
    assert "Average error across slices" in [m.label for m in at.metric]
    assert "Weighted error" in [m.label for m in at.metric]
    at.selectbox(key=f"{KEY}.slice").set_value("row_id").run()  # 240 values: within the bound
    assert not at.exception, at.exception
    assert len(table_with(at, "row_id")) == 240


def test_too_many_slices_are_refused_next_to_the_choice(lake: AppTest,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sources.breakdowns.MAX_SLICES", 100)
    at = lake
    at.selectbox(key=f"{KEY}.slice").set_value("row_id").run()
    assert not at.exception, at.exception
    assert "'row_id' has more than 100 distinct values" in texts(at.error)


def test_multiclass_labels_get_the_confusion_matrix_and_per_class_metrics(lake: AppTest) -> None:
    at = lake
    _role(at, "y_true").set_value("kind").run()
    assert "Labels in 'kind' are not binary: 3 different values" in texts(at.error)
    _role(at, "y_pred").set_value("kind_pred").run()
    assert not at.exception, at.exception
    assert "Multiclass: 3 classes." in texts(at.caption)
    per_class = table_with(at, "class")
    assert list(per_class["class"]) == ["a", "b", "c"]
    assert per_class["support"].sum() == 240
    assert {"Accuracy", "Macro F1", "Weighted F1"} <= {m.label for m in at.metric}
    at.selectbox(key=f"{KEY}.slice").set_value("region").run()
    assert "precision" not in table_with(at, "region").columns  # multiclass: error per slice


def test_a_large_upload_of_text_labels_and_predicted_labels_is_mapped_like_a_source(
        store_url: str) -> None:
    """A routed upload (DuckDB, never pandas) with text labels and no score column: the
    positive class is offered and the metrics come from its predicted labels."""
    rng = np.random.default_rng(4)
    n = 70_000
    truth = rng.choice(["spam", "ham"], n, p=[0.2, 0.8])
    frame = pd.DataFrame({"y_true": truth,
                          "y_pred": np.where(rng.random(n) < 0.9, truth, "spam"),
                          "split": rng.choice(["train", "dev", "test"], n),
                          "region": rng.choice(["US", "EU"], n)})
    assert len(frame.to_csv(index=False).encode()) > 1024 * 1024
    at = AppTest.from_file(APP_PATH, default_timeout=90)
    at.secrets["workbench"] = {"duckdb_above_mb": 1}
    at = upload_on(at.run(), "views/metrics.py", "metrics.file", "big.csv", frame)
    assert "evaluated by DuckDB where the server stored it" in texts(at.caption)
    assert _positive(at).value == "spam"  # the rarer class, as the file reader guesses
    assert "Predicted labels only" in texts(at.caption)
    expected_tp = int(((frame["y_true"] == "spam") & (frame["y_pred"] == "spam")).sum())
    assert _tp(at).startswith(f"TP {expected_tp:,}")
    assert sorted(table_with(at, "region")["region"]) == ["EU", "US"]
