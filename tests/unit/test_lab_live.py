"""Training in frames and the live drawing's specs: what the browser is sent while the lab
plays (frames, thinned curves, the boundary as bytes, the race, the tiles)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from analysis.training import LabConfig, OptimizerRace, TrainingSession, live
from analysis.training.diagnostics import neuron_tiles
from analysis.training.frames import (
    GRID_PLAYING,
    chunks,
    encode_grid,
    encode_tiles,
    history_curves,
    play_frames,
    race_frames,
    session_frame,
)
from charts.lab_live import LIVE_COUNTERS, MAX_TILES, live_spec, race_spec, tiles_spec

SMALL = LabConfig(dataset="moons", n_train=40, n_train_dev=20, n_dev=20, hidden=(4,))


def _playing() -> dict:
    state: dict = {}
    live.sync_config(state, SMALL)
    live.start(state)
    return state


def _decode(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype=np.uint8)


def test_chunks_split_the_epochs_evenly_and_drop_empty_ones():
    assert chunks(10, 4) == [3, 3, 2, 2]
    assert chunks(3, 10) == [1, 1, 1]
    assert sum(chunks(997, 10)) == 997
    with pytest.raises(ValueError, match="parts"):
        chunks(5, 0)


def test_a_tick_in_frames_trains_the_same_epochs_and_keeps_one_frame_per_chunk():
    state = _playing()
    frames = play_frames(state, 30, frames=10, until=1000)
    assert [f["x"] for f in frames] == list(range(3, 31, 3))
    session = live.current_session(state)
    assert session.epoch == 30
    last = frames[-1]
    assert last["values"]["cost"] == pytest.approx(session.current().cost)
    assert last["side"] == GRID_PLAYING and _decode(last["grid"]).size == GRID_PLAYING ** 2
    # the same grid the session computes, as P(class 1) x 255
    _, _, Z = session.decision_grid(GRID_PLAYING)
    np.testing.assert_array_equal(_decode(last["grid"]), np.rint(Z.ravel() * 255))


def test_frames_stop_at_the_target_epoch():
    state = _playing()
    frames = play_frames(state, 100, frames=10, until=25)
    assert frames[-1]["x"] == 25
    assert not live.is_running(state)
    assert "Reached epoch 25" in state[live.NOTICE_KEY]


def test_the_same_run_in_frames_or_in_one_tick_ends_at_the_same_weights():
    state = _playing()
    play_frames(state, 20, frames=5, until=1000)
    plain = TrainingSession(SMALL)
    plain.advance(20)
    np.testing.assert_allclose(live.current_session(state).network.params, plain.network.params)


def test_grid_bytes_for_binary_and_multiclass_data():
    assert _decode(encode_grid(np.array([[0.0, 1.0], [np.nan, 0.5]]), 2)).tolist() == [0, 255, 0, 128]
    assert _decode(encode_grid(np.array([[0.0, 2.0], [1.0, 3.0]]), 4)).tolist() == [0, 2, 1, 3]


def test_curves_are_thinned_but_keep_the_first_and_last_epoch():
    session = TrainingSession(SMALL)
    session.advance(1000)
    curves = history_curves(session, max_points=50)
    assert len(curves["epoch"]) <= 50
    assert curves["epoch"][0] == 1 and curves["epoch"][-1] == 1000
    assert len(curves["grad_norms"]) == session.network.n_layers


def test_live_spec_is_json_and_names_every_counter_and_chart():
    state = _playing()
    frames = play_frames(state, 10, frames=5, until=1000)
    session = live.current_session(state)
    spec = live_spec(session, frames, playing=True, frame_ms=95, run="r1")
    text = json.dumps(spec, allow_nan=False)  # NaN would break JSON.parse in the browser
    assert json.loads(text)["frames"][-1]["x"] == 10
    assert [c["label"] for c in spec["counters"]] == [c["label"] for c in LIVE_COUNTERS]
    assert [c["title"] for c in spec["charts"]] == ["Cost (log)", "Error",
                                                   "Gradient norm per layer (log)"]
    errors = spec["charts"][1]
    assert [s["name"] for s in errors["series"]] == ["train error", "train-dev error", "dev error"]
    assert errors["hline"]["y"] == pytest.approx(session.dataset.bayes_error)
    train, dev = spec["boundary"]["points"]
    assert len(train["x"]) == len(session.dataset.y_train) and dev["dev"] is True


def test_paused_frame_is_finer_and_a_diverged_cost_is_sent_as_null():
    session = TrainingSession(SMALL)
    frame = session_frame(session, 80)
    assert frame["side"] == 80 and _decode(frame["grid"]).size == 6400
    session.network.params[:] = np.inf  # what a diverged run holds
    broken = session_frame(session, 8)
    json.dumps(broken, allow_nan=False)
    assert broken["values"]["cost"] is None
    assert _decode(broken["grid"]).size == 64


def test_race_frames_give_every_racer_the_same_epochs_and_its_cost():
    contest = OptimizerRace(SMALL, ["gd", "adam"])
    frames = race_frames(contest, 12, frames=4)
    assert [f["x"] for f in frames] == [3, 6, 9, 12]
    assert set(frames[-1]["values"]) == {"gd", "adam"}
    assert frames[-1]["values"]["adam"] == pytest.approx(contest.final_costs()["adam"])
    spec = race_spec(contest, frames, playing=True, frame_ms=95, run="r")
    assert [s["name"] for s in spec["charts"][0]["series"]] == ["gd", "adam"]
    assert spec["charts"][0]["series"][0]["x"][-1] == 12
    json.dumps(spec, allow_nan=False)


def test_tiles_share_one_scale_with_zero_at_the_middle_and_are_capped():
    session = TrainingSession(SMALL.replace(hidden=(40, 40), activation="tanh"))
    tiles = neuron_tiles(session, resolution=4)
    encoded = encode_tiles(tiles, 3)
    values = np.asarray(tiles.tiles[:3], dtype=float)
    expected = np.rint(127.5 + 127.5 * values / np.abs(values).max())
    np.testing.assert_array_equal(_decode(encoded[1]), expected[1].ravel())
    spec = tiles_spec(tiles, run="t")
    assert len(spec["tiles"]["grids"]) == MAX_TILES
    assert spec["tiles"]["names"][:2] == ["L1 u1", "L1 u2"]
    assert "16 more" in spec["note"]
