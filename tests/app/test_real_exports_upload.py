"""Real exports uploaded on the metrics page through AppTest's file uploader, the mapping left
as detected: predict_proba with named classes, one-hot labels, decision_function logits, a long
file of two models, and a second file joined as another model of the active one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier
from streamlit.testing.v1 import AppTest

from analysis.score_scale import threshold_range
from tests.app.conftest import metric_values, open_view, plain

PAGE = "views/metrics.py"
UPLOAD = "metrics.file.upload"
N = 200


def _spam(model=None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A ham/spam problem: (ids and labels, features, the fitted model's predictions)."""
    x, y = make_classification(n_samples=N, n_features=6, n_informative=4, weights=[0.7],
                               random_state=3)
    labels = np.array(["ham", "spam"])[y]
    fitted = (model or LogisticRegression()).fit(x, labels)
    base = pd.DataFrame({"example_id": [f"m{i}" for i in range(N)], "y_true": labels})
    return base, x, fitted


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _upload(at: AppTest, name: str, frame: pd.DataFrame) -> AppTest:
    at.file_uploader(key=UPLOAD).set_value((name, _csv(frame), "text/csv")).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _accuracy(at: AppTest) -> float:
    return float(metric_values(at)["Accuracy"].rstrip("%")) / 100


def _notes(at: AppTest) -> str:
    return " ".join(plain(w.value) for w in [*at.warning, *at.caption])


@pytest.fixture
def page(app_test: AppTest) -> AppTest:
    return open_view(app_test, PAGE)


def test_predict_proba_with_named_classes_shows_the_real_accuracy(page: AppTest):
    base, x, model = _spam()
    frame = pd.concat([base, pd.DataFrame(model.predict_proba(x), columns=model.classes_)],
                      axis=1)  # columns ham, spam as predict_proba writes them
    _upload(page, "spam_proba.csv", frame)
    expected = accuracy_score(base["y_true"], model.predict(x))
    assert _accuracy(page) == pytest.approx(expected, abs=0.0005)
    assert "'spam' is the score of the positive class 'spam'" in _notes(page)


def test_one_hot_labels_are_read_without_a_true_label_picker(page: AppTest):
    base, x, model = _spam()
    one_hot = pd.get_dummies(base["y_true"], prefix="label", dtype=int)  # label_ham, label_spam
    frame = pd.concat([base[["example_id"]], one_hot,
                       pd.DataFrame({"score": model.predict_proba(x)[:, 1]})], axis=1)
    _upload(page, "one_hot.csv", frame)
    assert not [s for s in page.selectbox if s.label == "True label"]
    assert "built from the one-hot columns" in _notes(page)
    expected = accuracy_score(base["y_true"], model.predict(x))
    assert _accuracy(page) == pytest.approx(expected, abs=0.0005)


def test_decision_function_defaults_to_sigmoid_and_rank_uses_score_units(page: AppTest):
    base, x, model = _spam()
    frame = base.assign(decision=model.decision_function(x))
    _upload(page, "decision.csv", frame)
    transform = next(s for s in page.selectbox if s.label == "Score transform")
    assert transform.value == "sigmoid"
    expected = accuracy_score(base["y_true"], model.predict(x))
    assert _accuracy(page) == pytest.approx(expected, abs=0.0005)

    transform.set_value("rank").run()
    assert not page.exception and not page.error
    slider = page.slider(key="threshold_score")
    low, high = float(frame["decision"].min()), float(frame["decision"].max())
    assert slider.min <= low and slider.max >= high and slider.value == 0.0
    assert _accuracy(page) == pytest.approx(expected, abs=0.0005)  # threshold 0: predict()


def test_scores_outside_zero_one_refused_name_the_transforms(page: AppTest):
    base, x, model = _spam()
    frame = base.assign(decision=model.decision_function(x))
    _upload(page, "decision.csv", frame)
    next(s for s in page.selectbox if s.label == "Score transform").set_value("none").run()
    shown = " ".join(plain(e.value) for e in page.error) + _notes(page)
    assert "outside [0, 1]" in shown and "rank only" in shown and "sigmoid" in shown


def test_long_file_becomes_two_models(page: AppTest):
    base, x, logistic = _spam()
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(x, base["y_true"])
    long = pd.concat([base.assign(model=name, score=fitted.predict_proba(x)[:, 1])
                      for name, fitted in (("logistic", logistic), ("tree", tree))])
    _upload(page, "long.csv", long)
    assert "One row per example and model" in _notes(page)
    assert page.selectbox(key="model").options == ["logistic", "tree"]
    expected = accuracy_score(base["y_true"], logistic.predict(x))
    assert _accuracy(page) == pytest.approx(expected, abs=0.0005)
    page.selectbox(key="model").set_value("tree").run()
    assert _accuracy(page) == pytest.approx(accuracy_score(base["y_true"], tree.predict(x)),
                                            abs=0.0005)


def _two_files(page: AppTest) -> tuple[pd.DataFrame, pd.DataFrame]:
    base, x, logistic = _spam()
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(x, base["y_true"])
    first = base.assign(score=logistic.predict_proba(x)[:, 1])
    second = base.assign(score=tree.predict_proba(x)[:, 1]).iloc[::-1]  # other row order
    _upload(page, "logistic.csv", first)
    page.selectbox(key="metrics.file.file").set_value("Upload a file…").run()
    return first, second


def test_second_file_joins_as_another_model(page: AppTest):
    _first, second = _two_files(page)
    _upload(page, "tree.csv", second)
    page.checkbox(key=next(c.key for c in page.checkbox
                           if c.label.startswith("Add as another model"))).check().run()
    assert not page.exception and not page.error
    assert page.selectbox(key="model").options == ["score", "tree"]
    assert "joined logistic.csv as model 'tree'" in _notes(page)


def test_second_file_with_missing_ids_says_which(page: AppTest):
    _first, second = _two_files(page)
    _upload(page, "tree.csv", second.iloc[5:])
    page.checkbox(key=next(c.key for c in page.checkbox
                           if c.label.startswith("Add as another model"))).check().run()
    errors = " ".join(plain(e.value) for e in page.error)
    assert "cannot be added as a model of logistic.csv" in errors
    assert "missing" in errors


def test_threshold_range_in_score_units_starts_at_zero():
    low, high, start, step = threshold_range({"a": np.array([-3.2, 0.4, 2.71])}, "rank")
    assert (low, high, start, step) == (pytest.approx(-3.2), pytest.approx(2.71), 0.0, 0.01)
    assert threshold_range({"a": np.array([0.2, 0.9])}, None) == (0.0, 1.0, 0.5, 0.01)


def test_index_named_probability_columns_keep_the_class_names(page: AppTest):
    x, y = make_classification(n_samples=N, n_features=8, n_informative=5, n_classes=3,
                               random_state=1)
    labels = np.array(["bird", "cat", "dog"])[y]
    model = LogisticRegression(max_iter=500).fit(x, labels)
    proba = pd.DataFrame(model.predict_proba(x), columns=["proba_0", "proba_1", "proba_2"])
    _upload(page, "animals.csv", pd.concat([pd.DataFrame({"y_true": labels}), proba], axis=1))
    assert "matched to classes by position" in _notes(page)
    shown = metric_values(page)
    expected = accuracy_score(labels, model.predict(x))
    assert float(shown["Accuracy"].rstrip("%")) / 100 == pytest.approx(expected, abs=0.0005)
