"""The lab's settings are declared once, on LabConfig's fields: every field has a widget in the
sidebar, in its group, and each widget's bounds are the bounds validation enforces."""

from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from analysis.training import live
from analysis.training.config import SETTING_GROUPS, LabConfig, setting_of, settings

NUMERIC = [name for name, rule in settings().items() if rule.widget in ("number", "slider")]


def _sidebar() -> None:
    from components.lab_settings import settings_sidebar

    settings_sidebar()


@pytest.fixture(scope="module")
def sidebar() -> AppTest:
    at = AppTest.from_function(_sidebar, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def _widget(at: AppTest, name: str):
    for kind in ("number_input", "slider", "selectbox", "checkbox", "text_input"):
        found = [w for w in at.sidebar.get(kind) if w.key == name]
        if found:
            return kind, found[0]
    return None, None


def test_every_setting_has_a_widget_keyed_by_its_field_name(sidebar):
    # the key is also the URL parameter, so old links keep working
    for field in dataclasses.fields(LabConfig):
        _, widget = _widget(sidebar, field.name)
        assert widget is not None, f"{field.name} has no widget in the sidebar"
        assert widget.label == setting_of(field.name).label
        assert widget.value == live.widget_values(LabConfig())[field.name]


@pytest.mark.parametrize("name", NUMERIC)
def test_widget_bounds_are_the_validation_bounds(sidebar, name):
    rule = setting_of(name)
    _, widget = _widget(sidebar, name)
    if rule.low is not None:
        assert widget.min == rule.low
    if rule.high is not None:
        assert widget.max == rule.high
    # validation accepts the bounds themselves (unless that end is excluded) and refuses a
    # step beyond them, naming the setting
    base = LabConfig(dev_shift="rotate") if name == "shift_amount" else LabConfig()
    for bound, excluded in ((rule.low, rule.above_low), (rule.high, rule.below_high)):
        if bound is not None and not excluded:
            base.replace(**{name: bound})
        elif bound is not None:
            with pytest.raises(ValueError, match=name):
                base.replace(**{name: bound})
    if rule.high is not None:
        with pytest.raises(ValueError, match=name):
            base.replace(**{name: rule.high * 2 + 1})
    if rule.low is not None:
        with pytest.raises(ValueError, match=name):
            base.replace(**{name: rule.low - 1})


def test_select_widgets_offer_exactly_the_valid_options(sidebar):
    for name, rule in settings().items():
        if rule.widget == "select":
            _, widget = _widget(sidebar, name)
            assert tuple(widget.options) == rule.options
            with pytest.raises(ValueError, match=name):
                LabConfig(**{name: "not an option"})


def test_groups_and_live_fields_come_from_the_declarations():
    assert {rule.group for rule in settings().values()} == set(SETTING_GROUPS)
    optimizer_fields = {"optimizer", "beta1", "beta2", "epsilon"}
    live_fields = optimizer_fields | {"learning_rate", "batch_size", "decay", "decay_rate",
                                      "decay_interval", "early_stopping_patience"}
    assert set(live.OPTIMIZER_FIELDS) == optimizer_fields
    assert set(live.CONTINUE_FIELDS) == live_fields


def test_dependent_widgets_are_greyed_out_until_their_choice_is_made(sidebar):
    assert _widget(sidebar, "init_scale")[1].disabled  # default init is he
    assert _widget(sidebar, "decay_rate")[1].disabled  # default decay is none
    assert not _widget(sidebar, "beta1")[1].disabled  # default optimizer is adam
