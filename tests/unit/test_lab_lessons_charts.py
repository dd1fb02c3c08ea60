"""Figures of the mini-batch costs, the search's effects and the batch-norm drift draw their
data."""

import numpy as np
import pandas as pd
import pytest

from analysis.training import LabConfig, TrainingSession, random_search
from analysis.training.diagnostics import preactivation_drift
from analysis.training.search import effects
from charts.lab_lessons import batch_cost_figure, drift_figure, effects_figure

SMALL = LabConfig(dataset="moons", n_train=64, n_dev=40, hidden=(6, 4), batch_size=16)


def test_batch_cost_figure_draws_each_iteration_and_the_epoch_cost():
    session = TrainingSession(SMALL)
    session.advance(3)
    iterations, history = session.iteration_frame(), session.history_frame()
    fig = batch_cost_figure(history, iterations)
    np.testing.assert_allclose(fig.data[0].x, iterations["position"])
    np.testing.assert_allclose(fig.data[0].y, iterations["batch_cost"])
    np.testing.assert_allclose(fig.data[1].y, history["cost"])
    assert len(fig.data[0].x) == 12  # 64 points in batches of 16, 3 epochs
    with pytest.raises(ValueError, match="missing \\['cost'\\]"):
        batch_cost_figure(history.drop(columns="cost"), iterations)


def test_effects_figure_has_a_panel_per_varied_hyperparameter():
    result = random_search(SMALL.replace(optimizer="momentum", batch_size=0), n_trials=3,
                           epochs=5, seed=1)
    table = effects(result)
    fig = effects_figure(table)
    names = list(dict.fromkeys(table["hyperparameter"]))
    assert len(fig.data) == len(names)
    rate = table[table["hyperparameter"] == "learning_rate"]
    np.testing.assert_allclose(fig.data[0].x, rate["value"])
    np.testing.assert_allclose(fig.data[0].y, rate["dev_error"])
    assert fig.layout.xaxis.type == "log"
    with pytest.raises(ValueError, match="no hyperparameter varied"):
        effects_figure(table.head(0))


def test_drift_figure_draws_the_median_and_bands_per_variant():
    drift = preactivation_drift(SMALL, layer=1, epochs=4, every=2)
    fig = drift_figure(drift)
    medians = [t for t in fig.data if t.name and t.name.startswith("median")]
    assert [t.name for t in medians] == ["median, without batch norm", "median, with batch norm"]
    with_bn = drift.summary[drift.summary["variant"] == "with batch norm"]
    np.testing.assert_allclose(medians[1].y, with_bn["q50"])
    assert list(medians[1].x) == [0, 2, 4]
    with pytest.raises(ValueError, match="preactivation_drift"):
        drift_figure(pd.DataFrame())
