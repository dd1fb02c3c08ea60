"""Figures of the optimizer race, the saddle surface and the neuron tiles draw their data."""

import numpy as np
import pandas as pd
import pytest

from analysis.training import LabConfig, TrainingSession
from analysis.training.diagnostics import neuron_tiles
from analysis.training.race import race, surface_paths
from charts.lab_race import MAX_TILES, race_figure, surface_figure, tiles_figure


def test_race_figure_draws_one_cost_curve_per_optimizer():
    result = race(LabConfig(dataset="moons", n_train=60), ["gd", "adam"], epochs=4)
    fig = race_figure(result.curves)
    assert [t.name for t in fig.data] == ["gd", "adam"]
    adam = result.curves[result.curves["optimizer"] == "adam"]
    np.testing.assert_allclose(fig.data[1].y, adam["cost"])
    assert list(fig.data[1].x) == adam["epoch"].tolist()
    assert fig.layout.yaxis.type == "log"


def test_race_figure_escapes_labels_and_names_missing_columns():
    curves = pd.DataFrame({"epoch": [1], "optimizer": ["<b>x</b>"], "cost": [0.5]})
    assert race_figure(curves).data[0].name == "&lt;b&gt;x&lt;/b&gt;"
    with pytest.raises(ValueError, match="missing \\['cost'\\]"):
        race_figure(curves.drop(columns="cost"))


def test_surface_figure_draws_contours_paths_saddle_and_minima():
    result = surface_paths((1e-3, 1e-3), ["gd", "adam"], steps=20, resolution=10)
    fig = surface_figure(result)
    contour = fig.data[0]
    assert contour.type == "contour"
    np.testing.assert_allclose(np.asarray(contour.z), result.Z)
    paths = {t.name: t for t in fig.data[1:] if t.mode == "lines"}
    np.testing.assert_allclose(paths["adam"].x, result.paths["adam"][:, 0])
    np.testing.assert_allclose(paths["gd"].y, result.paths["gd"][:, 1])
    saddle = next(t for t in fig.data if t.name == "saddle point")
    assert (saddle.x[0], saddle.y[0]) == (0.0, 0.0)
    minima = next(t for t in fig.data if t.name == "minima")
    assert list(minima.y) == [-1.0, 1.0]


def test_tiles_figure_draws_a_heatmap_per_hidden_unit():
    session = TrainingSession(LabConfig(dataset="moons", n_train=40, hidden=(3, 2)))
    tiles = neuron_tiles(session, resolution=6)
    fig = tiles_figure(tiles, columns=3)
    assert [t.name for t in fig.data] == ["L1 u1", "L1 u2", "L1 u3", "L2 u1", "L2 u2"]
    np.testing.assert_allclose(np.asarray(fig.data[3].z), tiles.tiles[3])


def test_tiles_figure_caps_the_number_of_tiles():
    session = TrainingSession(LabConfig(dataset="moons", n_train=20, hidden=(40, 40)))
    fig = tiles_figure(neuron_tiles(session, resolution=4))
    assert len(fig.data) == MAX_TILES
    assert "16 more" in fig.layout.title.text
    with pytest.raises(ValueError, match="no hidden units"):
        tiles_figure(neuron_tiles(TrainingSession(LabConfig(n_train=20, hidden=())),
                                  resolution=4))
