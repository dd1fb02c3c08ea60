"""One decision-score column per model: its positive class is scikit-learn's classes_[1] (the
larger label in sorted order), whether that class is the rarer or the commoner one.

decision_function > 0 means classes_[1]; reading the score against the other class would turn a
good model's ROC AUC into 1 - AUC. Checked against LogisticRegression on both cases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score

from analysis.label_codes import decision_score_positive, sklearn_order
from analysis.metrics import binary_metrics
from analysis.predictions import read_predictions


def _export(names: tuple[str, str], second_share: float, seed: int = 3):
    """(frame, model, labels): a logistic regression's decision scores, the class named
    names[1] (classes_[1]) making up about `second_share` of the rows."""
    x, y = make_classification(n_samples=400, n_features=6, n_informative=4,
                               weights=[1 - second_share], random_state=seed)
    labels = np.asarray(names, dtype=object)[y]
    model = LogisticRegression(max_iter=500).fit(x, labels)
    frame = pd.DataFrame({"y_true": labels, "decision": model.decision_function(x)})
    return frame, model, x, labels


@pytest.mark.parametrize(("names", "second_share", "rarer"), [
    (("ham", "spam"), 0.2, True),    # classes_[1] = 'spam' is the rarer class
    (("cat", "dog"), 0.8, False),    # classes_[1] = 'dog' is the commoner class
])
@pytest.mark.parametrize("transform", [None, "rank"])
def test_decision_score_belongs_to_classes_1(names, second_share, rarer, transform):
    frame, model, x, labels = _export(names, second_share)
    counts = pd.Series(labels).value_counts()
    assert bool(counts[names[1]] < counts[names[0]]) is rarer
    mapping = {} if transform is None else {"score_transform": transform}
    read = read_predictions(frame.to_csv(index=False).encode(), "decision.csv", **mapping)
    assert read.mapping.positive_label == model.classes_[1] == names[1]
    assert read.mapping.classes == tuple(model.classes_)
    truth = read.y_true()
    assert truth.tolist() == (labels == model.classes_[1]).astype(int).tolist()
    expected_auc = roc_auc_score(labels == model.classes_[1], model.decision_function(x))
    result = binary_metrics(truth, scores=read.score(), threshold=0.0 if transform else 0.5)
    assert result.roc_auc.value == pytest.approx(expected_auc, abs=1e-9)
    assert result.roc_auc.value > 0.8  # not read against the other class (1 - AUC)
    assert result.accuracy.value == pytest.approx(accuracy_score(labels, model.predict(x)))
    assert any("classes_[1]" in note for note in read.notes)


def test_numeric_labels_sort_as_numbers_like_sklearn():
    x, y = make_classification(n_samples=300, n_features=6, random_state=5)
    labels = np.where(y == 1, 10, 2)  # as text '10' < '2'; scikit-learn sorts numbers: [2, 10]
    model = LogisticRegression(max_iter=500).fit(x, labels)
    frame = pd.DataFrame({"y_true": labels, "decision": model.decision_function(x)})
    read = read_predictions(frame.to_csv(index=False).encode(), "numbers.csv")
    assert model.classes_.tolist() == [2, 10]
    assert sklearn_order(["10", "2"]) == ["2", "10"]
    assert read.mapping.positive_label == "10"


def test_a_given_positive_label_wins():
    frame, _, _, _ = _export(("ham", "spam"), 0.2)
    read = read_predictions(frame.to_csv(index=False).encode(), "d.csv", positive_label="ham")
    assert read.mapping.positive_label == "ham"
    assert decision_score_positive(["ham", "spam"], "ham")[0] == "ham"


def test_probability_column_keeps_the_usual_rule():
    # a score in [0, 1] is no decision score: yes/no words still decide
    frame = pd.DataFrame({"y_true": ["yes", "no", "no", "yes"], "score": [0.9, 0.2, 0.4, 0.7]})
    read = read_predictions(frame.to_csv(index=False).encode(), "p.csv")
    assert read.mapping.positive_label == "yes"
