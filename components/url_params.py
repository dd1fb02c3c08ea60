"""Every URL parameter of every page, declared once: its type, default and meaning, and the
old names it was known by (a link someone shared before a rename still opens the same view).

A widget bound with bind="query-params" uses its key as the parameter name, so each name below
is also that widget's key. Names say what they hold: on the split planner `dev_size` is a
number of examples, on the waterfall `dev` is an error in percent (`n_dev` its size); the
threshold is `threshold` on every page. Kept as they were, with their meaning written here,
are the waterfall's rate names (train, train_dev, dev, test: error %): they are the decompose()
argument names that snapshots and presets fill in, and every shared waterfall link uses them.
A widget whose parameter was renamed takes `value=start_value(page, name)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from analysis.error_analysis import DEFAULT_DEV_ERROR_PCT
from analysis.training.config import LabConfig, settings


@dataclass(frozen=True)
class Param:
    """One URL parameter: how its text is read, its default, what it means, its old names."""

    parse: Callable[[str], Any]
    default: Any
    meaning: str
    old_names: tuple[str, ...] = ()


def _pct(meaning: str, default: float | None = None, *old: str) -> Param:
    return Param(float, default, f"{meaning} (percent, 0-100)", old)


_WATERFALL_RATES = {rate: _pct(f"{label} error") for rate, label in (
    ("train", "Training"), ("train_dev", "Train-dev"), ("dev", "Dev"), ("test", "Test"))}

URL_PARAMS: dict[str, dict[str, Param]] = {
    "": {"ws": Param(int, None, "the workspace to open (every page)")},
    "workspaces": {
        "show": Param(int, None, "the workspace whose contents are listed"),
        "item": Param(str, None, "the saved item whose history is shown"),
    },
    "waterfall": {
        "src": Param(str, "Typed rates", "where the errors come from: typed rates or a file"),
        "human": _pct("Typical human error"),
        "expert": _pct("Typical expert error"),
        "experienced": _pct("Experienced expert error"),
        "team": _pct("Team of experts error"),
        **_WATERFALL_RATES,
        **{f"n_{rate}": Param(int, None, f"number of {rate.replace('_', '-')} examples")
           for rate in _WATERFALL_RATES},
        "threshold": Param(float, 0.5, "score at or above which a file's row is predicted "
                                       "positive", ("thr",)),
        "threshold_score": Param(float, None, "the same for ranking scores, in their units"),
        "model": Param(str, None, "the file's score column used"),
    },
    "metrics": {
        "split": Param(str, "dev", "the rows evaluated"),
        "model": Param(str, None, "the model (score column) shown"),
        "threshold": Param(float, 0.5, "score at or above which a row is predicted positive"),
        "threshold_score": Param(float, None, "the same for ranking scores, in their units"),
        "norm": Param(str, None, "how the confusion matrix is normalised"),
        "slice": Param(str, None, "the column the errors are sliced by"),
        "table": Param(str, None, "where the model table comes from"),
    },
    "error-analysis": {"sheet": Param(str, None, "the sheet open")},
    "split-planner": {
        "sources": Param(str, None, "the data sources and their sizes ('name: size; ...')"),
        "target": Param(str, None, "the source the model will meet (dev and test come from it)"),
        "sizing": Param(str, None, "how dev and test sizes are chosen"),
        "shape": Param(str, None, "train / dev / test, or train / test with no dev set"),
        "dev_size": Param(int, 2_500, "number of dev examples", ("dev",)),
        "test_size": Param(int, 2_500, "number of test examples", ("test",)),
        "train_dev_size": Param(int, None, "number of train-dev examples", ("train_dev",)),
        "detect": Param(float, 1.0, "difference between two models to detect (points)"),
        "error_pct": _pct("Current error rate", DEFAULT_DEV_ERROR_PCT, "error"),
        "alpha": Param(float, 0.05, "significance level"),
        "power": Param(float, 0.8, "power of the test"),
        "design": Param(str, None, "two-proportion or paired test"),
        "psi": _pct("Discordant rate: examples exactly one model gets wrong"),
        "halfwidth": Param(float, 1.0, "half-width of the test set's interval (points)"),
        "confidence": Param(float, 0.95, "confidence of that interval (a fraction)"),
        "counts": Param(str, None, "show counts instead of shares"),
        "check_error_pct": _pct("Expected error rate for the size check", DEFAULT_DEV_ERROR_PCT,
                                "check_error"),
    },
    "training-lab": {
        **{name: Param(type(getattr(LabConfig(), name)), getattr(LabConfig(), name),
                       setting.label) for name, setting in settings().items()},
        "until": Param(int, None, "epochs to train for"),
        "ewa_beta": Param(float, 0.9, "β of the exponentially weighted average demo"),
        "ewa_correction": Param(str, None, "bias correction in that demo"),
    },
    "report": {
        "threshold": Param(float, None, "threshold for the key metrics"),
        "human": _pct("Human-level error for a waterfall computed from the file"),
    },
}


def start_value(page: str, name: str) -> Any:
    """The value the widget `name` of `page` starts from: what a link made before the rename
    carries under an old name, else the table's default. (The widget's own parameter, when
    the link has it, still wins: bind="query-params" reads it.)"""
    param = URL_PARAMS[page][name]
    if name not in st.query_params:
        for old in param.old_names:
            raw = st.query_params.get(old)
            if raw is None:
                continue
            try:
                return param.parse(raw)
            except (TypeError, ValueError):
                break  # a malformed old value: the default applies
    return param.default
