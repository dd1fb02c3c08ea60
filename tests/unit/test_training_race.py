"""Optimizer race (same data, same start), the saddle/plateau surface, mini-batch costs per
iteration, batch-size advice and L1 regularisation."""

import json

import numpy as np
import pytest

from analysis.training import COURSE_PRESETS, LabConfig, TrainingSession
from analysis.training.diagnostics import batch_size_advice
from analysis.training.race import (
    ESCAPE_DISTANCE,
    SADDLE,
    OptimizerRace,
    race,
    surface,
    surface_gradient,
    surface_paths,
)

MOONS = COURSE_PRESETS["Optimizer: Adam (moons)"]
SMALL = LabConfig(dataset="moons", n_train=80, n_train_dev=0, n_dev=40, hidden=(6, 4),
                  batch_size=16)


# ---- the race ----------------------------------------------------------------------------

def test_every_racer_starts_from_the_same_weights_on_the_same_data():
    contest = OptimizerRace(MOONS, ["gd", "momentum", "rmsprop", "adam"])
    sessions = list(contest.sessions.values())
    first = sessions[0]
    for other in sessions[1:]:
        np.testing.assert_array_equal(other.network.params, first.network.params)
        assert other.dataset is first.dataset
    assert [s.config.optimizer for s in sessions] == ["gd", "momentum", "rmsprop", "adam"]


def test_two_settings_of_one_optimizer_race_under_their_labels():
    contest = OptimizerRace(SMALL, [{"label": "adam slow", "optimizer": "adam",
                                     "learning_rate": 0.001},
                                    {"label": "adam fast", "optimizer": "adam",
                                     "learning_rate": 0.05}])
    contest.advance(3)
    curves = contest.curves()
    assert set(curves["optimizer"]) == {"adam slow", "adam fast"}
    assert curves.groupby("optimizer").size().to_dict() == {"adam fast": 3, "adam slow": 3}


def test_adam_beats_gradient_descent_on_the_course_moons_case():
    # the course's optimisation assignment: [2, 5, 2, 1], mini-batch 64, lr 0.0007
    result = race(MOONS, ["gd", "adam"], epochs=300, record_every=50)
    assert result.final_cost["adam"] < result.final_cost["gd"]
    assert result.winner == "adam"
    assert "adam" in result.summary


@pytest.mark.parametrize(("optimizers", "message"), [
    (["gd", "sgd"], "optimizers must name one of"),
    ([], "optimizers must list 1 to"),
    (["adam", "adam"], "distinct labels"),
    ([{"optimizer": "adam", "hidden": (3,)}], None),
])
def test_bad_race_entries_are_named(optimizers, message):
    if message is None:  # a single entry may change anything
        OptimizerRace(SMALL, optimizers)
        return
    with pytest.raises(ValueError, match=message):
        OptimizerRace(SMALL, optimizers)


def test_race_entries_may_not_change_the_network_shape():
    with pytest.raises(ValueError, match="changes the network's shape"):
        OptimizerRace(SMALL, ["gd", {"label": "wide", "hidden": (12,)}])


# ---- the saddle / plateau surface -------------------------------------------------------

def test_surface_has_a_saddle_at_the_origin_minima_at_plus_minus_one_and_a_plateau():
    assert surface_gradient(*SADDLE) == pytest.approx([0.0, 0.0])
    assert surface(np.array(0.0), np.array(1.0)) == pytest.approx(0.0)
    saddle = float(surface(np.array(0.0), np.array(0.0)))
    assert saddle == pytest.approx(1 - np.exp(-0.25))
    # up along x, down along y: a saddle, not a minimum
    assert surface(np.array(0.1), np.array(0.0)) > saddle > surface(np.array(0.0), np.array(0.1))
    # far away: f near 1 and almost no gradient (the plateau)
    assert surface(np.array(2.5), np.array(2.5)) > 0.999
    assert np.linalg.norm(surface_gradient(2.5, 2.5)) < 1e-3


def test_surface_gradient_matches_finite_differences():
    x, y, h = 0.3, -0.7, 1e-6
    numeric = [(surface(np.array(x + h), np.array(y)) - surface(np.array(x - h), np.array(y))) / (2 * h),
               (surface(np.array(x), np.array(y + h)) - surface(np.array(x), np.array(y - h))) / (2 * h)]
    np.testing.assert_allclose(surface_gradient(x, y), numeric, rtol=1e-6)


def test_every_optimizer_leaves_the_saddle_point_started_1e_3_off_it():
    paths = surface_paths((1e-3, 1e-3), ["gd", "momentum", "rmsprop", "adam"], steps=300)
    for label, path in paths.paths.items():
        distance = np.hypot(*(path - np.array(SADDLE)).T)
        assert distance[0] < 2e-3
        assert distance[-1] > ESCAPE_DISTANCE, label
        assert paths.escaped_at[label] is not None
        assert paths.final_value[label] < 0.05, label  # ends near a minimum


def test_surface_paths_return_a_contour_grid_in_heatmap_layout():
    paths = surface_paths((1.0, 2.0), ["adam"], steps=10, resolution=15)
    assert paths.paths["adam"].shape == (11, 2)
    np.testing.assert_array_equal(paths.paths["adam"][0], [1.0, 2.0])
    assert paths.Z.shape == (15, 15)
    assert paths.Z[3, 7] == pytest.approx(surface(paths.xs[7], paths.ys[3]))


def test_surface_paths_validate_their_inputs():
    with pytest.raises(ValueError, match="steps must be at most"):
        surface_paths((0, 0), ["gd"], steps=10**6)
    with pytest.raises(ValueError, match="start x"):
        surface_paths(("left", 0), ["gd"])


# ---- mini-batch costs and batch-size advice -----------------------------------------------

def test_history_keeps_each_iterations_mini_batch_cost_beside_the_epoch_cost():
    session = TrainingSession(SMALL)  # 80 examples in batches of 16: 5 iterations an epoch
    session.advance(4)
    assert [len(r.batch_costs) for r in session.history] == [5, 5, 5, 5]
    frame = session.iteration_frame()
    assert len(frame) == 20
    assert frame["position"].tolist()[:5] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    # noisy: mini-batch costs scatter around the smooth per-epoch cost
    assert frame["batch_cost"].std() > 0


def test_each_batch_cost_is_the_cost_of_that_batch_before_its_update():
    config = SMALL.replace(l2=0.2, keep_prob=0.8)
    session, replay = TrainingSession(config), TrainingSession(config)
    session.advance(2)
    net = replay.network
    for record in session.history:  # the same loop by hand: shuffle, then cost, step
        order = replay.rng.permutation(80)
        X, Y = replay.X_train[order], replay.Y_train[order]
        by_hand = []
        for start in range(0, 80, 16):
            Xb, Yb = X[start:start + 16], Y[start:start + 16]
            by_hand.append(net.cost(net.forward(Xb, mode="train", rng=replay.rng), Yb))
            net.backward(Yb)
            replay.optimizer.update(net.params, net.grads)
        assert record.batch_costs == pytest.approx(by_hand, rel=1e-12)


def test_full_batch_records_one_cost_per_epoch():
    session = TrainingSession(SMALL.replace(batch_size=0, optimizer="gd", learning_rate=0.05))
    session.advance(3)
    assert [len(r.batch_costs) for r in session.history] == [1, 1, 1]
    # the full-batch cost before an update is the previous epoch's evaluated cost (no dropout)
    assert session.history[1].batch_costs[0] == pytest.approx(session.history[0].cost)


def test_batch_costs_survive_saving_and_old_states_load_without_them():
    session = TrainingSession(SMALL.replace(n_train_dev=20))  # NaN errors never compare equal
    session.advance(2)
    state = json.loads(json.dumps(session.to_state()))
    assert TrainingSession.from_state(state).history == session.history
    for record in state["history"]:
        del record["batch_costs"]
    assert TrainingSession.from_state(state).history[0].batch_costs == ()


@pytest.mark.parametrize(("m", "size"), [(300, 0), (2000, 0), (2001, 64), (20_000, 256)])
def test_batch_size_advice_follows_the_course(m, size):
    advice = batch_size_advice(m)
    assert advice.batch_size == size
    if size:
        assert size in (64, 128, 256, 512) and "power of two" in advice.reason
    else:
        assert "full batch" in advice.reason


# ---- L1 ------------------------------------------------------------------------------------

def test_l1_proximal_step_drives_some_weights_to_exactly_zero():
    config = LabConfig(dataset="moons", n_train=100, hidden=(32, 16))
    plain = TrainingSession(config)
    plain.advance(300, record_every=300)
    sparse = TrainingSession(config.replace(l1=1.0))
    sparse.advance(300, record_every=300)
    n = sparse.network.n_weights
    assert np.count_nonzero(plain.network.params[:n] == 0.0) == 0
    assert np.count_nonzero(sparse.network.params[:n] == 0.0) >= 10


def test_l1_cost_is_lambda_over_m_times_the_sum_of_absolute_weights():
    session = TrainingSession(SMALL.replace(l1=0.5))
    net = session.network
    W = net.params[:net.n_weights]
    assert net.l1_cost() == pytest.approx(0.5 / 80 * np.abs(W).sum())
    record = session.evaluate()
    ZL = net.forward(session.X_train, mode="eval")
    assert record.cost == pytest.approx(net.cross_entropy(ZL, session.Y_train) + net.l1_cost())


@pytest.mark.parametrize("method", ["proximal", "subgradient"])
def test_l1_gradient_passes_gradient_checking(method):
    session = TrainingSession(SMALL.replace(l1=0.3, l1_method=method, activation="tanh"))
    session.advance(3)
    assert session.gradient_check().difference < 1e-7


def test_soft_threshold_shrinks_toward_zero_and_stops_there():
    session = TrainingSession(SMALL)
    net = session.network
    net.params[:4] = [0.3, -0.3, 0.05, -0.05]
    net.soft_threshold(0.1)
    np.testing.assert_allclose(net.params[:4], [0.2, -0.2, 0.0, 0.0])


def test_l1_is_a_lab_setting_the_sidebar_derives():
    from analysis.training.config import setting_of

    assert setting_of("l1").group == "Regularisation"
    assert setting_of("l1_method").options == ("proximal", "subgradient")
    with pytest.raises(ValueError, match="l1"):
        LabConfig(l1=-1)


def test_the_lab_lessons_doctests_pass():
    import doctest
    import importlib

    for name in ("datasets", "diagnostics", "multitask", "race", "remedies", "search"):
        module = importlib.import_module(f"analysis.training.{name}")
        assert doctest.testmod(module).failed == 0, module.__name__
