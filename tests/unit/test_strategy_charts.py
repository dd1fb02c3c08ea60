"""The learning-curve figure, checked on the figure object: the drawn values are the curve's."""

from __future__ import annotations

import pytest

from analysis.strategy import fit_learning_curve
from charts.learning_curve import FIT_NAME, learning_curve_figure

SIZES = [500, 1_000, 2_000, 4_000, 8_000]
DEV = [2 + 400 * n ** -0.5 for n in SIZES]
TRAIN = [0.5, 0.8, 1.0, 1.2, 1.4]


@pytest.fixture(scope="module")
def curve():
    return fit_learning_curve(SIZES, DEV, train_errors_pct=TRAIN, human_error_pct=1.5)


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_measured_points_are_drawn_as_given(curve):
    fig = learning_curve_figure(curve)
    dev, train = _trace(fig, "dev error"), _trace(fig, "training error")
    assert list(dev.x) == SIZES and list(dev.y) == pytest.approx(DEV)
    assert list(train.y) == TRAIN


def test_fitted_line_and_band_follow_predict_out_to_ten_times_the_data(curve):
    fig = learning_curve_figure(curve)
    fit = _trace(fig, FIT_NAME)
    assert fit.x[0] == pytest.approx(500) and fit.x[-1] == pytest.approx(80_000)
    for n, y in zip(fit.x[::10], fit.y[::10], strict=True):
        assert y == pytest.approx(curve.predict(n)[0])
    upper, lower = (t for t in fig.data if t.legendgroup == "band")
    assert lower.fill == "tonexty"
    assert all(lo <= mid <= hi for lo, mid, hi in zip(lower.y, fit.y, upper.y, strict=True))
    assert fig.layout.xaxis.type == "log"


def test_two_and_ten_times_marks_carry_their_intervals_and_ten_is_unreliable(curve):
    fig = learning_curve_figure(curve)
    twice, tenfold = _trace(fig, "2x data"), _trace(fig, "10x data (unreliable)")
    expected = curve.extrapolation(2)
    assert (twice.x[0], twice.y[0]) == pytest.approx((16_000, expected.error_pct))
    assert twice.error_y.array[0] == pytest.approx(expected.high - expected.error_pct)
    assert twice.error_y.arrayminus[0] == pytest.approx(expected.error_pct - expected.low)
    assert tenfold.marker.symbol == "diamond-open" and twice.marker.symbol == "diamond"


def test_asymptote_and_human_level_lines(curve):
    fig = learning_curve_figure(curve)
    asymptote = next(t for t in fig.data if t.name.startswith("asymptote a = "))
    assert list(asymptote.y) == pytest.approx([curve.a, curve.a])
    assert list(_trace(fig, "human level 1.5%").y) == [1.5, 1.5]


def test_user_title_is_escaped(curve):
    fig = learning_curve_figure(curve, title="<b>cats</b> & dogs")
    assert fig.layout.title.text == "&lt;b&gt;cats&lt;/b&gt; &amp; dogs"


def test_the_waterfall_draws_the_goals_target_error_as_a_line():
    from analysis.bias_variance import decompose
    from charts.waterfall import waterfall_figure

    result = decompose(0.5, 2.0, dev=3.0)
    figure = waterfall_figure(result, target_error_pct=5.0)
    lines = [shape for shape in figure.layout.shapes if shape.y0 == 5.0 and shape.y1 == 5.0]
    assert len(lines) == 1 and lines[0].line.dash == "dash"
    assert any(a.text == "goal: at most 5% error" for a in figure.layout.annotations)
    assert figure.layout.yaxis.range[1] >= 5.0  # the line is inside the plot
    plain = waterfall_figure(result)
    assert not [shape for shape in plain.layout.shapes if shape.line.dash == "dash"]
