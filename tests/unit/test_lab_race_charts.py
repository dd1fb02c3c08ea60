"""The saddle surface's figure draws its data (the race and the tiles: test_lab_live.py)."""

import numpy as np

from analysis.training.race import surface_paths
from charts.lab_race import surface_figure


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
