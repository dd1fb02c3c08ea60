"""Real export shapes, built from scikit-learn models, read without touching the mapping.

Each case is what a training script writes (predict_proba with named or indexed classes, with
affixes, shuffled columns, decision_function logits, one-hot labels, several models in long or
wide format, one file per model): the reader must find the task, the models and the positive
class, and the accuracy it recomputes must equal accuracy_score of model.predict.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

import analysis.detection as detection
import analysis.export_shapes as export_shapes
import analysis.model_files as model_files
import analysis.predictions as predictions_module
from analysis.predictions import (
    class_of_column,
    join_model_files,
    read_predictions,
    split_by_model,
    suggest_mapping,
)

N = 300
SPAM = {0: "ham", 1: "spam"}  # spam is the rarer class: the positive one
ANIMALS = np.array(["dog", "cat", "bird"])  # index -> name, deliberately not sorted


def _data(n_classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    weights = [0.7] if n_classes == 2 else None
    return make_classification(n_samples=N, n_features=8, n_informative=5, n_classes=n_classes,
                               weights=weights, random_state=seed)


def _fit(model, n_classes: int, names=None):
    x, y = _data(n_classes)
    labels = y if names is None else np.asarray(names)[y]
    return model.fit(x, labels), x, labels


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _read(frame: pd.DataFrame, **mapping):
    return read_predictions(_csv(frame), "export.csv", **mapping)


def _accuracy(predictions, model: str | None = None, threshold: float = 0.5) -> float:
    guess = predictions.y_pred(threshold, model) if model else predictions.y_pred(threshold)
    truth = predictions.y_true()
    if predictions.task == "binary":
        return float(np.mean(guess == truth))
    return float(np.mean(guess.astype(str) == truth.astype(str)))


def _proba_frame(model, x, labels, columns) -> pd.DataFrame:
    proba = pd.DataFrame(model.predict_proba(x), columns=columns)
    return pd.concat([pd.DataFrame({"example_id": range(N), "y_true": labels}), proba], axis=1)


# Binary ------------------------------------------------------------------------------------


def test_binary_predict_proba_named_by_class_is_one_model_scored_by_the_positive_class():
    model, x, labels = _fit(LogisticRegression(), 2, ["ham", "spam"])
    frame = _proba_frame(model, x, labels, list(model.classes_))  # columns 'ham', 'spam'
    predictions = _read(frame)
    assert predictions.task == "binary"
    assert predictions.mapping.scores == ("spam",)
    assert predictions.mapping.positive_label == "spam"
    assert _accuracy(predictions) == pytest.approx(accuracy_score(labels, model.predict(x)))
    assert any("one model's probabilities" in note for note in predictions.notes)


def test_binary_prob_prefix_with_indexed_classes_uses_the_class_1_column():
    model, x, y = _fit(RandomForestClassifier(n_estimators=30, random_state=0), 2)
    frame = _proba_frame(model, x, y, ["prob_0", "prob_1"])
    predictions = _read(frame)
    assert (predictions.task, predictions.mapping.scores) == ("binary", ("prob_1",))
    assert predictions.mapping.positive_label == "1"
    assert _accuracy(predictions) == pytest.approx(accuracy_score(y, model.predict(x)))


def test_binary_proba_suffix_in_shuffled_order_and_the_other_positive_class_on_request():
    model, x, labels = _fit(LogisticRegression(), 2, ["ham", "spam"])
    frame = _proba_frame(model, x, labels, ["ham_proba", "spam_proba"])
    frame = frame[["spam_proba", "example_id", "ham_proba", "y_true"]]
    predictions = _read(frame)
    assert predictions.mapping.scores == ("spam_proba",)
    assert _accuracy(predictions) == pytest.approx(accuracy_score(labels, model.predict(x)))
    flipped = _read(frame, positive_label="ham")
    assert flipped.mapping.scores == ("ham_proba",) and flipped.mapping.positive_label == "ham"
    assert _accuracy(flipped) == pytest.approx(accuracy_score(labels, model.predict(x)))


def test_two_columns_that_do_not_sum_to_one_stay_two_models():
    # two competing models' P(spam): not one model's classes
    y = np.r_[np.ones(10), np.zeros(10)].astype(int)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"y_true": y, "prob_a": rng.uniform(size=20),
                          "prob_b": rng.uniform(size=20)})
    assert _read(frame).mapping.scores == ("prob_a", "prob_b")


def test_binary_decision_function_logits_get_a_sigmoid_with_a_note():
    model, x, y = _fit(LogisticRegression(), 2)
    frame = pd.DataFrame({"y_true": y, "decision": model.decision_function(x)})
    predictions = _read(frame)
    assert predictions.mapping.score_transform == "sigmoid"
    np.testing.assert_allclose(predictions.score(), model.predict_proba(x)[:, 1])
    assert _accuracy(predictions) == pytest.approx(accuracy_score(y, model.predict(x)))
    assert any("sigmoid" in note and "'rank'" in note for note in predictions.notes)


def test_logits_next_to_probabilities_are_not_squashed_together():
    model, x, y = _fit(LogisticRegression(), 2)
    frame = pd.DataFrame({"y_true": y, "score_logit": model.decision_function(x),
                          "score_proba": model.predict_proba(x)[:, 1]})
    assert suggest_mapping(frame).score_transform is None
    with pytest.raises(ValueError, match=r"'score_logit' has \d+ values outside \[0, 1\]"):
        _read(frame)


def test_decision_scores_as_ranking_scores_keep_score_units():
    model, x, y = _fit(LogisticRegression(), 2)
    frame = pd.DataFrame({"y_true": y, "decision": model.decision_function(x)})
    ranked = _read(frame, score_transform="rank")
    np.testing.assert_allclose(ranked.score(), model.decision_function(x))
    # a decision function's own threshold is 0, in score units
    assert _accuracy(ranked, threshold=0.0) == pytest.approx(accuracy_score(y, model.predict(x)))
    assert any("ranking scores" in note for note in ranked.notes)


def test_a_tiny_logit_file_once_refused_is_now_read_with_a_sigmoid():
    # test_predictions.py refused b"y_true,score\n1,2.5\n0,-0.3\n" before logits were understood
    predictions = read_predictions(b"y_true,score\n1,2.5\n0,-0.3\n", "logit.csv")
    assert predictions.mapping.score_transform == "sigmoid"
    np.testing.assert_allclose(predictions.score(), 1 / (1 + np.exp([-2.5, 0.3])))


def test_a_few_stray_values_outside_0_1_are_still_refused_not_squashed():
    frame = pd.DataFrame({"y_true": [1, 0] * 10, "score": [0.9, 0.1] * 9 + [-3.2, 4.1]})
    with pytest.raises(ValueError, match=r"2 values outside \[0, 1\]"):
        _read(frame)


def test_refusing_logits_names_every_option():
    frame = pd.DataFrame({"y_true": [1, 0, 1, 0], "decision": [2.5, -1.0, 0.4, -3.0]})
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*'sigmoid'.*'softmax'.*'rank'"):
        _read(frame, score_transform=None)
    with pytest.raises(ValueError, match=r"score_transform must be one of sigmoid, softmax, rank"):
        _read(frame, score_transform="tanh")


# Multiclass --------------------------------------------------------------------------------


def test_multiclass_predict_proba_named_by_class_in_shuffled_order():
    model, x, labels = _fit(LogisticRegression(max_iter=500), 3, ANIMALS)
    frame = _proba_frame(model, x, labels, list(model.classes_))
    frame = frame[["cat", "y_true", "dog", "example_id", "bird"]]
    predictions = _read(frame)
    assert predictions.task == "multiclass"
    assert dict(zip(predictions.mapping.proba, predictions.mapping.classes, strict=True)) == {
        "cat": "cat", "dog": "dog", "bird": "bird"}
    assert predictions.mapping.scores == ()
    assert _accuracy(predictions) == pytest.approx(accuracy_score(labels, model.predict(x)))


def test_multiclass_indexed_classes_with_proba_prefix():
    model, x, y = _fit(RandomForestClassifier(n_estimators=30, random_state=0), 3)
    frame = _proba_frame(model, x, y, [f"proba_{k}" for k in range(3)])
    predictions = _read(frame)
    assert predictions.task == "multiclass" and predictions.mapping.classes == ("0", "1", "2")
    assert _accuracy(predictions) == pytest.approx(accuracy_score(y, model.predict(x)))


def test_named_labels_with_indexed_columns_follow_sorted_class_order():
    model, x, labels = _fit(LogisticRegression(max_iter=500), 3, ANIMALS)
    frame = _proba_frame(model, x, labels, [f"p_{k}" for k in range(3)])  # classes_ is sorted
    predictions = _read(frame)
    assert predictions.mapping.classes == ("bird", "cat", "dog")
    assert _accuracy(predictions) == pytest.approx(accuracy_score(labels, model.predict(x)))
    assert any("sorted order" in note for note in predictions.notes)


def test_index_labels_with_named_columns_follow_file_order():
    model, x, y = _fit(LogisticRegression(max_iter=500), 3)
    frame = _proba_frame(model, x, y, [f"{name}_prob" for name in ANIMALS])  # index order
    predictions = _read(frame)
    assert predictions.mapping.classes == ("dog", "cat", "bird")
    assert set(predictions.y_true()) == {"dog", "cat", "bird"}
    assert _accuracy(predictions) == pytest.approx(accuracy_score(y, model.predict(x)))
    assert any("file order (0 = 'dog'" in note for note in predictions.notes)


def test_multiclass_logits_get_a_softmax():
    model, x, labels = _fit(LogisticRegression(max_iter=500), 3, ANIMALS)
    logits = pd.DataFrame(model.decision_function(x), columns=[f"logit_{c}" for c in model.classes_])
    frame = pd.concat([pd.DataFrame({"y_true": labels}), logits], axis=1)
    predictions = _read(frame)
    assert predictions.mapping.score_transform == "softmax"
    np.testing.assert_allclose(predictions.frame[list(predictions.mapping.proba)],
                               model.predict_proba(x), atol=1e-9)
    assert _accuracy(predictions) == pytest.approx(accuracy_score(labels, model.predict(x)))


def test_one_hot_labels_become_one_multiclass_label_column():
    model, x, labels = _fit(LogisticRegression(max_iter=500), 3, ANIMALS)
    one_hot = pd.get_dummies(pd.Series(labels), prefix="label", dtype=int)
    proba = pd.DataFrame(model.predict_proba(x), columns=[f"p_{c}" for c in model.classes_])
    predictions = _read(pd.concat([one_hot, proba], axis=1))
    assert predictions.task == "multiclass" and predictions.mapping.one_hot == tuple(one_hot)
    np.testing.assert_array_equal(predictions.y_true(), labels)
    assert _accuracy(predictions) == pytest.approx(accuracy_score(labels, model.predict(x)))
    assert any("one-hot" in note for note in predictions.notes)


def test_binary_one_hot_labels_with_a_complementary_pair_are_one_binary_model():
    model, x, labels = _fit(LogisticRegression(), 2, ["ham", "spam"])
    one_hot = pd.get_dummies(pd.Series(labels), prefix="true", dtype=int)
    proba = pd.DataFrame(model.predict_proba(x), columns=["p_ham", "p_spam"])
    predictions = _read(pd.concat([one_hot, proba], axis=1))
    assert (predictions.task, predictions.mapping.scores) == ("binary", ("p_spam",))
    assert _accuracy(predictions) == pytest.approx(accuracy_score(labels, model.predict(x)))


def test_three_score_columns_next_to_0_1_labels_stay_three_models():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"y_true": rng.integers(0, 2, 30),
                          **{f"score_{m}": rng.uniform(size=30) for m in "abc"}})
    predictions = _read(frame)
    assert (predictions.task, predictions.mapping.scores) == (
        "binary", ("score_a", "score_b", "score_c"))


def test_multi_hot_labels_are_multilabel():
    y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    frame = pd.DataFrame({"label_car": y[:, 0], "label_bus": y[:, 1],
                          "p_car": [0.9, 0.8, 0.2, 0.1], "p_bus": [0.1, 0.7, 0.9, 0.2]})
    predictions = _read(frame)
    assert predictions.task == "multilabel"
    assert predictions.mapping.task_labels == ("label_car", "label_bus")


def test_one_hot_rows_with_two_ones_are_refused_when_mapped_by_hand():
    frame = pd.DataFrame({"true_a": [1, 1, 0], "true_b": [0, 1, 1], "p_a": [0.9, 0.5, 0.1],
                          "p_b": [0.1, 0.5, 0.9]})
    with pytest.raises(ValueError, match=r"exactly one class.*multilabel"):
        _read(frame, one_hot=["true_a", "true_b"], y_true="y", proba=["p_a", "p_b"],
              classes=["a", "b"], task="multiclass")


# Several models ----------------------------------------------------------------------------


def _two_models():
    x, y = _data(2)
    forest = RandomForestClassifier(n_estimators=30, random_state=0).fit(x, y)
    return {"logreg": LogisticRegression().fit(x, y), "forest": forest}, x, y


def test_several_models_in_wide_format_are_score_columns():
    models, x, y = _two_models()
    frame = pd.DataFrame({"y_true": y, **{f"score_{name}": m.predict_proba(x)[:, 1]
                                          for name, m in models.items()}})
    predictions = _read(frame)
    assert predictions.mapping.scores == ("score_logreg", "score_forest")
    for name, model in models.items():
        assert _accuracy(predictions, f"score_{name}") == pytest.approx(
            accuracy_score(y, model.predict(x)))


def test_several_models_in_long_format_are_pivoted_to_one_score_column_each():
    models, x, y = _two_models()
    long = pd.concat([pd.DataFrame({"example_id": range(N), "model": name, "y_true": y,
                                    "score": m.predict_proba(x)[:, 1]})
                      for name, m in models.items()]).sample(frac=1, random_state=0)
    predictions = _read(long)
    assert predictions.task == "binary" and predictions.n_rows == N
    assert predictions.mapping.scores == tuple(long["model"].drop_duplicates())
    for name, model in models.items():
        ids = predictions.frame["example_id"].to_numpy()
        expected = accuracy_score(y[ids], model.predict(x[ids]))
        assert _accuracy(predictions, name) == pytest.approx(expected)
    assert any("one row per example and model" in note for note in predictions.notes)


def test_two_files_joined_on_the_id_line_up_rows():
    models, x, y = _two_models()
    files = {name: pd.DataFrame({"id": np.arange(N), "label": y,
                                 "prob_0": m.predict_proba(x)[:, 0],
                                 "prob_1": m.predict_proba(x)[:, 1]}).sample(frac=1, random_state=i)
             for i, (name, m) in enumerate(models.items())}
    joined = join_model_files(files, "id")
    assert joined.mapping.scores == ("logreg", "forest") and joined.mapping.positive_label == "1"
    ids = joined.frame["id"].to_numpy()
    for name, model in models.items():
        assert _accuracy(joined, name) == pytest.approx(
            accuracy_score(y[ids], model.predict(x[ids])))


def _file(ids, truth, scores):
    return pd.DataFrame({"id": ids, "y_true": truth, "score": scores})


@pytest.mark.parametrize("second, message", [
    (_file([1, 2], [1, 0], [0.2, 0.3]), r"1 example ids are missing from model 'b' \(e.g. '3'\)"),
    (_file([1, 2, 3, 4], [1, 0, 1, 0], [0.2, 0.3, 0.4, 0.5]),
     r"1 example ids are missing from model 'a' \(e.g. '4'\)"),
    (_file([1, 2, 2], [1, 0, 0], [0.2, 0.3, 0.4]), r"model 'b' has 1 ids in 'id' more than once"),
    (_file([1, 2, 3], [1, 1, 1], [0.2, 0.3, 0.4]), r"y_true differs .*'a' and 'b' on 1 examples"),
])
def test_joining_files_names_what_does_not_match(second, message):
    first = _file([1, 2, 3], [1, 0, 1], [0.9, 0.1, 0.8])
    with pytest.raises(ValueError, match=message):
        join_model_files({"a": first, "b": second}, "id")


def test_a_file_without_the_id_column_is_named():
    first = _file([1, 2, 3], [1, 0, 1], [0.9, 0.1, 0.8])
    with pytest.raises(ValueError, match=r"model 'b' has no column 'key'"):
        join_model_files({"a": first.rename(columns={"id": "key"}), "b": first}, "key")


def test_a_slice_named_system_with_unique_ids_is_not_a_model_column():
    frame = pd.DataFrame({"id": range(6), "system": ["ios", "android"] * 3,
                          "y_true": [1, 0] * 3, "score": [0.9, 0.1, 0.8, 0.3, 0.7, 0.2]})
    predictions = _read(frame)
    assert predictions.mapping.scores == ("score",) and "system" in predictions.mapping.groups


def test_split_by_model_refuses_rows_without_a_model():
    frame = pd.DataFrame({"model": ["a", None], "score": [0.1, 0.2]})
    with pytest.raises(ValueError, match=r"'model' is empty in 1 rows"):
        split_by_model(frame, "model")


# Class names of probability columns --------------------------------------------------------


@pytest.mark.parametrize("column, name", [
    ("cat_prob", "cat"), ("p_cat", "cat"), ("prob_cat", "cat"), ("proba_cat", "cat"),
    ("cat_proba", "cat"), ("cat_score", "cat"), ("probability_cat", "cat"), ("Cat Prob", "Cat"),
    ("cat", "cat"), ("proba_0", "0"), ("logit-dog", "dog"),
])
def test_class_of_column_strips_every_affix(column, name):
    assert class_of_column(column) == name


def test_hand_mapped_cat_prob_columns_are_classes_cat_dog_and_bird():
    # the columns are not named like the labels' column detection expects: mapped by hand
    frame = pd.DataFrame({"truth": ["cat", "dog", "bird"], "cat_prob": [0.7, 0.2, 0.1],
                          "dog_prob": [0.2, 0.7, 0.1], "bird_prob": [0.1, 0.1, 0.8]})
    columns = ["cat_prob", "dog_prob", "bird_prob"]
    assert suggest_mapping(frame, y_true="truth", proba=columns).classes == ("cat", "dog", "bird")
    predictions = read_predictions(_csv(frame), "hand.csv", y_true="truth", proba=columns[::-1])
    assert predictions.mapping.classes == ("bird", "dog", "cat")
    assert list(predictions.y_pred()) == ["cat", "dog", "bird"]


def test_the_modules_examples_run():
    for module in (export_shapes, model_files, detection, predictions_module):
        assert doctest.testmod(module).failed == 0


def test_parquet_round_trip_keeps_the_new_mapping_fields():
    from analysis.predictions import predictions_from_parquet, predictions_to_parquet

    model, x, y = _fit(LogisticRegression(), 2)
    predictions = _read(pd.DataFrame({"y_true": y, "decision": model.decision_function(x)}))
    back = predictions_from_parquet(predictions_to_parquet(predictions),
                                    predictions.mapping.to_dict(), predictions.name)
    assert back.mapping == predictions.mapping
    pd.testing.assert_frame_equal(back.frame, predictions.frame)
