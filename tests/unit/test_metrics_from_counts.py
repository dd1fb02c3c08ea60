"""The in-memory metrics built from counts (what an engine returns, sources/) equal the ones
counted from rows: binary metrics, metrics per slice, the weighted error, multiclass metrics;
and the undefined cases are refused with a message, not a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import (
    WeightedError,
    binary_from_counts,
    binary_metrics,
    multiclass_from_confusion,
    multiclass_metrics,
    slice_metrics,
    slice_metrics_from_counts,
)
from analysis.metrics.slices import weighted_error

Y_TRUE = np.array([1, 1, 0, 0, 1, 0, 1, 0])
Y_PRED = np.array([1, 0, 0, 1, 1, 0, 1, 1])
REGION = np.array(["US", "US", "India", "India", "US", "Other", "Other", "Other"])


def test_binary_metrics_from_the_four_cells_equal_those_from_rows() -> None:
    rows = binary_metrics(Y_TRUE, Y_PRED)
    counts = binary_from_counts(tp=rows.tp, fp=rows.fp, tn=rows.tn, fn=rows.fn)
    pd.testing.assert_frame_equal(counts.table(), rows.table())
    with pytest.raises(ValueError, match="0 or more"):
        binary_from_counts(tp=1, fp=-1, tn=0, fn=0)


def test_slices_from_counts_equal_slices_from_rows() -> None:
    rows = slice_metrics(Y_TRUE, Y_PRED, REGION, column="region")
    # India: TN, FP; Other: TN, FP, TP; US: TP, FN, TP  -> cells [TN, FP, FN, TP] per slice
    cells = [[1, 1, 0, 0], [1, 1, 0, 1], [0, 0, 1, 2]]
    counts = slice_metrics_from_counts(["India", "Other", "US"], [2, 3, 3], confusion=cells,
                                       column="region")
    pd.testing.assert_frame_equal(counts.table, rows.table, check_dtype=False)
    assert (counts.average_error, counts.worst_slice) == (rows.average_error, rows.worst_slice)


def test_a_slice_without_weight_has_no_error_rate_and_is_left_out_of_the_average() -> None:
    found = slice_metrics_from_counts(["a", "b"], [2, 1], total=[2.0, 0.0], wrong=[1.0, 0.0])
    assert np.isnan(found.table["error_rate"].iloc[1])
    assert found.average_error == 0.5 and found.worst_slice == "a"
    with pytest.raises(ValueError, match="weights sum to 0"):
        slice_metrics_from_counts(["a"], [1], total=[0.0], wrong=[0.0])


def test_weighted_error_from_sums_equals_the_one_from_rows() -> None:
    weights = np.array([1, 1, 10, 10, 1, 1, 1, 10], dtype=float)
    rows = weighted_error(Y_TRUE, Y_PRED, weights=weights)
    assert WeightedError.from_counts(n=8, mistakes=3, weighted_mistakes=21.0, total_weight=35.0,
                                     heavy_mistakes=2) == rows
    with pytest.raises(ValueError, match="weights sum to 0"):
        WeightedError.from_counts(n=2, mistakes=1, weighted_mistakes=0.0, total_weight=0.0,
                                  heavy_mistakes=0)


def test_multiclass_from_a_confusion_matrix_equals_the_one_from_rows() -> None:
    truth = ["cat", "dog", "dog", "bird", "bird", "cat"]
    guess = ["cat", "dog", "cat", "bird", "cat", "dog"]
    rows = multiclass_metrics(truth, guess)
    counts = multiclass_from_confusion(rows.confusion, rows.labels)
    for part in ("per_class", "averages", "top_confusions"):
        pd.testing.assert_frame_equal(getattr(counts, part), getattr(rows, part))
    assert counts.accuracy == rows.accuracy and counts.warnings == rows.warnings
    with pytest.raises(ValueError, match="3 x 3 matrix"):
        multiclass_from_confusion([[1, 0], [0, 1]], ["a", "b", "c"])
