"""The course's findings, reproduced with fixed seeds ("Improving Deep Neural Networks",
programming assignments on initialisation, regularisation, optimisation, batch norm).

The course's own figures come from one random draw; ours land within a few points of them.
The 5,000- and 15,000-epoch presets are marked slow.
"""

import pytest

from analysis.training import COURSE_PRESET_EPOCHS, COURSE_PRESETS, LabConfig, TrainingSession


def run(config: LabConfig, epochs: int) -> TrainingSession:
    session = TrainingSession(config)
    session.advance(epochs, record_every=epochs)
    return session


def run_preset(name: str) -> TrainingSession:
    return run(COURSE_PRESETS[name], COURSE_PRESET_EPOCHS[name])


def accuracy(session: TrainingSession) -> tuple[float, float]:
    """(train, test) accuracy in percent; the course's test set is our dev split."""
    r = session.current()
    return 100.0 - r.train_error, 100.0 - r.dev_error


# ---- initialisation (circles, [2, 10, 5, 1], ReLU, lr 0.01, 15,000 full-batch iterations) ----

def test_zeros_initialisation_stays_at_chance():
    session = run(COURSE_PRESETS["Init: zeros (circles)"], 1000)
    assert accuracy(session) == (50.0, 50.0)
    # symmetry is never broken: every hidden weight is still exactly zero
    assert not session.network.params[:session.network.n_weights].any()


@pytest.mark.slow
def test_he_beats_large_random_initialisation_in_the_same_epochs():
    he = run_preset("Init: He (circles)")
    large = run_preset("Init: random x10 (circles)")
    assert he.epoch == large.epoch == 15_000
    assert he.current().train_error < large.current().train_error - 5
    assert he.current().dev_error < large.current().dev_error - 5
    assert he.current().cost < large.current().cost


@pytest.mark.slow
@pytest.mark.parametrize(("preset", "course_train", "course_test"), [
    ("Init: zeros (circles)", 50.0, 50.0),
    ("Init: random x10 (circles)", 83.0, 86.0),
    ("Init: He (circles)", 99.3, 96.0),
])
def test_initialisation_presets_match_the_course(preset, course_train, course_test):
    train, test = accuracy(run_preset(preset))
    assert train == pytest.approx(course_train, abs=5)
    assert test == pytest.approx(course_test, abs=6)


# ---- optimisation (moons, [2, 5, 2, 1], mini-batch 64, lr 0.0007, 5,000 epochs) ---------------

@pytest.mark.slow
@pytest.mark.parametrize(("preset", "course_train"), [
    ("Optimizer: gradient descent (moons)", 72.0),
    ("Optimizer: momentum (moons)", 72.0),
    ("Optimizer: Adam (moons)", 94.0),
    ("Decay: GD 0.1 with stepwise decay (moons)", 95.0),
])
def test_optimizer_presets_match_the_course(preset, course_train):
    train, _ = accuracy(run_preset(preset))
    assert train == pytest.approx(course_train, abs=5)


def test_adam_reaches_a_lower_cost_than_momentum_and_momentum_no_higher_than_gd():
    base = COURSE_PRESETS["Optimizer: gradient descent (moons)"]
    cost = {name: run(base.replace(optimizer=name), 1000).current().cost
            for name in ("gd", "momentum", "adam")}
    assert cost["adam"] < cost["momentum"] - 0.05
    assert cost["momentum"] <= cost["gd"] + 1e-3


# ---- regularisation (noisy flower: 200 examples, [2, 64, 32, 1], 10% flipped labels) ----------

@pytest.mark.slow
@pytest.mark.parametrize("preset", ["Regularisation: L2 (noisy flower)",
                                    "Regularisation: dropout (noisy flower)"])
def test_regularisation_closes_most_of_the_train_dev_gap(preset):
    def gap(session):
        return session.current().dev_error - session.current().train_error

    plain = run_preset("Regularisation: none (noisy flower)")
    regularised = run_preset(preset)
    assert gap(plain) > 15  # the unregularised network overfits the flipped labels
    assert gap(regularised) < 0.5 * gap(plain)
    assert regularised.current().dev_error < plain.current().dev_error


# ---- gradient checking ------------------------------------------------------------------------

def test_gradient_check_passes_on_a_correct_network_and_flags_a_broken_one():
    session = TrainingSession(COURSE_PRESETS["Init: He (circles)"].replace(l2=0.7))
    session.advance(10)
    assert session.gradient_check().difference < 1e-7
    assert session.gradient_check(break_backward=True).difference > 1e-3


# ---- batch norm (spirals, 5 hidden layers of 32, mini-batch GD at learning rate 1.5) ---------

def test_deep_network_diverges_without_batch_norm():
    session = run_preset("Batch norm: deep net without batch norm")
    assert session.diverged
    assert session.epoch < 10


@pytest.mark.slow
def test_batch_norm_lets_the_deep_network_train_at_that_learning_rate():
    session = run_preset("Batch norm: deep net with batch norm")
    assert len(COURSE_PRESETS["Batch norm: deep net with batch norm"].hidden) >= 5
    assert not session.diverged
    assert session.current().train_error < 25  # chance is 50%
