"""TrainingSession: advancing, history, predictions, saving, early stopping, divergence;
random search and transfer learning."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.training import (
    LabConfig,
    SearchSpace,
    TrainingSession,
    compare_transfer,
    random_search,
    zoom,
)
from analysis.training.search import sample_configs
from analysis.training.transfer import STRATEGIES

SMALL = LabConfig(dataset="moons", n_train=80, n_train_dev=40, n_dev=40, hidden=(6, 4),
                  batch_size=16)


def test_advance_trains_k_epochs_and_appends_records():
    session = TrainingSession(SMALL)
    first = session.advance(3)
    assert [r.epoch for r in first] == [1, 2, 3]
    later = session.advance(10, record_every=4)
    assert [r.epoch for r in later] == [7, 11, 13]
    assert session.epoch == 13 and len(session.history) == 6
    r = later[-1]
    assert len(r.weight_norms) == len(r.grad_norms) == 3
    assert 0 <= r.train_error <= 100 and r.learning_rate == SMALL.learning_rate


def test_training_lowers_cost_and_error():
    session = TrainingSession(SMALL)
    start = session.evaluate()
    session.advance(150, record_every=150)
    end = session.current()
    assert end.cost < start.cost / 2
    assert end.train_error < start.train_error


def test_full_batch_gradient_descent_cost_never_goes_up():
    session = TrainingSession(SMALL.replace(optimizer="gd", batch_size=0, learning_rate=0.05))
    costs = [r.cost for r in session.advance(200)]
    assert np.all(np.diff(costs) <= 1e-12)


def test_same_config_same_numbers_whatever_the_chunking():
    config = SMALL.replace(keep_prob=0.8)
    a, b = TrainingSession(config), TrainingSession(config)
    a.advance(30)
    for _ in range(6):
        b.advance(5)
    np.testing.assert_array_equal(a.network.params, b.network.params)
    assert a.history == b.history


def test_mini_batches_are_reshuffled_every_epoch():
    session = TrainingSession(SMALL)
    orders = []
    for _ in range(2):
        session.advance(1)
        orders.append(session._X_shuffled.copy())
    assert not np.array_equal(orders[0], orders[1])
    for shuffled in orders:  # each epoch still sees every example exactly once
        np.testing.assert_array_equal(np.sort(shuffled, axis=0), np.sort(session.X_train, axis=0))


def test_learning_rate_follows_the_decay_schedule():
    session = TrainingSession(SMALL.replace(decay="step", decay_interval=2, learning_rate=0.1))
    rates = [r.learning_rate for r in session.advance(5)]
    assert rates == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.1 / 3])


def test_history_frame_has_a_row_per_record_and_norm_columns():
    session = TrainingSession(SMALL)
    session.advance(4)
    frame = session.history_frame()
    assert len(frame) == 4
    assert list(frame.columns) == ["epoch", "cost", "train_error", "train_dev_error", "dev_error",
                                   "learning_rate", "weight_norm_1", "weight_norm_2",
                                   "weight_norm_3", "grad_norm_1", "grad_norm_2", "grad_norm_3"]
    assert frame["epoch"].tolist() == [1, 2, 3, 4]
    assert TrainingSession(SMALL).history_frame().empty


def test_missing_train_dev_split_gives_nan_error():
    session = TrainingSession(SMALL.replace(n_train_dev=0))
    assert np.isnan(session.advance(1)[0].train_dev_error)


def test_predict_proba_and_decision_grid_use_original_coordinates():
    session = TrainingSession(SMALL)
    session.advance(100, record_every=100)
    d = session.dataset
    P = session.predict_proba(d.X_train)
    assert P.shape == (80,) and np.all((P >= 0) & (P <= 1))
    assert np.mean((P >= 0.5) != d.y_train) * 100 == pytest.approx(session.current().train_error)
    xs, ys, Z = session.decision_grid(resolution=30)
    assert xs.shape == ys.shape == (30,) and Z.shape == (30, 30)
    assert xs[0] < d.X_all[:, 0].min() and xs[-1] > d.X_all[:, 0].max()
    # Z[i, j] is the probability at (xs[j], ys[i])
    assert Z[3, 7] == pytest.approx(session.predict_proba(np.array([[xs[7], ys[3]]]))[0])


def test_multiclass_session_predicts_classes():
    session = TrainingSession(LabConfig(dataset="blobs", n_train=90, hidden=(8,)))
    session.advance(50, record_every=50)
    P = session.predict_proba(session.dataset.X_dev)
    assert P.shape == (100, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert session.current().dev_error < 20
    _, _, Z = session.decision_grid(resolution=10)
    assert set(np.unique(Z)) <= {0.0, 1.0, 2.0}


def test_state_round_trips_through_json_and_resumes_exactly():
    config = SMALL.replace(batch_norm=True, keep_prob=0.9, optimizer="adam")
    session = TrainingSession(config)
    session.advance(7)
    state = json.loads(json.dumps(session.to_state()))
    restored = TrainingSession.from_state(state)
    assert restored.epoch == 7 and restored.history == session.history
    session.advance(5)
    restored.advance(5)
    np.testing.assert_array_equal(session.network.params, restored.network.params)
    assert restored.history == session.history


def test_state_resumes_early_stopping_where_it_was():
    config = LabConfig(dataset="flower", n_train=60, n_dev=200, noise=0.2, label_flip=0.2,
                       hidden=(64, 64), learning_rate=0.02, early_stopping_patience=20)
    straight = TrainingSession(config)
    straight.advance(400)
    halfway = TrainingSession(config)
    halfway.advance(straight.best_epoch + 5)  # inside the patience window
    resumed = TrainingSession.from_state(json.loads(json.dumps(halfway.to_state())))
    resumed.advance(400 - resumed.epoch)
    assert resumed.stopped_early == straight.stopped_early
    assert resumed.epoch == straight.epoch and resumed.best_epoch == straight.best_epoch
    np.testing.assert_array_equal(resumed.network.params, straight.network.params)


def test_from_state_rejects_a_wrong_state():
    with pytest.raises(ValueError, match="not a saved training session"):
        TrainingSession.from_state({"config": {}})


def test_early_stopping_stops_and_restores_the_best_dev_parameters():
    config = LabConfig(dataset="flower", n_train=60, n_dev=200, noise=0.2, label_flip=0.2,
                       hidden=(64, 64), learning_rate=0.02, early_stopping_patience=20)
    session = TrainingSession(config)
    session.advance(2000)
    assert session.stopped_early
    assert session.epoch == session.best_epoch + 20
    best = min(r.dev_error for r in session.history)
    assert session.evaluate().dev_error == pytest.approx(best)
    assert session.advance(10) == []


def test_a_huge_learning_rate_diverges_and_training_stops():
    session = TrainingSession(SMALL.replace(optimizer="gd", learning_rate=100.0, init="random",
                                            init_scale=10.0, hidden=(32, 32, 32)))
    session.advance(200)
    assert session.diverged
    assert session.epoch < 200
    assert session.advance(5) == []


def test_gradient_check_on_the_session():
    session = TrainingSession(SMALL.replace(l2=0.1))
    session.advance(3)
    assert session.gradient_check().difference < 1e-7
    assert session.gradient_check(break_backward=True).verdict == "likely a bug"


def test_waterfall_uses_the_bayes_error_as_human_level():
    session = TrainingSession(SMALL.replace(noise=0.0, label_flip=0.1))
    session.advance(20, record_every=20)
    result = session.waterfall()
    r = session.current()
    assert result.avoidable_bias == pytest.approx(r.train_error - 10.0, abs=1e-6)
    assert result.variance == pytest.approx(r.train_dev_error - r.train_error, abs=1e-6)


def test_advance_bad_values():
    session = TrainingSession(SMALL)
    with pytest.raises(ValueError, match="epochs"):
        session.advance(-1)
    with pytest.raises(ValueError, match="record_every"):
        session.advance(1, record_every=0)
    with pytest.raises(ValueError, match="X must have 2 columns"):
        session.predict_proba(np.zeros((3, 3)))


def test_freezing_layers_keeps_their_weights():
    session = TrainingSession(SMALL)
    session.freeze_layers(2)
    before = session.network.params.copy()
    session.advance(5)
    net = session.network
    for name in ("W1", "b1", "W2", "b2"):
        s = net.param_slices[name]
        np.testing.assert_array_equal(net.params[s], before[s])
    assert not np.array_equal(net.params[net.param_slices["W3"]], before[net.param_slices["W3"]])


# ---- random search -------------------------------------------------------------------------

def test_search_samples_the_learning_rate_on_a_log_scale():
    # momentum: the one optimizer whose beta is searched by default
    configs = sample_configs(LabConfig(optimizer="momentum"), SearchSpace(), 4000,
                             np.random.default_rng(0))
    r = np.log10([c.learning_rate for c in configs])
    assert r.min() >= -4 and r.max() <= 0
    per_decade = np.histogram(r, bins=[-4, -3, -2, -1, 0])[0] / len(r)
    # a quarter per decade (a linear draw would put 90% in the last one)
    np.testing.assert_allclose(per_decade, 0.25, atol=0.03)
    beta = np.array([c.beta1 for c in configs])
    assert beta.min() >= 0.9 and beta.max() <= 0.999
    assert np.mean(beta > 0.99) == pytest.approx(0.5, abs=0.03)  # 1 - 10^r, r uniform in [-3, -1]
    layers = {len(c.hidden) for c in configs}
    assert layers == {1, 2, 3}
    assert all(2 <= u <= 16 for c in configs for u in c.hidden)


def test_random_search_ranks_trials_by_dev_error():
    result = random_search(SMALL.replace(batch_size=0), SearchSpace(), n_trials=6, epochs=30,
                           seed=1)
    assert len(result.trials) == 6 and len(result.best) == 5
    assert {"learning_rate", "beta1", "hidden", "l2", "keep_prob", "train_error", "dev_error",
            "cost"} <= set(result.trials.columns)
    assert result.best["dev_error"].is_monotonic_increasing
    assert result.best["dev_error"].iloc[0] == result.trials["dev_error"].min()
    again = random_search(SMALL.replace(batch_size=0), SearchSpace(), n_trials=6, epochs=30,
                          seed=1)
    pd.testing.assert_frame_equal(result.trials, again.trials)


def test_zoom_narrows_the_space_around_the_best_trials():
    trials = pd.DataFrame({
        "trial": [1, 2, 3, 4], "learning_rate": [0.01, 0.02, 0.5, 1e-4],
        "beta1": [0.9, 0.95, 0.99, 0.999], "hidden": ["4", "8,8", "16", "2,2,2"],
        "n_layers": [1, 2, 1, 3], "l2": [0.1, 0.2, 0.9, 0.5], "keep_prob": [0.9, 1.0, 0.6, 0.7],
        "train_error": [1.0, 2.0, 9.0, 40.0], "dev_error": [3.0, 4.0, 20.0, 45.0],
        "cost": [0.1, 0.2, 0.5, 0.7], "diverged": [False] * 4})
    from analysis.training.search import SearchResult
    fine = zoom(SearchResult(trials=trials, best=trials.head(0), space=SearchSpace()), top=2)
    assert fine.log10_lr == pytest.approx((-2.0 - 0.4, np.log10(0.02) + 0.4))
    assert fine.hidden_layers == (1, 2) and fine.units == (4, 8)
    assert fine.keep_prob[0] >= 0.6 and fine.keep_prob[1] <= 1.0
    assert fine.log10_one_minus_beta[0] >= -3.0


def test_search_space_accepts_text_and_stores_numbers():
    space = SearchSpace(log10_lr=("-3", "-1"), units=(4.0, 8.0))
    assert space.log10_lr == (-3.0, -1.0) and space.units == (4, 8)


def test_search_space_bad_values():
    with pytest.raises(ValueError, match="log10_lr"):
        SearchSpace(log10_lr=(0.0, -4.0))
    with pytest.raises(ValueError, match="units"):
        SearchSpace(units=(2.5, 8))
    with pytest.raises(ValueError, match="n_trials"):
        random_search(SMALL, n_trials=0)


# ---- transfer learning -----------------------------------------------------------------------

def test_transfer_result_has_a_curve_per_strategy():
    result = compare_transfer(SMALL.replace(batch_size=0), n_task_a=200, n_task_b=20, epochs=15)
    assert list(result.curves.columns) == ["epoch", "strategy", "dev_error"]
    assert result.curves.groupby("strategy").size().to_dict() == dict.fromkeys(STRATEGIES, 15)
    assert set(result.final) == set(STRATEGIES)
    assert "from scratch" in result.summary
    json.dumps(result.to_dict())


def test_transfer_needs_a_hidden_layer():
    with pytest.raises(ValueError, match="hidden"):
        compare_transfer(SMALL.replace(hidden=()), epochs=2)


@pytest.mark.slow
def test_pre_training_on_task_a_helps_a_small_hard_task_b():
    result = compare_transfer(LabConfig(dataset="spirals", noise=0.05, hidden=(16, 8)),
                              epochs=300)
    assert result.final["fine-tune last layer"] < result.final["from scratch"] - 5
    assert result.final["fine-tune all layers"] < result.final["from scratch"] - 5
    assert result.task_a_dev_error < 15


@pytest.mark.parametrize("changes", [
    {"dataset": name} for name in ("circles", "moons", "xor", "blobs", "spirals", "flower")
] + [
    {"optimizer": name, "decay": decay}
    for name, decay in zip(("gd", "momentum", "rmsprop", "adam", "adam"),
                           ("inverse", "exponential", "sqrt", "step", "none"), strict=True)
] + [
    {"activation": a, "init": i} for a, i in zip(("relu", "leaky_relu", "tanh", "sigmoid"),
                                                 ("he", "random", "xavier", "zeros"), strict=True)
] + [
    {"hidden": ()},  # logistic regression
    {"dataset": "blobs", "batch_norm": True, "keep_prob": 0.7, "l2": 0.3, "batch_size": 7},
    {"batch_norm": True, "keep_prob": 0.5, "normalize_inputs": False, "batch_size": 33},
    {"dev_shift": "rotate", "shift_amount": 45.0, "label_flip": 0.2},
    {"dev_shift": "noisier", "shift_amount": 0.5, "early_stopping_patience": 2},
])
def test_every_option_trains_and_reports(changes):
    session = TrainingSession(SMALL.replace(**changes))
    records = session.advance(6)
    assert records and np.isfinite(records[-1].cost)
    assert len(records[-1].weight_norms) == len(SMALL.replace(**changes).hidden) + 1
    assert session.decision_grid(resolution=5)[2].shape == (5, 5)
    assert session.gradient_check().verdict in ("great", "look closer")
    assert not session.history_frame().isna()[["cost", "train_error", "dev_error"]].any().any()
