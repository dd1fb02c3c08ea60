"""Optimizers, learning-rate decay and exponentially weighted averages against the course's
formulas worked by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.training import decayed_learning_rate, ewa_series, temperature_series
from analysis.training.optimizers import Adam, GradientDescent, Momentum, RMSprop, make_optimizer

G = np.array([1.0, -2.0, 0.5])


def test_gradient_descent_steps_against_the_gradient():
    theta = np.array([1.0, 1.0, 1.0])
    GradientDescent(0.1).update(theta, G)
    np.testing.assert_allclose(theta, [0.9, 1.2, 0.95])


def test_momentum_two_steps_by_hand():
    theta = np.zeros(3)
    opt = Momentum(0.1, beta=0.9)
    opt.update(theta, G)  # v = 0.1 g
    np.testing.assert_allclose(opt.v, 0.1 * G)
    np.testing.assert_allclose(theta, -0.01 * G)
    opt.update(theta, G)  # v = 0.9 * 0.1 g + 0.1 g = 0.19 g
    np.testing.assert_allclose(opt.v, 0.19 * G)
    np.testing.assert_allclose(theta, -(0.01 + 0.019) * G)


def test_rmsprop_first_step_by_hand():
    theta = np.zeros(3)
    opt = RMSprop(0.01, beta=0.9, epsilon=1e-8)
    opt.update(theta, G)  # s = 0.1 g^2 ; step = 0.01 g / (sqrt(0.1)|g| + eps)
    np.testing.assert_allclose(opt.s, 0.1 * G**2)
    np.testing.assert_allclose(theta, -0.01 * G / (np.sqrt(0.1) * np.abs(G) + 1e-8))


def test_adam_bias_correction_makes_the_first_step_the_learning_rate():
    # v_corr = g, s_corr = g^2: the first step is alpha * sign(g) (up to eps)
    theta = np.zeros(3)
    opt = Adam(0.01, beta1=0.9, beta2=0.999, epsilon=1e-8)
    opt.update(theta, G)
    np.testing.assert_allclose(theta, -0.01 * np.sign(G), rtol=1e-6)
    assert opt.t == 1


def test_adam_second_step_matches_the_textbook_formula():
    theta = np.zeros(3)
    g2 = np.array([0.2, 1.0, -1.0])
    opt = Adam(0.05, beta1=0.8, beta2=0.99, epsilon=1e-8)
    opt.update(theta, G)
    opt.update(theta, g2)
    v = 0.8 * (0.2 * G) + 0.2 * g2
    s = 0.99 * (0.01 * G**2) + 0.01 * g2**2
    v_corr, s_corr = v / (1 - 0.8**2), s / (1 - 0.99**2)
    expected = -0.05 * G / (np.abs(G) + 1e-8) - 0.05 * v_corr / (np.sqrt(s_corr) + 1e-8)
    np.testing.assert_allclose(theta, expected, rtol=1e-9)


def test_optimizer_state_round_trip_resumes_identically():
    a, b = np.zeros(3), np.zeros(3)
    first = Adam(0.01)
    first.update(a, G)
    second = Adam(0.01)
    second.load_state_dict(first.state_dict())
    b[:] = a
    first.update(a, G * 2)
    second.update(b, G * 2)
    np.testing.assert_array_equal(a, b)


def test_make_optimizer_names_and_bad_name():
    assert isinstance(make_optimizer("momentum", learning_rate=0.1), Momentum)
    assert make_optimizer("rmsprop", learning_rate=0.1, beta2=0.9).beta == 0.9
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("sgd", learning_rate=0.1)


@pytest.mark.parametrize(("decay", "epoch", "expected"), [
    ("none", 10, 0.1),
    ("inverse", 4, 0.1 / (1 + 0.5 * 4)),
    ("exponential", 3, 0.1 * 0.5**3),
    ("sqrt", 3, 0.1 * 0.5 / 2.0),
    ("step", 999, 0.1 / (1 + 0.5 * 0)),
    ("step", 2500, 0.1 / (1 + 0.5 * 2)),
])
def test_decay_formulas(decay, epoch, expected):
    assert decayed_learning_rate(0.1, epoch, decay=decay, decay_rate=0.5,
                                 interval=1000) == pytest.approx(expected)


def test_course_stepwise_decay_halves_then_thirds():
    rates = decayed_learning_rate(0.1, np.array([0, 999, 1000, 2000, 4999]), decay="step",
                                  decay_rate=1.0, interval=1000)
    np.testing.assert_allclose(rates, [0.1, 0.1, 0.05, 0.1 / 3, 0.02])


def test_decay_bad_values():
    with pytest.raises(ValueError, match="decay"):
        decayed_learning_rate(0.1, 1, decay="cosine")
    with pytest.raises(ValueError, match="epoch"):
        decayed_learning_rate(0.1, -1, decay="inverse")
    with pytest.raises(ValueError, match="interval"):
        decayed_learning_rate(0.1, 1, decay="step", interval=0)


def test_ewa_by_hand_with_and_without_bias_correction():
    theta = [4.0, 8.0, 2.0]
    raw = ewa_series(theta, beta=0.5, bias_correction=False)
    np.testing.assert_allclose(raw, [2.0, 5.0, 3.5])
    corrected = ewa_series(theta, beta=0.5)
    np.testing.assert_allclose(corrected, [2.0 / 0.5, 5.0 / 0.75, 3.5 / 0.875])


def test_ewa_of_a_constant_is_that_constant_once_corrected():
    np.testing.assert_allclose(ewa_series(np.full(50, 7.0), beta=0.98), 7.0)
    assert ewa_series(np.full(5, 7.0), beta=0.98, bias_correction=False)[0] == pytest.approx(0.14)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=40), st.floats(0.0, 0.99))
def test_ewa_matches_the_recurrence(values, beta):
    v, expected = 0.0, []
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        expected.append(v / (1 - beta**t))
    np.testing.assert_allclose(ewa_series(values, beta=beta), expected, rtol=1e-9, atol=1e-9)


def test_ewa_bad_input():
    with pytest.raises(ValueError, match="beta"):
        ewa_series([1.0], beta=1.0)
    with pytest.raises(ValueError, match="values"):
        ewa_series([1.0, float("nan")], beta=0.9)


def test_ewa_with_beta_09_smooths_the_temperature_series_and_lags_with_098():
    theta = temperature_series(365, seed=0)
    assert theta.shape == (365,)
    smooth, slow = ewa_series(theta, beta=0.9), ewa_series(theta, beta=0.98)
    # about 1/(1-beta) days of memory: larger beta is smoother...
    assert np.std(np.diff(slow)) < np.std(np.diff(smooth)) < np.std(np.diff(theta))
    # ...and lags behind the seasonal rise (spring: the average stays below the truth)
    spring = slice(90, 150)
    assert np.mean(slow[spring] - smooth[spring]) < 0
    np.testing.assert_array_equal(temperature_series(10, seed=3), temperature_series(10, seed=3))
