"""From a confusion cell, or a class's false positives / negatives, to the rows behind it."""

import doctest

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

import analysis.metrics.tables as tables_module
from analysis.metrics import confusion_cell_examples, error_examples, multiclass_metrics


def test_every_cell_holds_as_many_rows_as_the_confusion_matrix_counts():
    rng = np.random.default_rng(0)
    names = np.array(["bird", "cat", "dog"])
    y, p = names[rng.integers(0, 3, 500)], names[rng.integers(0, 3, 500)]
    counts = confusion_matrix(y, p, labels=names)
    seen = []
    for i, true_class in enumerate(names):
        for j, predicted_class in enumerate(names):
            rows = confusion_cell_examples(y, p, true_class, predicted_class)
            assert len(rows) == counts[i, j]
            assert (y[rows] == true_class).all() and (p[rows] == predicted_class).all()
            seen.extend(rows.tolist())
    assert sorted(seen) == list(range(500))


def test_cells_match_multiclass_metrics_confusion():
    y, p = [0, 1, 2, 2, 1, 0, 2], [0, 2, 2, 1, 1, 2, 2]
    m = multiclass_metrics(y, p)
    assert len(confusion_cell_examples(y, p, 2, 1)) == m.confusion[2, 1] == 1
    # a cell picked from a table arrives as text
    assert confusion_cell_examples(y, p, "0", "2").tolist() == [5]


def test_false_positives_and_negatives_of_a_class():
    y = ["cat", "dog", "cat", "bird", "dog", "cat"]
    p = ["dog", "dog", "cat", "cat", "cat", "bird"]
    assert error_examples(y, p, kind="false_positive", cls="cat").tolist() == [3, 4]
    assert error_examples(y, p, kind="false_negative", cls="cat").tolist() == [0, 5]
    # binary default: class 1
    assert error_examples([1, 0, 1, 0], [0, 1, 1, 1], kind="false_positive").tolist() == [1, 3]
    assert error_examples([1, 0, 1, 0], [0, 1, 1, 1], kind="false_negative").tolist() == [0]


@pytest.mark.parametrize(("call", "match"), [
    (lambda: confusion_cell_examples([0, 1], [1, 1], 3, 1),
     r"true_class 3 is neither a true nor a predicted label; the labels are 0, 1"),
    (lambda: error_examples(["a"], ["b"], kind="false_alarm", cls="a"), "kind must be one of"),
    (lambda: error_examples(["a"], ["b"], kind="false_positive", cls="z"), "cls 'z' is neither"),
    (lambda: confusion_cell_examples([0, 1], [1], 0, 1), "same number of rows"),
])
def test_bad_picks_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_docstring_examples_run():
    assert doctest.testmod(tables_module).failed == 0
