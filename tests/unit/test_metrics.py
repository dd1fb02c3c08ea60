"""analysis.metrics against scikit-learn (random data and edge cases), hand cases and properties."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from analysis.metrics import (
    ScoreCurve,
    best_f1_threshold,
    binary_metrics,
    downsample_curve,
    metrics_at_threshold,
    multiclass_metrics,
    multilabel_metrics,
    score_curve,
    slice_metrics,
    threshold_for_target,
    weighted_error,
)

TOL = 1e-9


@pytest.fixture(autouse=True)
def _quiet_sklearn():
    # scikit-learn warns on the undefined cases we test on purpose
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _random_binary(seed: int, n: int = 500, *, decimals: int | None = 2, signed: bool = False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = np.clip(0.35 * y + rng.random(n) * 0.65, 0, 1)
    if decimals is not None:
        s = np.round(s, decimals)  # plenty of ties
    if signed:
        s = s * 4 - 2
    return y, s


# --------------------------------------------------------------------------- binary vs sklearn
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_metrics_agree_with_sklearn_on_random_data(seed, weighted):
    y, s = _random_binary(seed)
    rng = np.random.default_rng(100 + seed)
    w = rng.random(len(y)) * 3 if weighted else None
    m = binary_metrics(y, scores=s, threshold=0.5, sample_weight=w, beta=2)
    y_pred = (s >= 0.5).astype(int)
    assert np.allclose(m.confusion(), skm.confusion_matrix(y, y_pred, sample_weight=w), atol=TOL)
    assert m.accuracy.value == pytest.approx(skm.accuracy_score(y, y_pred, sample_weight=w), abs=TOL)
    assert m.precision.value == pytest.approx(skm.precision_score(y, y_pred, sample_weight=w), abs=TOL)
    assert m.recall.value == pytest.approx(skm.recall_score(y, y_pred, sample_weight=w), abs=TOL)
    assert m.f1.value == pytest.approx(skm.f1_score(y, y_pred, sample_weight=w), abs=TOL)
    assert m.f_beta.value == pytest.approx(skm.fbeta_score(y, y_pred, beta=2, sample_weight=w), abs=TOL)
    assert m.balanced_accuracy.value == pytest.approx(
        skm.balanced_accuracy_score(y, y_pred, sample_weight=w), abs=TOL)
    assert m.roc_auc.value == pytest.approx(skm.roc_auc_score(y, s, sample_weight=w), abs=TOL)
    assert m.average_precision.value == pytest.approx(
        skm.average_precision_score(y, s, sample_weight=w), abs=TOL)
    assert m.error_rate.value == pytest.approx(1 - m.accuracy.value, abs=TOL)


def test_labels_path_and_scores_path_give_the_same_counts():
    y, s = _random_binary(7)
    from_scores = binary_metrics(y, scores=s, threshold=0.42)
    from_labels = binary_metrics(y, (s >= 0.42).astype(int))
    assert (from_scores.tp, from_scores.fp, from_scores.tn, from_scores.fn) == \
           (from_labels.tp, from_labels.fp, from_labels.tn, from_labels.fn)
    assert from_labels.roc_auc is None and from_scores.threshold == 0.42


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("decimals", [None, 1, 2])
def test_curves_identical_to_sklearn_including_ties(seed, signed, decimals):
    y, s = _random_binary(seed, n=300, decimals=decimals, signed=signed)
    curve = score_curve(y, s)
    fpr, tpr, thr = curve.roc()
    ref_fpr, ref_tpr, ref_thr = skm.roc_curve(y, s)
    np.testing.assert_allclose(fpr, ref_fpr, atol=TOL)
    np.testing.assert_allclose(tpr, ref_tpr, atol=TOL)
    np.testing.assert_array_equal(thr, ref_thr)
    for drop in (False, True):
        p, r, t = curve.pr(drop_intermediate=drop)
        ref_p, ref_r, ref_t = skm.precision_recall_curve(y, s, drop_intermediate=drop)
        np.testing.assert_allclose(p, ref_p, atol=TOL)
        np.testing.assert_allclose(r, ref_r, atol=TOL)
        np.testing.assert_array_equal(t, ref_t)
    full = curve.roc(drop_intermediate=False)
    ref_full = skm.roc_curve(y, s, drop_intermediate=False)
    np.testing.assert_allclose(full[0], ref_full[0], atol=TOL)
    assert curve.roc_auc() == pytest.approx(skm.roc_auc_score(y, s), abs=TOL)
    assert curve.average_precision() == pytest.approx(skm.average_precision_score(y, s), abs=TOL)


def test_weighted_curve_drops_zero_weights_like_sklearn():
    y, s = _random_binary(3, n=200)
    w = np.random.default_rng(3).random(200)
    w[::5] = 0
    curve = score_curve(y, s, sample_weight=w)
    ref = skm.roc_curve(y, s, sample_weight=w)
    np.testing.assert_allclose(curve.roc()[0], ref[0], atol=TOL)
    np.testing.assert_array_equal(curve.roc()[2], ref[2])
    assert curve.n_rows == 160


def test_every_score_tied_gives_a_single_threshold():
    curve = score_curve([0, 1, 1, 0, 1], [0.5] * 5)
    assert curve.thresholds.tolist() == [0.5]
    assert curve.roc_auc() == pytest.approx(skm.roc_auc_score([0, 1, 1, 0, 1], [0.5] * 5))
    assert curve.roc_auc() == 0.5


def test_threshold_equal_to_a_score_flags_that_score():
    m = binary_metrics([0, 1, 1], scores=[0.2, 0.5, 0.9], threshold=0.5)
    assert (m.tp, m.fp, m.fn) == (2.0, 0.0, 0.0)
    above = binary_metrics([0, 1, 1], scores=[0.2, 0.5, 0.9], threshold=0.5000001)
    assert above.tp == 1.0


def test_negative_zero_ties_with_zero():
    curve = score_curve([0, 1, 1], [-0.0, 0.0, 1.0])
    assert len(curve.thresholds) == 2
    assert curve.roc_auc() == pytest.approx(skm.roc_auc_score([0, 1, 1], [-0.0, 0.0, 1.0]))


# --------------------------------------------------------------------------- undefined cases
def test_no_predicted_positives_reports_precision_undefined_with_reason():
    m = binary_metrics([1, 0, 1, 0], [0, 0, 0, 0])
    assert m.precision.value is None
    assert "no example was predicted positive" in m.precision.reason
    assert m.recall.value == 0.0
    assert m.f1.value == pytest.approx(skm.f1_score([1, 0, 1, 0], [0, 0, 0, 0], zero_division=0))
    assert any("precision is undefined" in w for w in m.warnings)
    assert "undefined" in m.precision.text()


@pytest.mark.parametrize("zero", [0, 1])
def test_zero_division_number_matches_sklearn(zero):
    y, y_pred = [0, 0, 0, 0], [0, 0, 0, 0]
    m = binary_metrics(y, y_pred, zero_division=zero)
    assert m.precision.value == skm.precision_score(y, y_pred, zero_division=zero)
    assert m.recall.value == skm.recall_score(y, y_pred, zero_division=zero)
    assert m.f1.value == skm.f1_score(y, y_pred, zero_division=zero)
    assert m.precision.reason  # the substitute is still explained


def test_all_one_class_leaves_roc_auc_undefined_and_balanced_accuracy_like_sklearn():
    y, s = [1, 1, 1, 1], [0.9, 0.2, 0.6, 0.7]
    m = binary_metrics(y, scores=s)
    assert m.roc_auc.value is None and "only one class" in m.roc_auc.reason
    assert math.isnan(skm.roc_auc_score(y, s))
    assert m.specificity.value is None
    assert m.balanced_accuracy.value == pytest.approx(
        skm.balanced_accuracy_score(y, (np.array(s) >= 0.5).astype(int)))
    assert m.average_precision.value == pytest.approx(skm.average_precision_score(y, s))


def test_all_negative_leaves_average_precision_undefined():
    m = binary_metrics([0, 0, 0], scores=[0.1, 0.7, 0.3])
    assert m.average_precision.value is None and m.recall.value is None
    assert m.accuracy.value == pytest.approx(2 / 3)


def test_intervals_bracket_the_value_and_use_wilson_counts():
    m = binary_metrics([1] * 90 + [0] * 10, [1] * 100)
    assert m.precision.low < m.precision.value < m.precision.high
    assert (m.precision.numerator, m.precision.denominator) == (90.0, 100.0)
    assert m.precision.low == pytest.approx(0.8256, abs=1e-3)  # Wilson 90/100
    assert m.f1.low <= m.f1.value <= m.f1.high
    assert m.to_dict()["precision"]["value"] == 0.9


def test_weighted_intervals_widen_with_uneven_weights():
    y = np.array([1] * 50 + [0] * 50)
    p = np.array([1] * 45 + [0] * 5 + [0] * 45 + [1] * 5)
    even = binary_metrics(y, p, sample_weight=np.ones(100))
    uneven = binary_metrics(y, p, sample_weight=np.r_[np.full(50, 1.0), np.full(50, 9.0)])
    assert even.accuracy.high - even.accuracy.low < uneven.accuracy.high - uneven.accuracy.low


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("kwargs", "match"), [
    ({"y_true": [0, 1, 2], "y_pred": [0, 1, 1]}, "y_true has 1 values that are not 0/1"),
    ({"y_true": [0, 1], "y_pred": [0, 1, 1]}, "same number of rows"),
    ({"y_true": [0, 1]}, "needs y_pred"),
    ({"y_true": [0, 1], "scores": [0.1, float("nan")]}, "scores has 1 values that are NaN"),
    ({"y_true": [0, 1], "y_pred": [0, 1], "zero_division": "warn"}, "zero_division must be"),
    ({"y_true": [0, 1], "y_pred": [0, 1], "sample_weight": [1, -1]}, "sample_weight has 1 negative"),
    ({"y_true": [0, 1], "y_pred": [0, 1], "sample_weight": [0, 0]}, "sums to 0"),
    ({"y_true": [0, 1], "y_pred": [0, 1], "beta": 0}, "beta must be greater than 0"),
    ({"y_true": [0, 1], "y_pred": [0, 1], "confidence": 1.0}, "confidence must lie strictly"),
    ({"y_true": [0, 1], "scores": [0.1, 0.9], "threshold": "high"}, "threshold must be a number"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        binary_metrics(**kwargs)


def test_metrics_at_threshold_rejects_other_objects():
    with pytest.raises(ValueError, match="curve must come from score_curve"):
        metrics_at_threshold({"tps": []}, threshold=0.5)


# --------------------------------------------------------------------------- thresholds
def test_metrics_at_threshold_moves_precision_and_recall_in_opposite_directions():
    y, s = _random_binary(11, n=2000)
    curve = score_curve(y, s)
    low, high = metrics_at_threshold(curve, threshold=0.3), metrics_at_threshold(curve, threshold=0.8)
    assert low.recall.value > high.recall.value
    assert low.precision.value < high.precision.value
    assert low.queue_rate > high.queue_rate


def test_threshold_table_matches_sklearn_at_every_threshold():
    y, s = _random_binary(5, n=150)
    table = score_curve(y, s).threshold_table()
    for row in table.sample(15, random_state=0).itertuples():
        y_pred = (s >= row.threshold).astype(int)
        assert row.precision == pytest.approx(skm.precision_score(y, y_pred), abs=TOL)
        assert row.recall == pytest.approx(skm.recall_score(y, y_pred), abs=TOL)
        assert row.f1 == pytest.approx(skm.f1_score(y, y_pred), abs=TOL)
        assert row.queue_rate == pytest.approx(y_pred.mean(), abs=TOL)


def test_best_f1_threshold_is_the_argmax_over_all_thresholds():
    y, s = _random_binary(2, n=400)
    choice = best_f1_threshold(score_curve(y, s))
    best = max(skm.f1_score(y, (s >= t).astype(int)) for t in np.unique(s))
    assert choice.f1 == pytest.approx(best, abs=TOL)


def test_target_precision_and_recall_thresholds():
    y, s = _random_binary(4, n=1000)
    curve = score_curve(y, s)
    by_precision = threshold_for_target(curve, precision=0.8)
    assert skm.precision_score(y, (s >= by_precision.threshold).astype(int)) >= 0.8
    lower = s[s < by_precision.threshold]
    if lower.size:  # the next lower threshold no longer meets the target
        assert skm.precision_score(y, (s >= lower.max()).astype(int)) < 0.8
    by_recall = threshold_for_target(curve, recall=0.9)
    assert skm.recall_score(y, (s >= by_recall.threshold).astype(int)) >= 0.9
    higher = s[s > by_recall.threshold]
    assert skm.recall_score(y, (s >= higher.min()).astype(int)) < 0.9
    impossible = threshold_for_target(score_curve([0, 1], [0.9, 0.1]), precision=0.99)
    assert impossible.threshold is None and "no threshold reaches" in impossible.reason
    with pytest.raises(ValueError, match="exactly one of precision= or recall="):
        threshold_for_target(curve)


def test_downsample_keeps_ends_and_shape():
    rng = np.random.default_rng(0)
    y, s = rng.integers(0, 2, 200_000), rng.random(200_000)
    fpr, tpr, _ = score_curve(y, s).roc(drop_intermediate=False)
    keep = downsample_curve(fpr, tpr, max_points=2000)
    assert len(keep) <= 2000 and keep[0] == 0 and keep[-1] == len(fpr) - 1
    assert np.all(np.diff(keep) > 0)
    # the drawn curve stays within a pixel-sized band of the full curve
    redrawn = np.interp(fpr, fpr[keep], tpr[keep])
    assert np.max(np.abs(redrawn - tpr)) < 0.01
    assert np.trapezoid(tpr[keep], fpr[keep]) == pytest.approx(np.trapezoid(tpr, fpr), abs=1e-3)
    small = downsample_curve([0, 1, 2], [0, 1, 0])
    assert small.tolist() == [0, 1, 2]


def test_downsample_keeps_a_sharp_peak():
    x = np.arange(100_000, dtype=float)
    y = np.zeros(100_000)
    y[54_321] = 1.0
    keep = downsample_curve(x, y, max_points=200)
    assert 54_321 in keep.tolist()


# --------------------------------------------------------------------------- multiclass
@pytest.mark.parametrize("seed", range(4))
def test_multiclass_agrees_with_sklearn(seed):
    rng = np.random.default_rng(seed)
    classes = np.array(["bird", "cat", "dog", "fish"])
    y = classes[rng.integers(0, 4, 400)]
    p = np.where(rng.random(400) < 0.7, y, classes[rng.integers(0, 4, 400)])
    w = rng.random(400) if seed % 2 else None
    m = multiclass_metrics(y, p, sample_weight=w)
    np.testing.assert_allclose(m.confusion, skm.confusion_matrix(y, p, sample_weight=w), atol=TOL)
    P, R, F, S = skm.precision_recall_fscore_support(y, p, sample_weight=w)
    np.testing.assert_allclose(m.per_class["precision"], P, atol=TOL)
    np.testing.assert_allclose(m.per_class["recall"], R, atol=TOL)
    np.testing.assert_allclose(m.per_class["f1"], F, atol=TOL)
    np.testing.assert_allclose(m.per_class["support"], S if w is None else
                               np.bincount(np.searchsorted(classes, y), weights=w), atol=TOL)
    averages = m.averages.set_index("average")
    for average in ("macro", "micro", "weighted"):
        ref = skm.precision_recall_fscore_support(y, p, average=average, sample_weight=w)
        assert averages.loc[average, ["precision", "recall", "f1"]].tolist() == pytest.approx(ref[:3], abs=TOL)
    assert m.accuracy.value == pytest.approx(skm.accuracy_score(y, p, sample_weight=w), abs=TOL)


def test_multiclass_with_a_missing_class_matches_sklearn_nan_mode():
    y = ["cat", "cat", "dog", "dog"]
    p = ["cat", "dog", "dog", "dog"]
    labels = ["cat", "dog", "fish"]
    m = multiclass_metrics(y, p, labels=labels)
    fish = m.per_class.set_index("class").loc["fish"]
    assert fish["support"] == 0 and math.isnan(fish["recall"]) and math.isnan(fish["precision"])
    for average in ("macro", "weighted"):
        ref = skm.precision_recall_fscore_support(y, p, labels=labels, average=average,
                                                  zero_division=np.nan)
        got = m.averages.set_index("average").loc[average, ["precision", "recall", "f1"]].tolist()
        assert got == pytest.approx(ref[:3], abs=TOL, nan_ok=True)
    assert any("'fish' never occurs" in w for w in m.warnings)
    zero = multiclass_metrics(y, p, labels=labels, zero_division=0)
    ref = skm.precision_recall_fscore_support(y, p, labels=labels, average="macro", zero_division=0)
    assert zero.averages.iloc[0][["precision", "recall", "f1"]].tolist() == pytest.approx(ref[:3])


def test_top_confusions_are_sorted_and_counted():
    y = ["cat"] * 5 + ["dog"] * 5 + ["bird"] * 2
    p = ["dog"] * 3 + ["cat"] * 2 + ["cat"] * 1 + ["dog"] * 4 + ["cat", "bird"]
    m = multiclass_metrics(y, p, top=2)
    assert m.top_confusions[["true", "predicted", "count"]].values.tolist() == \
           [["cat", "dog", 3], ["bird", "cat", 1]]
    assert m.top_confusions["share_of_true_class"].tolist() == pytest.approx([0.6, 0.5])
    assert np.nansum(m.normalised("true"), axis=1) == pytest.approx([1, 1, 1])


def test_multiclass_unknown_label_is_named():
    with pytest.raises(ValueError, match=r"y_pred has 1 values not in labels: \['fish'\]"):
        multiclass_metrics(["cat", "dog"], ["cat", "fish"], labels=["cat", "dog"])
    with pytest.raises(ValueError, match="y_true has 1 empty labels"):
        multiclass_metrics(np.array(["cat", None], dtype=object), ["cat", "dog"])


# --------------------------------------------------------------------------- multi-label
def test_multilabel_leaves_missing_labels_out_per_task():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, (300, 4)).astype(float)
    scores = np.clip(truth * 0.3 + rng.random((300, 4)) * 0.7, 0, 1)
    truth[rng.random((300, 4)) < 0.2] = np.nan
    m = multilabel_metrics(truth, scores=scores, task_names=["pedestrian", "car", "stop_sign", "light"])
    for j, row in enumerate(m.per_task.itertuples()):
        known = ~np.isnan(truth[:, j])
        y, s = truth[known, j].astype(int), scores[known, j]
        assert row.labelled == known.sum() and row.missing == (~known).sum()
        assert row.f1 == pytest.approx(skm.f1_score(y, (s >= 0.5).astype(int)), abs=TOL)
        assert row.roc_auc == pytest.approx(skm.roc_auc_score(y, s), abs=TOL)
    assert m.average["f1"] == pytest.approx(m.per_task["f1"].mean())
    with pytest.raises(ValueError, match="not 0, 1 or missing"):
        multilabel_metrics([[2.0, 1.0]], y_pred=[[1, 1]])
    with pytest.raises(ValueError, match="has shape"):
        multilabel_metrics([[1.0, 0.0]], y_pred=[[1, 1, 0]])


# --------------------------------------------------------------------------- slices and weights
def test_slice_average_is_the_plain_mean_of_region_errors():
    regions = np.repeat(["US", "China", "India", "Other"], [100, 100, 100, 100])
    y = np.zeros(400, dtype=int)
    p = y.copy()
    for start, wrong in zip((0, 100, 200, 300), (3, 4, 5, 8), strict=True):
        p[start:start + wrong] = 1
    s = slice_metrics(y, p, regions, column="region")
    errors = s.table.set_index("region")["error_rate"]
    assert errors.to_dict() == pytest.approx({"China": 0.04, "India": 0.05, "Other": 0.08, "US": 0.03})
    assert s.average_error == pytest.approx(0.05) and s.worst_slice == "Other"


def test_slices_agree_with_sklearn_per_group():
    rng = np.random.default_rng(9)
    y, p = rng.integers(0, 2, 600), rng.integers(0, 2, 600)
    g = rng.choice(["web", "mobile", "tablet"], 600)
    table = slice_metrics(y, p, g).table.set_index("slice")
    for name in ("web", "mobile", "tablet"):
        mask = g == name
        assert table.loc[name, "f1"] == pytest.approx(skm.f1_score(y[mask], p[mask]), abs=TOL)
        assert table.loc[name, "recall"] == pytest.approx(skm.recall_score(y[mask], p[mask]), abs=TOL)
    multi = slice_metrics(["a", "b", "a"], ["a", "a", "a"], ["x", "x", "y"], binary=False)
    assert multi.table["error_rate"].tolist() == [0.5, 0.0]


def test_weighted_error_course_formula():
    y = np.array([0, 0, 1, 1, 0])
    p = np.array([1, 0, 1, 0, 0])
    w = np.array([10, 1, 1, 1, 1])
    result = weighted_error(y, p, weights=w)
    assert result.error == pytest.approx((10 + 1) / 14)
    assert result.unweighted_error == pytest.approx(0.4)
    assert result.heavy_mistakes == 1 and "weighted error" in result.explanation
    with pytest.raises(ValueError, match="same number of rows"):
        weighted_error(y, p, weights=[1, 1])


# --------------------------------------------------------------------------- properties
labels = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(labels)
def test_f1_lies_between_precision_and_recall_and_confusion_sums_to_n(pairs):
    y, p = np.array(pairs).T
    m = binary_metrics(y, p)
    assert m.tp + m.fp + m.tn + m.fn == len(pairs)
    if m.precision.value is not None and m.recall.value is not None:
        lo, hi = sorted((m.precision.value, m.recall.value))
        assert lo - 1e-12 <= m.f1.value <= hi + 1e-12
    for estimate in m.estimates():
        if estimate.low is not None:
            assert estimate.low - 1e-12 <= estimate.value <= estimate.high + 1e-12


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 20)), min_size=2, max_size=80))
def test_curve_auc_matches_sklearn_for_any_ties(rows):
    y, raw = np.array(rows).T
    s = raw / 20
    curve = score_curve(y, s)
    assert isinstance(curve, ScoreCurve)
    assert curve.tps[-1] + curve.fps[-1] == len(rows)
    if 0 < y.sum() < len(y):
        assert curve.roc_auc() == pytest.approx(skm.roc_auc_score(y, s), abs=TOL)
        assert curve.average_precision() == pytest.approx(skm.average_precision_score(y, s), abs=TOL)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd")), min_size=1, max_size=50))
def test_multiclass_confusion_sums_to_n(pairs):
    y, p = map(list, zip(*pairs, strict=True))
    m = multiclass_metrics(y, p)
    assert m.confusion.sum() == len(pairs)
    assert m.accuracy.value == pytest.approx(np.mean(np.array(y) == np.array(p)))


def test_result_tables_are_dataframes():
    m = binary_metrics([0, 1, 1], scores=[0.1, 0.8, 0.4])
    assert isinstance(m.table(), pd.DataFrame)
    assert set(m.table()["name"]) >= {"precision", "recall", "f1", "roc_auc"}
