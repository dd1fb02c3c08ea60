"""The waterfall figure builders, checked on the figure objects (no browser)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from analysis.bias_variance import decompose
from charts.theme import COLORS
from charts.waterfall import GAP_LABELS, LEVEL_LABELS, history_figure, waterfall_figure


def _gap_traces(fig: go.Figure) -> dict[str, go.Bar]:
    return {t.name: t for t in fig.data if t.name in COLORS and t.name not in LEVEL_LABELS}


def test_waterfall_runs_from_bayes_proxy_to_the_last_error_in_order():
    fig = waterfall_figure(decompose(human=0, train=10, train_dev=11, dev=20))
    order = list(fig.layout.xaxis.categoryarray)
    assert order == [LEVEL_LABELS["human"], GAP_LABELS["avoidable bias"], LEVEL_LABELS["train"],
                     GAP_LABELS["variance"], LEVEL_LABELS["train-dev"],
                     GAP_LABELS["data mismatch"], LEVEL_LABELS["dev"]]
    levels = fig.data[0]
    assert list(levels.y) == [0, 10, 11, 20]


def test_each_gap_floats_between_its_levels_coloured_by_kind_and_labelled():
    fig = waterfall_figure(decompose(human=0, train=10, train_dev=11, dev=20))
    gaps = _gap_traces(fig)
    assert set(gaps) == {"avoidable bias", "variance", "data mismatch"}
    mismatch = gaps["data mismatch"]
    assert mismatch.base[0] == pytest.approx(11) and mismatch.y[0] == pytest.approx(9)
    assert mismatch.marker.color == COLORS["data mismatch"]
    assert mismatch.text[0] == "+9.0 pts"
    assert gaps["variance"].marker.color == COLORS["variance"]


def test_negative_gap_hangs_down_from_its_start():
    fig = waterfall_figure(decompose(human=4, train=7, train_dev=10, dev=6))
    mismatch = _gap_traces(fig)["data mismatch"]
    assert mismatch.base[0] == pytest.approx(6) and mismatch.y[0] == pytest.approx(4)
    assert mismatch.text[0] == "-4.0 pts"


def test_dominant_gap_is_outlined_and_called_out():
    fig = waterfall_figure(decompose(human=1, train=8, dev=10))
    gaps = _gap_traces(fig)
    assert gaps["avoidable bias"].marker.line.width > gaps["variance"].marker.line.width
    callouts = [a.text for a in fig.layout.annotations if "Dominant" in a.text]
    assert callouts == ["<b>Dominant: avoidable bias</b>"]
    # Without a train-dev set the second step is labelled as the mixture it is.
    assert "Variance +<br>mismatch" in fig.layout.xaxis.categoryarray


def test_no_callout_when_nothing_dominates():
    fig = waterfall_figure(decompose(human=2, train=2, dev=2))
    assert not [a for a in fig.layout.annotations if "Dominant" in a.text]


def test_intervals_become_error_bars_and_noise_is_hatched():
    result = decompose(human=1, train=3, train_dev=4, dev=10, test=10.5,
                       sizes={"train": 5000, "train-dev": 1000, "dev": 1500, "test": 1500})
    fig = waterfall_figure(result)
    bars = fig.data[0].error_y
    assert bars.array is not None and len(bars.array) == 5
    dev = result.levels[3]
    assert bars.array[3] == pytest.approx(dev.high - dev.error)
    assert bars.arrayminus[3] == pytest.approx(dev.error - dev.low)
    overfit = _gap_traces(fig)["overfitting to dev"]
    assert overfit.marker.pattern.shape == "/"
    assert "(noise)" in overfit.text[0]


def test_typed_rates_have_no_error_bars():
    fig = waterfall_figure(decompose(human=1, train=8, dev=10))
    assert fig.data[0].error_y.array is None


def test_history_draws_one_line_per_gap_across_snapshots():
    snapshots = [("v1", decompose(0, 10, 11, 20)), ("v2", decompose(0, 5, 8, 12)),
                 ("v3", decompose(0, 3, dev=5))]
    fig = history_figure(snapshots)
    lines = {t.name: t for t in fig.data}
    assert list(lines["avoidable bias"].x) == ["v1", "v2", "v3"]
    assert list(lines["avoidable bias"].y) == [10, 5, 3]
    assert list(lines["data mismatch"].y) == [9, 4, None]
    assert lines["variance"].line.color == COLORS["variance"]
    assert "overfitting to dev" not in lines
    assert list(lines["last error"].y) == [20, 12, 5]


def test_history_of_no_snapshots_is_an_empty_but_valid_figure():
    fig = history_figure([])
    assert [t.name for t in fig.data] == ["last error"]
