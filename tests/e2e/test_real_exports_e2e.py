"""A predict_proba export, as a training script writes it, uploaded in real Chromium: the
metrics page shows the model's real accuracy without touching the column mapping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from tests.e2e.browser import assert_no_exception, shot
from tests.e2e.test_metrics_e2e import _metric, _upload_sample


@pytest.fixture
def fresh_url(start_server, chromium_path) -> str:
    """This test's own server and empty store."""
    return start_server().url


def _predict_proba_export(folder: Path) -> tuple[Path, float]:
    """A ham/spam predict_proba export (columns named after classes_) and its accuracy."""
    x, y = make_classification(n_samples=400, n_features=6, n_informative=4, weights=[0.7],
                               random_state=7)
    labels = np.array(["ham", "spam"])[y]
    model = LogisticRegression().fit(x, labels)
    frame = pd.concat([pd.DataFrame({"example_id": range(len(labels)), "y_true": labels}),
                       pd.DataFrame(model.predict_proba(x), columns=model.classes_)], axis=1)
    path = folder / "spam_predict_proba.csv"
    frame.to_csv(path, index=False)
    return path, accuracy_score(labels, model.predict(x))


def test_predict_proba_export_shows_its_real_accuracy(page, fresh_url, tmp_path):
    path, accuracy = _predict_proba_export(tmp_path)
    _upload_sample(page, fresh_url, path)
    expect(page.get_by_text("Binary metrics")).to_be_visible()
    assert _metric(page, "Accuracy") == f"{100 * accuracy:.1f}%"
    expect(page.get_by_text("is the score of the positive class 'spam'").first).to_be_visible()
    assert_no_exception(page)
    shot(page, "real_exports_predict_proba")
