"""Hyperparameter search by the course's priorities: what is sampled for which optimizer,
powers-of-two batches, Adam's defaults kept; caviar equals serial; effects; panda."""

import sys
import types

import numpy as np
import pandas as pd
import pytest

from analysis.training import LabConfig, SearchSpace, random_search
from analysis.training.search import (
    ADAM_DEFAULTS,
    Panda,
    caviar_workers,
    effects,
    sample_configs,
    tuned,
)

BASE = LabConfig(dataset="moons", n_train=80, n_train_dev=0, n_dev=60, hidden=(6, 4),
                 batch_size=0)


def _sample(base: LabConfig, space: SearchSpace | None = None, n: int = 500) -> list[LabConfig]:
    return sample_configs(base, space or SearchSpace(), n, np.random.default_rng(0))


def test_adams_betas_and_epsilon_are_never_sampled_by_default():
    configs = _sample(BASE.replace(optimizer="adam"))
    assert {(c.beta1, c.beta2, c.epsilon) for c in configs} == {
        (ADAM_DEFAULTS["beta1"], ADAM_DEFAULTS["beta2"], ADAM_DEFAULTS["epsilon"])}
    assert len({c.learning_rate for c in configs}) == len(configs)  # the rate still is


def test_adams_betas_are_sampled_when_the_user_asks():
    configs = _sample(BASE.replace(optimizer="adam"), SearchSpace(tune_adam=True))
    beta1 = np.array([c.beta1 for c in configs])
    beta2 = np.array([c.beta2 for c in configs])
    assert beta1.min() >= 0.9 and beta1.max() <= 0.999 and beta1.std() > 0
    assert beta2.min() >= 0.99 and beta2.max() <= 0.9999 and beta2.std() > 0


@pytest.mark.parametrize(("optimizer", "sampled"), [
    ("momentum", True), ("gd", False), ("rmsprop", False), ("adam", False)])
def test_momentum_beta_is_sampled_only_for_the_optimizer_that_uses_it(optimizer, sampled):
    configs = _sample(BASE.replace(optimizer=optimizer))
    beta = np.array([c.beta1 for c in configs])
    assert (len(set(beta)) > 1) == sampled
    if sampled:  # 1 - 10^r with r uniform in [-3, -1]: half the draws above 0.99
        assert beta.min() >= 0.9 and beta.max() <= 0.999
        assert np.mean(beta > 0.99) == pytest.approx(0.5, abs=0.06)
    assert ("beta1" in tuned(SearchSpace(), optimizer)) == sampled


def test_mini_batch_sizes_are_powers_of_two_from_64_to_512():
    sizes = {c.batch_size for c in _sample(BASE)}
    assert sizes == {64, 128, 256, 512}
    assert all(size & (size - 1) == 0 for size in sizes)


def test_depth_follows_the_priorities_learning_rate_first():
    only_rate = _sample(BASE.replace(optimizer="momentum"), SearchSpace(depth=1), 50)
    assert len({c.learning_rate for c in only_rate}) == 50
    assert {(c.beta1, c.batch_size, c.hidden, c.decay, c.l2, c.keep_prob)
            for c in only_rate} == {(0.9, 0, (6, 4), "none", 0.0, 1.0)}
    tier2 = _sample(BASE.replace(optimizer="momentum"), SearchSpace(depth=2), 200)
    assert len({c.beta1 for c in tier2}) > 1 and len({c.batch_size for c in tier2}) > 1
    assert {len(c.hidden) for c in tier2} == {2}  # layers wait for tier 3
    assert len({c.hidden for c in tier2}) > 1  # units do not
    assert {c.decay for c in tier2} == {"none"}
    tier3 = _sample(BASE, SearchSpace(depth=3), 200)
    assert {len(c.hidden) for c in tier3} == {1, 2, 3} and {c.decay for c in tier3} == {
        "none", "inverse"}
    assert {c.l2 for c in tier3} == {0.0}


def test_learning_rate_is_drawn_on_a_log_scale_from_1e_4_to_1():
    r = np.log10([c.learning_rate for c in _sample(BASE, n=4000)])
    assert r.min() >= -4 and r.max() <= 0
    np.testing.assert_allclose(np.histogram(r, bins=[-4, -3, -2, -1, 0])[0] / len(r), 0.25,
                               atol=0.03)


def test_search_space_rejects_bad_new_options():
    with pytest.raises(ValueError, match="depth"):
        SearchSpace(depth=5)
    with pytest.raises(ValueError, match="decays"):
        SearchSpace(decays=("cosine",))
    with pytest.raises(ValueError, match="log2_batch"):
        SearchSpace(log2_batch=(6.5, 9))


def test_caviar_gives_the_same_trials_as_serial_for_the_same_seed():
    assert caviar_workers() == max(1, min(2, (__import__("os").cpu_count() or 1) - 1))
    serial = random_search(BASE, n_trials=3, epochs=20, seed=4)
    caviar = random_search(BASE, n_trials=3, epochs=20, seed=4, mode="caviar")
    pd.testing.assert_frame_equal(serial.trials, caviar.trials)
    with pytest.raises(ValueError, match="workers must be at most 2"):
        random_search(BASE, n_trials=1, epochs=1, mode="caviar", workers=8)
    with pytest.raises(ValueError, match="mode"):
        random_search(BASE, n_trials=1, epochs=1, mode="zoo")


def test_effects_give_value_against_dev_error_for_each_varied_hyperparameter():
    result = random_search(BASE.replace(optimizer="momentum"), n_trials=4, epochs=10, seed=2)
    table = effects(result)
    order = list(dict.fromkeys(table["hyperparameter"]))
    assert order[:3] == ["learning_rate", "beta1", "batch_size"]  # priority order
    rate = table[table["hyperparameter"] == "learning_rate"]
    np.testing.assert_allclose(rate["value"], result.trials["learning_rate"])
    np.testing.assert_allclose(rate["dev_error"], result.trials["dev_error"])
    beta = table[table["hyperparameter"] == "beta1"]
    np.testing.assert_allclose(beta["value"], 1 - result.trials["beta1"])  # its sampling scale
    assert bool(rate["log_scale"].iloc[0])


def test_panda_halves_the_learning_rate_and_goes_back_when_training_blows_up():
    panda = Panda(BASE.replace(optimizer="gd", learning_rate=60.0, init="random",
                               init_scale=10.0, hidden=(32, 32)), chunk=20)
    steps = [panda.step() for _ in range(4)]
    halved = [s for s in steps if "halved" in s.action]
    assert halved, [s.action for s in steps]
    assert halved[0].learning_rate == 30.0
    assert not panda.session.diverged
    assert list(panda.log_frame().columns) == ["epoch", "cost", "dev_error", "learning_rate",
                                               "action"]


def test_panda_keeps_going_while_the_cost_falls():
    panda = Panda(BASE.replace(learning_rate=0.01), chunk=10)
    steps = [panda.step() for _ in range(3)]
    assert [s.epoch for s in steps] == [10, 20, 30]
    assert all(s.action == "cost fell: kept going" for s in steps)
    assert steps[-1].cost < steps[0].cost


def test_caviar_workers_never_run_the_parents_main_script(tmp_path, monkeypatch):
    # under Streamlit (and AppTest) __main__ is a page script: a worker that re-ran it would
    # draw the page, open the store... or, as here, fail
    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('a worker ran the page script')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    caviar = random_search(BASE, n_trials=2, epochs=5, seed=1, mode="caviar")
    assert len(caviar.trials) == 2
    assert sys.modules["__main__"] is page
