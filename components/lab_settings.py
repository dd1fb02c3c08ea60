"""The training lab's settings sidebar, drawn from the Settings declared on LabConfig's fields.

Each widget takes its label, bounds, step, options and help from the field's Setting, its key
and URL parameter from the field's name (so a link reopens the experiment), and its group
from the Setting: nothing about a setting is written down twice.
"""

from __future__ import annotations

from collections.abc import Iterator

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analysis.training.config import SETTING_GROUPS, LabConfig, Setting, settings

DEFAULT = LabConfig()
GROUP_ICONS = {"Data": ":material/scatter_plot:", "Architecture": ":material/account_tree:",
               "Initialisation": ":material/casino:", "Regularisation": ":material/tune:",
               "Optimisation": ":material/speed:"}


def settings_sidebar() -> dict[str, DeltaGenerator]:
    """Draw the groups of settings; return each group's slot for its error message."""
    slots = {}
    st.sidebar.header("Experiment settings")
    st.sidebar.caption("Changing data, architecture, initialisation or regularisation starts a "
                       "new run at epoch 0. Optimisation changes (optimizer, learning rate, β, "
                       "mini-batch, decay) and early stopping apply to the run in progress, "
                       "as in TensorFlow Playground.")
    for group in SETTING_GROUPS:
        with st.sidebar.expander(group, expanded=True, icon=GROUP_ICONS[group]):
            for row in _rows(group):
                places = [st] if len(row) == 1 else st.columns(len(row))
                for place, name in zip(places, row, strict=True):
                    draw_setting(place, name, settings()[name])
            slots[group] = st.container()
    return slots


def _rows(group: str) -> Iterator[list[str]]:
    """The group's fields in declaration order; neighbours sharing a row name form one row."""
    row: list[str] = []
    for name, rule in settings().items():
        if rule.group != group:
            continue
        if row and (rule.row is None or settings()[row[-1]].row != rule.row):
            yield row
            row = []
        row.append(name)
    if row:
        yield row


def draw_setting(place: DeltaGenerator, name: str, rule: Setting) -> object:
    """One setting's widget, keyed and bound to the URL by the field's name."""
    default = getattr(DEFAULT, name)
    common = {"key": name, "help": rule.help, "bind": "query-params",
              "disabled": _disabled(rule)}
    if rule.widget == "select":
        return place.selectbox(rule.label, rule.options, index=rule.options.index(default),
                               **common)
    if rule.widget == "slider":
        return place.slider(rule.label, rule.low, rule.high, default, rule.step, **common)
    if rule.widget == "checkbox":
        return place.checkbox(rule.label, default, **common)
    if rule.widget == "text":  # hidden layers as "10,5"
        return place.text_input(rule.label, ",".join(str(units) for units in default), **common)
    return place.number_input(rule.label, _typed(rule.low, default), _typed(rule.high, default),
                              default, _typed(rule.step, default), format=rule.format, **common)


def _typed(bound: float | None, default: object) -> float | int | None:
    """Streamlit wants bounds and step of the value's own type (int settings take ints)."""
    if bound is None or not isinstance(default, int):
        return bound
    return int(bound)


def _disabled(rule: Setting) -> bool:
    if rule.enabled_when is None:
        return False
    controller, values = rule.enabled_when
    return st.session_state.get(controller, getattr(DEFAULT, controller)) not in values
