"""The training lab's step logic, driven without Streamlit (a dict stands for session_state).

AppTest never fires the fragment's run_every timer, so these tests are where "a tick advances
k epochs", "it stops at the target / on divergence / on early stopping" and "changing the
learning rate mid-run keeps the weights" are checked.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.training import live
from analysis.training.config import COURSE_PRESETS, LabConfig
from analysis.training.live import (
    NOTICE_KEY,
    RUNNING_KEY,
    UNTIL_KEY,
    auto_epochs,
    config_from_widgets,
    current_session,
    field_of_error,
    is_running,
    run_interval,
    sync_config,
    tick,
    widget_values,
)

SMALL = LabConfig(dataset="moons", n_train=60, n_train_dev=20, n_dev=20, hidden=(4,), seed=3)


def _state(config: LabConfig = SMALL) -> dict:
    state: dict = {}
    sync_config(state, config)
    return state


# --- building the run from the settings ------------------------------------------------------

def test_first_read_builds_a_paused_session_at_epoch_zero():
    state: dict = {}
    change = sync_config(state, SMALL)
    assert change.action == "new"
    session = current_session(state)
    assert session.epoch == 0 and session.history == []
    assert not is_running(state) and run_interval(state) is None


def test_same_settings_leave_the_run_alone():
    state = _state()
    session = current_session(state)
    tick(state, 3)
    assert sync_config(state, SMALL).action == "unchanged"
    assert current_session(state) is session and session.epoch == 3


def test_changing_the_data_restarts_the_run_and_says_why():
    state = _state()
    live.start(state)
    tick(state, 5)
    change = sync_config(state, SMALL.replace(noise=0.45))
    assert change.action == "reset" and change.fields == ("noise",)
    assert current_session(state).epoch == 0
    assert current_session(state).config.noise == 0.45
    assert "noise" in state[NOTICE_KEY] and "epoch 0" in state[NOTICE_KEY]
    assert not is_running(state)


def test_changing_the_learning_rate_mid_run_keeps_the_weights():
    state = _state()
    session = current_session(state)
    tick(state, 5)
    weights = session.network.params.copy()
    change = sync_config(state, SMALL.replace(learning_rate=0.05))
    assert change.action == "continue"
    assert current_session(state) is session and session.epoch == 5
    np.testing.assert_array_equal(session.network.params, weights)
    (record,) = tick(state, 1)
    assert record.epoch == 6 and record.learning_rate == pytest.approx(0.05)
    assert "learning_rate" in state[NOTICE_KEY]


def test_switching_optimizer_mid_run_starts_fresh_moving_averages():
    state = _state()
    tick(state, 4)
    change = sync_config(state, SMALL.replace(optimizer="momentum", beta1=0.95))
    assert change.action == "continue"
    session = current_session(state)
    assert session.optimizer.name == "momentum" and session.optimizer.beta == 0.95
    assert "afresh" in change.message
    tick(state, 2)
    assert session.epoch == 6


def test_any_change_before_the_first_epoch_just_rebuilds_quietly():
    state = _state()
    change = sync_config(state, SMALL.replace(learning_rate=0.5))
    assert change.action == "new" and NOTICE_KEY not in state


def test_regularisation_change_restarts_because_it_is_baked_into_the_layers():
    state = _state()
    tick(state, 2)
    assert sync_config(state, SMALL.replace(keep_prob=0.8)).action == "reset"


# --- ticking ---------------------------------------------------------------------------------

def test_a_tick_advances_a_fixed_number_of_epochs_and_appends_history():
    state = _state()
    records = tick(state, 7)
    assert [r.epoch for r in records] == list(range(1, 8))
    assert current_session(state).epoch == 7
    records = tick(state, 3)
    assert len(current_session(state).history) == 10 and records[-1].epoch == 10


def test_a_long_tick_thins_the_history_but_keeps_its_last_epoch():
    state = _state()
    records = tick(state, 1000)
    assert len(records) == 100
    assert records[0].epoch == 10 and records[-1].epoch == 1000
    assert current_session(state).epoch == 1000


def test_a_tick_stops_at_the_target_epoch_and_pauses():
    state = _state()
    live.start(state)
    assert run_interval(state) == live.TICK_INTERVAL_SECONDS
    tick(state, 8, until=12)
    assert is_running(state)
    records = tick(state, 8, until=12)
    assert records[-1].epoch == 12  # not 16: never past the target
    assert not is_running(state) and run_interval(state) is None
    assert "Reached epoch 12" in state[NOTICE_KEY]
    assert tick(state, 8, until=12) == []  # already there: nothing more


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_stops_the_run_and_play_cannot_restart_it():
    # Huge weights and a huge step on a deep ReLU net: the cost overflows within a few epochs.
    config = SMALL.replace(optimizer="gd", learning_rate=100.0, init="random", init_scale=100.0,
                           hidden=(32, 32, 32, 32, 32))
    state = _state(config)
    live.start(state)
    for _ in range(20):
        tick(state, 10)
        if not is_running(state):
            break
    session = current_session(state)
    assert session.diverged
    assert "diverged" in state[NOTICE_KEY].lower()
    live.start(state)
    assert not is_running(state)


def test_early_stopping_ends_the_run_with_its_reason():
    config = SMALL.replace(early_stopping_patience=3, learning_rate=0.0001, optimizer="gd")
    state = _state(config)
    live.start(state)
    for _ in range(50):
        tick(state, 10)
        if not is_running(state):
            break
    assert current_session(state).stopped_early
    assert "Early stopping" in state[NOTICE_KEY]


def test_tick_rejects_bad_calls():
    with pytest.raises(ValueError, match="epochs_per_tick"):
        tick(_state(), 0)
    with pytest.raises(ValueError, match="no training session"):
        tick({}, 1)


def test_pause_turns_the_timer_off():
    state = _state()
    live.start(state)
    live.pause(state)
    assert run_interval(state) is None


# --- pacing ----------------------------------------------------------------------------------

def test_auto_epochs_fits_the_time_budget():
    assert auto_epochs(None) == 10
    assert auto_epochs(0.001, budget=0.3) == 300
    assert auto_epochs(10.0) == 1  # a slow network still moves
    assert auto_epochs(1e-9) == 2000  # a fast one is capped
    assert auto_epochs(float("nan")) == 10


def test_record_timing_smooths_the_measure():
    state: dict = {}
    live.record_timing(state, 100, 0.2)
    assert state[live.SECONDS_PER_EPOCH_KEY] == pytest.approx(0.002)
    live.record_timing(state, 100, 0.4)
    assert state[live.SECONDS_PER_EPOCH_KEY] == pytest.approx(0.003)
    live.record_timing(state, 0, 1.0)  # an empty tick teaches nothing
    assert state[live.SECONDS_PER_EPOCH_KEY] == pytest.approx(0.003)


# --- widgets, presets, saved experiments ---------------------------------------------------------

@settings(max_examples=len(COURSE_PRESETS), deadline=None)
@given(name=st.sampled_from(sorted(COURSE_PRESETS)))
def test_every_preset_round_trips_through_the_widgets(name):
    state: dict = {}
    config = live.apply_preset(state, name)
    assert config_from_widgets(state) == config == COURSE_PRESETS[name]
    assert state[UNTIL_KEY] >= 1


def test_he_preset_is_the_course_setup():
    state: dict = {}
    live.apply_preset(state, "Init: He (circles)")
    assert state["hidden"] == "10,5"
    assert state["init"] == "he" and state["learning_rate"] == 0.01 and state["optimizer"] == "gd"
    assert state[UNTIL_KEY] == 15_000


def test_every_preset_says_what_the_course_found():
    assert set(live.COURSE_FINDINGS) == set(COURSE_PRESETS)


def test_loaded_preset_holds_until_a_setting_differs():
    state: dict = {}
    config = live.apply_preset(state, "Init: He (circles)")
    sync_config(state, config)
    assert live.loaded_preset(state) == "Init: He (circles)"
    sync_config(state, config.replace(learning_rate=0.02))
    assert live.loaded_preset(state) is None


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="preset must be one of"):
        live.apply_preset({}, "Init: magic")


def test_bad_widget_values_name_the_setting():
    values = widget_values(LabConfig()) | {"hidden": "10, five"}
    with pytest.raises(ValueError, match="hidden") as info:
        config_from_widgets(values)
    assert field_of_error(str(info.value)) == "hidden"
    with pytest.raises(ValueError, match="keep_prob") as info:
        config_from_widgets(widget_values(LabConfig()) | {"keep_prob": 0.0})
    assert field_of_error(str(info.value)) == "keep_prob"


def test_field_of_error_prefers_the_longest_name():
    assert field_of_error("n_train_dev must be at most 20000, got 30000.") == "n_train_dev"
    assert field_of_error("something else entirely") is None


def test_saved_experiment_reopens_at_the_same_epoch_and_trains_on_identically():
    state = _state()
    tick(state, 15)
    content = live.experiment_content(state, until=500)
    content = json.loads(json.dumps(content))  # what the store keeps is JSON
    reopened: dict = {}
    session = live.load_experiment(reopened, content)
    assert session.epoch == 15 and len(session.history) == 15
    assert reopened[UNTIL_KEY] == 500 and reopened["dataset"] == "moons"
    assert sync_config(reopened, config_from_widgets(reopened)).action == "unchanged"
    a = tick(state, 5)[-1]
    b = tick(reopened, 5)[-1]
    assert a.cost == pytest.approx(b.cost) and a.dev_error == b.dev_error


def test_nothing_to_save_before_a_session_exists():
    with pytest.raises(ValueError, match="no run to save"):
        live.experiment_content({})


def test_grad_norm_matrix_has_a_row_per_record_and_a_column_per_layer():
    state = _state(SMALL.replace(hidden=(4, 3)))
    tick(state, 4)
    epochs, norms = live.grad_norm_matrix(current_session(state).history)
    assert epochs.tolist() == [1, 2, 3, 4] and norms.shape == (4, 3)
    assert np.all(norms > 0)
    empty_epochs, empty = live.grad_norm_matrix([])
    assert empty_epochs.size == 0 and empty.size == 0


def test_state_keys_do_not_collide_with_settings():
    assert RUNNING_KEY not in live.CONFIG_FIELDS and NOTICE_KEY not in live.CONFIG_FIELDS
    assert set(live.CONFIG_FIELDS) == live.CONTINUE_FIELDS | live.RESTART_FIELDS
