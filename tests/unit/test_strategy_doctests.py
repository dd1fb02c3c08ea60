"""The Examples blocks of the strategy modules run as doctests, so they cannot drift."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["analysis.strategy.goal", "analysis.strategy.learning_curve",
           "analysis.strategy.advisors", "analysis.strategy.snapshots",
           "analysis.strategy.iteration_log", "analysis.strategy.stored", "analysis.split_rules",
           "reporting.slides", "analysis.strategy.against_goal",
           "charts.learning_curve"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_in_docstrings_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
