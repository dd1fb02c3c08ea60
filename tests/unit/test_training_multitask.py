"""Multi-task learning with missing labels, and transfer with several new layers."""

import numpy as np
import pytest
from scipy.special import expit

from analysis.training import LabConfig, compare_transfer
from analysis.training.gradcheck import numerical_gradient, relative_difference
from analysis.training.multitask import (
    MultiTaskNetwork,
    compare_multitask,
    make_multitask_data,
)

# the course's example: pedestrian, car, stop sign, traffic light; "?" = not labelled
Y_WITH_GAPS = np.array([[1.0, np.nan, 0.0, 1.0],
                        [np.nan, 1.0, np.nan, 0.0],
                        [0.0, 0.0, 1.0, np.nan]])


def _network(seed: int = 0, **options) -> MultiTaskNetwork:
    return MultiTaskNetwork((2, 5, 4), activation="tanh", rng=np.random.default_rng(seed),
                            **options)


def test_multitask_loss_with_missing_labels_equals_separate_logistic_losses_by_hand():
    net = _network()
    X = np.random.default_rng(1).normal(size=(3, 2))
    ZL = net.forward(X, mode="eval")
    A = expit(ZL)
    by_hand = 0.0
    for i in range(3):
        for t in range(4):
            y = Y_WITH_GAPS[i, t]
            if not np.isnan(y):  # "?" is left out of the sum
                by_hand += -(y * np.log(A[i, t]) + (1 - y) * np.log(1 - A[i, t]))
    assert net.cost(ZL, Y_WITH_GAPS) == pytest.approx(by_hand / 3)  # mean over examples


def test_multitask_loss_is_the_sum_of_each_tasks_logistic_loss_on_its_labelled_entries():
    net = _network()
    ZL = net.forward(np.random.default_rng(2).normal(size=(3, 2)), mode="eval")
    per_task = 0.0
    for t in range(4):
        labelled = ~np.isnan(Y_WITH_GAPS[:, t])
        z, y = ZL[labelled, t], Y_WITH_GAPS[labelled, t]
        per_task += np.sum(np.logaddexp(0, z) - y * z)
    assert net.cross_entropy(ZL, Y_WITH_GAPS) == pytest.approx(per_task / 3)


def test_missing_labels_contribute_no_gradient_at_the_output():
    net = _network()
    net.forward(np.random.default_rng(3).normal(size=(3, 2)), mode="check")
    dZ = net.output_delta(Y_WITH_GAPS)
    assert np.all(dZ[np.isnan(Y_WITH_GAPS)] == 0.0)
    assert np.all(dZ[~np.isnan(Y_WITH_GAPS)] != 0.0)


@pytest.mark.parametrize("l2", [0.0, 0.5])
def test_multitask_gradient_passes_gradient_checking(l2):
    net = _network(seed=4, l2=l2, n_train=3)
    X = np.random.default_rng(5).normal(size=(3, 2))
    net.forward(X, mode="check")
    net.backward(Y_WITH_GAPS)
    backprop = net.grads.copy()
    approx = numerical_gradient(net, X, Y_WITH_GAPS, 1e-7)
    assert relative_difference(approx, backprop) < 1e-7


def test_generated_tasks_share_features_and_hide_the_asked_share_of_labels():
    data = make_multitask_data(tasks=4, n_train=2000, n_dev=500, missing=0.3, label_flip=0.0,
                               seed=1)
    assert np.isnan(data.Y_train).mean() == pytest.approx(0.3, abs=0.02)
    assert not np.isnan(data.Y_dev).any()
    positives = data.Y_dev.mean(axis=0)
    assert np.all((positives > 0.3) & (positives < 0.7))
    with pytest.raises(ValueError, match="tasks must be at most"):
        make_multitask_data(tasks=20)
    with pytest.raises(ValueError, match="missing must be below"):
        make_multitask_data(missing=0.99)


def test_one_multitask_network_beats_separate_networks_when_labels_are_scarce():
    data = make_multitask_data(tasks=4, n_train=200, n_dev=1000, missing=0.5, seed=1)
    result = compare_multitask(data, epochs=500)
    assert result.per_task["task"].tolist() == [1, 2, 3, 4]
    assert (result.per_task["labelled"] < 200).all()
    assert result.multi_task_error < result.separate_error
    assert "multi-task did better" in result.summary


def test_transfer_with_several_new_layers_keeps_task_a_layers_and_adds_fresh_ones():
    base = LabConfig(dataset="spirals", noise=0.05, hidden=(16, 8))
    result = compare_transfer(base, n_task_a=500, n_task_b=40, epochs=50, new_layers=3)
    assert set(result.final) == {"from scratch", "fine-tune last layer", "fine-tune all layers"}
    with pytest.raises(ValueError, match="new_layers must be 1 to 4"):
        compare_transfer(base, new_layers=9)
