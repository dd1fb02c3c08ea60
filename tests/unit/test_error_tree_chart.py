"""The error-tree icicle draws each node's rows as its size and its error rate as its colour,
with the user's column names and values escaped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.error_tree import fit_error_tree
from charts.error_tree import error_tree_figure


def _blurry_photos_fail() -> tuple[pd.DataFrame, np.ndarray]:
    """200 photos: 40 of the 100 blurry ones are wrong, none of the sharp ones."""
    frame = pd.DataFrame({"blur": ["yes", "no"] * 100})
    errors = np.r_[[True, False] * 40, [False] * 120]
    return frame, errors


def test_icicle_draws_rows_as_size_and_error_rate_as_colour():
    frame, errors = _blurry_photos_fail()
    nodes = fit_error_tree(frame, errors, ["blur"])
    trace = error_tree_figure(nodes).data[0]
    assert list(trace.values) == [200, 100, 100]
    assert list(trace.marker.colors) == pytest.approx([0.2, 0.0, 0.4])
    assert list(trace.parents) == ["", "0", "0"]
    assert list(trace.labels) == ["all rows", "blur = no", "blur = yes"]
    assert trace.branchvalues == "total"
    assert [row[3] for row in trace.customdata] == pytest.approx([1.0, 0.0, 1.0])  # coverage


def test_hostile_column_names_and_values_are_escaped():
    frame = pd.DataFrame({"<b>col</b>": ["<img src=x onerror=alert(1)>", "ok"] * 100})
    errors = np.r_[[True, False] * 40, [False] * 120]
    trace = error_tree_figure(fit_error_tree(frame, errors, ["<b>col</b>"])).data[0]
    drawn = " ".join([*trace.labels, *(row[0] for row in trace.customdata)])
    assert "<b>" not in drawn and "<img" not in drawn
    assert "&lt;img" in drawn


def test_empty_node_list_is_refused():
    with pytest.raises(ValueError, match="nodes must be"):
        error_tree_figure([])
