"""Covariate shift with and without batch norm; per-neuron tiles."""

import numpy as np
import pytest

from analysis.training import LabConfig, TrainingSession
from analysis.training.config import MAX_LAYERS, MAX_UNITS
from analysis.training.diagnostics import neuron_tiles, preactivation_drift

DEEP = LabConfig(dataset="spirals", n_train=400, hidden=(32, 32, 32), optimizer="gd",
                 learning_rate=0.5, batch_size=64)


def test_batch_norm_keeps_a_hidden_layers_pre_activations_steadier():
    drift = preactivation_drift(DEEP, layer=3, epochs=100, every=10)
    summary = drift.summary
    assert set(summary["variant"]) == {"without batch norm", "with batch norm"}
    assert summary.groupby("variant")["epoch"].apply(list).iloc[0] == list(range(0, 101, 10))
    assert drift.drift["with batch norm"] < drift.drift["without batch norm"]
    assert "steadier" in drift.verdict
    # quantiles are ordered and the histogram counts every pre-activation it shows
    q = summary[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    edges, counts = drift.histograms["with batch norm"]
    assert counts.shape == (11, len(edges) - 1)
    assert counts.sum(axis=1).max() <= 400 * 32


def test_with_batch_norm_each_snapshot_starts_standardised():
    drift = preactivation_drift(DEEP, layer=2, epochs=10, every=10)
    first = drift.summary[(drift.summary["variant"] == "with batch norm")].iloc[0]
    # gamma = 1, beta = 0 at init: Z~ is Z_norm, mean 0 and std 1 per unit
    assert first["mean"] == pytest.approx(0.0, abs=1e-9)
    assert first["std"] == pytest.approx(1.0, abs=1e-3)


def test_preactivation_drift_names_a_bad_layer():
    with pytest.raises(ValueError, match="layer must be a hidden layer, 1 to 3"):
        preactivation_drift(DEEP, layer=4)


def test_neuron_tiles_show_each_hidden_units_output_over_the_plane():
    session = TrainingSession(LabConfig(dataset="moons", n_train=60, hidden=(3, 2),
                                        activation="tanh"))
    session.advance(20)
    tiles = neuron_tiles(session, resolution=12)
    assert tiles.tiles.shape == (5, 12, 12) and tiles.tiles.dtype == np.float32
    assert tiles.layer.tolist() == [1, 1, 1, 2, 2] and tiles.unit.tolist() == [0, 1, 2, 0, 1]
    # tile value at (xs[j], ys[i]) is unit 1 of layer 1: tanh(x W1[1] + b1[1]) in its coordinates
    net = session.network
    point = session.normalize(np.array([[tiles.xs[4], tiles.ys[7]]]))
    expected = np.tanh(point @ net.view(net.params, "W1")[1] + net.view(net.params, "b1")[1])
    assert tiles.tiles[1, 7, 4] == pytest.approx(float(expected[0]), rel=1e-5)


def test_neuron_tiles_stay_compact_at_the_labs_size_limit():
    config = LabConfig(dataset="moons", n_train=20, hidden=(MAX_UNITS,) * MAX_LAYERS)
    tiles = neuron_tiles(TrainingSession(config), resolution=16)
    assert tiles.tiles.shape == (MAX_UNITS * MAX_LAYERS, 16, 16)
    assert tiles.tiles.nbytes <= 3 * 1024 * 1024
    with pytest.raises(ValueError, match="resolution must be at most"):
        neuron_tiles(TrainingSession(config), resolution=500)
