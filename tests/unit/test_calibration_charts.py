"""charts/calibration.py: the drawn values are the analysis results' values."""

import numpy as np
import plotly.graph_objects as go
import pytest

from analysis.metrics import calibration_metrics, error_cost
from charts.calibration import cost_figure, reliability_figure


def test_reliability_points_bars_and_intervals_are_the_table():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 0.6, 2000)  # bins above 0.6 stay empty
    y = (rng.uniform(size=2000) < p).astype(int)
    result = calibration_metrics(y, p)
    fig = reliability_figure(result)
    diagonal, points, bars = fig.data
    filled = result.table[result.table["count"] > 0]
    assert list(diagonal.x) == [0, 1] and list(diagonal.y) == [0, 1]
    np.testing.assert_allclose(points.x, filled["mean_score"])
    np.testing.assert_allclose(points.y, filled["observed_rate"])
    np.testing.assert_allclose(np.asarray(points.y) + points.error_y.array, filled["observed_high"])
    assert isinstance(bars, go.Bar) and list(bars.y) == result.table["count"].tolist()
    assert list(bars.y)[-1] == 0 and len(bars.x) == 10
    assert "ECE" in fig.layout.title.text


def test_reliability_title_is_escaped():
    result = calibration_metrics([0, 1, 1, 0], [0.2, 0.8, 0.6, 0.3])
    fig = reliability_figure(result, title="<b>model</b>")
    assert fig.layout.title.text == "&lt;b&gt;model&lt;/b&gt;"


def test_cost_curve_marks_the_cheapest_and_current_thresholds():
    rng = np.random.default_rng(1)
    p = rng.uniform(size=5000)
    y = (rng.uniform(size=5000) < p).astype(int)
    result = error_cost(y, p, cost_fp=1, cost_fn=4, threshold=0.5, n_boot=50)
    fig = cost_figure(result, max_points=400)
    curve, cheapest, current = fig.data
    assert len(curve.x) <= 400
    lookup = dict(zip(result.thresholds.tolist(), result.cost.tolist(), strict=True))
    assert all(lookup[x] == pytest.approx(y) for x, y in zip(curve.x, curve.y, strict=True))
    assert list(cheapest.x) == [result.best_threshold.value]
    assert list(cheapest.y) == [pytest.approx(result.best_cost)]
    assert list(current.x) == [0.5] and list(current.y) == [pytest.approx(result.current_cost)]
    band = next(s for s in fig.layout.shapes if s.type == "rect")
    assert (band.x0, band.x1) == (result.best_threshold.low, result.best_threshold.high)


def test_cost_curve_without_an_interval_draws_no_band():
    result = error_cost([0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.6, 0.7, 0.9], cost_fp=1, cost_fn=3)
    fig = cost_figure(result)
    assert not [s for s in fig.layout.shapes if s.type == "rect"]


def test_builders_refuse_other_results():
    with pytest.raises(ValueError, match="calibration_metrics"):
        reliability_figure({"ece": 0.1})
    with pytest.raises(ValueError, match="error_cost"):
        cost_figure(None)
