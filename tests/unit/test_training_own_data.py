"""Your own data: a table of x1, x2, label becomes a lab dataset, or a clear error."""

import numpy as np
import pandas as pd
import pytest

from analysis.training import LabConfig, TrainingSession
from analysis.training.datasets import MAX_OWN_ROWS, dataset_from_frame


def _frame(m: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(m, 2))
    return pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1],
                         "label": np.where(X[:, 0] > 0, "cat", "dog")})


def test_a_table_becomes_a_dataset_the_lab_trains_on():
    data = dataset_from_frame(_frame(), dev_share=0.25, train_dev_share=0.25, seed=3)
    assert (len(data.y_train), len(data.y_train_dev), len(data.y_dev)) == (20, 10, 10)
    assert set(np.unique(data.y_train)) == {0, 1} and data.n_classes == 2
    assert np.isnan(data.bayes_error)  # unknown for uploaded data
    session = TrainingSession(LabConfig(hidden=(4,)), dataset=data)
    session.advance(200, record_every=200)
    assert session.current().train_error < 15  # x1 > 0 is learnable


def test_labels_are_mapped_in_sorted_order_and_column_names_are_forgiving():
    frame = _frame().rename(columns={"x1": " X1 ", "label": "Label"})
    data = dataset_from_frame(frame, seed=1)
    X = np.concatenate([data.X_train, data.X_train_dev, data.X_dev])
    y = np.concatenate([data.y_train, data.y_train_dev, data.y_dev])
    np.testing.assert_array_equal(y, (X[:, 0] <= 0).astype(int))  # "dog" sorts after "cat"


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns="x2"), "needs columns x1, x2 and label; x2 missing"),
    (lambda f: f.head(5), "must have 10 to"),
    (lambda f: f.assign(x1=f["x1"].astype(object).where(f.index != 3, "abc")),
     "x1 must hold finite numbers; row 4 is empty, text or infinite"),
    (lambda f: f.assign(x2=f["x2"].where(f.index != 0, np.inf)), "x2 must hold finite numbers"),
    (lambda f: f.assign(label="cat"), "exactly two classes, got 1"),
    (lambda f: f.assign(label=np.arange(len(f)) % 3), "exactly two classes, got 3"),
    (lambda f: f.assign(label=f["label"].where(f.index != 2, None)), "label is empty in row 3"),
    (lambda f: f.assign(label=["a"] + ["b"] * (len(f) - 1)), "at least 2 rows"),
])
def test_bad_tables_are_refused_with_a_message_naming_the_problem(change, message):
    with pytest.raises(ValueError, match=message):
        dataset_from_frame(change(_frame()))


def test_row_count_and_options_are_bounded():
    big = pd.DataFrame({"x1": np.zeros(MAX_OWN_ROWS + 1), "x2": 0.0,
                        "label": np.arange(MAX_OWN_ROWS + 1) % 2})
    with pytest.raises(ValueError, match="rows"):
        dataset_from_frame(big)
    with pytest.raises(ValueError, match="dev_share"):
        dataset_from_frame(_frame(), dev_share=0.9)
    with pytest.raises(ValueError, match="DataFrame"):
        dataset_from_frame([[0, 0, 1]])
