"""The numpy network: initialisation, dropout, batch norm, costs, and gradient checking."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.training import gradient_check
from analysis.training.gradcheck import verdict_for
from analysis.training.network import ACTIVATION_FUNCTIONS, Network

RNG_X = np.random.default_rng(42)
X = RNG_X.normal(size=(16, 2))
Y_BIN = (X[:, 0] * X[:, 1] > 0).astype(int)
Y_MULTI = np.arange(16) % 3


def net(dims=(2, 5, 4, 1), **kwargs):
    return Network(dims, rng=np.random.default_rng(0), n_train=16, **kwargs)


@pytest.mark.parametrize("activation", list(ACTIVATION_FUNCTIONS))
def test_gradient_check_passes_for_every_activation(activation):
    result = gradient_check(net(activation=activation, init="xavier"), X, Y_BIN)
    assert result.difference < 1e-7
    assert result.verdict == "great"


@pytest.mark.parametrize("options", [
    {"l2": 0.7},
    {"batch_norm": True},
    {"batch_norm": True, "l2": 0.3, "activation": "tanh"},
    {"keep_prob": 0.5},  # dropout is forced off while checking
])
def test_gradient_check_passes_with_regularisation_and_batch_norm(options):
    assert gradient_check(net(**options), X, Y_BIN).difference < 1e-7


def test_gradient_check_passes_for_softmax_output():
    result = gradient_check(net((2, 6, 3), activation="tanh"), X, Y_MULTI)
    assert result.difference < 1e-7


def test_gradient_check_flags_a_broken_backward_pass_in_the_right_layers():
    result = gradient_check(net(), X, Y_BIN, break_backward=True)
    assert result.difference > 1e-3
    assert result.verdict == "likely a bug"
    assert result.per_layer["layer 1"] > 1e-3 and result.per_layer["layer 2"] > 1e-3
    assert result.per_layer["layer 3"] < 1e-7
    assert result.per_parameter["W3"] < 1e-7
    assert "W2" in result.message or "b1" in result.message


def test_gradient_check_leaves_the_parameters_untouched():
    network = net()
    before = network.params.copy()
    gradient_check(network, X, Y_BIN)
    np.testing.assert_array_equal(network.params, before)


def test_verdict_thresholds_follow_the_course():
    assert verdict_for(1e-7) == "great"
    assert verdict_for(1e-5) == "look closer"
    assert verdict_for(1e-3) == "likely a bug"


def test_gradient_check_bad_input():
    with pytest.raises(ValueError, match="X must have 2 columns"):
        gradient_check(net(), np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="y has 3"):
        gradient_check(net(), X[:4], np.zeros(3))
    with pytest.raises(ValueError, match="epsilon"):
        gradient_check(net(), X, Y_BIN, epsilon=1.0)


@pytest.mark.parametrize(("init", "std"), [("he", np.sqrt(2 / 200)), ("xavier", np.sqrt(1 / 200)),
                                           ("random", 10.0), ("zeros", 0.0)])
def test_initialisation_scales(init, std):
    network = Network((200, 300, 1), init=init, rng=np.random.default_rng(0))
    W = network.layers[0].W
    assert W.shape == (300, 200)
    assert W.std() == pytest.approx(std, rel=0.02)
    assert not network.layers[0].b.any()


def test_params_are_one_vector_and_layers_view_it():
    network = net(batch_norm=True)
    assert list(network.param_slices) == ["W1", "W2", "W3", "gamma1", "beta1", "gamma2",
                                          "beta2", "b3"]
    assert network.params.size == 10 + 20 + 4 + 5 + 5 + 4 + 4 + 1
    network.layers[1].W[0, 0] = 123.0
    assert network.params[network.param_slices["W2"].start] == 123.0
    np.testing.assert_array_equal(network.layers[0].gamma, 1.0)


def test_inverted_dropout_keeps_the_expected_activation_and_is_off_at_evaluation():
    network = Network((2, 400, 1), keep_prob=0.8, rng=np.random.default_rng(0))
    Xb = np.ones((500, 2))
    network.forward(Xb, mode="train", rng=np.random.default_rng(1))
    layer = network.layers[0]
    kept = layer.D > 0
    assert kept.mean() == pytest.approx(0.8, abs=0.01)
    np.testing.assert_allclose(layer.A[kept], layer.A_act[kept] / 0.8)
    assert layer.A.mean() == pytest.approx(layer.A_act.mean(), rel=0.02)
    first = network.forward(Xb, mode="eval")
    second = network.forward(Xb, mode="eval")
    np.testing.assert_array_equal(first, second)
    assert layer.D is None


def test_batch_norm_normalises_each_unit_and_tracks_running_statistics():
    network = net((2, 8, 1), batch_norm=True)
    Xb = np.random.default_rng(3).normal(5.0, 3.0, size=(256, 2))
    network.forward(Xb, mode="train", rng=None)
    layer = network.layers[0]
    np.testing.assert_allclose(layer.Z_norm.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(layer.Z_norm.var(axis=0), 1.0, rtol=1e-3)
    Z = Xb @ layer.W.T
    np.testing.assert_allclose(layer.running_mean, Z.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, Z.var(axis=0))
    # evaluation uses the running statistics: one example's output does not depend on the batch
    alone = network.forward(Xb[:1], mode="eval")
    within = network.forward(Xb, mode="eval")[:1]
    np.testing.assert_allclose(alone, within)


def test_batch_norm_running_stats_are_an_exponential_average():
    network = net((2, 3, 1), batch_norm=True)
    layer = network.layers[0]
    a, b = np.random.default_rng(4).normal(size=(2, 64, 2))
    network.forward(a, mode="train", rng=None)
    network.forward(b, mode="train", rng=None)
    Za, Zb = a @ layer.W.T, b @ layer.W.T
    np.testing.assert_allclose(layer.running_mean, 0.9 * Za.mean(0) + 0.1 * Zb.mean(0))
    network.forward(a, mode="check", rng=None)  # gradient checking must not move them
    np.testing.assert_allclose(layer.running_mean, 0.9 * Za.mean(0) + 0.1 * Zb.mean(0))


def test_cross_entropy_is_stable_for_huge_logits():
    network = net()
    ZL = np.array([[800.0], [-800.0]])
    assert network.cross_entropy(ZL, np.array([[0.0], [1.0]])) == pytest.approx(800.0)
    assert network.cross_entropy(ZL, np.array([[1.0], [0.0]])) == pytest.approx(0.0)


def test_softmax_cost_and_probabilities_by_hand():
    network = net((2, 3, 3))
    ZL = np.array([[0.0, np.log(2.0), np.log(5.0)]])  # softmax = (1, 2, 5) / 8
    np.testing.assert_allclose(network.probabilities(ZL), [[1 / 8, 2 / 8, 5 / 8]])
    assert network.cross_entropy(ZL, np.array([[0.0, 0.0, 1.0]])) == pytest.approx(-np.log(5 / 8))
    assert network.predict(ZL).tolist() == [2]


def test_l2_cost_is_lambda_over_2m_times_squared_weights():
    network = Network((2, 2, 1), l2=0.5, n_train=10, init="zeros")
    network.layers[0].W[:] = [[1.0, 2.0], [0.0, 0.0]]
    network.layers[1].W[:] = [[3.0, 0.0]]
    network.layers[1].b[:] = 100.0  # biases are not penalised
    assert network.l2_cost() == pytest.approx(0.5 / (2 * 10) * 14.0)


def test_zero_init_relu_network_never_breaks_symmetry():
    network = net(init="zeros")
    network.forward(X, mode="train")
    network.backward(network.targets(Y_BIN))
    W_grads = network.grads[:network.n_weights]
    assert not W_grads.any()  # only the output bias can learn


@settings(max_examples=15, deadline=None)
@given(hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
       activation=st.sampled_from(sorted(ACTIVATION_FUNCTIONS)),
       batch_norm=st.booleans(), l2=st.sampled_from([0.0, 0.5]),
       n_out=st.sampled_from([1, 3]), seed=st.integers(0, 10_000))
def test_gradient_check_passes_on_any_architecture(hidden, activation, batch_norm, l2, n_out,
                                                    seed):
    network = Network((2, *hidden, n_out), activation=activation, batch_norm=batch_norm, l2=l2,
                      init="xavier", n_train=16, rng=np.random.default_rng(seed))
    y = Y_BIN if n_out == 1 else Y_MULTI
    result = gradient_check(network, X, y)
    if result.examples_at_kinks == len(X):  # a dead ReLU layer: nothing left to judge
        assert result.verdict == "look closer"
    else:
        # rounding in the two-sided difference (eps = 1e-7) leaves a correct gradient anywhere
        # around 1e-7 (hypothesis found 1.2e-7 on a deep sigmoid net); a wrong one gives ~1e-3
        assert result.difference < 1e-6


def test_gradient_check_leaves_out_examples_on_a_relu_kink():
    # a layer of one unit that is dead for some examples feeds exactly Z = b = 0 to the next
    # layer: the two-sided difference straddles the kink there, backprop is not wrong
    network = Network((2, 1, 3, 1), init="xavier", n_train=16, rng=np.random.default_rng(3))
    network.layers[0].W[:] = [[1.0, 0.0]]  # dead wherever x1 < 0
    result = gradient_check(network, X, Y_BIN)
    assert result.examples_at_kinks == int((X[:, 0] < 0).sum())
    assert result.examples_used == len(X) - result.examples_at_kinks
    assert result.difference < 1e-7 and "kink" in result.message


def test_gradient_check_on_a_dead_layer_says_it_cannot_judge():
    network = Network((2, 2, 2, 1), init="xavier", n_train=16, rng=np.random.default_rng(3))
    network.layers[0].b[:] = -100.0  # layer 1 is dead everywhere: layer 2 sees Z = b2 = 0
    result = gradient_check(network, X, Y_BIN)
    assert result.examples_at_kinks == len(X)
    assert result.verdict == "look closer"
    assert "dead" in result.message
    # the same network with the bug planted is still "look closer", never "great"
    assert gradient_check(network, X, Y_BIN, break_backward=True).verdict != "great"
